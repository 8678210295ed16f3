#!/usr/bin/env python3
"""A small TorchScript generator with a known answer, for SynthForge's tests.

It meets the generator contract of docs/generator.md (version 1). Its
density is a smoothed occupancy of the posed FLAME head it is given, but
*moved*: the head's vertices get a planted per-sample shape offset (the sum
of K given per-vertex directions weighted by ws[:, 8:8+K], so each latent
has its own), then a planted FLAME-space affine map, then the nominal
FLAME->world map. So the density is not where the mesh is, and `synthforge
align` has a known right answer (the planted affine; each sample's offset
for per-sample refinement).

Samples whose latent z[0] exceeds --bad-threshold are drawn displaced by a
further --bad-shift (generator world), so rejection has planted bad samples.

Field: sigma(p) = sigma_max * sigmoid(-s(p) / beta), with s(p) the signed
distance to the tangent plane of the nearest moved vertex (area-weighted
vertex normals). On every moved vertex s = 0, so sigma = sigma_max / 2 is the
surface level, exactly. Images are volume-rendered from it with a colour
decoder of the latent (albedo and background from z) and a light at the
camera; depth is the camera z where the transmittance falls through 1/2
(0 where the ray stays mostly clear).

Usage:
  planted_generator.py --faces F.npy --vertex-count V --out model.pt
      [--offset-basis O.npy] [--affine a11 a12 a13 t1 a21 ... t3] [--image-size 48]
      [--bad-threshold 2.0 --bad-shift 0 0.05 0]
"""

import argparse
import json
import math

import numpy as np
import torch
from torch import Tensor
from typing import Tuple


def flame_to_world_matrix():
    # core/camera/orbit_camera.h: X_w = (X + [0, -0.01, -0.01]) * 2.5, z += sqrt(2)/10.
    m = np.eye(4, dtype=np.float32)
    m[:3, :3] *= 2.5
    m[:3, 3] = np.array([0.0, -0.01, -0.01], dtype=np.float32) * 2.5
    m[2, 3] += math.sqrt(2.0) / 10.0
    return m


