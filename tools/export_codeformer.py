#!/usr/bin/env python3
"""Exports CodeFormer (Zhou et al. 2022) from a user's checkout and checkpoint
into SynthForge's TorchScript restorer contract (docs/transfer.md,
"Restorers"):

    forward(image: Tensor[B, 3, 512, 512] RGB in [-1, 1], w: Tensor[] float) -> Tensor[B, 3, 512, 512] in [-1, 1]

so that `synthforge transfer apply --restorer codeformer.pt --fidelity 0.7`
runs it on faces aligned to the FFHQ 512 template from our landmarks.

    python3 tools/export_codeformer.py --checkout ~/CodeFormer \\
        --checkpoint ~/CodeFormer/weights/CodeFormer/codeformer.pth --out codeformer.pt [--device cuda]

Needs the checkout's own dependencies (basicsr as vendored there, torch,
torchvision); none of them ship with SynthForge, and this script cannot run
in CI. The network is built as the checkout's inference script builds it
(dim_embd 512, codebook 1024, 8 heads, 9 layers, connect_list 32/64/128/256,
weights from 'params_ema') and called as it calls it (adain=True, the first
output). The fidelity weight w enters as a tensor, so one export serves
every w. The module is traced with w = 0.5: CodeFormer takes its fusion
branch for any w > 0 and the fusion is linear in w, so w = 0 gives the
no-fusion result too (up to the fused layers' zero contribution). The
export checks itself: the traced module and the eager network agree on a
random face at w = 0.3 and 0.9, or the script fails.
"""

import argparse
import os
import sys

import torch


class RestorerContract(torch.nn.Module):
    """forward(image, w) -> image, around a CodeFormer network."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, image, w):
        return self.net(image, w=w, adain=True)[0]


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--checkout", required=True, help="a clone of github.com/sczhou/CodeFormer")
    p.add_argument("--checkpoint", required=True, help="codeformer.pth (holds 'params_ema')")
    p.add_argument("--out", required=True, help="the TorchScript file to write")
    p.add_argument("--device", default="cpu")
    a = p.parse_args(argv)
    sys.path.insert(0, os.path.abspath(a.checkout))
    from basicsr.utils.registry import ARCH_REGISTRY  # noqa: E402  (the checkout's)
    import basicsr.archs  # noqa: F401,E402  registers CodeFormer

    net = ARCH_REGISTRY.get("CodeFormer")(dim_embd=512, codebook_size=1024, n_head=8, n_layers=9,
                                          connect_list=["32", "64", "128", "256"]).to(a.device)
    state = torch.load(a.checkpoint, map_location=a.device)
    net.load_state_dict(state["params_ema"] if "params_ema" in state else state)
    net.eval()
    module = RestorerContract(net).eval()
    example = (torch.rand(1, 3, 512, 512, device=a.device) * 2 - 1, torch.tensor(0.5, device=a.device))
    with torch.no_grad():
        traced = torch.jit.trace(module, example, check_trace=False)
        for w in (0.3, 0.9):
            x = torch.rand(1, 3, 512, 512, device=a.device) * 2 - 1
            wt = torch.tensor(w, device=a.device)
            diff = (traced(x, wt) - module(x, wt)).abs().max().item()
            if diff > 1e-3:
                raise SystemExit(f"the traced module differs from CodeFormer by {diff} at w = {w}; not written")
    traced.save(a.out)
    print(f"wrote {a.out}: forward(image [B,3,512,512] in [-1,1], w) -> image")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
