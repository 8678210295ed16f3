#!/usr/bin/env python3
"""Exports a Next3D generator (github.com/MrTornado24/Next3D, Sun et al.,
CVPR 2023) into SynthForge's TorchScript generator contract, version 1
(docs/generator.md, "TorchScript generators" and "Exporting Next3D"):

    python3 tools/export_next3d.py --next3d ~/Next3D \\
        --network ~/Next3D/pretrained_models/next3d_ffhq_512.pkl \\
        --landmarks ~/DECA/data/landmark_embedding.npy --out next3d.pt [--device cuda] [--check]

    python3 tools/export_next3d.py --self-test     # no Next3D needed

Needs Next3D's own environment (its conda env: torch, pytorch3d, cv2,
dnnlib from the checkout): unpickling the network imports Next3D's modules,
which import pytorch3d. None of it ships with SynthForge.

What is scripted and what is traced (tools/next3d_contract.py holds the
scripted part):
  * traced at batch 1 in float32 (force_fp32: the super-resolution's
    float16 layers would not run on the CPU), with Next3D's reference ops
    forced (its bias_act / upfirdn2d CUDA plugins cannot be saved in
    TorchScript): the mapping
    network (with Next3D's own conditioning preprocessing, psi = 1), the
    neural-texture StyleGAN2, the mouth StyleUNet, the neural-blending
    StyleUNet, the static tri-plane StyleGAN2 and the super-resolution
    module. Their StyleGAN2 layers bake the batch size into grouped
    convolutions, so the contract module loops over the batch;
  * scripted, re-implemented from Next3D's source: truncation, the
    pytorch3d mesh rasterisation of the four orthographic views, the
    cv2.floodFill mouth filling, the numpy mouth crop, the tri-plane
    blending, EG3D's ray sampler, importance renderer and ray marcher, and
    the OSG decoder (weights copied, gains folded in).

Inputs the contract does not carry: Next3D conditions on the 5023 FLAME
vertices followed by 68 landmarks, of which only the 12 outer-lip ones are
used (they place the mouth crop). The contract passes vertices only, so the
export bakes FLAME's static landmark embedding for those 12 (--landmarks:
DECA's landmark_embedding.npy or FLAME's flame_static_embedding.pkl) and
the module computes them from the vertices.

--check (needs the checkout and pytorch3d; run it on the machine that
exports) compares the exported module with Next3D's own code: the mapping,
the rasterised coverage against Next3D's pytorch3d rasteriser, σ at random
points against G.sample_mixed, and the image against G.synthesis (PSNR; not
equal, Next3D jitters its ray samples), then saves, reloads and compares
again.

--self-test builds tiny stand-in networks with Next3D's call signatures,
traces them with the export's own tracing code, scripts the contract module, saves and
reloads it, and checks the contract's shapes and the scripted rasteriser and
hole filling against brute-force references.
"""

import argparse
import hashlib
import json
import math
import os
import sys
import tempfile
import warnings

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import next3d_contract as contract  # noqa: E402

warnings.filterwarnings("ignore", message=".*scatter_reduce.*")

EXPORT_VERSION = 1
# Next3D's four rasterised views (triplane_next3d.py, synthesis): front, both sides, top.
RENDERING_VIEWS = [[0, 0, 0], [0, 90, 0], [0, -90, 0], [90, 0, 0]]
# FLAME's 51 static landmarks are the 68-point scheme's points 17..67; the
# outer lip contour is points 48..59.
MOUTH_STATIC_RANGE = range(48 - 17, 60 - 17)


def flame_to_world_matrix():
    """SynthForge's analytic FLAME -> generator-world map
    (core/camera/orbit_camera.h): X_w = (X + [0, -0.01, -0.01]) * 2.5, then z += sqrt(2)/10."""
    s = 2.5
    return [s, 0.0, 0.0, 0.0,
            0.0, s, 0.0, -0.01 * s,
            0.0, 0.0, s, -0.01 * s + math.sqrt(2.0) / 10.0,
            0.0, 0.0, 0.0, 1.0]


def density_level():
    # EG3D/Next3D extract shapes at raw sigma 10 (gen_samples_next3d.py, level=10);
    # the contract's density is the ray marcher's softplus(raw - 1).
    return float(torch.nn.functional.softplus(torch.tensor(9.0, dtype=torch.float64)))


def metadata_json(name, version, latent_dim, image_size, depth_size, vertex_count, preferred_batch=1):
    return json.dumps({
        "contract": "synthforge-generator",
        "contract_version": 1,
        "name": name,
        "version": version,
        "latent_dim": int(latent_dim),
        "camera": "eg3d25",
        "image_size": [int(image_size[0]), int(image_size[1])],
        "depth_size": [int(depth_size[0]), int(depth_size[1])],
        "vertex_count": int(vertex_count),
        "flame_to_world": flame_to_world_matrix(),
        "density_level": density_level(),
        "preferred_batch": int(preferred_batch),
    })


def build_module(nets, tensors, config, meta):
    """Scripts the contract module around already traced networks."""
    module = contract.Next3DContract(nets, tensors, config, meta)
    for p in module.parameters():
        p.requires_grad_(False)
    return torch.jit.script(module.eval())


# --------------------------------------------------------------------------
# Next3D


