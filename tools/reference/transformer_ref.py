"""Independent PyTorch reference of Mistral's Transformer as mistral-inference runs consolidated files.

Written from mistral-inference (transformer.py, transformer_layers.py, rope.py, cache.py), not from this
project's Java engine. Parameter names match consolidated.safetensors:

  tok_embeddings.weight                              (vocab, dim)
  layers.N.attention_norm.weight, layers.N.ffn_norm.weight   (dim)
  layers.N.attention.wq.weight   (n_heads*head_dim, dim)     wk, wv: (n_kv_heads*head_dim, dim)
  layers.N.attention.wo.weight   (dim, n_heads*head_dim)
  layers.N.feed_forward.w1.weight, w3.weight (hidden_dim, dim);  w2.weight (dim, hidden_dim)
  norm.weight (dim);  output.weight (vocab, dim)
With params.json's moe {num_experts, num_experts_per_tok} (Mixtral) the feed-forward is mistral-inference's
MoeLayer (moe.py): layers.N.feed_forward.gate.weight (num_experts, dim) and, per expert E,
layers.N.feed_forward.experts.E.w1/w2/w3.weight shaped like the dense w1/w2/w3. Router logits -> topk ->
softmax over the chosen logits only (in float32) -> the chosen experts' outputs weighted and summed.

RoPE: each head vector is read as head_dim/2 complex numbers from interleaved pairs (x[2i], x[2i+1]) and
multiplied by exp(i * pos * theta^(-2i/head_dim)). theta is params.json's rope_theta; when absent
mistral-inference's current code uses 1e6 (older mistral-src used 1e4), so our vectors always state it.
Attention: causal; with sliding_window W a query at position i sees keys at positions j with i-W < j <= i
(xformers' local causal mask, equal to a rolling cache of W entries). KV heads are repeated
(repeat_interleave) to the query heads. Run with Debian's python3 (torch 1.13, CPU).
"""
import json
from dataclasses import dataclass
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

DEFAULT_ROPE_THETA = 1_000_000.0


