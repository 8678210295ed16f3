#!/usr/bin/env python3
"""PyTorch twin of SynthForge Studio's face-recognition backbone (IResNet).

core/fr/torch_iresnet.{h,cpp} defines the network in LibTorch with
InsightFace's module names; this file defines the same modules, so weights
that `synthforge fr train` writes (`final.safetensors`, metadata
`format: synthforge-fr`, `preset`) load with `load_state_dict(strict=True)`
and InsightFace users can take them into their own PyTorch code.
docs/face_recognition.md describes the architecture; change the three together.

Library use:
    net = load_iresnet("final.safetensors")   # preset from the file's metadata
    embeddings = net(images)                  # [B, 3, 112, 112] in (x/255 - 0.5)/0.5 -> [B, D]

CLI (used by the C++ parity test, tests/core/fr/test_torch_fr_twin.cpp):
    synthforge_fr_nets.py run --weights W.safetensors --input x.npy --out DIR
writes DIR/embeddings.npy (float32), the network in eval mode.
"""

import argparse
import os
import sys

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from synthforge_nets import load_safetensors  # noqa: E402  (one safetensors reader)

PRESETS = {
    # blocks per stage, widths, stem, embedding
    "tiny": ([1, 1, 1, 1], [16, 32, 64, 128], 16, 128),
    "ir18": ([2, 2, 2, 2], [64, 128, 256, 512], 64, 512),
    "ir50": ([3, 4, 14, 3], [64, 128, 256, 512], 64, 512),
    "ir100": ([3, 13, 30, 3], [64, 128, 256, 512], 64, 512),
}


def _bn(c):
    return nn.BatchNorm2d(c, eps=1e-5, momentum=0.1)


class IBasicBlock(nn.Module):
    """BN, conv3x3, BN, PReLU, conv3x3 (stride), BN; shortcut conv1x1 + BN or identity."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.bn1 = _bn(cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, 1, 1, bias=False)
        self.bn2 = _bn(cout)
        self.prelu = nn.PReLU(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, stride, 1, bias=False)
        self.bn3 = _bn(cout)
        self.downsample = nn.Sequential()
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), _bn(cout))

    def forward(self, x):
        out = self.bn3(self.conv2(self.prelu(self.bn2(self.conv1(self.bn1(x))))))
        return out + (self.downsample(x) if len(self.downsample) else x)


class IResNet(nn.Module):
    def __init__(self, preset, input_size=112, dropout=0.0):
        super().__init__()
        blocks, widths, stem, embedding = PRESETS[preset]
        self.conv1 = nn.Conv2d(3, stem, 3, 1, 1, bias=False)
        self.bn1 = _bn(stem)
        self.prelu = nn.PReLU(stem)
        cin = stem
        for s in range(4):
            layers = []
            for b in range(blocks[s]):
                layers.append(IBasicBlock(cin, widths[s], 2 if b == 0 else 1))
                cin = widths[s]
            setattr(self, f"layer{s + 1}", nn.Sequential(*layers))
        self.bn2 = _bn(cin)
        self.dropout = nn.Dropout(dropout)
        side = input_size // 16
        self.fc = nn.Linear(cin * side * side, embedding)
        self.features = nn.BatchNorm1d(embedding, eps=1e-5)

    def forward(self, x):
        h = self.prelu(self.bn1(self.conv1(x)))
        h = self.layer4(self.layer3(self.layer2(self.layer1(h))))
        h = self.dropout(self.bn2(h).flatten(1))
        return self.features(self.fc(h))


def load_iresnet(path):
    tensors, metadata = load_safetensors(path)
    if metadata.get("format") != "synthforge-fr" or metadata.get("preset") not in PRESETS:
        raise ValueError(f"{path}: not a synthforge fr backbone (metadata {metadata})")
    net = IResNet(metadata["preset"])
    state = {k: torch.from_numpy(v) for k, v in tensors.items()}
    net.load_state_dict(state, strict=True)
    return net.eval()


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="embed an input .npy [B, 3, 112, 112]")
    r.add_argument("--weights", required=True)
    r.add_argument("--input", required=True)
    r.add_argument("--out", required=True)
    a = p.parse_args(argv)
    net = load_iresnet(a.weights)
    x = torch.from_numpy(np.load(a.input).astype(np.float32))
    os.makedirs(a.out, exist_ok=True)
    with torch.no_grad():
        np.save(os.path.join(a.out, "embeddings.npy"), net(x).numpy().astype(np.float32))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