class PlantedGenerator(torch.nn.Module):
    def __init__(self, faces, offset, affine, flame_to_world, image_size: int, latent_dim: int,
                 bad_threshold: float, bad_shift, meta: str):
        super().__init__()
        self.register_buffer("faces", torch.as_tensor(faces, dtype=torch.int64))
        self.register_buffer("offset_basis", torch.as_tensor(offset, dtype=torch.float32))  # K x V x 3
        self.register_buffer("affine", torch.as_tensor(affine, dtype=torch.float32))  # 3 x 4
        self.register_buffer("to_world", torch.as_tensor(flame_to_world, dtype=torch.float32))  # 4 x 4
        self.register_buffer("bad_shift", torch.as_tensor(bad_shift, dtype=torch.float32))
        self.bad_threshold = float(bad_threshold)
        self.image_size = int(image_size)
        self.latent_dim = int(latent_dim)
        self.beta = 0.01
        self.sigma_max = 100.0
        self.steps = 48
        self.chunk = 8192
        self.meta = meta

    @torch.jit.export
    def metadata(self) -> str:
        return self.meta

    @torch.jit.export
    def mapping(self, z: Tensor, c: Tensor, psi: float) -> Tensor:
        # Truncation toward the mean latent, which is zero here.
        return z * psi

    def moved_vertices(self, ws: Tensor, vertices: Tensor) -> Tensor:
        K = self.offset_basis.shape[0]
        v = vertices + torch.einsum("bk,kvc->bvc", ws[:, 8:8 + K], self.offset_basis)
        v = v @ self.affine[:, :3].t() + self.affine[:, 3]
        w = v @ self.to_world[:3, :3].t() + self.to_world[:3, 3]
        bad = (ws[:, 0] > self.bad_threshold).to(w.dtype)
        return w + bad.view(-1, 1, 1) * self.bad_shift.view(1, 1, 3)

    def vertex_normals(self, v: Tensor) -> Tensor:
        f = self.faces
        a = v[:, f[:, 0]]
        b = v[:, f[:, 1]]
        c = v[:, f[:, 2]]
        fn = torch.cross(b - a, c - a, dim=2)
        n = torch.zeros_like(v)
        n = n.index_add(1, f[:, 0], fn)
        n = n.index_add(1, f[:, 1], fn)
        n = n.index_add(1, f[:, 2], fn)
        return n / n.norm(p=2, dim=2, keepdim=True).clamp_min(1e-12)

    def signed_distance(self, v: Tensor, n: Tensor, points: Tensor) -> Tuple[Tensor, Tensor]:
        """Per batch item: signed distance of each point to its nearest vertex's
        tangent plane, and that vertex's normal."""
        B = points.shape[0]
        N = points.shape[1]
        # Derived from points, so sigma always carries their gradient.
        s = points[:, :, 0] * 0.0
        normals = torch.zeros(B, N, 3, dtype=points.dtype, device=points.device)
        for b in range(B):
            # Points well outside the head's box are empty space: only the
            # rest need the nearest-vertex search (most of a ray's samples).
            lo = v[b].min(dim=0)[0] - 20.0 * self.beta
            hi = v[b].max(dim=0)[0] + 20.0 * self.beta
            near = ((points[b] >= lo) & (points[b] <= hi)).all(dim=1)
            idx = near.nonzero().view(-1)
            s[b] = s[b] + 1.0
            for start in range(0, idx.shape[0], self.chunk):
                sel = idx[start:start + self.chunk]
                p = points[b, sel]
                with torch.no_grad():
                    k = torch.cdist(p, v[b]).argmin(dim=1)
                nk = n[b, k]
                s[b, sel] = ((p - v[b, k]) * nk).sum(dim=1)
                normals[b, sel] = nk
        return s, normals

    def sigma(self, s: Tensor) -> Tensor:
        return self.sigma_max * torch.sigmoid(-s / self.beta)

    @torch.jit.export
    def density(self, ws: Tensor, c: Tensor, vertices: Tensor, points: Tensor) -> Tensor:
        v = self.moved_vertices(ws, vertices)
        n = self.vertex_normals(v)
        s, _ = self.signed_distance(v, n, points)
        return self.sigma(s)

    @torch.jit.export
    def synthesis(self, ws: Tensor, c: Tensor, vertices: Tensor) -> Tuple[Tensor, Tensor]:
        B = ws.shape[0]
        S = self.image_size
        v = self.moved_vertices(ws, vertices)
        n = self.vertex_normals(v)
        cam2world = c[:, :16].view(B, 4, 4)
        K = c[:, 16:25].view(B, 3, 3)
        pix = (torch.arange(S, dtype=torch.float32, device=ws.device) + 0.5) / S
        yy, xx = torch.meshgrid(pix, pix, indexing="ij")
        images = torch.zeros(B, 3, S, S, device=ws.device)
        depths = torch.zeros(B, 1, S, S, device=ws.device)
        for b in range(B):
            fx = K[b, 0, 0]
            fy = K[b, 1, 1]
            dx = (xx - K[b, 0, 2]) / fx
            dy = (yy - K[b, 1, 2]) / fy
            d_cam = torch.stack([dx, dy, torch.ones_like(dx)], dim=-1).view(-1, 3)
            d_cam = d_cam / d_cam.norm(p=2, dim=1, keepdim=True)
            R = cam2world[b, :3, :3]
            origin = cam2world[b, :3, 3]
            d_world = d_cam @ R.t()
            centre = v[b].mean(dim=0)
            reach = (v[b] - centre).norm(p=2, dim=1).max() + 0.05
            along = ((centre - origin) * d_world).sum(dim=1)
            near = (along - reach).clamp_min(1e-3)
            t = near.unsqueeze(1) + torch.linspace(0.0, 1.0, self.steps, device=ws.device).unsqueeze(0) * (2.0 * reach)
            pts = origin.view(1, 1, 3) + t.unsqueeze(2) * d_world.unsqueeze(1)
            s, nrm = self.signed_distance(v[b:b + 1], n[b:b + 1], pts.view(1, -1, 3))
            sig = self.sigma(s).view(-1, self.steps)
            delta = 2.0 * reach / (self.steps - 1)
            alpha = 1.0 - torch.exp(-sig * delta)
            trans = torch.cumprod(torch.cat([torch.ones_like(alpha[:, :1]), 1.0 - alpha[:, :-1] + 1e-10], dim=1), dim=1)
            w = alpha * trans
            opacity = w.sum(dim=1)
            albedo = 0.5 + 0.4 * torch.tanh(ws[b, 1:4])
            shade = (-(nrm.view(-1, self.steps, 3) * d_world.unsqueeze(1)).sum(dim=2)).clamp_min(0.0)
            colour = (w * (0.25 + 0.75 * shade)).sum(dim=1).unsqueeze(1) * albedo.view(1, 3)
            background = 0.5 + 0.3 * torch.tanh(ws[b, 4:7])
            rgb = colour + (1.0 - opacity).unsqueeze(1) * background.view(1, 3)
            # Depth where the transmittance falls through 1/2 (log-linear
            # within the step): for this field that is the surface itself, as
            # the optical depth from outside to s = 0 is sigma_max beta ln 2.
            t_after = trans * (1.0 - alpha)
            crossed = (t_after < 0.5).to(torch.int64)
            first = torch.argmax(crossed, dim=1)
            rows = torch.arange(t.shape[0], device=ws.device)
            t_in = trans[rows, first].clamp_min(1e-10)
            t_out = t_after[rows, first].clamp_min(1e-10)
            frac = ((t_in.log() - math.log(0.5)) / (t_in.log() - t_out.log()).clamp_min(1e-10)).clamp(0.0, 1.0)
            t_half = t[rows, first] - 0.5 * delta + frac * delta
            z_cam = t_half * d_cam[:, 2]
            z_cam = torch.where(opacity > 0.5, z_cam, torch.zeros_like(z_cam))
            images[b] = (rgb.t().reshape(3, S, S) * 2.0 - 1.0).clamp(-1.0, 1.0)
            depths[b, 0] = z_cam.view(S, S)
        return images, depths


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--faces", required=True, help="F x 3 integer .npy of the head's triangles")
    ap.add_argument("--vertex-count", type=int, required=True)
    ap.add_argument("--offset-basis", help="K x V x 3 float .npy: directions of the planted per-sample shape offset, "
                    "FLAME metres per unit of ws[:, 8 + k] (default none)")
    ap.add_argument("--affine", type=float, nargs=12, help="planted 3 x 4 FLAME-space affine, row-major")
    ap.add_argument("--image-size", type=int, default=48)
    ap.add_argument("--latent-dim", type=int, default=64)
    ap.add_argument("--bad-threshold", type=float, default=1e9)
    ap.add_argument("--bad-shift", type=float, nargs=3, default=[0.0, 0.0, 0.0])
    ap.add_argument("--version", default="1")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    faces = np.load(a.faces).astype(np.int64)
    V = a.vertex_count
    offset = np.load(a.offset_basis).astype(np.float32) if a.offset_basis else np.zeros((0, V, 3), np.float32)
    affine = np.array(a.affine, np.float32).reshape(3, 4) if a.affine else np.eye(3, 4, dtype=np.float32)
    m = flame_to_world_matrix()
    meta = json.dumps({
        "contract": "synthforge-generator", "contract_version": 1,
        "name": "planted-test-field", "version": a.version, "latent_dim": a.latent_dim,
        "camera": "eg3d25", "image_size": [a.image_size, a.image_size],
        "depth_size": [a.image_size, a.image_size], "vertex_count": V,
        "flame_to_world": [float(x) for x in m.reshape(-1)], "density_level": 50.0, "preferred_batch": 4,
    })
    g = PlantedGenerator(faces, offset, affine, m, a.image_size, a.latent_dim, a.bad_threshold, a.bad_shift, meta)
    torch.jit.script(g).save(a.out)


if __name__ == "__main__":
    main()
