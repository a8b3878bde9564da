#!/usr/bin/env node
// Run a GGUF model in llama.cpp (node-llama-cpp's prebuilt CPU binary) on given token ids
// and print, as JSON on stdout, the raw next-token logits of every prompt position,
// a greedy continuation, the vocabulary size and the llama.cpp build.
//
//   node check.mjs MODEL.gguf --tokens 1,2,3 [--continue 16] [--text "..."]
//                  [--threads 2] [--top 20] [--no-full-logits] [--kv-type f32|f16] [--verbose]
//
// Exit status: 0 ok, 2 bad arguments, 3 model file missing/unreadable,
// 4 llama.cpp (or node-llama-cpp's GGUF reader) refused the file, 5 evaluation failed.
import fs from "node:fs";
import path from "node:path";
import {execFileSync} from "node:child_process";
import {fileURLToPath} from "node:url";
import {getLlama, getModuleVersion, LlamaLogLevel} from "node-llama-cpp";

// folder of an installed package (its exports hide package.json from require.resolve)
function packageDir(name) {
    try {
        let dir = path.dirname(fileURLToPath(import.meta.resolve(name)));
        while (dir !== path.dirname(dir)) {
            const pj = path.join(dir, "package.json");
            if (fs.existsSync(pj) && JSON.parse(fs.readFileSync(pj, "utf8")).name === name) return dir;
            dir = path.dirname(dir);
        }
    } catch {
        // not installed
    }
    return null;
}

const USAGE = `usage: node check.mjs MODEL.gguf --tokens ID,ID,... [options]
  --tokens 1,2,3      prompt token ids, fed to llama.cpp as they are (no BOS added)
  --continue N        greedy continuation length after the prompt (default 0)
  --text "..."        also print llama.cpp's tokenization of this text (not evaluated)
  --threads N         CPU threads (default 2)
  --top K             top-K entries (logit, log-prob) per position (default 20)
  --no-full-logits    omit the full per-position logits arrays (keep top-K and argmax)
  --kv-type f32|f16   KV-cache element type (default f32, exact; llama.cpp's own default is f16)
  --verbose           echo llama.cpp's log to stderr`;

function fail(code, msg, log) {
    process.stderr.write(`check.mjs: ${msg}\n`);
    if (log && log.length > 0) {
        process.stderr.write("---- llama.cpp log ----\n");
        for (const line of log) process.stderr.write(line.replace(/\s+$/, "") + "\n");
    }
    process.exit(code);
}

// llama.cpp's log reaches the JS logger asynchronously: let pending messages arrive before failing
async function failWithLog(code, msg, log) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    fail(code, msg, log);
}

function parseArgs(argv) {
    const o = {model: null, tokens: null, cont: 0, text: null, threads: 2, top: 20, fullLogits: true, kvType: "f32", verbose: false};
    const need = (i, name) => {
        if (i + 1 >= argv.length) fail(2, `${name} needs a value\n${USAGE}`);
        return argv[i + 1];
    };
    const int = (v, name, min) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < min) fail(2, `${name}: expected an integer >= ${min}, got ${JSON.stringify(v)}`);
        return n;
    };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        switch (a) {
            case "--tokens": {
                const v = need(i++, a);
                o.tokens = v.split(",").map((s) => s.trim()).filter((s) => s !== "").map((s) => int(s, "--tokens", 0));
                break;
            }
            case "--continue": o.cont = int(need(i++, a), a, 0); break;
            case "--text": o.text = need(i++, a); break;
            case "--threads": o.threads = int(need(i++, a), a, 1); break;
            case "--top": o.top = int(need(i++, a), a, 1); break;
            case "--no-full-logits": o.fullLogits = false; break;
            case "--kv-type": {
                const v = need(i++, a).toLowerCase();
                if (v !== "f32" && v !== "f16") fail(2, `--kv-type: expected f32 or f16, got ${JSON.stringify(v)}`);
                o.kvType = v;
                break;
            }
            case "--verbose": o.verbose = true; break;
            case "-h": case "--help": process.stdout.write(USAGE + "\n"); process.exit(0); break;
            default:
                if (a.startsWith("-")) fail(2, `unknown option ${a}\n${USAGE}`);
                if (o.model != null) fail(2, `unexpected argument ${a}\n${USAGE}`);
                o.model = a;
        }
    }
    if (o.model == null) fail(2, `no model file given\n${USAGE}`);
    if (o.tokens == null || o.tokens.length === 0) fail(2, `--tokens is required (comma-separated ids)\n${USAGE}`);
    return o;
}

// float32 values print with 9 significant digits, which round-trips them exactly
const f32 = (x) => (Number.isFinite(x) ? Number(x.toPrecision(9)) : String(x));

