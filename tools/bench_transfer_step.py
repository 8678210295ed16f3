#!/usr/bin/env python3
"""Steps the PyTorch twin of the CycleGAN networks
(synthforge_transfer_nets.py) through the same work as
bench/bench_transfer_step.cpp: both generators forward (translations,
reconstructions, identity mappings), LSGAN + cycle (10) + identity (5)
losses backward with the discriminators frozen, both discriminators on real
and detached fake images, one Adam (2e-4, 0.5, 0.999) step. ngf = ndf = 64,
9 blocks, batch 1. Prints the mean step time after one warm-up step.

    /usr/bin/python3 tools/bench_transfer_step.py --steps 3 --threads 1
"""

import argparse
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from synthforge_transfer_nets import PatchDiscriminator, ResnetGenerator  # noqa: E402


def lsgan(s, target):
    return F.mse_loss(s, torch.full_like(s, target))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--threads", type=int, default=int(os.environ.get("SYNTHFORGE_BENCH_THREADS", "1")))
    p.add_argument("--size", type=int, default=int(os.environ.get("SYNTHFORGE_BENCH_SIZE", "256")))
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    gA, gB, dA, dB = ResnetGenerator(), ResnetGenerator(), PatchDiscriminator(), PatchDiscriminator()
    dp = list(dA.parameters()) + list(dB.parameters())
    params = list(gA.parameters()) + list(gB.parameters()) + dp
    opt = torch.optim.Adam(params, lr=2e-4, betas=(0.5, 0.999))
    x_a = torch.rand(1, 3, a.size, a.size) * 2 - 1
    x_b = torch.rand(1, 3, a.size, a.size) * 2 - 1

    def step():
        opt.zero_grad(set_to_none=True)
        for q in dp:
            q.requires_grad_(False)
        fake_b = gA(x_a)
        rec_a = gB(fake_b)
        fake_a = gB(x_b)
        rec_b = gA(fake_a)
        idt = (F.l1_loss(gA(x_b), x_b) + F.l1_loss(gB(x_a), x_a)) * 5.0
        gan = lsgan(dA(fake_b), 1.0) + lsgan(dB(fake_a), 1.0)
        cycle = (F.l1_loss(rec_a, x_a) + F.l1_loss(rec_b, x_b)) * 10.0
        (gan + cycle + idt).backward()
        for q in dp:
            q.requires_grad_(True)
        (0.5 * (lsgan(dA(x_b), 1.0) + lsgan(dA(fake_b.detach()), 0.0))).backward()
        (0.5 * (lsgan(dB(x_a), 1.0) + lsgan(dB(fake_a.detach()), 0.0))).backward()
        opt.step()

    step()  # warm-up
    times = []
    for _ in range(a.steps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    print(f"cyclegan step {1000 * sum(times) / len(times):.1f} ms")


if __name__ == "__main__":
    main()
