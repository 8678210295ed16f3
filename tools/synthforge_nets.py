#!/usr/bin/env python3
"""PyTorch twin of SynthForge Studio's Stage I multi-task network.

core/train/torch_multitask_net.{h,cpp} defines the network in LibTorch; this
file defines the same modules with the same state_dict names, so that weights
written by the C++ side (`.safetensors`, core/train/torch_weights.h) load with
`load_state_dict(strict=True)`. docs/training.md describes the architecture
layer by layer; change the three together.

Library use:
    net = load_multitask_net("weights.safetensors")   # built from the file's metadata
    out = net(images)                                 # dict: features, segmentation, depth, heatmaps, landmarks

CLI (used by the C++ parity test, tests/core/train/test_torch_multitask_net.cpp):
    synthforge_nets.py run --weights W.safetensors --input x.npy --out DIR
writes DIR/{features,segmentation,depth,heatmaps,landmarks}.npy (float32),
with the network in eval mode.

The safetensors reader needs only json, struct and numpy: Debian ships no
python3-safetensors.
"""

import argparse
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

NUM_LANDMARKS = 68

_DTYPES = {"F16": "<f2", "F32": "<f4", "F64": "<f8", "I8": "i1", "U8": "u1", "I16": "<i2",
           "U16": "<u2", "I32": "<i4", "U32": "<u4", "I64": "<i8", "U64": "<u8", "BOOL": "?"}


