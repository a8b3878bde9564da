"""Writes the engine's reference test vectors: small synthetic models with seeded random F32 weights and
the logits this folder's PyTorch references compute for a fixed token sequence.

Usage: /usr/bin/python3 tools/reference/make_vectors.py [output root]
(default engine/src/test/resources/reference). Deterministic: same torch version, same files.
"""
import json
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mamba2_ref import Mamba2Config, Mamba2LM  # noqa: E402
from safetensors_io import write_safetensors, read_safetensors  # noqa: E402
from transformer_ref import Transformer, TransformerConfig  # noqa: E402
import mamba2_ref  # noqa: E402
import transformer_ref  # noqa: E402

N_TOKENS = 20


def init_linear_(w: torch.Tensor, g: torch.Generator):
    w.copy_(torch.randn(w.shape, generator=g) / math.sqrt(w.shape[1]))


def init_norm_(w: torch.Tensor, g: torch.Generator):
    w.copy_(1.0 + 0.1 * torch.randn(w.shape, generator=g))


def random_mamba2(cfg: Mamba2Config, seed: int) -> Mamba2LM:
    g = torch.Generator().manual_seed(seed)
    m = Mamba2LM(cfg)
    with torch.no_grad():
        m.backbone.embedding.weight.copy_(torch.randn(m.backbone.embedding.weight.shape, generator=g))
        init_linear_(m.lm_head.weight, g)
        init_norm_(m.backbone.norm_f.weight, g)
        for layer in m.backbone.layers:
            mx = layer.mixer
            init_norm_(layer.norm.weight, g)
            init_linear_(mx.in_proj.weight, g)
            init_linear_(mx.out_proj.weight, g)
            mx.conv1d.weight.copy_((torch.rand(mx.conv1d.weight.shape, generator=g) - 0.5))
            mx.conv1d.bias.copy_(0.1 * torch.randn(mx.conv1d.bias.shape, generator=g))
            # dt in [0.01, 0.5] so the state both remembers and forgets within 20 tokens
            dt = torch.exp(torch.rand(cfg.n_heads, generator=g) * (math.log(0.5) - math.log(0.01)) + math.log(0.01))
            mx.dt_bias.copy_(dt + torch.log(-torch.expm1(-dt)))
            mx.A_log.copy_(torch.log(1 + 15 * torch.rand(cfg.n_heads, generator=g)))
            mx.D.copy_(1.0 + 0.1 * torch.randn(cfg.n_heads, generator=g))
            init_norm_(mx.norm.weight, g)
    return m


def random_transformer(cfg: TransformerConfig, seed: int) -> Transformer:
    g = torch.Generator().manual_seed(seed)
    m = Transformer(cfg)
    with torch.no_grad():
        m.tok_embeddings.weight.copy_(torch.randn(m.tok_embeddings.weight.shape, generator=g))
        init_linear_(m.output.weight, g)
        init_norm_(m.norm.weight, g)
        for layer in m.layers.values():
            ffs = list(layer.feed_forward.experts) if cfg.moe is not None else [layer.feed_forward]
            for lin in [layer.attention.wq, layer.attention.wk, layer.attention.wv, layer.attention.wo] + [
                    w for ff in ffs for w in (ff.w1, ff.w2, ff.w3)]:
                init_linear_(lin.weight, g)
            if cfg.moe is not None:
                # a router of unit-variance logits: tokens spread over the experts and weights differ
                init_linear_(layer.feed_forward.gate.weight, g)
                layer.feed_forward.gate.weight.mul_(3.0)
            # larger query/key weights make attention patterns sharp enough for positions to matter
            layer.attention.wq.weight.mul_(2.0)
            init_norm_(layer.attention_norm.weight, g)
            init_norm_(layer.ffn_norm.weight, g)
    return m


