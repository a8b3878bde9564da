// Runs in the browser page: the official openai package (bundled by esbuild) streams a chat from `serve`.
import OpenAI from 'openai';

const params = new URLSearchParams(location.search);
const client = new OpenAI({ baseURL: params.get('api'), apiKey: 'none', dangerouslyAllowBrowser: true, maxRetries: 0 });
const report = {};
try {
    const models = await client.models.list();
    report.models = models.data.map(m => m.id);
    let text = '', chunks = 0, finish = null, usage = null;
    const stream = await client.chat.completions.create({
        model: report.models[0], messages: [{ role: 'user', content: 'Hello from a browser' }],
        max_tokens: 16, temperature: 0, stream: true, stream_options: { include_usage: true },
    });
    for await (const chunk of stream) {
        chunks++;
        if (chunk.choices.length) {
            text += chunk.choices[0].delta.content ?? '';
            finish = chunk.choices[0].finish_reason ?? finish;
        }
        if (chunk.usage) usage = chunk.usage;
    }
    Object.assign(report, { ok: true, chunks, text, finish, usage });
} catch (e) {
    Object.assign(report, { ok: false, error: `${e.constructor.name}: ${e.message}` });
}
window.__report = report;
