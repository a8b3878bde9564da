#!/usr/bin/python3
"""Trains one built-in demo model on the demo code corpus and writes it in Mistral's real file format.

The model classes are this repository's PyTorch references (tools/reference), so the trained weights mean
exactly what the engine computes. Output folder: params.json + consolidated.safetensors (BF16).

  /usr/bin/python3 tools/demo-models/train.py --arch mamba2 --minutes 10 \
      --tokenizer assets/.../codestral-mamba-demo/tokenizer.model.v3 --out assets/.../codestral-mamba-demo
  /usr/bin/python3 tools/demo-models/train.py --arch transformer --minutes 10 \
      --tokenizer assets/.../mistral-nemo-demo/tekken.json --out assets/.../mistral-nemo-demo

The corpus is tools/tokenizers/demo_corpus.py's text (Python 3.11's standard library, PSF licence, plus this
repository's sources). Training is time-boxed: the learning-rate schedule runs over --minutes of wall time,
so results depend a little on machine speed; the seed fixes data order and initialisation.
"""
import argparse
import base64
import json
import math
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(REPO, "tools", "reference"))
from mamba2_ref import Mamba2Config, Mamba2LM  # noqa: E402
from safetensors_io import write_safetensors  # noqa: E402
from transformer_ref import Transformer, TransformerConfig  # noqa: E402
import mamba2_ref  # noqa: E402
import transformer_ref  # noqa: E402


# ---------------------------------------------------------------- tokenizers

class SentencePieceV3:
    """tokenizer.model.v3 through Debian's python3-sentencepiece."""

    def __init__(self, path):
        import sentencepiece
        self.sp = sentencepiece.SentencePieceProcessor(model_file=path)
        self.vocab_size = self.sp.get_piece_size()
        self.bos, self.eos = self.sp.bos_id(), self.sp.eos_id()

    def encode(self, text):
        return self.sp.encode(text)

    def decode(self, ids):
        return self.sp.decode([i for i in ids if i >= 0])


class Tekken:
    """A small tekken.json encoder: the file's pre-tokenizer pattern, then byte-level BPE that merges the
    adjacent pair of lowest rank first (tiktoken's rule). Token id = rank + number of special tokens; only
    the first default_vocab_size - num_special ranks are used, as mistral-common does."""

    def __init__(self, path):
        import regex
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        cfg = data["config"]
        self.n_special = cfg["default_num_special_tokens"]
        self.vocab_size = cfg["default_vocab_size"]
        n_normal = self.vocab_size - self.n_special
        self.pattern = regex.compile(cfg["pattern"])
        self.rank_of = {}
        self.bytes_of = {}
        for entry in data["vocab"][:n_normal]:
            b = base64.b64decode(entry["token_bytes"])
            self.rank_of[b] = entry["rank"]
            self.bytes_of[entry["rank"]] = b
        specials = {t["token_str"]: t["rank"] for t in data.get("special_tokens", [])}
        self.bos, self.eos = specials.get("<s>", 1), specials.get("</s>", 2)
        self.cache = {}

    def _bpe(self, chunk: bytes):
        parts = [chunk[i:i + 1] for i in range(len(chunk))]
        while len(parts) > 1:
            best, best_rank = -1, None
            for i in range(len(parts) - 1):
                r = self.rank_of.get(parts[i] + parts[i + 1])
                if r is not None and (best_rank is None or r < best_rank):
                    best, best_rank = i, r
            if best < 0:
                break
            parts[best:best + 2] = [parts[best] + parts[best + 1]]
        return [self.rank_of[p] + self.n_special for p in parts]

    def encode(self, text):
        out = []
        for chunk in self.pattern.findall(text):
            ids = self.cache.get(chunk)
            if ids is None:
                ids = self._bpe(chunk.encode("utf-8"))
                if len(self.cache) < 500_000:
                    self.cache[chunk] = ids
            out.extend(ids)
        return out

    def decode(self, ids):
        return b"".join(self.bytes_of.get(i - self.n_special, b"") for i in ids if i >= self.n_special).decode(
            "utf-8", errors="replace")


def load_tokenizer(path):
    return Tekken(path) if path.endswith(".json") else SentencePieceV3(path)


# ---------------------------------------------------------------- data