@dataclass
class TransformerConfig:
    dim: int
    n_layers: int
    head_dim: int
    hidden_dim: int
    n_heads: int
    n_kv_heads: int
    norm_eps: float
    vocab_size: int
    rope_theta: Optional[float] = None
    sliding_window: Optional[int] = None
    moe: Optional[dict] = None  # {"num_experts": E, "num_experts_per_tok": k}

    REQUIRED = ("dim", "n_layers", "head_dim", "hidden_dim", "n_heads", "n_kv_heads", "norm_eps", "vocab_size")

    @staticmethod
    def from_params(params: dict) -> "TransformerConfig":
        if params.get("model_type", "transformer") != "transformer":
            raise ValueError(f"params.json model_type is {params.get('model_type')!r}, expected 'transformer'")
        missing = [k for k in TransformerConfig.REQUIRED if k not in params]
        if missing:
            raise ValueError(f"params.json lacks {missing}")
        kw = {k: params[k] for k in TransformerConfig.REQUIRED}
        kw["rope_theta"] = params.get("rope_theta")
        kw["sliding_window"] = params.get("sliding_window")
        if params.get("moe") is not None:
            kw["moe"] = {k: int(params["moe"][k]) for k in ("num_experts", "num_experts_per_tok")}
        return TransformerConfig(**kw)

    def to_params(self) -> dict:
        p = {k: getattr(self, k) for k in self.REQUIRED}
        if self.rope_theta is not None:
            p["rope_theta"] = self.rope_theta
        if self.sliding_window is not None:
            p["sliding_window"] = self.sliding_window
        if self.moe is not None:
            p["moe"] = dict(self.moe)
        return p


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope_angles(head_dim: int, positions: torch.Tensor, theta: float) -> torch.Tensor:
    """(len(positions), head_dim/2) complex64 rotations."""
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2)[: head_dim // 2].double() / head_dim))
    ang = torch.outer(positions.double(), inv_freq)
    return torch.polar(torch.ones_like(ang), ang).to(torch.complex64)


def apply_rope(x: torch.Tensor, rot: torch.Tensor) -> torch.Tensor:
    """x (b, L, heads, head_dim) real; rot (L, head_dim/2) complex."""
    xc = torch.view_as_complex(x.float().reshape(*x.shape[:-1], -1, 2).contiguous())
    return torch.view_as_real(xc * rot[None, :, None, :]).flatten(-2).type_as(x)


class Attention(nn.Module):
    def __init__(self, cfg: TransformerConfig):
        super().__init__()
        self.cfg = cfg
        self.wq = nn.Linear(cfg.dim, cfg.n_heads * cfg.head_dim, bias=False)
        self.wk = nn.Linear(cfg.dim, cfg.n_kv_heads * cfg.head_dim, bias=False)
        self.wv = nn.Linear(cfg.dim, cfg.n_kv_heads * cfg.head_dim, bias=False)
        self.wo = nn.Linear(cfg.n_heads * cfg.head_dim, cfg.dim, bias=False)

    def forward(self, x, rot, mask):
        cfg = self.cfg
        b, L, _ = x.shape
        q = self.wq(x).view(b, L, cfg.n_heads, cfg.head_dim)
        k = self.wk(x).view(b, L, cfg.n_kv_heads, cfg.head_dim)
        v = self.wv(x).view(b, L, cfg.n_kv_heads, cfg.head_dim)
        q, k = apply_rope(q, rot), apply_rope(k, rot)
        rep = cfg.n_heads // cfg.n_kv_heads  # query head h uses kv head h // rep
        k = k.repeat_interleave(rep, dim=2)
        v = v.repeat_interleave(rep, dim=2)
        scores = torch.einsum("bihd,bjhd->bhij", q, k) * cfg.head_dim ** -0.5
        scores = scores.masked_fill(~mask, float("-inf"))
        out = torch.einsum("bhij,bjhd->bihd", torch.softmax(scores.float(), dim=-1).type_as(v), v)
        return self.wo(out.reshape(b, L, cfg.n_heads * cfg.head_dim))


class FeedForward(nn.Module):
    def __init__(self, cfg: TransformerConfig):
        super().__init__()
        self.w1 = nn.Linear(cfg.dim, cfg.hidden_dim, bias=False)
        self.w2 = nn.Linear(cfg.hidden_dim, cfg.dim, bias=False)
        self.w3 = nn.Linear(cfg.dim, cfg.hidden_dim, bias=False)

    def forward(self, x):
        return self.w2(F.silu(self.w1(x)) * self.w3(x))


class MoeLayer(nn.Module):
    """mistral-inference's MoeLayer: topk of the router logits, softmax over those k, weighted sum of experts."""

    def __init__(self, cfg: TransformerConfig):
        super().__init__()
        self.experts = nn.ModuleList([FeedForward(cfg) for _ in range(cfg.moe["num_experts"])])
        self.gate = nn.Linear(cfg.dim, cfg.moe["num_experts"], bias=False)
        self.k = cfg.moe["num_experts_per_tok"]
        self.last_gate_logits = None  # kept so tests can check that no routing decision is a near-tie

    def forward(self, x):
        shape = x.shape
        inputs = x.reshape(-1, shape[-1])
        gate_logits = self.gate(inputs)
        self.last_gate_logits = gate_logits.detach()
        weights, selected = torch.topk(gate_logits, self.k)
        weights = F.softmax(weights, dim=1, dtype=torch.float).to(inputs.dtype)
        results = torch.zeros_like(inputs)
        for i, expert in enumerate(self.experts):
            batch_idx, nth = torch.where(selected == i)
            results[batch_idx] += weights[batch_idx, nth, None] * expert(inputs[batch_idx])
        return results.reshape(shape)


class TransformerBlock(nn.Module):
    def __init__(self, cfg: TransformerConfig):
        super().__init__()
        self.attention = Attention(cfg)
        self.feed_forward = MoeLayer(cfg) if cfg.moe is not None else FeedForward(cfg)
        self.attention_norm = RMSNorm(cfg.dim, cfg.norm_eps)
        self.ffn_norm = RMSNorm(cfg.dim, cfg.norm_eps)

    def forward(self, x, rot, mask):
        h = x + self.attention(self.attention_norm(x), rot, mask)
        return h + self.feed_forward(self.ffn_norm(h))


class Transformer(nn.Module):
    def __init__(self, cfg: TransformerConfig):
        super().__init__()
        self.cfg = cfg
        self.tok_embeddings = nn.Embedding(cfg.vocab_size, cfg.dim)
        self.layers = nn.ModuleDict({str(i): TransformerBlock(cfg) for i in range(cfg.n_layers)})
        self.norm = RMSNorm(cfg.dim, cfg.norm_eps)
        self.output = nn.Linear(cfg.dim, cfg.vocab_size, bias=False)

    def attention_mask(self, L: int, device=None) -> torch.Tensor:
        i = torch.arange(L, device=device)[:, None]
        j = torch.arange(L, device=device)[None, :]
        mask = j <= i
        if self.cfg.sliding_window is not None:
            mask = mask & (j > i - self.cfg.sliding_window)
        return mask

    def forward(self, tokens):
        """tokens (b, L) int64, positions 0..L-1 -> logits (b, L, vocab) in float32."""
        L = tokens.shape[1]
        theta = self.cfg.rope_theta if self.cfg.rope_theta is not None else DEFAULT_ROPE_THETA
        rot = rope_angles(self.cfg.head_dim, torch.arange(L, device=tokens.device), theta).to(tokens.device)
        mask = self.attention_mask(L, tokens.device)
        h = self.tok_embeddings(tokens)
        for layer in self.layers.values():
            h = layer(h, rot, mask)
        return self.output(self.norm(h)).float()


def load(folder):
    from safetensors_io import read_safetensors
    with open(f"{folder}/params.json") as f:
        cfg = TransformerConfig.from_params(json.load(f))
    model = Transformer(cfg)
    tensors = read_safetensors(f"{folder}/consolidated.safetensors")
    model.load_state_dict({k: v.float() for k, v in tensors.items()}, strict=True)
    return model
