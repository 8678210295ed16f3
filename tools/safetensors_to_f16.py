#!/usr/bin/env python3
"""Rewrites a .safetensors file with every F32 tensor stored as F16.

Halves a network's size on disk; our loader (core/train/torch_weights.h)
converts F16 back to float32 on load, as PyTorch's load_state_dict does.
Integer tensors and the metadata are kept as they are. Used for the test
fixture tests/fixtures/cascade_net (README there).

    python3 tools/safetensors_to_f16.py IN.safetensors OUT.safetensors
"""
import json
import struct
import sys

import numpy as np


def main(src: str, dst: str) -> None:
    with open(src, "rb") as f:
        blob = f.read()
    if len(blob) < 8:
        sys.exit(f"{src}: shorter than the 8-byte header length")
    (n,) = struct.unpack("<Q", blob[:8])
    if 8 + n > len(blob):
        sys.exit(f"{src}: header length {n} runs past the end of the file")
    header = json.loads(blob[8:8 + n])
    data = blob[8 + n:]
    out_header, chunks, offset = {}, [], 0
    for name, entry in header.items():
        if name == "__metadata__":
            out_header[name] = entry
            continue
        begin, end = entry["data_offsets"]
        raw = data[begin:end]
        dtype = entry["dtype"]
        if dtype == "F32":
            raw = np.frombuffer(raw, dtype="<f4").astype("<f2").tobytes()
            dtype = "F16"
        out_header[name] = {"dtype": dtype, "shape": entry["shape"], "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(out_header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # the format pads the header to 8 bytes
    with open(dst, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for c in chunks:
            f.write(c)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
