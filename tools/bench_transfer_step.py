#!/usr/bin/env python3
"""Steps the PyTorch twin of the CycleGAN networks
(synthforge_transfer_nets.py) through the same work as
bench/bench_transfer_step.cpp: both generators forward (translations,
reconstructions, identity mappings), LSGAN + cycle (10) + identity (5)
losses backward with the discriminators frozen, both discriminators on real
and detached fake images, one Adam (2e-4, 0.5, 0.999) step. ngf = ndf = 64,
9 blocks, batch 1. Prints the mean step time after one warm-up step.

    /usr/bin/python3 tools/bench_transfer_step.py --steps 3 --threads 1 [--method cut]

--method cut steps CUT instead (bench/bench_transfer_step.cpp's cutStep).
"""

import argparse
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from synthforge_transfer_nets import BlurDownsample, CutGenerator, PatchDiscriminator, ResnetGenerator  # noqa: E402,F401


def lsgan(s, target):
    return F.mse_loss(s, torch.full_like(s, target))


class CutDiscriminator(torch.nn.Module):
    """The PatchGAN with blur-downsampling after its first three convolutions (core/transfer/torch_cut_nets.h)."""

    def __init__(self, f=64):
        super().__init__()
        lr = lambda: torch.nn.LeakyReLU(0.2, True)  # noqa: E731
        layers = [torch.nn.Conv2d(3, f, 4, padding=1), lr(), BlurDownsample(f)]
        prev = 1
        for n in (1, 2):
            mult = min(2 ** n, 8)
            layers += [torch.nn.Conv2d(f * prev, f * mult, 4, padding=1), torch.nn.InstanceNorm2d(f * mult), lr(),
                       BlurDownsample(f * mult)]
            prev = mult
        layers += [torch.nn.Conv2d(f * prev, f * 8, 4, padding=1), torch.nn.InstanceNorm2d(f * 8), lr(),
                   torch.nn.Conv2d(f * 8, 1, 4, padding=1)]
        self.model = torch.nn.Sequential(*layers)

    def forward(self, x):
        return self.model(x)


def encode(g, x, layers):
    feats = []
    for i, layer in enumerate(g.model):
        x = layer(x)
        if i in layers:
            feats.append(x)
        if i == layers[-1]:
            return feats
    return feats


def patch_nce(q, k, tau=0.07):
    k = k.detach()
    pos = (q * k).sum(1, keepdim=True)
    neg = torch.bmm(q[None], k[None].transpose(2, 1))
    eye = torch.eye(q.shape[0], dtype=torch.bool)[None]
    neg = neg.masked_fill(eye, -10.0).view(-1, q.shape[0])
    logits = torch.cat([pos, neg], 1) / tau
    return F.cross_entropy(logits, torch.zeros(q.shape[0], dtype=torch.long), reduction="none")


def cut_step_fn(size):
    layers = [0, 4, 8, 12, 16]
    g, d = CutGenerator(), CutDiscriminator()
    channels = [t.shape[1] for t in encode(g, torch.zeros(1, 3, 16, 16), layers)]
    mlps = torch.nn.ModuleList([torch.nn.Sequential(torch.nn.Linear(c, 256), torch.nn.ReLU(), torch.nn.Linear(256, 256))
                                for c in channels])
    dp = list(d.parameters())
    opt = torch.optim.Adam(list(g.parameters()) + list(mlps.parameters()) + dp, lr=2e-4, betas=(0.5, 0.999))
    x_a = torch.rand(1, 3, size, size) * 2 - 1
    x_b = torch.rand(1, 3, size, size) * 2 - 1

    def sample(feats, ids=None):
        out, used = [], []
        for i, f in enumerate(feats):
            flat = f.permute(0, 2, 3, 1).flatten(1, 2)
            pid = ids[i] if ids is not None else torch.randperm(flat.shape[1])[:256]
            y = mlps[i](flat[:, pid, :].flatten(0, 1))
            out.append(y / (y.pow(2).sum(1, keepdim=True).sqrt() + 1e-7))
            used.append(pid)
        return out, used

    def nce(src, tgt):
        kp, ids = sample(encode(g, src, layers))
        qp, _ = sample(encode(g, tgt, layers), ids)
        return sum(patch_nce(q, k).mean() for q, k in zip(qp, kp)) / len(qp)

    def step():
        opt.zero_grad(set_to_none=True)
        for q in dp:
            q.requires_grad_(False)
        fake = g(torch.cat([x_a, x_b]))
        fake_b, idt_b = fake[:1], fake[1:]
        (lsgan(d(fake_b), 1.0) + (nce(x_a, fake_b) + nce(x_b, idt_b)) * 0.5).backward()
        for q in dp:
            q.requires_grad_(True)
        (0.5 * (lsgan(d(fake_b.detach()), 0.0) + lsgan(d(x_b), 1.0))).backward()
        opt.step()

    return step


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--method", default="cyclegan", choices=["cyclegan", "cut"])
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--threads", type=int, default=int(os.environ.get("SYNTHFORGE_BENCH_THREADS", "1")))
    p.add_argument("--size", type=int, default=int(os.environ.get("SYNTHFORGE_BENCH_SIZE", "256")))
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    if a.method == "cut":
        run_steps(cut_step_fn(a.size), a.steps, "cut")
        return
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

    run_steps(step, a.steps, "cyclegan")


def run_steps(step, steps, name):
    step()  # warm-up
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    print(f"{name} step {1000 * sum(times) / len(times):.1f} ms")


if __name__ == "__main__":
    main()