def corpus_documents(corpus_path):
    with open(corpus_path, encoding="utf-8") as f:
        text = f.read()
    docs = text.split("\n\n# file: ")
    return [d if i == 0 else "# file: " + d for i, d in enumerate(docs)]


def token_stream(tok, corpus_path, cache_path):
    if os.path.exists(cache_path):
        return np.load(cache_path)
    ids = []
    for doc in corpus_documents(corpus_path):
        ids.append(tok.bos)
        ids.extend(tok.encode(doc))
        ids.append(tok.eos)
    arr = np.asarray(ids, dtype=np.int32)
    np.save(cache_path, arr)
    return arr


# ---------------------------------------------------------------- models

def new_model(arch, vocab, args):
    torch.manual_seed(args.seed)
    if arch == "mamba2":
        cfg = Mamba2Config(dim=args.dim, n_layers=args.layers, vocab_size=vocab, n_groups=2, d_state=32,
                           head_dim=32, chunk_size=64)
        model = Mamba2LM(cfg)
        with torch.no_grad():
            for layer in model.backbone.layers:
                mx = layer.mixer
                dt = torch.exp(torch.rand(cfg.n_heads) * (math.log(0.1) - math.log(0.001)) + math.log(0.001))
                mx.dt_bias.copy_(dt + torch.log(-torch.expm1(-dt)))  # inverse softplus, as mamba_ssm inits
                mx.A_log.copy_(torch.log(torch.empty(cfg.n_heads).uniform_(1, 16)))
                mx.out_proj.weight.mul_(1 / math.sqrt(2 * cfg.n_layers))
            model.backbone.embedding.weight.normal_(0, 0.02)
        return model, cfg
    cfg = TransformerConfig(dim=args.dim, n_layers=args.layers, head_dim=32, hidden_dim=3 * args.dim,
                            n_heads=args.dim // 32, n_kv_heads=2, norm_eps=1e-5, vocab_size=vocab,
                            rope_theta=1_000_000.0)
    model = Transformer(cfg)
    with torch.no_grad():
        model.tok_embeddings.weight.normal_(0, 0.02)
        for layer in model.layers.values():
            layer.attention.wo.weight.mul_(1 / math.sqrt(2 * cfg.n_layers))
            layer.feed_forward.w2.weight.mul_(1 / math.sqrt(2 * cfg.n_layers))
    return model, cfg


def logits_of(model, arch, x):
    return model(x, ssm="chunked") if arch == "mamba2" else model(x)


def evaluate(model, arch, data, ctx, n_batches=8, batch=8):
    g = np.random.default_rng(123)
    losses = []
    with torch.no_grad():
        for _ in range(n_batches):
            starts = g.integers(0, len(data) - ctx - 1, batch)
            x = torch.from_numpy(np.stack([data[s:s + ctx + 1] for s in starts]).astype(np.int64))
            out = logits_of(model, arch, x[:, :-1])
            losses.append(F.cross_entropy(out.reshape(-1, out.shape[-1]), x[:, 1:].reshape(-1)).item())
    return float(np.mean(losses))


def sample(model, arch, tok, prompt, n=80, temperature=0.0, seed=0):
    g = torch.Generator().manual_seed(seed)
    ids = [tok.bos] + tok.encode(prompt)
    with torch.no_grad():
        for _ in range(n):
            logits = logits_of(model, arch, torch.tensor([ids]))[0, -1]
            if temperature <= 0:
                nxt = int(logits.argmax())
            else:
                nxt = int(torch.multinomial(torch.softmax(logits / temperature, -1), 1, generator=g))
            if nxt == tok.eos:
                break
            ids.append(nxt)
    return prompt + tok.decode(ids[1 + len(tok.encode(prompt)):])


