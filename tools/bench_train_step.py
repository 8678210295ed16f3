#!/usr/bin/env python3
"""Steps the PyTorch twin of the Stage I network (synthforge_nets.py) through
the same work as bench/bench_train_step.cpp's netStep: forward of every head,
cross-entropy on the segmentation, L1 on the depth, MSE on the soft-argmax
landmarks, backward, AdamW (lr 1e-4, weight decay 1e-2); batch 8 at 256^2,
19 classes. Prints the mean step time after one warm-up step.
SYNTHFORGE_BENCH_PRECISION=bf16 runs the forward under autocast and
SYNTHFORGE_BENCH_ZERO_GRAD=fill zero-fills the gradients, as the C++ side
reads them (gradients set to none and fp32 otherwise).

    /usr/bin/python3 tools/bench_train_step.py --preset small --steps 5 --threads 1

--profile FILE records one extra step (after the warm-up, before the timed
ones) with the autograd profiler as a Chrome trace, for tools/profile_summary.py.
"""

import argparse
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from synthforge_nets import MultiTaskNet  # noqa: E402

BATCH, CLASSES = 8, 19


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", default="small", choices=["small", "reference"])
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--threads", type=int, default=int(os.environ.get("SYNTHFORGE_BENCH_THREADS", "1")))
    parser.add_argument("--size", type=int, default=int(os.environ.get("SYNTHFORGE_BENCH_SIZE", "256")))
    parser.add_argument("--profile", help="write one profiled step as a Chrome trace to this file")
    args = parser.parse_args()
    SIZE = args.size
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    net = MultiTaskNet(CLASSES, preset=args.preset).train()
    opt = torch.optim.AdamW(net.parameters(), lr=1e-4, weight_decay=1e-2)
    images = torch.rand(BATCH, 3, SIZE, SIZE) * 2 - 1
    seg = torch.randint(0, CLASSES, (BATCH, SIZE, SIZE))
    depth = torch.rand(BATCH, 1, SIZE, SIZE)
    landmarks = torch.rand(BATCH, 68, 2) * 2 - 1

    bf16 = os.environ.get("SYNTHFORGE_BENCH_PRECISION", "fp32") == "bf16"
    set_to_none = os.environ.get("SYNTHFORGE_BENCH_ZERO_GRAD", "none") != "fill"

    def step():
        opt.zero_grad(set_to_none=set_to_none)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            out = net(images)
        loss = (F.cross_entropy(out["segmentation"].float(), seg) + (out["depth"].float() - depth).abs().mean()
                + F.mse_loss(out["landmarks"].float(), landmarks))
        loss.backward()
        opt.step()
        return loss.item()

    step()  # warm-up: allocator and first-call overheads, as Google Benchmark's setup absorbs them
    if args.profile:
        with torch.autograd.profiler.profile(use_kineto=False) as prof:
            step()
        prof.export_chrome_trace(args.profile)
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(args.steps):
        step()
    ms = (time.perf_counter() - t0) * 1000 / args.steps
    cpu_ms = (time.process_time() - c0) * 1000 / args.steps
    # CPU time is printed too: on a shared VM, wall time also counts time stolen by neighbours.
    print(f"python netStep/{args.preset}: {ms:.1f} ms/step, CPU {cpu_ms:.1f} ms/step ({BATCH * 1000 / ms:.1f} images/s), "
          f"torch {torch.__version__}, {args.threads} thread(s), {SIZE}x{SIZE}")


if __name__ == "__main__":
    main()
