// Compares the engine's `logits` JSON with check.mjs's output for the same GGUF and prompt:
// per position the largest |logit difference| (and the logit range, for scale), argmax agreement, and the
// greedy continuations token by token. Passes when the largest difference is at most --rel times the logit range
// and the argmax agrees at --agree of the positions or more. (llama.cpp multiplies Q8_0/Q4_0 weights with activations
// it first quantizes to Q8_0 blocks; we use the float activations, so the logits differ by that rounding.)
//   node compare-engine.mjs ours.json theirs.json [--rel 0.01] [--agree 0.95]
import fs from "node:fs";

const [oursFile, theirsFile, ...rest] = process.argv.slice(2);
const flag = (name, fallback) => rest.indexOf(name) >= 0 ? Number(rest[rest.indexOf(name) + 1]) : fallback;
const rel = flag("--rel", 0.01), minAgree = flag("--agree", 0.95);
const ours = JSON.parse(fs.readFileSync(oursFile, "utf8"));
const theirs = JSON.parse(fs.readFileSync(theirsFile, "utf8"));

let maxDiff = 0, maxRange = 0, agree = 0;
const n = ours.logits.length;
if (theirs.positions.length !== n) throw new Error(`positions: ours ${n}, llama.cpp ${theirs.positions.length}`);
for (let i = 0; i < n; i++) {
    const a = ours.logits[i], b = theirs.positions[i].logits;
    if (a.length !== b.length) throw new Error(`vocabulary: ours ${a.length}, llama.cpp ${b.length}`);
    let am = 0, bm = 0, lo = Infinity, hi = -Infinity;
    for (let k = 0; k < a.length; k++) {
        maxDiff = Math.max(maxDiff, Math.abs(a[k] - b[k]));
        if (a[k] > a[am]) am = k;
        if (b[k] > b[bm]) bm = k;
        lo = Math.min(lo, a[k]); hi = Math.max(hi, a[k]);
    }
    maxRange = Math.max(maxRange, hi - lo);
    if (am === bm) agree++;
}
const oc = ours.continuation, tc = theirs.continuation.tokens;
let same = 0;
while (same < Math.min(oc.length, tc.length) && oc[same] === tc[same]) same++;
const result = {model: ours.model, precision: ours.precision, positions: n, maxAbsLogitDiff: maxDiff, logitRange: maxRange,
    argmaxAgreement: `${agree}/${n}`, greedyPrefixEqual: `${same}/${oc.length}`, maxDiffOverRange: maxDiff / maxRange,
    pass: maxDiff <= rel * maxRange && agree >= minAgree * n};
console.log(JSON.stringify(result));
process.exit(result.pass ? 0 : 1);
