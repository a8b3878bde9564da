// The ids llama.cpp (node-llama-cpp's prebuilt CPU build) gives the tokenizer test corpus with a GGUF file's own
// tokenizer metadata, for the engine's LlamaCppGgufTokenizerTest:
//   node gguf-tokenizer-ids.mjs MODEL.gguf OUT.json SOURCE...
// SOURCE: text files (one text per line) or JSON arrays of strings, in the order the texts are listed. The model is
// loaded vocabulary-only; each text is tokenized with add_special = false (no BOS) and special-token names read as
// text, as the engine's Tokenizer.encode does.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import {getLlama, getModuleVersion, LlamaLogLevel} from "node-llama-cpp";

const [modelArg, outArg, ...sources] = process.argv.slice(2);
if (!modelArg || !outArg || sources.length === 0) {
    process.stderr.write("usage: node gguf-tokenizer-ids.mjs MODEL.gguf OUT.json SOURCE...\n");
    process.exit(2);
}
const texts = [];
for (const source of sources) {
    const content = fs.readFileSync(source, "utf8");
    if (source.endsWith(".json")) {
        texts.push(...JSON.parse(content));
    } else {
        const lines = content.split("\n");
        texts.push(...lines.slice(0, lines.length - 1)); // no empty text after the last newline
    }
}
const log = [];
const llama = await getLlama({gpu: false, build: "never", skipDownload: true, usePrebuiltBinaries: true,
    progressLogs: false, logLevel: LlamaLogLevel.warn, logger: (level, message) => log.push(`[${level}] ${message}`)});
let model;
try {
    model = await llama.loadModel({modelPath: path.resolve(modelArg), gpuLayers: 0, vocabOnly: true, ignoreMemorySafetyChecks: true});
} catch (e) {
    process.stderr.write(`llama.cpp refused ${modelArg}: ${e.message}\n${log.join("")}`);
    process.exit(4);
}
const ggml = model.fileInfo?.metadata?.tokenizer?.ggml ?? {};
const version = await getModuleVersion();
const doc = {
    file: path.basename(modelArg),
    generator: "tools/llama-cpp-check/gguf-tokenizer-ids.sh",
    llamaCpp: {nodeLlamaCpp: version, release: llama.llamaCppRelease?.release ?? null, vocabOnly: true},
    tokenizerModel: ggml.model ?? null,
    tokenizerPre: ggml.pre ?? null,
    vocabSize: Array.isArray(ggml.tokens) ? ggml.tokens.length : null,
    bos: model.tokens.bos,
    eos: model.tokens.eos,
    addsBos: model.tokens.shouldPrependBosToken,
    sources: sources.map((s) => path.basename(s)),
    count: texts.length,
    textsSha256: crypto.createHash("sha256").update(texts.join("\n"), "utf8").digest("hex"),
    tokens: texts.map((t) => Array.from(model.tokenize(t, false))),
};
// one text's ids per line: readable diffs when the corpus or llama.cpp changes
const body = JSON.stringify({...doc, tokens: null}, null, 1).replace(/\n}$/, "");
fs.writeFileSync(outArg, body.replace(/"tokens": null/, '"tokens": [\n' + doc.tokens.map((t) => JSON.stringify(t)).join(",\n") + "\n ]") + "\n}\n");
process.stdout.write(`${doc.file}: ${doc.tokenizerModel}${doc.tokenizerPre ? " (pre " + doc.tokenizerPre + ")" : ""}, `
    + `${doc.vocabSize} tokens, ${doc.count} texts, ${doc.tokens.reduce((n, t) => n + t.length, 0)} ids -> ${outArg}\n`);
await model.dispose();
await llama.dispose();
