// Encodes texts with js-tiktoken (an independent tiktoken implementation) fed a tekken.json's ranks and
// pattern, and writes the ids as mistral-common numbers them: normal rank + default_num_special_tokens.
// usage: node tekken_reference.mjs TEKKEN.json TEXTS.json OUT.ids
//   TEXTS.json: a JSON array of strings; OUT.ids: the ids of text i on line i, separated by spaces.
import { readFileSync, writeFileSync } from "node:fs";
import { Tiktoken } from "js-tiktoken/lite";

const [tekkenPath, textsPath, outPath] = process.argv.slice(2);
const tekken = JSON.parse(readFileSync(tekkenPath, "utf8"));
const numSpecial = tekken.config.default_num_special_tokens;
const inner = tekken.config.default_vocab_size - numSpecial;
// the vocabulary limit: only the first default_vocab_size - num_special entries are used
const tokens = tekken.vocab.slice(0, inner).map((v, i) => {
  if (v.rank !== i) throw new Error(`rank ${v.rank} at ${i}`);
  return v.token_bytes;
});
const enc = new Tiktoken({ pat_str: tekken.config.pattern, special_tokens: {}, bpe_ranks: "tekken 0 " + tokens.join(" ") });
const texts = JSON.parse(readFileSync(textsPath, "utf8"));
const lines = texts.map((text) => enc.encode(text).map((r) => r + numSpecial).join(" "));
writeFileSync(outPath, lines.join("\n") + "\n");
console.error(`wrote ${outPath}: ${texts.length} texts`);