// dense logits by token id from node-llama-cpp's Map<token, logit>
function denseLogits(map, nVocab) {
    const a = new Float64Array(nVocab).fill(Number.NaN);
    for (const [tok, v] of map) a[tok] = v;
    return a;
}

function summarize(logits, topK) {
    let max = -Infinity, argmax = -1;
    for (let i = 0; i < logits.length; i++) if (logits[i] > max) { max = logits[i]; argmax = i; } // lowest id wins ties
    let sum = 0;
    for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i] - max);
    const lse = max + Math.log(sum);
    const order = Array.from(logits.keys()).sort((x, y) => logits[y] - logits[x] || x - y).slice(0, topK);
    return {argmax, maxLogit: max, logSumExp: lse, top: order.map((id) => ({id, logit: f32(logits[id]), logprob: f32(logits[id] - lse)}))};
}

function llamaCppCommit() {
    // the exact llama.cpp commit is the HEAD of the source bundle node-llama-cpp ships (read-only query)
    try {
        const dir = packageDir("node-llama-cpp");
        const bundle = dir && path.join(dir, "llama", "gitRelease.bundle");
        if (!bundle || !fs.existsSync(bundle)) return null;
        const out = execFileSync("git", ["bundle", "list-heads", bundle], {encoding: "utf8", stdio: ["ignore", "pipe", "ignore"]});
        return out.split(/\s+/)[0] || null;
    } catch {
        return null;
    }
}

function binaryPackageVersion() {
    const dir = packageDir("@node-llama-cpp/linux-x64");
    return dir && JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).version;
}

