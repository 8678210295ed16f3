#!/usr/bin/env python3
"""PyTorch twin of SynthForge Studio's CycleGAN and CUT networks (realism transfer).

core/transfer/torch_cyclegan_nets.{h,cpp} defines the ResNet generator and
the 70x70 PatchGAN in LibTorch with the module names of the CycleGAN
authors' code ("model.1.weight", "model.10.conv_block.1.weight", ...). This
file defines the same modules (and CUT's anti-aliased generator,
core/transfer/torch_cut_nets.h), so the translator `synthforge transfer train`
writes (`final.safetensors`, metadata `format: synthforge-transfer`) loads
with `load_state_dict(strict=True)`, and a generator from the authors' code
loads into ours. docs/transfer.md describes the networks; change the three
together.

Library use:
    g = load_translator("final.safetensors")   # eval mode
    fake = g(images)                            # [B, 3, H, W] RGB in [-1, 1], H and W multiples of 4

CLI (used by the C++ parity test, tests/core/transfer/test_torch_transfer_twin.cpp):
    synthforge_transfer_nets.py run --weights W.safetensors --input x.npy --out DIR
writes DIR/translated.npy (float32).
"""

import argparse
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from synthforge_nets import load_safetensors  # noqa: E402  (one safetensors reader)


def _norm(c):
    # Instance norm without affine parameters or running statistics.
    return nn.InstanceNorm2d(c, affine=False, track_running_stats=False)


class ResnetBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv_block = nn.Sequential(
            nn.ReflectionPad2d(1), nn.Conv2d(c, c, 3), _norm(c), nn.ReLU(True),
            nn.ReflectionPad2d(1), nn.Conv2d(c, c, 3), _norm(c))

    def forward(self, x):
        return x + self.conv_block(x)


class ResnetGenerator(nn.Module):
    def __init__(self, filters=64, blocks=9):
        super().__init__()
        f = filters
        layers = [nn.ReflectionPad2d(3), nn.Conv2d(3, f, 7), _norm(f), nn.ReLU(True)]
        for mult in (1, 2):
            layers += [nn.Conv2d(f * mult, f * mult * 2, 3, stride=2, padding=1), _norm(f * mult * 2), nn.ReLU(True)]
        layers += [ResnetBlock(f * 4) for _ in range(blocks)]
        for mult in (4, 2):
            layers += [nn.ConvTranspose2d(f * mult, f * mult // 2, 3, stride=2, padding=1, output_padding=1),
                       _norm(f * mult // 2), nn.ReLU(True)]
        layers += [nn.ReflectionPad2d(3), nn.Conv2d(f, 3, 7), nn.Tanh()]
        self.model = nn.Sequential(*layers)

    def forward(self, x):
        return self.model(x)


class PatchDiscriminator(nn.Module):
    def __init__(self, filters=64):
        super().__init__()
        f = filters
        layers = [nn.Conv2d(3, f, 4, stride=2, padding=1), nn.LeakyReLU(0.2, True)]
        prev = 1
        for n in (1, 2):
            mult = min(2 ** n, 8)
            layers += [nn.Conv2d(f * prev, f * mult, 4, stride=2, padding=1), _norm(f * mult), nn.LeakyReLU(0.2, True)]
            prev = mult
        layers += [nn.Conv2d(f * prev, f * 8, 4, stride=1, padding=1), _norm(f * 8), nn.LeakyReLU(0.2, True),
                   nn.Conv2d(f * 8, 1, 4, stride=1, padding=1)]
        self.model = nn.Sequential(*layers)

    def forward(self, x):
        return self.model(x)


def _binomial(row):
    r = torch.tensor(row, dtype=torch.float32)
    f = r[:, None] * r[None, :]
    return f / f.sum()


class BlurDownsample(nn.Module):
    """[1 2 1] binomial blur, reflect padded, every second pixel (CUT's anti-aliased downsampling)."""

    def __init__(self, c):
        super().__init__()
        self.register_buffer("filt", _binomial([1.0, 2.0, 1.0])[None, None].repeat(c, 1, 1, 1))

    def forward(self, x):
        return F.conv2d(F.pad(x, (1, 1, 1, 1), mode="reflect"), self.filt, stride=2, groups=x.shape[1])


class BlurUpsample(nn.Module):
    """Transposed convolution with the fixed [1 3 3 1] binomial (x 4), cropped to twice the size."""

    def __init__(self, c):
        super().__init__()
        self.register_buffer("filt", (_binomial([1.0, 3.0, 3.0, 1.0]) * 4)[None, None].repeat(c, 1, 1, 1))

    def forward(self, x):
        y = F.conv_transpose2d(F.pad(x, (1, 1, 1, 1), mode="replicate"), self.filt, stride=2, padding=2,
                               groups=x.shape[1])
        return y[:, :, 1:-1, 1:-1]


class CutGenerator(nn.Module):
    """CUT's ResNet generator with anti-aliased down- and upsampling."""

    def __init__(self, filters=64, blocks=9):
        super().__init__()
        f = filters
        layers = [nn.ReflectionPad2d(3), nn.Conv2d(3, f, 7), _norm(f), nn.ReLU(True)]
        for mult in (1, 2):
            layers += [nn.Conv2d(f * mult, f * mult * 2, 3, padding=1), _norm(f * mult * 2), nn.ReLU(True),
                       BlurDownsample(f * mult * 2)]
        layers += [ResnetBlock(f * 4) for _ in range(blocks)]
        for mult in (4, 2):
            layers += [BlurUpsample(f * mult), nn.Conv2d(f * mult, f * mult // 2, 3, padding=1),
                       _norm(f * mult // 2), nn.ReLU(True)]
        layers += [nn.ReflectionPad2d(3), nn.Conv2d(f, 3, 7), nn.Tanh()]
        self.model = nn.Sequential(*layers)

    def forward(self, x):
        return self.model(x)


def load_translator(path):
    tensors, metadata = load_safetensors(path)
    if metadata.get("format") != "synthforge-transfer":
        raise ValueError(f"{path}: not a synthforge transfer translator (metadata {metadata})")
    kind = CutGenerator if metadata.get("method") in ("cut", "fastcut") else ResnetGenerator
    net = kind(int(metadata["generator_filters"]), int(metadata["residual_blocks"]))
    net.load_state_dict({k: torch.from_numpy(v) for k, v in tensors.items()}, strict=True)
    return net.eval()


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="translate an input .npy [B, 3, H, W] in [-1, 1]")
    r.add_argument("--weights", required=True)
    r.add_argument("--input", required=True)
    r.add_argument("--out", required=True)
    a = p.parse_args(argv)
    net = load_translator(a.weights)
    x = torch.from_numpy(np.load(a.input).astype(np.float32))
    os.makedirs(a.out, exist_ok=True)
    with torch.no_grad():
        np.save(os.path.join(a.out, "translated.npy"), net(x).numpy().astype(np.float32))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