class MappingCall(torch.nn.Module):
    """TriPlaneGenerator.mapping without truncation: the conditioning label
    zeroed when the checkpoint has no pose conditioning, cut to 25, scaled
    by c_scale, then the tri-plane backbone's mapping network."""

    def __init__(self, mapping, zero_c, c_scale):
        super().__init__()
        self.net = mapping
        self.zero_c = bool(zero_c)
        self.c_scale = float(c_scale)

    def forward(self, z, c):
        if self.zero_c:
            c = torch.zeros_like(c)
        return self.net(z, c[:, :25] * self.c_scale, truncation_psi=1)


class SynthesisCall(torch.nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, ws):
        return self.net(ws, noise_mode="const", force_fp32=True)


class ConditionedCall(torch.nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x, ws):
        return self.net(x, ws, noise_mode="const", force_fp32=True)


class SuperresCall(torch.nn.Module):
    def __init__(self, net, noise_mode):
        super().__init__()
        self.net = net
        self.noise_mode = noise_mode

    def forward(self, rgb, features, ws):
        return self.net(rgb, features, ws, noise_mode=self.noise_mode, force_fp32=True)


def force_reference_ops():
    """Next3D's StyleGAN2 layers call compiled CUDA plugins when they can;
    a traced graph holding them cannot be saved. Their reference paths are
    plain PyTorch."""
    from torch_utils.ops import bias_act, upfirdn2d, conv2d_gradfix  # the checkout's
    bias_act._init = lambda: False
    upfirdn2d._init = lambda: False
    conv2d_gradfix.enabled = False
    try:
        from torch_utils.ops import filtered_lrelu
        filtered_lrelu._init = lambda: False
    except ImportError:
        pass


def load_landmark_embedding(path):
    """(face index [51], barycentrics [51, 3]) of FLAME's static landmarks."""
    import numpy as np
    if path.endswith(".npy"):
        d = np.load(path, allow_pickle=True, encoding="latin1")[()]
        faces, bary = d["static_lmk_faces_idx"], d["static_lmk_bary_coords"]
    else:
        import pickle
        with open(path, "rb") as f:
            d = pickle.load(f, encoding="latin1")
        faces, bary = d["lmk_face_idx"], d["lmk_b_coords"]
    faces = torch.as_tensor(np.asarray(faces, dtype=np.int64)).reshape(-1)
    bary = torch.as_tensor(np.asarray(bary, dtype=np.float32)).reshape(-1, 3)
    if faces.shape[0] != 51 or bary.shape[0] != 51:
        raise ValueError(f"{path}: expected 51 static landmarks, found {faces.shape[0]}")
    return faces, bary


def file_digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:12]


def require(cond, message):
    if not cond:
        raise SystemExit(f"export_next3d: {message}")


def load_next3d(a):
    checkout = os.path.abspath(a.next3d)
    require(os.path.isfile(os.path.join(checkout, "training_avatar_texture", "triplane_next3d.py")),
            f"{checkout} is not a Next3D checkout (training_avatar_texture/triplane_next3d.py missing)")
    sys.path.insert(0, checkout)
    import legacy  # the checkout's
    force_reference_ops()
    with open(a.network, "rb") as f:
        G = legacy.load_network_pkl(f)["G_ema"]
    G = G.eval().requires_grad_(False).to(a.device)
    for name in ["texture_backbone", "mouth_backbone", "backbone", "neural_blending", "superresolution",
                 "decoder", "renderer", "faces", "face_uvcoords", "uv_face_mask", "orth_scale", "orth_shift"]:
        require(hasattr(G, name), f"{a.network}: G_ema has no '{name}'; only Next3D's "
                                  "training_avatar_texture.triplane_next3d.TriPlaneGenerator is supported")
    rk = G.rendering_kwargs
    require(rk.get("clamp_mode", "softplus") == "softplus", "only clamp_mode 'softplus' is supported")
    require(not rk.get("disparity_space_sampling", False), "disparity-space sampling is not supported")
    require(not rk.get("white_back", False), "white_back rendering is not supported")
    require(isinstance(rk["ray_start"], (int, float)) and isinstance(rk["ray_end"], (int, float)),
            "ray_start/ray_end 'auto' is not supported (FFHQ models use 2.25 / 3.3)")
    return G


def trace_networks(parts, z_dim, n_eg3d, mouth_in, raster, nr, zero_c, c_scale, sr_mode, dev):
    """Traces each network of `parts` at batch 1 through the call wrappers above."""
    mapping = MappingCall(parts["mapping"], zero_c, c_scale)
    z = torch.randn(1, z_dim, device=dev, generator=torch.Generator(device=dev).manual_seed(0))
    c = torch.zeros(1, 25, device=dev)
    with torch.no_grad():
        ws = mapping(z, c)
        eg3d_ws, texture_ws = ws[:, :n_eg3d], ws[:, n_eg3d:]
        return {
            "mapping": torch.jit.trace(mapping, (z, c)),
            "texture": torch.jit.trace(SynthesisCall(parts["texture"]), (texture_ws,)),
            "mouth": torch.jit.trace(ConditionedCall(parts["mouth"]),
                                     (torch.zeros(1, 32, mouth_in, mouth_in, device=dev), eg3d_ws)),
            "blend": torch.jit.trace(ConditionedCall(parts["blend"]),
                                     (torch.zeros(1, 32, raster, raster, device=dev), eg3d_ws)),
            "planes": torch.jit.trace(SynthesisCall(parts["planes"]), (eg3d_ws,)),
            "superres": torch.jit.trace(SuperresCall(parts["superres"], sr_mode),
                                        (torch.zeros(1, 3, nr, nr, device=dev),
                                         torch.zeros(1, 32, nr, nr, device=dev), eg3d_ws)),
        }


