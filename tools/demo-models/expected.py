#!/usr/bin/python3
"""Writes what the PyTorch references compute on the built-in demo models, for the Java check
(app/src/test/java/.../DemoModelsReferenceTest): per demo folder a JSON with a prompt, its token ids
(BOS first, from Debian's sentencepiece or this folder's tekken encoder), the logits after the prompt and
the greedy continuation with, per step, the gap between the best and second-best logit.

usage: /usr/bin/python3 tools/demo-models/expected.py [OUT_DIR]   (default app/src/test/resources/demo-expected)
"""
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "tools", "reference"))
import mamba2_ref  # noqa: E402
import transformer_ref  # noqa: E402
from train import load_tokenizer  # noqa: E402

DEMO = os.path.join(REPO, "assets", "src", "main", "resources", "org", "mambaplayground", "assets", "demo")
PROMPT = "def fibonacci(n):\n    "
STEPS = 12


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "app", "src", "test", "resources", "demo-expected")
    os.makedirs(out_dir, exist_ok=True)
    for name in sorted(os.listdir(DEMO)):
        folder = os.path.join(DEMO, name)
        if not os.path.exists(os.path.join(folder, "params.json")):
            continue
        is_mamba = os.path.exists(os.path.join(folder, "tokenizer.model.v3"))
        tok = load_tokenizer(os.path.join(folder, "tokenizer.model.v3" if is_mamba else "tekken.json"))
        model = (mamba2_ref if is_mamba else transformer_ref).load(folder)
        model.eval()
        ids = [tok.bos] + tok.encode(PROMPT)
        prompt_len = len(ids)
        greedy, gaps, first = [], [], None
        with torch.no_grad():
            for _ in range(STEPS):
                logits = model(torch.tensor([ids]))[0, -1]
                if first is None:
                    first = logits
                top = torch.topk(logits, 2)
                greedy.append(int(top.indices[0]))
                gaps.append(float(top.values[0] - top.values[1]))
                ids.append(greedy[-1])
        result = {"prompt": PROMPT, "tokens": ids[:prompt_len],
                  "logits": [float(f"{v:.7g}") for v in first.tolist()],
                  "greedy": greedy, "gaps": [float(f"{g:.4g}") for g in gaps],
                  "text": tok.decode(greedy)}
        with open(os.path.join(out_dir, name + ".json"), "w") as f:
            json.dump(result, f, separators=(",", ":"))
            f.write("\n")
        print(name, ids[:prompt_len], repr(PROMPT + result["text"]))


if __name__ == "__main__":
    main()