def load_safetensors(path):
    """Returns ({name: numpy array}, {metadata key: value})."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise ValueError(f"{path}: too short for a safetensors header")
    (n,) = struct.unpack("<Q", data[:8])
    if 8 + n > len(data):
        raise ValueError(f"{path}: header length {n} exceeds the file")
    header = json.loads(data[8:8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", {}) or {}
    body = memoryview(data)[8 + n:]
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        dtype = np.dtype(_DTYPES[info["dtype"]])
        shape = tuple(info["shape"])
        array = np.frombuffer(body[begin:end], dtype=dtype)
        if array.size != int(np.prod(shape, dtype=np.int64)):
            raise ValueError(f"{path}: tensor '{name}': {array.size} values for shape {shape}")
        tensors[name] = array.reshape(shape).copy()
    return tensors, metadata


# ------------------------------------------------------------------ modules

def _conv(cin, cout, k, stride=1, bias=False):
    # Convolutions followed by batch norm carry no bias (as in C++).
    return nn.Conv2d(cin, cout, k, stride=stride, padding=k // 2, bias=bias)


def _double_conv(cin, mid, cout):
    return [_conv(cin, mid, 3), nn.BatchNorm2d(mid), nn.ReLU(),
            _conv(mid, cout, 3), nn.BatchNorm2d(cout), nn.ReLU()]


class UNet(nn.Module):
    """Encoder levels `widths`; decoder level i returns widths[max(i-1, 0)]."""

    def __init__(self, in_channels, out_channels, widths=(64, 128, 256, 512, 512)):
        super().__init__()
        w = list(widths)
        self.stem = nn.Sequential(*_double_conv(in_channels, w[0], w[0]))
        self.down = nn.ModuleList(
            nn.Sequential(nn.MaxPool2d(2), *_double_conv(w[i - 1], w[i], w[i])) for i in range(1, len(w)))
        self.up = nn.ModuleList()
        from_below = w[-1]
        for i in range(len(w) - 2, -1, -1):
            cin, cout = w[i] + from_below, w[max(i - 1, 0)]
            self.up.append(nn.Sequential(*_double_conv(cin, cin // 2, cout)))
            from_below = cout
        self.head = _conv(from_below, out_channels, 1, bias=True)

    def forward(self, x):
        skips = [self.stem(x)]
        for d in self.down:
            skips.append(d(skips[-1]))
        y = skips.pop()
        for u in self.up:
            skip = skips.pop()
            y = F.interpolate(y, size=skip.shape[2:], mode="bilinear", align_corners=True)
            y = u(torch.cat([skip, y], 1))
        return self.head(y)


class Residual(nn.Module):
    def __init__(self, c):
        super().__init__()
        h = c // 2
        self.body = nn.Sequential(nn.BatchNorm2d(c), nn.ReLU(), _conv(c, h, 1),
                                  nn.BatchNorm2d(h), nn.ReLU(), _conv(h, h, 3),
                                  nn.BatchNorm2d(h), nn.ReLU(), _conv(h, c, 1, bias=True))

    def forward(self, x):
        return x + self.body(x)


class Hourglass(nn.Module):
    def __init__(self, levels, c):
        super().__init__()
        self.skip = nn.ModuleList(Residual(c) for _ in range(levels))
        self.pre = nn.ModuleList(Residual(c) for _ in range(levels))
        self.post = nn.ModuleList(Residual(c) for _ in range(levels))
        self.bottom = Residual(c)

    def _level(self, x, i):
        upper = self.skip[i](x)
        lower = self.pre[i](F.max_pool2d(x, 2))
        lower = self._level(lower, i + 1) if i + 1 < len(self.skip) else self.bottom(lower)
        lower = self.post[i](lower)
        return upper + F.interpolate(lower, size=upper.shape[2:], mode="nearest")

    def forward(self, x):
        return self._level(x, 0)


def soft_argmax(heatmaps):
    """B x L x h x w logits -> B x L x 2 (x, y), grid_sample(align_corners=False) coordinates."""
    heatmaps = heatmaps.float()  # as the C++ side: in float32 under bf16 autocast too
    b, l, h, w = heatmaps.shape
    p = torch.softmax(heatmaps.reshape(b, l, h * w), -1).reshape(b, l, h, w)
    xs = (torch.arange(w, dtype=heatmaps.dtype, device=heatmaps.device) * 2 + 1) / w - 1
    ys = (torch.arange(h, dtype=heatmaps.dtype, device=heatmaps.device) * 2 + 1) / h - 1
    return torch.stack([(p.sum(2) * xs).sum(-1), (p.sum(3) * ys).sum(-1)], -1)


class KeypointHead(nn.Module):
    def __init__(self, in_channels, channels=64, stacks=2, levels=4, num_landmarks=NUM_LANDMARKS):
        super().__init__()
        c = channels
        self.stem = nn.Sequential(_conv(in_channels, c, 3, stride=2), nn.BatchNorm2d(c), nn.ReLU(), Residual(c),
                                  nn.MaxPool2d(2), Residual(c))
        self.hourglasses = nn.ModuleList(Hourglass(levels, c) for _ in range(stacks))
        self.features = nn.ModuleList(
            nn.Sequential(Residual(c), _conv(c, c, 1), nn.BatchNorm2d(c), nn.ReLU()) for _ in range(stacks))
        self.heads = nn.ModuleList(_conv(c, num_landmarks, 1, bias=True) for _ in range(stacks))
        self.merge_features = nn.ModuleList(_conv(c, c, 1, bias=True) for _ in range(stacks - 1))
        self.merge_heatmaps = nn.ModuleList(_conv(num_landmarks, c, 1, bias=True) for _ in range(stacks - 1))

    def forward(self, features):
        x = self.stem(features)
        maps = []
        for s, hourglass in enumerate(self.hourglasses):
            y = self.features[s](hourglass(x))
            maps.append(self.heads[s](y))
            if s + 1 < len(self.hourglasses):
                x = x + self.merge_features[s](y) + self.merge_heatmaps[s](maps[-1])
        return torch.stack(maps, 1), soft_argmax(maps[-1])


PRESETS = {
    "reference": dict(backbone_widths=[64, 128, 256, 512, 512], feature_channels=64,
                      head_widths=[64, 128, 256, 512, 512], keypoint_channels=64, keypoint_stacks=2, keypoint_levels=4),
    "small": dict(backbone_widths=[8, 16, 32, 64, 64], feature_channels=16,
                  head_widths=[8, 16, 32, 64, 64], keypoint_channels=16, keypoint_stacks=2, keypoint_levels=4),
}


class MultiTaskNet(nn.Module):
    def __init__(self, num_classes, preset="reference", in_channels=3, num_landmarks=NUM_LANDMARKS, **overrides):
        super().__init__()
        cfg = dict(PRESETS[preset])
        cfg.update(overrides)
        f = cfg["feature_channels"]
        self.backbone = UNet(in_channels, f, cfg["backbone_widths"])
        self.segmentation = UNet(f, num_classes, cfg["head_widths"])
        self.depth = UNet(f, 1, cfg["head_widths"])
        self.keypoints = KeypointHead(f, cfg["keypoint_channels"], cfg["keypoint_stacks"], cfg["keypoint_levels"],
                                      num_landmarks)

    def forward(self, images):
        features = self.backbone(images)
        heatmaps, landmarks = self.keypoints(features)
        return {"features": features, "segmentation": self.segmentation(features), "depth": self.depth(features),
                "heatmaps": heatmaps, "landmarks": landmarks}


def _ints(text):
    return [int(v) for v in text.split(",")]


def load_multitask_net(path):
    """Builds the network that the file's metadata describes and loads its weights (strict)."""
    tensors, meta = load_safetensors(path)
    if meta.get("format") != "synthforge-multitask-net" or meta.get("format_version") != "1":
        raise ValueError(f"{path}: not a synthforge-multitask-net version 1 file")
    net = MultiTaskNet(int(meta["num_classes"]), preset=meta["preset"] if meta["preset"] in PRESETS else "reference",
                       in_channels=int(meta["in_channels"]), num_landmarks=int(meta["num_landmarks"]),
                       backbone_widths=_ints(meta["backbone_widths"]),
                       feature_channels=int(meta["feature_channels"]), head_widths=_ints(meta["head_widths"]),
                       keypoint_channels=int(meta["keypoint_channels"]),
                       keypoint_stacks=int(meta["keypoint_stacks"]), keypoint_levels=int(meta["keypoint_levels"]))
    net.load_state_dict({k: torch.from_numpy(v) for k, v in tensors.items()}, strict=True)
    return net


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the network (eval mode) on an .npy input, write the outputs as .npy")
    run.add_argument("--weights", required=True)
    run.add_argument("--input", required=True, help="B x C x H x W float32 .npy")
    run.add_argument("--out", required=True, help="output folder")
    args = parser.parse_args(argv)

    torch.set_grad_enabled(False)
    net = load_multitask_net(args.weights).eval()
    x = torch.from_numpy(np.load(args.input).astype(np.float32))
    out = net(x)
    os.makedirs(args.out, exist_ok=True)
    for name, value in out.items():
        np.save(os.path.join(args.out, name + ".npy"), value.numpy().astype(np.float32))
    return 0


if __name__ == "__main__":
    sys.exit(main())