def next3d_parts(G, a):
    """The traced networks, buffers and settings of the contract module."""
    from camera_utils import LookAtPoseSampler  # the checkout's
    from training_avatar_texture.volumetric_rendering.renderer import angle2matrix  # the checkout's
    dev = a.device
    rk = G.rendering_kwargs
    nr = int(a.neural_resolution or G.neural_rendering_resolution)
    n_eg3d = int(G.texture_backbone.num_ws)
    raster = int(G.rasterizer.raster_settings["image_size"])
    mouth_in = int(G.mouth_backbone.synthesis.in_size)

    parts = {"mapping": G.backbone.mapping, "texture": G.texture_backbone.synthesis,
             "mouth": G.mouth_backbone.synthesis, "blend": G.neural_blending.synthesis,
             "planes": G.backbone.synthesis, "superres": G.superresolution}
    nets = trace_networks(parts, G.z_dim, n_eg3d, mouth_in, raster, nr, rk["c_gen_conditioning_zero"],
                          rk.get("c_scale", 0), rk.get("superresolution_noise_mode", "none"), dev)
    fc1, fc2 = G.decoder.net[0], G.decoder.net[2]
    require(fc1.activation == "linear" and fc2.activation == "linear", "unexpected OSGDecoder layers")
    nets["decoder"] = contract.OSGDecoder(
        (fc1.weight * fc1.weight_gain).detach(), (fc1.bias * fc1.bias_gain).detach(),
        (fc2.weight * fc2.weight_gain).detach(), (fc2.bias * fc2.bias_gain).detach())

    flame_faces = G.faces[0].long()
    lmk_faces, lmk_bary = load_landmark_embedding(a.landmarks)
    mouth = list(MOUTH_STATIC_RANGE)
    pivot = torch.tensor(rk.get("avg_camera_pivot", [0, 0, 0.2]), device=dev, dtype=torch.float32)
    frontal = LookAtPoseSampler.sample(math.pi / 2, math.pi / 2, pivot,
                                       radius=rk.get("avg_camera_radius", 2.7), device=dev)
    tensors = {
        "w_avg": G.backbone.mapping.w_avg.detach().clone(),
        "faces": flame_faces[:, [0, 2, 1]].contiguous(),  # as Next3D hands them to pytorch3d
        "face_uv": G.face_uvcoords[0][:, [0, 2, 1]].float().contiguous(),
        "uv_mask": G.uv_face_mask.float().to(dev).contiguous(),
        "views": torch.cat([angle2matrix(torch.tensor(v, dtype=torch.float32).reshape(1, -1))
                            for v in RENDERING_VIEWS], 0).to(dev),
        "orth_shift": G.orth_shift.reshape(3).float().to(dev),
        "mouth_vertices": flame_faces[lmk_faces[mouth].to(dev)].contiguous(),
        "mouth_bary": lmk_bary[mouth].to(dev),
        "inv_axes": torch.linalg.inv(G.renderer.plane_axes.to(dev)),
        "frontal_cam2world": frontal.reshape(4, 4).float(),
    }
    config = {
        "num_ws_eg3d": n_eg3d,
        "truncation_cutoff": a.truncation_cutoff,
        "frontal_mapping_camera": a.mapping_camera == "frontal",
        "orth_scale": float(G.orth_scale.reshape(-1)[0]),
        "raster_size": raster,
        "fill_mouth": bool(getattr(G, "fill_mouth", True)),
        "mouth_input": mouth_in,
        "box_warp": float(rk["box_warp"]),
        "ray_start": float(rk["ray_start"]),
        "ray_end": float(rk["ray_end"]),
        "depth_resolution": int(rk["depth_resolution"]),
        "depth_resolution_importance": int(rk["depth_resolution_importance"]),
        "neural_rendering_resolution": nr,
        "coverage_threshold": a.coverage_threshold,
    }
    stem = os.path.splitext(os.path.basename(a.network))[0]
    version = f"next3d-{stem}-{file_digest(a.network)}-export{EXPORT_VERSION}-n{nr}-cut{a.truncation_cutoff}-{a.mapping_camera}"
    meta = metadata_json("next3d", version, G.z_dim, (G.img_resolution, G.img_resolution), (nr, nr),
                         int(flame_faces.max()) + 1)
    return nets, tensors, config, meta


def landmarks68(module, vertices):
    """Next3D's 68-landmark input with only the lip points the generator uses
    filled in (the others are never read)."""
    lms = torch.zeros(vertices.shape[0], 68, 3, device=vertices.device)
    lip = (vertices[:, module.mouth_vertices] * module.mouth_bary.unsqueeze(-1)).sum(2)
    lms[:, 48:60] = lip
    return lms


