// Tokenizes texts with llama.cpp (node-llama-cpp's prebuilt CPU build), as a GGUF file's tokenizer metadata says:
//   node tokenize.mjs MODEL.gguf TEXTS.json > ids.json
// TEXTS.json is a JSON array of strings; the output is {model, bos, eos, addsBos, vocabSize, tokens: [[ids]...]},
// each text tokenized with add_special = false (no BOS) and special-token names read as text.
import fs from "node:fs";
import path from "node:path";
import {getLlama, LlamaLogLevel} from "node-llama-cpp";

const [modelArg, textsArg] = process.argv.slice(2);
if (!modelArg || !textsArg) {
    process.stderr.write("usage: node tokenize.mjs MODEL.gguf TEXTS.json\n");
    process.exit(2);
}
const texts = JSON.parse(fs.readFileSync(textsArg, "utf8"));
const log = [];
const llama = await getLlama({gpu: false, build: "never", skipDownload: true, usePrebuiltBinaries: true,
    progressLogs: false, logLevel: LlamaLogLevel.warn, logger: (level, message) => log.push(`[${level}] ${message}`)});
let model;
try {
    model = await llama.loadModel({modelPath: path.resolve(modelArg), gpuLayers: 0, ignoreMemorySafetyChecks: true});
} catch (e) {
    process.stderr.write(`llama.cpp refused ${modelArg}: ${e.message}\n${log.join("")}`);
    process.exit(4);
}
const tokens = texts.map((t) => Array.from(model.tokenize(t, false)));
process.stdout.write(JSON.stringify({model: modelArg, bos: model.tokens.bos, eos: model.tokens.eos,
    addsBos: model.tokens.shouldPrependBosToken, vocabSize: model.fileInsights?.vocabSize ?? null, log, tokens}) + "\n");
await model.dispose();
await llama.dispose();
