#!/usr/bin/python3
"""Copies a SentencePiece model with normalizer_spec.add_dummy_prefix set to false, so spm_encode can show how
the model segments text that does not start a sentence (the text after a newline in a chat turn).
The protobuf is edited on the wire: ModelProto field 3 (normalizer_spec) gets field 3 (add_dummy_prefix) = 0
appended; for an optional scalar the last value on the wire wins.
usage: spm_without_dummy_prefix.py IN.model OUT.model"""
import sys


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def read_varint(data, pos):
    shift = result = 0
    while True:
        b = data[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return result, pos


data = open(sys.argv[1], "rb").read()
out = bytearray()
pos = 0
edited = False
while pos < len(data):
    start = pos
    key, pos = read_varint(data, pos)
    field, wire = key >> 3, key & 7
    if wire == 0:
        _, pos = read_varint(data, pos)
    elif wire == 1:
        pos += 8
    elif wire == 5:
        pos += 4
    elif wire == 2:
        length, body = read_varint(data, pos)
        pos = body + length
        if field == 3:
            spec = data[body:pos] + varint((3 << 3) | 0) + varint(0)
            out += varint(key) + varint(len(spec)) + spec
            edited = True
            continue
    else:
        raise SystemExit(f"unsupported wire type {wire}")
    out += data[start:pos]
assert edited, "no normalizer_spec"
open(sys.argv[2], "wb").write(bytes(out))