def check_against_next3d(G, module, a, vertices):
    """Compares the exported module with Next3D's own code; fails on a mismatch."""
    dev = a.device
    gen = torch.Generator(device=dev).manual_seed(1)
    z = torch.randn(1, G.z_dim, device=dev, generator=gen)
    c = module.frontal_cam2world.reshape(1, 16)
    k = torch.tensor([[4.2647, 0, 0.5, 0, 4.2647, 0.5, 0, 0, 1]], device=dev)
    c = torch.cat([c, k], 1)
    v = vertices.to(dev)
    v68 = torch.cat([v, landmarks68(module, v)], 1)
    report = {}
    with torch.no_grad():
        ws_ref = G.mapping(z, c, truncation_psi=0.7, truncation_cutoff=a.truncation_cutoff or None)
        ws = module.mapping(z, c, 0.7)
        report["mapping_max_abs"] = float((ws - ws_ref).abs().max())
        require(report["mapping_max_abs"] < 1e-4, f"mapping differs from Next3D's: {report}")

        # Coverage of the four views against Next3D's pytorch3d rasteriser.
        textures = G.texture_backbone.synthesis(ws[:, module.num_ws_eg3d:], noise_mode="const", force_fp32=True)
        ref_images, ref_alphas, _, _ = G.rasterize(v, v68[:, 5023:], textures, RENDERING_VIEWS, 1, dev)
        ours = [module._raster_view(v[0], textures, i) for i in range(4)]
        our_alphas = [ours[0][1], (ours[1][1] != 0).float(), ours[3][1]]
        report["coverage_pixels_differing"] = [
            float((ref_alphas[i][0, 0] - our_alphas[i]).abs().gt(1e-3).float().mean()) for i in range(3)]
        require(max(report["coverage_pixels_differing"]) < 0.002,
                f"rasterised coverage differs from Next3D's pytorch3d rasteriser: {report}")

        # Density at random points in the tri-plane box against G.sample_mixed.
        pts = (torch.rand(1, 20000, 3, device=dev, generator=gen) - 0.5) * float(G.rendering_kwargs["box_warp"])
        dirs = torch.zeros_like(pts)
        dirs[..., 2] = -1
        sigma_ref = torch.nn.functional.softplus(
            G.sample_mixed(pts, dirs, ws, v68, noise_mode="const", force_fp32=True)["sigma"][..., 0] - 1)
        sigma = module.density(ws, c, v, pts)
        rel = (sigma - sigma_ref).abs() / (sigma_ref.abs() + 1.0)
        report["density_rel_median"] = float(rel.median())
        report["density_rel_p99"] = float(rel.quantile(0.99))
        require(report["density_rel_p99"] < 1e-2, f"density differs from Next3D's sample_mixed: {report}")

        # The image: Next3D jitters its ray samples, so only close, not equal.
        ref = G.synthesis(ws, c, v68, noise_mode="const", force_fp32=True)["image"].clamp(-1, 1)
        img, depth = module.synthesis(ws, c, v)
        mse = float(((img - ref) / 2).pow(2).mean())
        report["image_psnr_db"] = 10 * math.log10(1.0 / max(mse, 1e-12))
        report["depth_covered_fraction"] = float((depth > 0).float().mean())
    print(json.dumps(report, indent=1))
    if report["image_psnr_db"] < 25:
        print("export_next3d: warning: the image is far from Next3D's own (PSNR < 25 dB)", file=sys.stderr)
    return ws, c, v, img


def read_obj_vertices(path):
    v = []
    with open(path) as f:
        for line in f:
            if line.startswith("v "):
                v.append([float(x) for x in line.split()[1:4]])
    return torch.tensor(v, dtype=torch.float32).unsqueeze(0)


def export(a):
    require(a.landmarks, "--landmarks is required (FLAME's static landmark embedding)")
    G = load_next3d(a)
    nets, tensors, config, meta = next3d_parts(G, a)
    module = build_module(nets, tensors, config, meta)
    module.save(a.out)
    print(f"wrote {a.out}: {meta}")
    if a.check:
        obj = os.path.join(os.path.abspath(a.next3d), "data", "demo", "demo.obj")
        vertices = read_obj_vertices(obj)
        ws, c, v, img = check_against_next3d(G, module, a, vertices)
        loaded = torch.jit.load(a.out, map_location=a.device)
        with torch.no_grad():
            img2, _ = loaded.synthesis(ws, c, v)
        require(torch.allclose(img, img2, atol=1e-5), "the reloaded module's image differs from the saved one")
        print("check passed")


# --------------------------------------------------------------------------
# Self-test: stand-in networks of Next3D's call shapes, no Next3D needed.


class StandInMapping(torch.nn.Module):
    def __init__(self, z_dim, num_ws, w_dim):
        super().__init__()
        self.fc = torch.nn.Linear(z_dim + 25, w_dim)
        self.num_ws = num_ws

    def forward(self, z, c, truncation_psi=1):
        return self.fc(torch.cat([z, c], 1)).unsqueeze(1).repeat(1, self.num_ws, 1)


class StandInSynthesis(torch.nn.Module):
    def __init__(self, w_dim, channels, res):
        super().__init__()
        self.fc = torch.nn.Linear(w_dim, channels * 16)
        self.channels, self.res = channels, res

    def forward(self, ws, noise_mode="random", force_fp32=False):
        x = self.fc(ws.mean(1)).reshape(-1, self.channels, 4, 4)
        return torch.nn.functional.interpolate(x, size=(self.res, self.res), mode="bilinear", align_corners=False)


class StandInConditioned(torch.nn.Module):
    def __init__(self, w_dim, channels, res):
        super().__init__()
        self.conv = torch.nn.Conv2d(channels, channels, 3, padding=1)
        self.fc = torch.nn.Linear(w_dim, channels)
        self.res = res

    def forward(self, x, ws, noise_mode="random", force_fp32=False):
        y = self.conv(x) + self.fc(ws.mean(1))[:, :, None, None]
        return torch.nn.functional.interpolate(y, size=(self.res, self.res), mode="bilinear", align_corners=False)


