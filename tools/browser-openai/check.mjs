// Serves page.mjs (bundled with the openai package) from a small static server and opens it in headless
// Chromium twice: from http://localhost:PORT (a local origin: the server must allow it, preflight with the
// SDK's x-stainless-* headers included) and from http://page.test:PORT (mapped to 127.0.0.1, not allowed
// by default: the browser must be refused). Usage: node check.mjs API_BASE (e.g. http://127.0.0.1:8000/v1)
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { build } from 'esbuild';
import puppeteer from 'puppeteer-core';

const api = process.argv[2];
const bundle = (await build({ entryPoints: [new URL('page.mjs', import.meta.url).pathname], bundle: true, format: 'esm',
                              platform: 'browser', write: false, logLevel: 'warning' })).outputFiles[0].text;
const html = '<!doctype html><meta charset="utf-8"><title>openai in a browser</title><script type="module" src="/page.js"></script>';
const files = createServer((req, res) => {
    const js = req.url.startsWith('/page.js');
    res.writeHead(200, { 'Content-Type': js ? 'text/javascript' : 'text/html' }).end(js ? bundle : html);
});
await new Promise(resolve => files.listen(0, '127.0.0.1', resolve));
const port = files.address().port;

const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--host-resolver-rules=MAP page.test 127.0.0.1'],
});
let failed = false;
async function visit(origin, expectOk) {
    const page = await browser.newPage();
    const preflights = [];
    page.on('console', m => console.log(`  [console] ${m.text()}`));
    page.on('request', r => { if (r.method() === 'OPTIONS') preflights.push(r.headers()['access-control-request-headers']); });
    await page.goto(`${origin}/?api=${encodeURIComponent(api)}`);
    await page.waitForFunction('window.__report !== undefined', { timeout: 60000 });
    const report = await page.evaluate('window.__report');
    const ok = report.ok === expectOk && (!expectOk || (report.text.length > 0 && report.finish !== null && report.usage !== null));
    console.log(`page at ${origin}: ${JSON.stringify(report)}`);
    console.log(`  preflights asked for: ${JSON.stringify(preflights)}`);
    console.log(`  => ${expectOk ? 'streamed chat completed' : 'refused, as it must be'}: ${ok ? 'ok' : 'FAILED'}`);
    failed ||= !ok;
    await page.close();
}
console.log(`${await browser.version()}, openai ${JSON.parse(await readFile(new URL('node_modules/openai/package.json', import.meta.url))).version}, API ${api}`);
await visit(`http://localhost:${port}`, true);
await visit(`http://page.test:${port}`, false);
await browser.close();
files.close();
process.exit(failed ? 1 : 0);
