"""Independent PyTorch reference of Codestral Mamba's architecture (Mamba2 in a MambaLMHeadModel).

Written from the definitions in state-spaces/mamba (MambaLMHeadModel, Mamba2, gated RMSNorm) and
mistral-inference (MambaArgs), not from this project's Java engine. Parameter names are mamba_ssm's;
Codestral Mamba's consolidated.safetensors holds each of them with the prefix "model." (FILE_PREFIX), because
mistral-inference loads the file strictly into its wrapper, whose attribute `model` is the MambaLMHeadModel:

  backbone.embedding.weight                      (vocab, dim)
  backbone.layers.N.norm.weight                  (dim)
  backbone.layers.N.mixer.in_proj.weight         (2*d_inner + 2*n_groups*d_state + n_heads, dim)
  backbone.layers.N.mixer.conv1d.weight / .bias  (conv_dim, 1, d_conv) / (conv_dim)
  backbone.layers.N.mixer.dt_bias, A_log, D      (n_heads)
  backbone.layers.N.mixer.norm.weight            (d_inner)
  backbone.layers.N.mixer.out_proj.weight        (dim, d_inner)
  backbone.norm_f.weight                         (dim)
  lm_head.weight                                 (vocab, dim)

The SSM is written as the plain sequential recurrence (`ssm="sequential"`, the reference for the engine's
chunked prefill); `ssm="chunked"` is a chunked (SSD) form used only to train the demo models quickly.
Run with Debian's python3 (torch 1.13, CPU).
"""
import json
import math
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

NORM_EPS = 1e-5  # mamba_ssm's default norm_epsilon for the block norms, norm_f and the gated norm