class StandInSuperres(torch.nn.Module):
    def __init__(self, w_dim, res):
        super().__init__()
        self.fc = torch.nn.Linear(w_dim, 3)
        self.res = res

    def forward(self, rgb, features, ws, noise_mode="random", force_fp32=False):
        up = torch.nn.functional.interpolate(rgb + features[:, 3:6], size=(self.res, self.res), mode="bilinear",
                                             align_corners=False)
        return 2.0 * up + self.fc(ws[:, -1])[:, :, None, None]


def uv_sphere(radius, rings, segments, centre):
    """A closed lat-long sphere with outward (counter-clockwise seen from
    outside) triangles and lat-long UVs per face corner."""
    verts, uvs = [[0.0, radius, 0.0]], [[0.5, 1.0]]
    for i in range(1, rings):
        th = math.pi * i / rings
        for j in range(segments):
            ph = 2 * math.pi * j / segments
            verts.append([radius * math.sin(th) * math.sin(ph), radius * math.cos(th), radius * math.sin(th) * math.cos(ph)])
            uvs.append([j / segments, 1 - i / rings])
    verts.append([0.0, -radius, 0.0])
    uvs.append([0.5, 0.0])
    last = len(verts) - 1

    def ring(i, j):
        return 1 + (i - 1) * segments + (j % segments)
    faces = []
    for j in range(segments):
        faces.append([0, ring(1, j), ring(1, j + 1)])
        faces.append([last, ring(rings - 1, j + 1), ring(rings - 1, j)])
    for i in range(1, rings - 1):
        for j in range(segments):
            a, b, c, d = ring(i, j), ring(i, j + 1), ring(i + 1, j), ring(i + 1, j + 1)
            faces += [[a, c, b], [b, c, d]]
    v = torch.tensor(verts) + torch.tensor(centre)
    f = torch.tensor(faces, dtype=torch.long)
    uv = torch.tensor(uvs)
    return v, f, uv


def brute_force_raster(screen, faces, size):
    """Per-pixel reference: every face tested at every pixel centre."""
    best = [-1] * (size * size)
    best_z = [float("inf")] * (size * size)
    s = screen.tolist()
    for fi, (ia, ib, ic) in enumerate(faces.tolist()):
        (x0, y0, z0), (x1, y1, z1), (x2, y2, z2) = s[ia], s[ib], s[ic]
        area = (x0 - x1) * (y2 - y1) - (y0 - y1) * (x2 - x1)
        if area <= 1e-8:
            continue
        for i in range(size):
            py = -1 + (2 * i + 1) / size
            for j in range(size):
                px = -1 + (2 * j + 1) / size
                w0 = ((px - x1) * (y2 - y1) - (py - y1) * (x2 - x1)) / (area + 1e-8)
                w1 = ((px - x2) * (y0 - y2) - (py - y2) * (x0 - x2)) / (area + 1e-8)
                w2 = ((px - x0) * (y1 - y0) - (py - y0) * (x1 - x0)) / (area + 1e-8)
                if w0 > 0 and w1 > 0 and w2 > 0:
                    z = w0 * z0 + w1 * z1 + w2 * z2
                    if 0 <= z < best_z[i * size + j]:
                        best_z[i * size + j], best[i * size + j] = z, fi
    return torch.tensor(best)


def flood_reference(alpha):
    """cv2.floodFill(seed (0, 0), 4-connected, fixed range [seed, seed + 254]) on alpha * 255, then Next3D's fill."""
    h, w = alpha.shape
    v = (alpha * 255.0).tolist()
    seed = v[0][0]
    seen = [[False] * w for _ in range(h)]
    stack = [(0, 0)]
    while stack:
        i, j = stack.pop()
        if not (0 <= i < h and 0 <= j < w) or seen[i][j] or not (seed <= v[i][j] <= seed + 254.0):
            continue
        seen[i][j] = True
        stack += [(i + 1, j), (i - 1, j), (i, j + 1), (i, j - 1)]
    out = alpha.clone()
    for i in range(h):
        for j in range(w):
            if not seen[i][j]:
                out[i, j] = 1.0
    return out


def expect(cond, what):
    if not cond:
        raise SystemExit(f"self-test FAILED: {what}")
    print(f"ok: {what}")


