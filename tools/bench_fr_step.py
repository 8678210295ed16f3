#!/usr/bin/env python3
"""Steps the PyTorch twin of the face-recognition backbone
(synthforge_fr_nets.py) through the same work as bench/bench_fr_step.cpp:
IResNet forward on 112x112, a CosFace margin (s 64, m 0.4) over 1000
classes, cross-entropy, backward, SGD (lr 0.1, momentum 0.9, weight decay
5e-4). Prints the mean step time after one warm-up step.

    /usr/bin/python3 tools/bench_fr_step.py --preset ir18 --steps 3 --threads 1
"""

import argparse
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from synthforge_fr_nets import IResNet, PRESETS  # noqa: E402

CLASSES = 1000


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--preset", default="ir18", choices=sorted(PRESETS))
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--threads", type=int, default=int(os.environ.get("SYNTHFORGE_BENCH_THREADS", "1")))
    p.add_argument("--batch", type=int, default=int(os.environ.get("SYNTHFORGE_BENCH_BATCH", "16")))
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    net = IResNet(a.preset).train()
    weight = (torch.randn(CLASSES, PRESETS[a.preset][3]) * 0.01).requires_grad_(True)
    params = list(net.parameters()) + [weight]
    opt = torch.optim.SGD(params, lr=0.1, momentum=0.9, weight_decay=5e-4)
    x = torch.randn(a.batch, 3, 112, 112)
    y = torch.randint(CLASSES, (a.batch,))

    def step():
        opt.zero_grad(set_to_none=True)
        e = F.normalize(net(x), dim=1)
        w = F.normalize(weight, dim=1)
        cosine = e @ w.t()
        logits = 64.0 * (cosine - 0.4 * F.one_hot(y, CLASSES).to(cosine.dtype))
        F.cross_entropy(logits, y).backward()
        opt.step()

    step()  # warm-up
    times = []
    for _ in range(a.steps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    print(f"{a.preset} step {1000 * sum(times) / len(times):.1f} ms")


if __name__ == "__main__":
    main()
