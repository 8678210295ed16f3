#!/usr/bin/env python3
"""Writes VGG19's convolution weights, as far as conv5_2, into the
.safetensors file `synthforge transfer train --method vsait --vgg19 FILE`
reads (core/transfer/torch_vsait_nets.h): torchvision's state_dict names
"features.0.weight" ... "features.30.bias", float32, nothing else.

    python3 tools/export_vgg19.py --out vgg19.safetensors            # torchvision's ImageNet weights
    python3 tools/export_vgg19.py --random 7 --out vgg19_random.safetensors

The first form needs torchvision and its IMAGENET1K_V1 weights (downloaded
by torchvision into its cache, or already there); neither ships with
SynthForge. --random writes seeded random weights of the same layout with
torch alone: what the tests use to exercise VSAIT without the real weights
(a VSAIT trained on them learns nothing about photographs).
"""

import argparse
import json
import struct
import sys

import torch

# torchvision's VGG19 ("E") up to conv5_2: channels per conv, "M" a max-pool.
LAYOUT = [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512]


def random_features(seed):
    """The layout above as torch.nn layers, torch's default initialisation."""
    torch.manual_seed(seed)
    layers, cin = [], 3
    for c in LAYOUT:
        if c == "M":
            layers.append(torch.nn.MaxPool2d(2, 2))
            continue
        layers += [torch.nn.Conv2d(cin, c, 3, padding=1), torch.nn.ReLU(inplace=True)]
        cin = c
    return torch.nn.Sequential(*layers[:31])


def torchvision_features():
    import torchvision  # noqa: E402  (only this form needs it)

    try:
        net = torchvision.models.vgg19(weights=torchvision.models.VGG19_Weights.IMAGENET1K_V1)
    except AttributeError:  # torchvision before 0.13
        net = torchvision.models.vgg19(pretrained=True)
    return net.features[:31]


def write_safetensors(path, tensors, metadata):
    header, offset, blobs = {"__metadata__": metadata}, 0, []
    for name in sorted(tensors):
        data = tensors[name].detach().to(torch.float32).contiguous().cpu().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", required=True, help="the .safetensors file to write")
    p.add_argument("--random", type=int, metavar="SEED", help="seeded random weights instead of ImageNet's")
    a = p.parse_args(argv)
    features = random_features(a.random) if a.random is not None else torchvision_features()
    state = {"features." + k: v for k, v in features.state_dict().items()}
    convs = [i for i, m in enumerate(features) if isinstance(m, torch.nn.Conv2d)]
    if len(convs) != 14 or convs[-1] != 30:
        raise SystemExit(f"unexpected VGG19 layout: convolutions at {convs}")
    source = f"random seed {a.random}" if a.random is not None else "torchvision vgg19 IMAGENET1K_V1"
    write_safetensors(a.out, state, {"format": "synthforge-vgg19", "source": source})
    print(f"wrote {a.out}: {len(state)} tensors (features.0 .. features.30, {source})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