def self_test_parts(raster=48, nr=16, image=32, z_dim=8, w_dim=8, n_eg3d=3, rings=12, segments=24, samples=12):
    torch.manual_seed(0)
    v, f, uv = uv_sphere(0.09, rings, segments, [0.0, 0.0, 0.0])
    # Next3D's face UVs: [-1, 1] with v flipped and a third coordinate of 1.
    uv3 = torch.cat([uv * 2 - 1, torch.ones(uv.shape[0], 1)], 1)
    uv3[:, 1] = -uv3[:, 1]
    face_uv = uv3[f]
    # A UV mask with a hole over the front of the sphere, like Next3D's eye mask.
    mask = torch.ones(1, 1, 32, 32)
    mask[:, :, 12:20, 14:18] = 0
    # 12 "lip" points: vertices of the ring just below the equator on the front.
    ring = [1 + (rings // 2) * segments + (round(k * segments / 24) % segments) for k in range(-6, 6)]
    parts = {"mapping": StandInMapping(z_dim, 2 * n_eg3d, w_dim), "texture": StandInSynthesis(w_dim, 32, 32),
             "mouth": StandInConditioned(w_dim, 32, 24), "blend": StandInConditioned(w_dim, 32, raster),
             "planes": StandInSynthesis(w_dim, 96, raster), "superres": StandInSuperres(w_dim, image)}
    nets = trace_networks(parts, z_dim, n_eg3d, 8, raster, nr, False, 1.0, "none", "cpu")
    nets["decoder"] = contract.OSGDecoder(torch.randn(64, 32) * 0.2, torch.zeros(64), torch.randn(33, 64) * 0.2, torch.zeros(33))
    planes = torch.tensor([[[1, 0, 0], [0, 1, 0], [0, 0, 1]], [[1, 0, 0], [0, 0, 1], [0, 1, 0]],
                           [[0, 0, 1], [0, 1, 0], [1, 0, 0]]], dtype=torch.float32)

    def angle2matrix(deg):
        x, y, z = [math.radians(d) for d in deg]
        rx = torch.tensor([[1, 0, 0], [0, math.cos(x), -math.sin(x)], [0, math.sin(x), math.cos(x)]])
        ry = torch.tensor([[math.cos(y), 0, math.sin(y)], [0, 1, 0], [-math.sin(y), 0, math.cos(y)]])
        rz = torch.tensor([[math.cos(z), -math.sin(z), 0], [math.sin(z), math.cos(z), 0], [0, 0, 1]])
        return rz @ ry @ rx
    tensors = {
        "w_avg": torch.randn(w_dim),
        "faces": f[:, [0, 2, 1]].contiguous(),
        "face_uv": face_uv[:, [0, 2, 1]].contiguous(),
        "uv_mask": mask,
        "views": torch.stack([angle2matrix(d) for d in RENDERING_VIEWS]),
        "orth_shift": torch.tensor([0.0, -0.01, -0.01]),
        "mouth_vertices": torch.tensor([[r, r, r] for r in ring]),
        "mouth_bary": torch.tensor([[1.0, 0.0, 0.0]] * 12),
        "inv_axes": torch.linalg.inv(planes),
        "frontal_cam2world": torch.tensor(eg3d_look_at(math.pi / 2, math.pi / 2, [0, 0, 0.2], 2.7)),
    }
    config = {"num_ws_eg3d": n_eg3d, "truncation_cutoff": n_eg3d, "frontal_mapping_camera": True, "orth_scale": 5.0,
              "raster_size": raster, "fill_mouth": True, "mouth_input": 8, "box_warp": 1.0, "ray_start": 2.25,
              "ray_end": 3.3, "depth_resolution": samples, "depth_resolution_importance": samples,
              "neural_rendering_resolution": nr, "coverage_threshold": 0.5}
    meta = metadata_json("next3d-stand-in", "self-test", z_dim, (image, image), (nr, nr), v.shape[0])
    return nets, tensors, config, meta, v


def eg3d_look_at(h, vert, pivot, radius):
    """EG3D's LookAtPoseSampler.sample (camera_utils.py) as a 4x4 list: OpenCV cam2world."""
    v = min(max(vert, 1e-5), math.pi - 1e-5) / math.pi
    phi = math.acos(1 - 2 * v)
    o = [radius * math.sin(phi) * math.cos(math.pi - h), radius * math.cos(phi),
         radius * math.sin(phi) * math.sin(math.pi - h)]
    fwd = [pivot[i] - o[i] for i in range(3)]
    n = math.sqrt(sum(x * x for x in fwd))
    fwd = [x / n for x in fwd]
    up = [0.0, 1.0, 0.0]
    right = [-(up[1] * fwd[2] - up[2] * fwd[1]), -(up[2] * fwd[0] - up[0] * fwd[2]), -(up[0] * fwd[1] - up[1] * fwd[0])]
    n = math.sqrt(sum(x * x for x in right))
    right = [x / n for x in right]
    up = [fwd[1] * right[2] - fwd[2] * right[1], fwd[2] * right[0] - fwd[0] * right[2], fwd[0] * right[1] - fwd[1] * right[0]]
    return [[right[0], up[0], fwd[0], o[0]], [right[1], up[1], fwd[1], o[1]], [right[2], up[2], fwd[2], o[2]],
            [0.0, 0.0, 0.0, 1.0]]


def camera25(yaw, pitch, focal=4.2647):
    pose = eg3d_look_at(math.pi / 2 + yaw, math.pi / 2 + pitch, [0, 0, 0.2], 2.7)
    return torch.tensor([sum(pose, []) + [focal, 0, 0.5, 0, focal, 0.5, 0, 0, 1]], dtype=torch.float32)


def time_full_size(a):
    """Times the scripted glue at Next3D's FFHQ sizes (raster 256, neural 128,
    48 + 48 samples, image 512, a 10k-face sphere) with stand-in networks."""
    import time
    nets, tensors, config, meta, rest = self_test_parts(raster=256, nr=128, image=512, rings=70, segments=72, samples=48)
    m = build_module(nets, tensors, config, meta).to(a.device)
    print(f"stand-in mesh: {rest.shape[0]} vertices, {tensors['faces'].shape[0]} faces")
    dev = torch.device(a.device)
    c = camera25(0.2, 0.1).to(dev)
    v = rest.unsqueeze(0).to(dev)
    with torch.no_grad():
        ws = m.mapping(torch.randn(1, 8, device=dev), c, 0.7)
        for run in range(2):
            t0 = time.time()
            m.synthesis(ws, c, v)
            t1 = time.time()
            m.density(ws, c, v * (1 + run), torch.rand(1, 100000, 3, device=dev) - 0.5)
            t2 = time.time()
            print(f"run {run}: synthesis {t1 - t0:.2f} s, density of 1e5 points with new planes {t2 - t1:.2f} s")
        t0 = time.time()
        m.density(ws, c, v * 2, torch.rand(1, 100000, 3, device=dev) - 0.5)
        print(f"density of 1e5 points, cached planes {time.time() - t0:.2f} s")


def config_raster(module):
    return int(module.raster_size)


def self_test(a):
    nets, tensors, config, meta, rest = self_test_parts()
    scripted = build_module(nets, tensors, config, meta)

    # The rasteriser against a per-pixel brute force, every view of the sphere.
    for view in range(4):
        screen = scripted._screen(rest, view)
        ours, _ = contract.rasterize(screen, tensors["faces"], 24)
        ref = brute_force_raster(screen, tensors["faces"], 24)
        expect(torch.equal(ours, ref), f"rasterised faces of view {view} equal the brute-force reference at 24x24")
    ours, _ = contract.rasterize(scripted._screen(rest, 0), tensors["faces"], 256)
    disc = math.pi * (0.09 * 5) ** 2 / 4  # the sphere's outline covers a disc of radius 0.45 of the [-1, 1]^2 raster
    frac = float((ours >= 0).float().mean())
    expect(abs(frac - disc) / disc < 0.03, f"front coverage {frac:.4f} matches the sphere's outline {disc:.4f} within 3%")
    nz = tensors["faces"][ours[ours >= 0]]
    normals_z = torch.linalg.cross(rest[nz[:, 1]] - rest[nz[:, 0]], rest[nz[:, 2]] - rest[nz[:, 0]])[:, 2]
    expect(bool((normals_z < 0).all()), "the front view shows only the faces turned toward +z (back faces culled)")

    # The mouth box, recomputed the way gen_mouth_mask() does from Next3D's landmark transform.
    lips = rest[tensors["mouth_vertices"][:, 0]]
    t = (lips * torch.tensor([1.0, -1.0, 1.0]) + tensors["orth_shift"]) * 5.0
    half_size = config_raster(scripted) / 2
    px = torch.stack([t[:, 0], -t[:, 1]], 1) * half_size + half_size
    span = int(float(torch.maximum(px[:, 0].max() - px[:, 0].min(), px[:, 1].max() - px[:, 1].min())) * 1.2)
    avg = (px[0] + px[6]) / 2
    ref_box = (int(float(avg[1]) - span // 2), int(float(avg[1]) + span // 2),
               int(float(avg[0]) - span // 2), int(float(avg[0]) + span // 2))
    box = tuple(scripted._mouth_box(rest))
    expect(box == ref_box and box[1] - box[0] > 0, f"mouth box {box} equals gen_mouth_mask's {ref_box}")

    # The UV mask's hole shows in the front view and is filled as Next3D fills the mouth.
    textures = torch.zeros(1, 32, 8, 8)
    pix, bary = contract.rasterize(scripted._screen(rest, 0), tensors["faces"], config_raster(scripted))
    covered = (pix >= 0).reshape(config_raster(scripted), config_raster(scripted))
    uv = (bary.unsqueeze(-1) * tensors["face_uv"][pix.clamp(min=0)]).sum(1)[:, :2]
    masked = torch.nn.functional.grid_sample(tensors["uv_mask"], uv.reshape(1, *covered.shape, 2), align_corners=False)[0, 0]
    _, alpha = scripted._raster_view(rest, textures, 0)
    expect(bool((covered & (masked < 0.5)).any()), "the UV mask's hole lies inside the front view's coverage")
    expect(bool((alpha[covered] == 1).all()) and bool((alpha[~covered] == 0).all()),
           "front coverage: the hole is filled, the outside stays 0")

    # Hole filling against a flood-fill reference.
    g = torch.Generator().manual_seed(3)
    for trial in range(3):
        alpha = (torch.rand(40, 40, generator=g) > 0.45).float() * torch.rand(40, 40, generator=g).clamp(min=0.5)
        alpha[15:25, 15:25] = 1.0
        alpha[18:22, 18:22] = 0.0  # an enclosed hole
        alpha[0, 0] = 0.0
        expect(torch.equal(contract.fill_holes(alpha), flood_reference(alpha)), f"hole filling equals cv2-style flood fill (map {trial})")

    # The whole contract through save and load.
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "stand_in.pt")
        scripted.save(path)
        m = torch.jit.load(path, map_location=a.device)
    dev = torch.device(a.device)
    md = json.loads(m.metadata())
    for key in ["contract", "contract_version", "name", "version", "latent_dim", "camera", "image_size",
                "depth_size", "vertex_count", "flame_to_world", "density_level", "preferred_batch"]:
        expect(key in md, f"metadata has '{key}'")
    expect(md["contract"] == "synthforge-generator" and md["contract_version"] == 1 and md["camera"] == "eg3d25",
           "metadata names the contract, version 1 and the eg3d25 camera")
    expect(len(md["flame_to_world"]) == 16 and abs(md["flame_to_world"][11] - (-0.025 + math.sqrt(2) / 10)) < 1e-12,
           "flame_to_world is SynthForge's analytic map")
    expect(abs(md["density_level"] - 9.000123) < 1e-5, "density_level is softplus(10 - 1)")

    B = 2
    z = torch.randn(B, md["latent_dim"], generator=g).to(dev)
    c = torch.cat([camera25(0.3, -0.1), camera25(-0.5, 0.2)], 0).to(dev)
    ws = m.mapping(z, c, 1.0)
    expect(ws.shape[0] == B and ws.dim() == 3, f"mapping gives ws of shape {list(ws.shape)}")
    ws_front = m.mapping(z, torch.cat([camera25(0.0, 0.0), camera25(0.0, 0.0)], 0).to(dev), 1.0)
    expect(torch.allclose(ws, ws_front), "mapping is conditioned on the frontal camera, not the render pose")
    ws_t = m.mapping(z, c, 0.5)
    w_avg = tensors["w_avg"].to(dev)
    expect(torch.allclose(ws_t[:, :3], w_avg + 0.5 * (ws[:, :3] - w_avg), atol=1e-6) and torch.equal(ws_t[:, 3:], ws[:, 3:]),
           "psi truncates the first truncation_cutoff ws toward w_avg and leaves the rest")
    verts = torch.stack([rest, rest * 1.1]).to(dev)
    img, depth = m.synthesis(ws, c, verts)
    expect(list(img.shape) == [B, 3] + md["image_size"], f"synthesis image is {list(img.shape)}")
    expect(list(depth.shape) == [B, 1] + md["depth_size"], f"synthesis depth is {list(depth.shape)}")
    expect(float(img.min()) >= -1 and float(img.max()) <= 1, "image lies in [-1, 1]")
    img1, depth1 = m.synthesis(ws[1:], c[1:], verts[1:])
    expect(torch.allclose(img1, img[1:], atol=1e-5) and torch.allclose(depth1, depth[1:], atol=1e-5),
           "a batch gives what its samples give one by one")
    pts = (torch.rand(B, 50, 3, generator=g) - 0.5).to(dev).requires_grad_(True)
    sigma = m.density(ws, c, verts, pts)
    expect(list(sigma.shape) == [B, 50] and bool((sigma >= 0).all()), "density gives sigma [B, N] >= 0")
    sigma.sum().backward()
    expect(pts.grad is not None and bool(torch.isfinite(pts.grad).all()) and float(pts.grad.abs().sum()) > 0,
           "density is differentiable with respect to the points")
    again = m.density(ws, c, verts, pts.detach())
    expect(torch.allclose(again, sigma.detach()), "a repeated density query (cached planes) gives the same sigma")
    other = m.density(ws, c, verts * 0.9, pts.detach())
    expect(not torch.allclose(other, sigma.detach()), "another head invalidates the cached planes")

    # Depth is camera z: an opaque field stops every ray at its first sample.
    nets2, tensors2, config2, meta2, _ = self_test_parts()
    dec = nets2["decoder"]
    dec.b2[0] = 200.0
    opaque = build_module(nets2, tensors2, config2, meta2).to(dev)
    cam = camera25(0.0, 0.0).to(dev)
    _, d = opaque.synthesis(opaque.mapping(z[:1], cam, 1.0), cam, verts[:1])
    delta = (config2["ray_end"] - config2["ray_start"]) / (config2["depth_resolution"] - 1)
    first = config2["ray_start"] + 0.5 * delta
    centre = float(d[0, 0, 8, 8])
    corner = float(d[0, 0, 0, 0])
    expect(abs(centre - first) < delta, f"opaque field: centre depth {centre:.4f} is the first sample {first:.4f}")
    expect(corner < centre, "off-axis pixels have smaller camera z than the ray distance (z, not distance)")
    dec.b2[0] = -200.0
    empty = build_module(nets2, tensors2, config2, meta2).to(dev)
    _, d = empty.synthesis(empty.mapping(z[:1], cam, 1.0), cam, verts[:1])
    expect(float(d.abs().max()) == 0.0, "empty field: depth is 0 (background) everywhere")
    print("self-test passed")


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--self-test", action="store_true", help="check the contract plumbing with stand-in networks")
    p.add_argument("--next3d", help="a clone of github.com/MrTornado24/Next3D")
    p.add_argument("--network", help="a Next3D network pickle (holds 'G_ema')")
    p.add_argument("--landmarks", help="FLAME static landmark embedding: DECA's landmark_embedding.npy or flame_static_embedding.pkl")
    p.add_argument("--out", help="the TorchScript file to write")
    p.add_argument("--device", default="cpu", help="where to trace (cpu is the portable choice)")
    p.add_argument("--truncation-cutoff", type=int, default=14,
                   help="psi applies to the first N ws (Next3D's scripts: 14, the tri-plane half); 0 = all")
    p.add_argument("--mapping-camera", choices=["frontal", "given"], default="frontal",
                   help="condition the mapping on the frontal camera as Next3D's scripts do, or on the camera passed")
    p.add_argument("--neural-resolution", type=int, default=0, help="volume rendering resolution (default: the checkpoint's)")
    p.add_argument("--coverage-threshold", type=float, default=0.5, help="opacity below which depth is 0")
    p.add_argument("--check", action="store_true", help="compare the export with Next3D's own code")
    p.add_argument("--time-full-size", action="store_true", help="with --self-test: time the scripted glue at Next3D's sizes")
    a = p.parse_args(argv)
    if a.self_test:
        if a.time_full_size:
            time_full_size(a)
        else:
            self_test(a)
        return
    for name in ["next3d", "network", "out"]:
        if not getattr(a, name):
            p.error(f"--{name} is required (or --self-test)")
    export(a)


if __name__ == "__main__":
    main(sys.argv[1:])
