// Checks a running `mamba-playground serve` with OpenAI's own Node SDK (not part of the build).
//   mkdir /tmp/sdk && cd /tmp/sdk && npm install openai@4 && cp <repo>/tools/server/openai-sdk-check.mjs .
//   BASE_URL=http://127.0.0.1:8000/v1 MODEL=<folder name> node openai-sdk-check.mjs
// Every line should end in "ok"; the script exits 1 otherwise.
import OpenAI from 'openai';

const model = process.env.MODEL;
const client = new OpenAI({ baseURL: process.env.BASE_URL ?? 'http://127.0.0.1:8000/v1', apiKey: process.env.API_KEY ?? 'none' });
let failed = false;
const check = (name, ok, detail = '') => { console.log(`${name}: ${detail} ${ok ? 'ok' : 'FAILED'}`); failed ||= !ok; };

const models = await client.models.list();
check('models.list', models.data.some(m => m.id === model), JSON.stringify(models.data.map(m => m.id)));

const c = await client.completions.create({ model, prompt: 'Hello', max_tokens: 5, temperature: 0 });
check('completions', c.object === 'text_completion' && c.usage.total_tokens === c.usage.prompt_tokens + c.usage.completion_tokens,
    JSON.stringify(c.choices[0].text));
let streamed = '';
for await (const chunk of await client.completions.create({ model, prompt: 'Hello', max_tokens: 5, temperature: 0, stream: true })) {
    streamed += chunk.choices[0].text;
}
check('completions stream', streamed === c.choices[0].text);

const messages = [{ role: 'user', content: 'Hi' }];
const chat = await client.chat.completions.create({ model, messages, max_tokens: 6, temperature: 0 });
check('chat', chat.object === 'chat.completion' && chat.choices[0].message.role === 'assistant', JSON.stringify(chat.choices[0].message.content));
let text = '', usage = null;
for await (const chunk of await client.chat.completions.create({ model, messages, max_tokens: 6, temperature: 0, stream: true,
                                                                  stream_options: { include_usage: true } })) {
    if (chunk.choices.length) text += chunk.choices[0].delta.content ?? '';
    if (chunk.usage) usage = chunk.usage;
}
check('chat stream', text === chat.choices[0].message.content && usage?.completion_tokens === chat.usage.completion_tokens);

try {
    await client.chat.completions.create({ model: 'no-such-model', messages });
    check('unknown model', false);
} catch (e) {
    check('unknown model', e instanceof OpenAI.NotFoundError && e.code === 'model_not_found', `${e.status} ${e.message}`);
}
try {
    await client.chat.completions.create({ model, messages, temperature: 7 });
    check('bad temperature', false);
} catch (e) {
    check('bad temperature', e instanceof OpenAI.BadRequestError && e.param === 'temperature', `${e.status} ${e.message}`);
}
process.exit(failed ? 1 : 0);