def save(model, cfg, arch, out_dir, meta):
    os.makedirs(out_dir, exist_ok=True)
    params = cfg.to_params()
    with open(os.path.join(out_dir, "params.json"), "w") as f:
        json.dump(params, f, indent=2)
        f.write("\n")
    prefix = mamba2_ref.FILE_PREFIX if arch == "mamba2" else ""  # Codestral's files say model.backbone...
    tensors = {prefix + k: v.detach().to(torch.bfloat16).contiguous() for k, v in model.state_dict().items()}
    write_safetensors(os.path.join(out_dir, "consolidated.safetensors"), tensors, metadata=meta)


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", choices=["mamba2", "transformer"], required=True)
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--dim", type=int, default=128)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--ctx", type=int, default=128)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--lr", type=float, default=None)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--corpus", help="corpus text (default: made by tools/tokenizers/demo_corpus.py)")
    ap.add_argument("--init-from", help="a model folder to continue training from (same sizes)")
    ap.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (speed tests)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    tok = load_tokenizer(args.tokenizer)
    work = os.path.join(tempfile.gettempdir(), "mamba-playground-demo-train")
    os.makedirs(work, exist_ok=True)
    corpus = args.corpus or os.path.join(work, "corpus.txt")
    if not os.path.exists(corpus):
        subprocess.run(["/usr/bin/python3", os.path.join(REPO, "tools", "tokenizers", "demo_corpus.py"), corpus],
                       check=True)
    t0 = time.time()
    key = f"{os.path.basename(args.tokenizer)}-{os.path.getsize(args.tokenizer)}-{os.path.getsize(corpus)}"
    data = token_stream(tok, corpus, os.path.join(work, f"tokens-{key}.npy"))
    print(f"{len(data)} tokens ({time.time() - t0:.0f} s to tokenize), vocab {tok.vocab_size}", flush=True)
    split = int(len(data) * 0.99)
    train, val = data[:split], data[split:]

    model, cfg = new_model(args.arch, tok.vocab_size, args)
    if args.init_from:  # continue from saved weights (BF16 -> F32), e.g. a second session on a busy machine
        previous = (mamba2_ref if args.arch == "mamba2" else transformer_ref).load(args.init_from)
        model.load_state_dict(previous.state_dict())
    n_params = sum(p.numel() for p in model.parameters())
    print(f"{args.arch}: {n_params / 1e6:.2f} M parameters, params {json.dumps(cfg.to_params())}", flush=True)
    lr_max = args.lr or (3e-3 if args.arch == "mamba2" else 2e-3)
    opt = torch.optim.AdamW(model.parameters(), lr=lr_max, betas=(0.9, 0.95), weight_decay=0.05)
    rng = np.random.default_rng(args.seed)
    budget = args.minutes * 60
    start = time.time()
    step, seen, ema = 0, 0, None
    while True:
        frac = (time.time() - start) / budget
        if frac >= 1 or (args.max_steps and step >= args.max_steps):
            break
        warm = min(1.0, (step + 1) / 30)
        lr = lr_max * warm * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(frac, 1.0))))
        for group in opt.param_groups:
            group["lr"] = lr
        starts = rng.integers(0, len(train) - args.ctx - 1, args.batch)
        x = torch.from_numpy(np.stack([train[s:s + args.ctx + 1] for s in starts]).astype(np.int64))
        out = logits_of(model, args.arch, x[:, :-1])
        loss = F.cross_entropy(out.reshape(-1, out.shape[-1]), x[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        seen += x[:, 1:].numel()
        ema = loss.item() if ema is None else 0.95 * ema + 0.05 * loss.item()
        if step % 20 == 0:
            el = time.time() - start
            print(f"step {step} loss {ema:.3f} lr {lr:.2e} {seen / el:.0f} tok/s {el:.0f} s", flush=True)
    model.eval()
    val_loss = evaluate(model, args.arch, val, args.ctx)
    meta = {"format": "pt", "trained_steps": step, "trained_tokens": seen, "val_loss": f"{val_loss:.4f}",
            "corpus": "Python 3.11 standard library (PSF licence) + Mamba Playground sources"}
    save(model, cfg, args.arch, args.out, meta)
    # Reload what was written (BF16) through the reference loader and check it still works.
    loader = mamba2_ref.load if args.arch == "mamba2" else transformer_ref.load
    reloaded = loader(args.out)
    reloaded.eval()
    val_bf16 = evaluate(reloaded, args.arch, val, args.ctx)
    print(f"done: {step} steps, {seen} tokens, val loss {val_loss:.3f} (BF16 file: {val_bf16:.3f})", flush=True)
    for prompt in ("def fibonacci(n):\n", "import os\n\n\nclass "):
        print("--- sample:", repr(sample(reloaded, args.arch, tok, prompt, n=40)), flush=True)


if __name__ == "__main__":
    main()