def write_folder(folder: str, params: dict, model: torch.nn.Module, vocab: int, seed: int, loader, prefix=""):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "params.json"), "w") as f:
        json.dump(params, f, indent=2)
        f.write("\n")
    write_safetensors(os.path.join(folder, "consolidated.safetensors"),
                      {prefix + k: v.detach().float().contiguous() for k, v in model.state_dict().items()})
    tokens = torch.randint(0, vocab, (N_TOKENS,), generator=torch.Generator().manual_seed(seed + 1000))
    # Logits are computed from the files just written, through the reference loader.
    reloaded = loader(folder)
    with torch.no_grad():
        logits = reloaded(tokens[None, :])[0]
    expected = {
        "tokens": tokens.tolist(),
        "logits": [[float(f"{v:.7g}") for v in row] for row in logits.tolist()],
    }
    with open(os.path.join(folder, "expected.json"), "w") as f:
        json.dump(expected, f, separators=(",", ":"))
        f.write("\n")
    return reloaded, tokens, logits


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "engine", "src", "test", "resources", "reference")
    torch.set_default_dtype(torch.float32)

    mcfg = Mamba2Config(dim=48, n_layers=2, vocab_size=96, n_groups=2, d_state=16, head_dim=16, chunk_size=8)
    mamba, toks, logits = write_folder(os.path.join(root, "mamba2"), mcfg.to_params(), random_mamba2(mcfg, 1),
                                       mcfg.vocab_size, 1, mamba2_ref.load, prefix=mamba2_ref.FILE_PREFIX)
    with torch.no_grad():  # the chunked form must agree with the sequential recurrence
        chunked = mamba(toks[None, :], ssm="chunked")[0]
    assert torch.allclose(chunked, logits, atol=1e-4), (chunked - logits).abs().max()

    base = dict(dim=48, n_layers=2, head_dim=16, hidden_dim=64, n_heads=4, n_kv_heads=2, norm_eps=1e-5,
                vocab_size=96, rope_theta=10000.0)
    tcfg = TransformerConfig(**base)
    tr, toks, logits = write_folder(os.path.join(root, "transformer"), tcfg.to_params(), random_transformer(tcfg, 2),
                                    tcfg.vocab_size, 2, transformer_ref.load)
    wcfg = TransformerConfig(**base, sliding_window=6)
    wtr, wtoks, wlogits = write_folder(os.path.join(root, "transformer-window"), wcfg.to_params(),
                                       random_transformer(wcfg, 3), wcfg.vocab_size, 3, transformer_ref.load)
    # Check: the window matters past position 6 and not before it.
    with torch.no_grad():
        full = Transformer(TransformerConfig(**base))
        full.load_state_dict(wtr.state_dict())
        nowin = full(wtoks[None, :])[0]
    assert torch.allclose(nowin[:6], wlogits[:6], atol=1e-5)
    assert not torch.allclose(nowin[6:], wlogits[6:], atol=1e-3)
    # Mixtral's sparse feed-forward: 4 experts, 2 per token.
    mcfg_moe = TransformerConfig(**base, moe={"num_experts": 4, "num_experts_per_tok": 2})
    moe, mtoks, mlogits = write_folder(os.path.join(root, "transformer-moe"), mcfg_moe.to_params(),
                                       random_transformer(mcfg_moe, 4), mcfg_moe.vocab_size, 4, transformer_ref.load)
    check_routing(moe, mtoks, min_margin=1e-3)
    print("wrote", root)


def check_routing(model, tokens, min_margin):
    """Every token uses several experts overall, and no top-k choice is a near-tie that float32 rounding could flip."""
    with torch.no_grad():
        model(tokens[None, :])
    used = set()
    for layer in model.layers.values():
        logits = layer.feed_forward.last_gate_logits
        k = layer.feed_forward.k
        top = torch.topk(logits, k + 1).values
        margin = (top[:, k - 1] - top[:, k]).min().item()
        assert margin > min_margin, f"routing near-tie: margin {margin}"
        used.update(torch.topk(logits, k).indices.flatten().tolist())
    assert len(used) == logits.shape[1], used


if __name__ == "__main__":
    main()