async function main() {
    const opt = parseArgs(process.argv.slice(2));

    const modelPath = path.resolve(opt.model);
    let st;
    try {
        st = fs.statSync(modelPath);
    } catch (e) {
        fail(3, `model file not found: ${modelPath} (${e.code ?? e.message})`);
    }
    if (!st.isFile()) fail(3, `not a regular file: ${modelPath}`);
    try {
        fs.accessSync(modelPath, fs.constants.R_OK);
        const fd = fs.openSync(modelPath, "r");
        const magic = Buffer.alloc(4);
        fs.readSync(fd, magic, 0, 4, 0);
        fs.closeSync(fd);
        if (magic.toString("latin1") !== "GGUF")
            fail(4, `${modelPath} is not a GGUF file (magic ${JSON.stringify(magic.toString("latin1"))}, expected "GGUF")`);
    } catch (e) {
        fail(3, `cannot read ${modelPath}: ${e.message}`);
    }

    const log = [];
    let cpuBackend = null;
    const logger = (level, message) => {
        log.push(`[${level}] ${message}`);
        const m = /loaded CPU backend from (\S+)/.exec(message);
        if (m) cpuBackend = path.basename(m[1]);
        if (opt.verbose) process.stderr.write(`[llama.cpp ${level}] ${message}${message.endsWith("\n") ? "" : "\n"}`);
    };

    let llama;
    try {
        llama = await getLlama({
            gpu: false,                 // CPU only: no CUDA/Vulkan probing
            build: "never",             // never compile llama.cpp from source
            skipDownload: true,         // never fetch llama.cpp sources
            usePrebuiltBinaries: true,  // use @node-llama-cpp/linux-x64
            progressLogs: false,
            maxThreads: opt.threads,
            logLevel: opt.verbose ? LlamaLogLevel.debug : LlamaLogLevel.log,
            logger
        });
    } catch (e) {
        await failWithLog(4, `could not load the prebuilt llama.cpp binary: ${e.message}`, log);
    }
    if (llama.buildType !== "prebuilt" || llama.gpu !== false)
        process.stderr.write(`check.mjs: warning: using buildType=${llama.buildType}, gpu=${llama.gpu} (expected prebuilt CPU)\n`);

    let model;
    try {
        model = await llama.loadModel({modelPath, gpuLayers: 0, useMmap: true, ignoreMemorySafetyChecks: true});
    } catch (e) {
        await failWithLog(4, `llama.cpp refused ${modelPath}: ${e.message}`, log);
    }

    const meta = model.fileInfo?.metadata ?? {};
    const ggufTokens = meta.tokenizer?.ggml?.tokens;
    const ggufVocab = Array.isArray(ggufTokens) ? ggufTokens.length : null;
    const limit = ggufVocab ?? Infinity;
    const bad = opt.tokens.filter((t) => t >= limit);
    if (bad.length > 0) fail(2, `token ids out of range for a vocabulary of ${limit}: ${bad.join(",")}`);

    const nPrompt = opt.tokens.length;
    const contextSize = Math.max(256, nPrompt + opt.cont + 8);
    let context;
    try {
        context = await model.createContext({
            contextSize,
            batchSize: Math.max(nPrompt, 1),
            sequences: 1,
            threads: {ideal: opt.threads, min: opt.threads},
            flashAttention: false,
            experimentalKvCacheKeyType: opt.kvType.toUpperCase(),
            experimentalKvCacheValueType: opt.kvType.toUpperCase(),
            ignoreMemorySafetyChecks: true
        });
    } catch (e) {
        await failWithLog(4, `llama.cpp could not create a context: ${e.message}`, log);
    }
    const seq = context.getSequence();

    // temperature 0 (the default) => node-llama-cpp's sampler chain is llama.cpp's greedy sampler only,
    // which selects the argmax and leaves the candidates' logits untouched: the logits are raw.
    const greedy = {temperature: 0};
    const positions = [];
    const contTokens = [];
    const contSteps = [];
    let nVocab = null;
    try {
        const input = opt.tokens.map((t, i) => [t, {generateNext: {logits: true, token: i === nPrompt - 1, options: greedy}}]);
        const res = await seq.controlledEvaluate(input);
        for (let i = 0; i < nPrompt; i++) {
            const out = res[i]?.next;
            if (out?.logits == null) throw new Error(`no logits returned for prompt position ${i}`);
            nVocab ??= out.logits.size;
            const dense = denseLogits(out.logits, nVocab);
            const s = summarize(dense, opt.top);
            const p = {position: i, token: opt.tokens[i], argmax: s.argmax, maxLogit: f32(s.maxLogit), logSumExp: s.logSumExp, top: s.top};
            if (opt.fullLogits) p.logits = Array.from(dense, f32);
            positions.push(p);
        }
        let next = res[nPrompt - 1]?.next?.token;
        let prev = positions[nPrompt - 1];
        for (let step = 0; step < opt.cont; step++) {
            if (next == null) throw new Error("the greedy sampler returned no token");
            if (next !== prev.argmax)
                process.stderr.write(`check.mjs: warning: sampler chose ${next} but argmax of logits is ${prev.argmax} (step ${step})\n`);
            contTokens.push(next);
            const top0 = prev.top.find((t) => t.id === next);
            contSteps.push({step, token: next, logit: top0?.logit ?? null, logprob: top0?.logprob ?? null, eog: model.isEogToken(next)});
            if (step === opt.cont - 1) break;
            const r = await seq.controlledEvaluate([[next, {generateNext: {logits: true, token: true, options: greedy}}]]);
            const out = r[0]?.next;
            if (out?.logits == null) throw new Error(`no logits returned at continuation step ${step}`);
            const s = summarize(denseLogits(out.logits, nVocab), opt.top);
            prev = {argmax: s.argmax, top: s.top};
            contSteps[step].nextTop = s.top.slice(0, 5);
            next = out.token;
        }
    } catch (e) {
        await failWithLog(5, `evaluation failed: ${e.message}`, log);
    }

    let text = null;
    if (opt.text != null) {
        const plain = model.tokenize(opt.text, false);
        const special = model.tokenize(opt.text, true);
        text = {
            input: opt.text,
            tokens: plain,
            tokensParsingSpecial: special,
            pieces: plain.map((t, i) => model.detokenize([t], true, plain.slice(0, i))),
            vocabPieces: Array.isArray(ggufTokens) ? plain.map((t) => ggufTokens[t]) : null,
            bos: model.tokens.bos,
            eos: model.tokens.eos,
            addsBos: model.tokens.shouldPrependBosToken,
            note: "tokens as llama.cpp's tokenizer gives them (add_special=false); a BOS is not included even when addsBos is true"
        };
    }

    const result = {
        model: modelPath,
        llamaCpp: {
            nodeLlamaCpp: await getModuleVersion(),
            binaryPackage: `@node-llama-cpp/linux-x64@${binaryPackageVersion()}`,
            repo: llama.llamaCppRelease.repo,
            release: llama.llamaCppRelease.release,
            commit: llamaCppCommit(),
            buildType: llama.buildType,
            gpu: llama.gpu,
            cpuBackend,
            systemInfo: llama.systemInfo.trim()
        },
        settings: {threads: opt.threads, contextSize, batchSize: nPrompt, kvCacheType: opt.kvType, flashAttention: false, sampler: "greedy (temperature 0)"},
        architecture: model.fileInfo?.metadata?.general?.architecture ?? null,
        vocabSize: nVocab,
        ggufTokenCount: ggufVocab,
        logitsKind: "raw",
        logitsNote: "positions[i] holds the logits for the token after promptTokens[0..i]; logprob = logit - logSumExp",
        promptTokens: opt.tokens,
        positions,
        continuation: {tokens: contTokens, steps: contSteps},
        text
    };
    process.stdout.write(JSON.stringify(result) + "\n");

    await context.dispose();
    await model.dispose();
    await llama.dispose();
}

main().catch((e) => fail(5, e?.stack ?? String(e)));