@dataclass
class Mamba2Config:
    dim: int
    n_layers: int
    vocab_size: int
    n_groups: int
    rms_norm: bool = True
    residual_in_fp32: bool = True
    fused_add_norm: bool = True
    pad_vocab_size_multiple: int = 1
    tie_embeddings: bool = False
    # Mamba2 code defaults (Codestral Mamba's params.json does not list them); small models may override.
    d_state: int = 128
    d_conv: int = 4
    expand: int = 2
    head_dim: int = 64
    chunk_size: int = 256

    REQUIRED = ("dim", "n_layers", "vocab_size", "n_groups", "rms_norm", "residual_in_fp32",
                "fused_add_norm", "pad_vocab_size_multiple", "tie_embeddings")
    OPTIONAL = ("d_state", "d_conv", "expand", "head_dim", "chunk_size")

    @staticmethod
    def from_params(params: dict) -> "Mamba2Config":
        if params.get("model_type", "mamba") != "mamba":
            raise ValueError(f"params.json model_type is {params.get('model_type')!r}, expected 'mamba'")
        missing = [k for k in Mamba2Config.REQUIRED if k not in params]
        if missing:
            raise ValueError(f"params.json lacks {missing}")
        kwargs = {k: params[k] for k in Mamba2Config.REQUIRED + Mamba2Config.OPTIONAL if k in params}
        cfg = Mamba2Config(**kwargs)
        if not cfg.rms_norm:
            raise ValueError("rms_norm=false (LayerNorm blocks) is not what Codestral Mamba uses")
        return cfg

    def to_params(self) -> dict:
        p = {k: getattr(self, k) for k in self.REQUIRED}
        p["model_type"] = "mamba"
        defaults = Mamba2Config(1, 1, 1, 1)
        for k in self.OPTIONAL:
            if getattr(self, k) != getattr(defaults, k):
                p[k] = getattr(self, k)
        return p

    @property
    def padded_vocab(self) -> int:
        m = self.pad_vocab_size_multiple
        return self.vocab_size if self.vocab_size % m == 0 else self.vocab_size + m - self.vocab_size % m

    @property
    def d_inner(self) -> int:
        return self.expand * self.dim

    @property
    def n_heads(self) -> int:
        assert self.d_inner % self.head_dim == 0, "expand*dim must be a multiple of head_dim"
        return self.d_inner // self.head_dim

    @property
    def conv_dim(self) -> int:
        return self.d_inner + 2 * self.n_groups * self.d_state


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float = NORM_EPS):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class GatedRMSNorm(nn.Module):
    """norm_before_gate=False: gate first (x * silu(z)), then RMS-normalise each group of d_inner/n_groups."""

    def __init__(self, dim: int, group_size: int, eps: float = NORM_EPS):
        super().__init__()
        self.eps = eps
        self.group_size = group_size
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x, z):
        x = x * F.silu(z)
        g = x.reshape(*x.shape[:-1], x.shape[-1] // self.group_size, self.group_size)
        g = g * torch.rsqrt(g.pow(2).mean(-1, keepdim=True) + self.eps)
        return g.reshape(x.shape) * self.weight


def ssm_sequential(x, dt, A, B, C, D):
    """The selective state update, one token at a time.

    x (b, L, H, P), dt (b, L, H) after softplus, A (H) negative, B and C (b, L, H, N) already
    expanded from groups to heads, D (H). State h (b, H, P, N):
      h_t = exp(dt_t * A) * h_{t-1} + dt_t * x_t (outer) B_t ;  y_t = h_t . C_t + D * x_t
    """
    b, L, H, P = x.shape
    N = B.shape[-1]
    h = x.new_zeros(b, H, P, N)
    ys = []
    for t in range(L):
        decay = torch.exp(dt[:, t] * A)  # (b, H)
        h = h * decay[:, :, None, None] + (dt[:, t, :, None, None] * x[:, t, :, :, None]) * B[:, t, :, None, :]
        ys.append(torch.einsum("bhpn,bhn->bhp", h, C[:, t]) + D[None, :, None] * x[:, t])
    return torch.stack(ys, dim=1)


def ssm_chunked(x, dt, A, B, C, D, chunk: int):
    """Same result as ssm_sequential, computed chunk by chunk in matrix form (for training speed)."""
    b, L, H, P = x.shape
    N = B.shape[-1]
    h = x.new_zeros(b, H, P, N)
    out = []
    for s in range(0, L, chunk):
        xs, dts, Bs, Cs = x[:, s:s + chunk], dt[:, s:s + chunk], B[:, s:s + chunk], C[:, s:s + chunk]
        T = xs.shape[1]
        cum = torch.cumsum(dts * A, dim=1)  # (b, T, H): log of the decay from chunk start to t
        diff = cum[:, :, None, :] - cum[:, None, :, :]  # (b, t, j, H) = cum_t - cum_j
        causal = torch.tril(torch.ones(T, T, dtype=torch.bool, device=x.device))[None, :, :, None]
        decay = torch.exp(torch.where(causal, diff, torch.full_like(diff, -float("inf"))))
        scores = torch.einsum("bthn,bjhn->btjh", Cs, Bs) * decay * dts[:, None, :, :]
        y = torch.einsum("btjh,bjhp->bthp", scores, xs)
        y = y + torch.einsum("bthn,bhpn->bthp", Cs, h) * torch.exp(cum)[..., None]
        y = y + D[None, None, :, None] * xs
        out.append(y)
        to_end = torch.exp(cum[:, -1:, :] - cum) * dts  # (b, T, H)
        h = h * torch.exp(cum[:, -1, :])[:, :, None, None] + torch.einsum("bjh,bjhp,bjhn->bhpn", to_end, xs, Bs)
    return torch.cat(out, dim=1)


class Mamba2Mixer(nn.Module):
    def __init__(self, cfg: Mamba2Config):
        super().__init__()
        self.cfg = cfg
        H, G = cfg.n_heads, cfg.n_groups
        self.in_proj = nn.Linear(cfg.dim, 2 * cfg.d_inner + 2 * G * cfg.d_state + H, bias=False)
        self.conv1d = nn.Conv1d(cfg.conv_dim, cfg.conv_dim, kernel_size=cfg.d_conv, groups=cfg.conv_dim,
                                padding=cfg.d_conv - 1, bias=True)
        self.dt_bias = nn.Parameter(torch.zeros(H))
        self.A_log = nn.Parameter(torch.zeros(H))
        self.D = nn.Parameter(torch.ones(H))
        self.norm = GatedRMSNorm(cfg.d_inner, cfg.d_inner // G)
        self.out_proj = nn.Linear(cfg.d_inner, cfg.dim, bias=False)

    def forward(self, u, ssm="sequential"):
        cfg = self.cfg
        b, L, _ = u.shape
        H, G, N, P = cfg.n_heads, cfg.n_groups, cfg.d_state, cfg.head_dim
        z, xBC, dt = torch.split(self.in_proj(u), [cfg.d_inner, cfg.conv_dim, H], dim=-1)
        # causal depthwise conv: padding d_conv-1 on both sides, keep the first L outputs
        xBC = F.silu(self.conv1d(xBC.transpose(1, 2))[..., :L].transpose(1, 2))
        x, Bg, Cg = torch.split(xBC, [cfg.d_inner, G * N, G * N], dim=-1)
        dt = F.softplus(dt + self.dt_bias)
        A = -torch.exp(self.A_log)
        heads_per_group = H // G  # head h reads group h // heads_per_group
        Bh = Bg.reshape(b, L, G, N).repeat_interleave(heads_per_group, dim=2)
        Ch = Cg.reshape(b, L, G, N).repeat_interleave(heads_per_group, dim=2)
        xh = x.reshape(b, L, H, P)
        if ssm == "sequential":
            y = ssm_sequential(xh, dt, A, Bh, Ch, self.D)
        else:
            y = ssm_chunked(xh, dt, A, Bh, Ch, self.D, cfg.chunk_size)
        y = self.norm(y.reshape(b, L, cfg.d_inner), z)
        return self.out_proj(y)


class Block(nn.Module):
    def __init__(self, cfg: Mamba2Config):
        super().__init__()
        self.norm = RMSNorm(cfg.dim)
        self.mixer = Mamba2Mixer(cfg)


class Backbone(nn.Module):
    def __init__(self, cfg: Mamba2Config):
        super().__init__()
        self.embedding = nn.Embedding(cfg.padded_vocab, cfg.dim)
        self.layers = nn.ModuleList([Block(cfg) for _ in range(cfg.n_layers)])
        self.norm_f = RMSNorm(cfg.dim)


class Mamba2LM(nn.Module):
    def __init__(self, cfg: Mamba2Config):
        super().__init__()
        self.cfg = cfg
        self.backbone = Backbone(cfg)
        self.lm_head = nn.Linear(cfg.dim, cfg.padded_vocab, bias=False)
        if cfg.tie_embeddings:
            self.lm_head.weight = self.backbone.embedding.weight

    def forward(self, tokens, ssm="sequential"):
        """tokens (b, L) int64 -> logits (b, L, padded_vocab). Pre-norm residual blocks as in mamba_ssm's
        Block: residual += hidden; hidden = mixer(norm(residual)); at the end norm_f(residual + hidden)."""
        hidden = self.backbone.embedding(tokens)
        residual = torch.zeros_like(hidden)
        for layer in self.backbone.layers:
            residual = residual + hidden
            hidden = layer.mixer(layer.norm(residual), ssm=ssm)
        return self.lm_head(self.backbone.norm_f(residual + hidden))


FILE_PREFIX = "model."


def load(folder):
    """Loads params.json + consolidated.safetensors from a folder into a Mamba2LM (float32)."""
    from safetensors_io import read_safetensors
    with open(f"{folder}/params.json") as f:
        cfg = Mamba2Config.from_params(json.load(f))
    model = Mamba2LM(cfg)
    # Mistral's file names are "model." + mamba_ssm's: mistral-inference keeps MambaLMHeadModel in an attribute
    # named `model` and loads the file strictly into that wrapper.
    tensors = {k.removeprefix(FILE_PREFIX): v for k, v in read_safetensors(f"{folder}/consolidated.safetensors").items()}
    if cfg.tie_embeddings:
        tensors.setdefault("lm_head.weight", tensors["backbone.embedding.weight"])
    model.load_state_dict({k: v.float() for k, v in tensors.items()}, strict=True)
    return model
