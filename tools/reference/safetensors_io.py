"""Minimal safetensors reader/writer (8-byte little-endian header length, JSON header, raw data).

Written here so the reference tools need only Debian's torch and numpy.
"""
import json
import struct

import numpy as np
import torch

_TO_NAME = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16"}
_FROM_NAME = {"F32": (torch.float32, 4), "F16": (torch.float16, 2), "BF16": (torch.bfloat16, 2)}


def _raw_bytes(t: torch.Tensor) -> bytes:
    t = t.detach().contiguous().cpu()
    if t.dtype == torch.bfloat16:  # numpy has no bfloat16: reinterpret the bits as int16
        return t.view(torch.int16).numpy().tobytes()
    return t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()


def write_safetensors(path: str, tensors: dict, metadata: dict = None):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        if t.dtype not in _TO_NAME:
            raise ValueError(f"{name}: dtype {t.dtype} not supported")
        data = _raw_bytes(t)
        header[name] = {"dtype": _TO_NAME[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    hjson = json.dumps(header, separators=(",", ":")).encode()
    hjson += b" " * ((8 - len(hjson) % 8) % 8)  # align the data section to 8 bytes
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hjson)))
        f.write(hjson)
        for b in blobs:
            f.write(b)


def read_safetensors(path: str) -> dict:
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dtype, size = _FROM_NAME[info["dtype"]]
        start, end = info["data_offsets"]
        buf = bytearray(raw[base + start:base + end])
        if dtype == torch.bfloat16:
            t = torch.frombuffer(buf, dtype=torch.int16).view(torch.bfloat16)
        else:
            t = torch.frombuffer(buf, dtype=dtype)
        out[name] = t.reshape(info["shape"]).clone()
    return out
