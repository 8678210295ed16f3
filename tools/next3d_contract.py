"""TorchScript side of the Next3D export (tools/export_next3d.py): the module
that meets SynthForge's generator contract (docs/generator.md, "TorchScript
generators") around Next3D's networks.

Next3D (Sun et al., CVPR 2023) cannot be scripted as it stands: it
rasterises the FLAME mesh with pytorch3d (a compiled extension), fills the
mouth hole with cv2.floodFill, crops the mouth with numpy, and its StyleGAN2
layers use custom CUDA ops and a batch size baked into grouped convolutions.
So the export splits it:

  * the five networks (mapping, neural texture, mouth, neural blending,
    static tri-plane, super-resolution) are traced by the exporter at
    batch 1 with Next3D's reference (pure PyTorch) ops and arrive here as
    submodules; this module loops over the batch;
  * everything between them is re-implemented here in TorchScript, following
    Next3D's `training_avatar_texture/triplane_next3d.py` and
    `volumetric_rendering/renderer.py` step by step: the orthographic
    rasterisation of the mesh into four views (pytorch3d's rules: pixel
    centres, strict inside test, back faces culled, nearest z wins), the
    UV-mask and hole filling of the coverage, the mouth crop and paste, the
    blending of rasterised and static tri-planes, the ray sampler, the
    two-pass importance renderer, the ray marcher and the OSG decoder.

Deliberate differences from Next3D's own inference (each documented in
docs/generator.md, "Exporting Next3D"):
  * samples along rays are deterministic (bin midpoints, then importance
    samples at evenly spaced quantiles); Next3D jitters them randomly, so the
    same z would otherwise give a slightly different image on every call;
  * a mouth box crossing the raster's border is shifted inside (Next3D would
    fail with a shape error there);
  * depth is camera z (Next3D's is the distance along the ray), 0 where the
    accumulated opacity is below `coverage_threshold`.
"""

from typing import List, Optional, Tuple

import torch
import torch.nn.functional as F


def edge_function(px: torch.Tensor, py: torch.Tensor, ax: torch.Tensor, ay: torch.Tensor,
                  bx: torch.Tensor, by: torch.Tensor) -> torch.Tensor:
    # pytorch3d's EdgeFunctionForward(p, a, b).
    return (px - ax) * (by - ay) - (py - ay) * (bx - ax)


def rasterize(screen: torch.Tensor, faces: torch.Tensor, size: int) -> Tuple[torch.Tensor, torch.Tensor]:
    """Nearest-face rasterisation of one mesh, as pytorch3d's rasterize_meshes
    with blur 0, one face per pixel, no perspective correction and culled back
    faces does it.

    screen: [V, 3]; x selects the column and y the row, both in [-1, 1] with
    pixel k's centre at -1 + (2k + 1) / size (Next3D's rasteriser negates x
    and y before pytorch3d, whose +x is left and +y up: a 180 degree turn, so
    areas keep their sign); z is depth, smaller is nearer.
    faces: [F, 3] long.
    Returns pix_to_face [size * size] (-1 where empty) and barycentrics
    [size * size, 3].
    """
    tri = screen[faces]  # [F, 3, 3]
    x0, y0, z0 = tri[:, 0, 0], tri[:, 0, 1], tri[:, 0, 2]
    x1, y1, z1 = tri[:, 1, 0], tri[:, 1, 1], tri[:, 1, 2]
    x2, y2, z2 = tri[:, 2, 0], tri[:, 2, 1], tri[:, 2, 2]
    area = edge_function(x0, y0, x1, y1, x2, y2)
    half = 0.5 * float(size)
    xmin = torch.minimum(torch.minimum(x0, x1), x2)
    xmax = torch.maximum(torch.maximum(x0, x1), x2)
    ymin = torch.minimum(torch.minimum(y0, y1), y2)
    ymax = torch.maximum(torch.maximum(y0, y1), y2)
    # Pixel indices whose centres can lie inside each face's bounding box.
    j0 = torch.ceil((xmin + 1.0) * half - 0.5).clamp(0, size - 1).long()
    j1 = torch.floor((xmax + 1.0) * half - 0.5).clamp(-1, size - 1).long()
    i0 = torch.ceil((ymin + 1.0) * half - 0.5).clamp(0, size - 1).long()
    i1 = torch.floor((ymax + 1.0) * half - 0.5).clamp(-1, size - 1).long()
    # Back faces (negative area) are culled and zero-area faces skipped, as pytorch3d does.
    keep = (area > 1e-8) & (j1 >= j0) & (i1 >= i0)
    extent = torch.maximum(j1 - j0 + 1, i1 - i0 + 1)
    all_pix: List[torch.Tensor] = []
    all_z: List[torch.Tensor] = []
    all_face: List[torch.Tensor] = []
    # Faces are grouped by bounding-box size so that a few large faces do not
    # make every face enumerate a large block of pixels.
    lower = 0
    limit = 2
    while lower < size:
        group = torch.nonzero(keep & (extent > lower) & (extent <= limit)).flatten()
        if group.numel() > 0:
            offs = torch.arange(limit, device=screen.device)
            oy = offs.view(1, limit, 1)
            ox = offs.view(1, 1, limit)
            gi = (i0[group].view(-1, 1, 1) + oy).expand(-1, limit, limit)
            gj = (j0[group].view(-1, 1, 1) + ox).expand(-1, limit, limit)
            valid = (gi <= i1[group].view(-1, 1, 1)) & (gj <= j1[group].view(-1, 1, 1))
            px = -1.0 + (2.0 * gj.to(screen.dtype) + 1.0) / float(size)
            py = -1.0 + (2.0 * gi.to(screen.dtype) + 1.0) / float(size)
            a = area[group].view(-1, 1, 1) + 1e-8
            gx0, gy0 = x0[group].view(-1, 1, 1), y0[group].view(-1, 1, 1)
            gx1, gy1 = x1[group].view(-1, 1, 1), y1[group].view(-1, 1, 1)
            gx2, gy2 = x2[group].view(-1, 1, 1), y2[group].view(-1, 1, 1)
            w0 = edge_function(px, py, gx1, gy1, gx2, gy2) / a
            w1 = edge_function(px, py, gx2, gy2, gx0, gy0) / a
            w2 = edge_function(px, py, gx0, gy0, gx1, gy1) / a
            pz = w0 * z0[group].view(-1, 1, 1) + w1 * z1[group].view(-1, 1, 1) + w2 * z2[group].view(-1, 1, 1)
            hit = valid & (w0 > 0) & (w1 > 0) & (w2 > 0) & (pz >= 0)
            all_pix.append((gi * size + gj)[hit])
            all_z.append(pz[hit])
            all_face.append(group.view(-1, 1, 1).expand(-1, limit, limit)[hit])
        lower = limit
        limit = limit * 2
    count = size * size
    pix_to_face = torch.full([count], -1, dtype=torch.long, device=screen.device)
    bary = torch.zeros([count, 3], dtype=screen.dtype, device=screen.device)
    if len(all_pix) == 0:
        return pix_to_face, bary
    pix = torch.cat(all_pix)
    pz = torch.cat(all_z)
    face = torch.cat(all_face)
    if pix.numel() == 0:
        return pix_to_face, bary
    zbuf = torch.full([count], float("inf"), dtype=screen.dtype, device=screen.device)
    zbuf = zbuf.scatter_reduce(0, pix, pz, "amin", include_self=True)
    win = pz == zbuf[pix]
    # Ties (the same depth at one pixel) go to the lowest face index.
    big = faces.shape[0]
    best = torch.full([count], big, dtype=torch.long, device=screen.device)
    best = best.scatter_reduce(0, pix[win], face[win], "amin", include_self=True)
    covered = best < big
    pix_to_face = torch.where(covered, best, pix_to_face)
    # Barycentrics of each covered pixel's centre in its face.
    idx = torch.nonzero(covered).flatten()
    f = best[idx]
    px = -1.0 + (2.0 * (idx % size).to(screen.dtype) + 1.0) / float(size)
    py = -1.0 + (2.0 * torch.div(idx, size, rounding_mode="floor").to(screen.dtype) + 1.0) / float(size)
    a = area[f] + 1e-8
    b0 = edge_function(px, py, x1[f], y1[f], x2[f], y2[f]) / a
    b1 = edge_function(px, py, x2[f], y2[f], x0[f], y0[f]) / a
    b2 = edge_function(px, py, x0[f], y0[f], x1[f], y1[f]) / a
    bary[idx] = torch.stack([b0, b1, b2], dim=1)
    return pix_to_face, bary


def fill_holes(alpha: torch.Tensor) -> torch.Tensor:
    """Next3D's fill_mouth for one [H, W] coverage image: cv2.floodFill from
    pixel (0, 0), 4-connected, fixed range [seed, seed + 254] on alpha * 255,
    marks the outside; every pixel it does not reach becomes 1 (the mouth and
    eye holes), every pixel it reaches keeps its value."""
    value = alpha * 255.0
    seed = value[0, 0]
    passable = ((value >= seed) & (value <= seed + 254.0)).to(alpha.dtype).reshape(1, 1, alpha.shape[0], alpha.shape[1])
    cross = torch.tensor([[0.0, 1.0, 0.0], [1.0, 1.0, 1.0], [0.0, 1.0, 0.0]], dtype=alpha.dtype,
                         device=alpha.device).reshape(1, 1, 3, 3)
    reached = torch.zeros_like(passable)
    reached[0, 0, 0, 0] = passable[0, 0, 0, 0]
    changed = True
    while changed:
        before = reached
        # Eight 4-neighbour dilations per convergence check.
        for _ in range(8):
            reached = (F.conv2d(reached, cross, padding=1) > 0).to(alpha.dtype) * passable
        changed = bool((reached != before).any())
    reached = reached[0, 0] > 0
    return torch.where(reached, alpha, torch.ones_like(alpha))


def sample_planes(planes: torch.Tensor, inv_axes: torch.Tensor, points: torch.Tensor,
                  box_warp: float) -> torch.Tensor:
    """EG3D's sample_from_planes: planes [N, P, C, H, W], points [N, M, 3] ->
    features [N, P, M, C] (bilinear, zero outside the box)."""
    n, p, c, h, w = planes.shape
    m = points.shape[1]
    coords = points * (2.0 / box_warp)
    proj = torch.matmul(coords.unsqueeze(1), inv_axes.unsqueeze(0))[..., :2]  # [N, P, M, 2]
    feats = F.grid_sample(planes.reshape(n * p, c, h, w), proj.reshape(n * p, 1, m, 2),
                          mode="bilinear", padding_mode="zeros", align_corners=False)
    return feats.permute(0, 3, 2, 1).reshape(n, p, m, c)


class OSGDecoder(torch.nn.Module):
    """Next3D's OSGDecoder with the equalised-learning-rate gains folded into
    the weights: mean over planes, FC, softplus, FC; channel 0 is raw sigma,
    the rest sigmoid-clamped features."""

    def __init__(self, w1: torch.Tensor, b1: torch.Tensor, w2: torch.Tensor, b2: torch.Tensor):
        super().__init__()
        self.register_buffer("w1", w1)
        self.register_buffer("b1", b1)
        self.register_buffer("w2", w2)
        self.register_buffer("b2", b2)

    def forward(self, features: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        x = features.mean(1)
        n, m, c = x.shape
        x = x.reshape(n * m, c)
        x = torch.addmm(self.b1.unsqueeze(0), x, self.w1.t())
        x = F.softplus(x)
        x = torch.addmm(self.b2.unsqueeze(0), x, self.w2.t())
        x = x.reshape(n, m, -1)
        rgb = torch.sigmoid(x[..., 1:]) * (1 + 2 * 0.001) - 0.001
        return rgb, x[..., 0:1]


class Next3DContract(torch.nn.Module):
    """metadata / mapping / synthesis / density around traced Next3D networks."""

    density_cache_key: Optional[torch.Tensor]
    density_cache_planes: Optional[torch.Tensor]

    def __init__(self, nets: dict, tensors: dict, config: dict, metadata_json: str):
        super().__init__()
        self.mapping_net = nets["mapping"]      # (z [1, Z], c [1, 25]) -> ws [1, NW, W], psi = 1
        self.texture_net = nets["texture"]      # texture ws [1, NT, W] -> textures [1, 32, T, T]
        self.mouth_net = nets["mouth"]          # (crop [1, 32, m, m], eg3d ws) -> mouth plane
        self.blend_net = nets["blend"]          # (stitched front [1, 32, S, S], eg3d ws) -> front plane
        self.plane_net = nets["planes"]         # eg3d ws -> static tri-plane [1, 3 * 32, P, P]
        self.sr_net = nets["superres"]          # (rgb, features, eg3d ws) -> image [1, 3, H, W]
        self.decoder = nets["decoder"]          # OSGDecoder
        for name in ["w_avg", "faces", "face_uv", "uv_mask", "views", "orth_shift",
                     "mouth_vertices", "mouth_bary", "inv_axes", "frontal_cam2world"]:
            self.register_buffer(name, tensors[name])
        self.metadata_json = metadata_json
        self.num_ws_eg3d: int = int(config["num_ws_eg3d"])
        self.truncation_cutoff: int = int(config["truncation_cutoff"])  # <= 0: all ws
        self.frontal_mapping_camera: bool = bool(config["frontal_mapping_camera"])
        self.orth_scale: float = float(config["orth_scale"])
        self.raster_size: int = int(config["raster_size"])
        self.fill_mouth: bool = bool(config["fill_mouth"])
        self.mouth_input: int = int(config["mouth_input"])
        self.box_warp: float = float(config["box_warp"])
        self.ray_start: float = float(config["ray_start"])
        self.ray_end: float = float(config["ray_end"])
        self.depth_samples: int = int(config["depth_resolution"])
        self.importance_samples: int = int(config["depth_resolution_importance"])
        self.neural_resolution: int = int(config["neural_rendering_resolution"])
        self.coverage_threshold: float = float(config["coverage_threshold"])
        self.density_cache_key = None
        self.density_cache_planes = None

    @torch.jit.export
    def metadata(self) -> str:
        return self.metadata_json

    @torch.jit.export
    def mapping(self, z: torch.Tensor, c: torch.Tensor, psi: float) -> torch.Tensor:
        if self.frontal_mapping_camera:
            # Next3D's scripts condition the mapping on a frontal camera with
            # the render camera's intrinsics, so a z is one person in every pose.
            front = self.frontal_cam2world.reshape(1, 16).to(c.dtype).expand(c.shape[0], 16)
            c = torch.cat([front, c[:, 16:25]], dim=1)
        out: List[torch.Tensor] = []
        for b in range(z.shape[0]):
            out.append(self.mapping_net(z[b:b + 1], c[b:b + 1]))
        ws = torch.cat(out, 0)
        if psi != 1.0:
            cut = ws.shape[1] if self.truncation_cutoff <= 0 else min(self.truncation_cutoff, ws.shape[1])
            head = self.w_avg.to(ws.dtype).lerp(ws[:, :cut], psi)
            ws = torch.cat([head, ws[:, cut:]], dim=1)
        return ws

    # --- the texture-rasterised tri-plane -----------------------------------

    def _screen(self, vertices: torch.Tensor, view: int) -> torch.Tensor:
        # triplane_next3d.py rasterize(): flip y, rotate, shift, scale, then
        # negate y and z and push z by 10 (orthographic, so only order matters).
        flip = torch.tensor([1.0, -1.0, 1.0], dtype=vertices.dtype, device=vertices.device)
        t = (torch.matmul(vertices * flip, self.views[view].to(vertices.dtype)) + self.orth_shift.to(vertices.dtype)) * self.orth_scale
        return torch.stack([t[:, 0], -t[:, 1], 10.0 - t[:, 2]], dim=1)

    def _raster_view(self, vertices: torch.Tensor, textures: torch.Tensor, view: int) -> Tuple[torch.Tensor, torch.Tensor]:
        size = self.raster_size
        pix_to_face, bary = rasterize(self._screen(vertices, view), self.faces, size)
        covered = pix_to_face >= 0
        attrs = self.face_uv[pix_to_face.clamp(min=0)]  # [S*S, 3, 3]
        uv = (bary.unsqueeze(-1) * attrs).sum(1)
        uv = torch.where(covered.unsqueeze(1), uv, torch.zeros_like(uv))
        grid = uv[:, :2].reshape(1, size, size, 2)
        face_mask = F.grid_sample(self.uv_mask.to(textures.dtype), grid, mode="bilinear",
                                  padding_mode="zeros", align_corners=False)[0, 0]
        alpha = face_mask * covered.to(textures.dtype).reshape(size, size)
        if self.fill_mouth:
            alpha = fill_holes(alpha)
        image = F.grid_sample(textures, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
        return image, alpha

    def _mouth_box(self, vertices: torch.Tensor) -> Tuple[int, int, int, int]:
        # gen_mouth_mask(): the 12 outer-lip landmarks in the frontal view, in pixels.
        lm = (vertices[self.mouth_vertices] * self.mouth_bary.to(vertices.dtype).unsqueeze(-1)).sum(1)
        lm = self._screen(lm, 0)[:, :2] * (self.raster_size / 2) + (self.raster_size / 2)
        xs, ys = lm[:, 0], lm[:, 1]
        span = torch.maximum(xs.max() - xs.min(), ys.max() - ys.min()) * 1.2
        half = int(span) // 2
        cx = float(0.5 * (lm[0, 0] + lm[6, 0]))
        cy = float(0.5 * (lm[0, 1] + lm[6, 1]))
        r0, r1 = int(cy - half), int(cy + half)
        c0, c1 = int(cx - half), int(cx + half)
        size = self.raster_size
        # Keep the box inside the raster (Next3D would fail on a shape mismatch).
        if r0 < 0:
            r1 -= r0
            r0 = 0
        if c0 < 0:
            c1 -= c0
            c0 = 0
        if r1 > size:
            r0 -= r1 - size
            r1 = size
        if c1 > size:
            c0 -= c1 - size
            c1 = size
        return max(r0, 0), r1, max(c0, 0), c1

    def _planes(self, ws: torch.Tensor, vertices: torch.Tensor) -> torch.Tensor:
        """One sample: ws [1, NW, W], vertices [V, 3] -> blended planes [1, 3, C, P, P]."""
        eg3d_ws = ws[:, :self.num_ws_eg3d]
        textures = self.texture_net(ws[:, self.num_ws_eg3d:])
        front, front_alpha = self._raster_view(vertices, textures, 0)
        side_a, side_alpha = self._raster_view(vertices, textures, 1)
        side_b, unused_alpha = self._raster_view(vertices, textures, 2)
        top, top_alpha = self._raster_view(vertices, textures, 3)
        r0, r1, c0, c1 = self._mouth_box(vertices)
        box = min(r1 - r0, c1 - c0)
        if box > 0:
            crop = F.interpolate(front[:, :, r0:r0 + box, c0:c0 + box], size=(self.mouth_input, self.mouth_input),
                                 mode="bilinear", align_corners=False, antialias=True)
            mouth = self.mouth_net(crop, eg3d_ws)
            mouth = F.interpolate(mouth, size=(box, box), mode="bilinear", align_corners=False, antialias=True)
            front = front.clone()
            front[:, :, r0:r0 + box, c0:c0 + box] = mouth
        front = self.blend_net(front, eg3d_ws)
        static = self.plane_net(eg3d_ws)
        static = static.reshape(1, 3, -1, static.shape[-2], static.shape[-1])
        # Next3D sums the two side views and takes the first side view's coverage for both.
        side_alpha = (side_alpha != 0).to(front.dtype)
        alpha = torch.stack([front_alpha, side_alpha, top_alpha], 0).reshape(1, 3, 1, self.raster_size, self.raster_size)
        raster = torch.cat([front, side_a + side_b, top], 1).reshape(static.shape)
        return raster * alpha + static * (1 - alpha)

    # --- volume rendering (EG3D's ImportanceRenderer) ------------------------

    def _run_model(self, planes: torch.Tensor, points: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        return self.decoder(sample_planes(planes, self.inv_axes.to(points.dtype), points, self.box_warp))

    def _rays(self, c: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        res = self.neural_resolution
        cam2world = c[:, :16].reshape(-1, 4, 4)
        k = c[:, 16:25].reshape(-1, 3, 3)
        fx, fy, cx, cy, sk = k[:, 0, 0:1], k[:, 1, 1:2], k[:, 0, 2:3], k[:, 1, 2:3], k[:, 0, 1:2]
        centres = (torch.arange(res, dtype=c.dtype, device=c.device) + 0.5) / res
        y_cam = centres.view(res, 1).expand(res, res).reshape(1, -1)
        x_cam = centres.view(1, res).expand(res, res).reshape(1, -1)
        x_lift = (x_cam - cx + cy * sk / fy - sk * y_cam / fy) / fx
        y_lift = (y_cam - cy) / fy
        ones = torch.ones_like(x_lift)
        cam_points = torch.stack([x_lift, y_lift, ones, ones], dim=-1)  # [N, M, 4]
        world = torch.bmm(cam2world, cam_points.permute(0, 2, 1)).permute(0, 2, 1)[:, :, :3]
        origin = cam2world[:, :3, 3]
        dirs = F.normalize(world - origin.unsqueeze(1), dim=2)
        return origin.unsqueeze(1).expand(-1, dirs.shape[1], -1), dirs

    def _march(self, colors: torch.Tensor, densities: torch.Tensor, depths: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        # MipRayMarcher2 with clamp_mode softplus.
        deltas = depths[:, :, 1:] - depths[:, :, :-1]
        colors_mid = (colors[:, :, :-1] + colors[:, :, 1:]) / 2
        densities_mid = F.softplus((densities[:, :, :-1] + densities[:, :, 1:]) / 2 - 1)
        depths_mid = (depths[:, :, :-1] + depths[:, :, 1:]) / 2
        alpha = 1 - torch.exp(-densities_mid * deltas)
        shifted = torch.cat([torch.ones_like(alpha[:, :, :1]), 1 - alpha + 1e-10], -2)
        weights = alpha * torch.cumprod(shifted, -2)[:, :, :-1]
        rgb = torch.sum(weights * colors_mid, -2)
        total = weights.sum(2)
        depth = torch.sum(weights * depths_mid, -2) / total
        depth = torch.nan_to_num(depth, float("inf"))
        depth = torch.clamp(depth, float(depths.min()), float(depths.max()))
        return rgb * 2 - 1, depth, weights

    def _importance(self, depths: torch.Tensor, weights: torch.Tensor, count: int) -> torch.Tensor:
        n, r, s, _ = depths.shape
        z = depths.reshape(n * r, s)
        w = weights.reshape(n * r, -1)
        w = F.max_pool1d(w.unsqueeze(1), 2, 1, padding=1)
        w = F.avg_pool1d(w, 2, 1).squeeze(1) + 0.01
        bins = 0.5 * (z[:, :-1] + z[:, 1:])
        w = w[:, 1:-1] + 1e-5
        pdf = w / torch.sum(w, -1, keepdim=True)
        cdf = torch.cat([torch.zeros_like(pdf[:, :1]), torch.cumsum(pdf, -1)], -1)
        u = torch.linspace(0.0, 1.0, count, dtype=z.dtype, device=z.device).expand(n * r, count).contiguous()
        inds = torch.searchsorted(cdf, u, right=True)
        below = torch.clamp_min(inds - 1, 0)
        above = torch.clamp_max(inds, w.shape[1])
        sampled = torch.stack([below, above], -1).view(n * r, 2 * count)
        cdf_g = torch.gather(cdf, 1, sampled).view(n * r, count, 2)
        bins_g = torch.gather(bins, 1, sampled).view(n * r, count, 2)
        denom = cdf_g[..., 1] - cdf_g[..., 0]
        denom = torch.where(denom < 1e-5, torch.ones_like(denom), denom)
        out = bins_g[..., 0] + (u - cdf_g[..., 0]) / denom * (bins_g[..., 1] - bins_g[..., 0])
        return out.reshape(n, r, count, 1)

    def _render(self, planes: torch.Tensor, c: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        origins, dirs = self._rays(c)
        n, r, _ = origins.shape
        s = self.depth_samples
        delta = (self.ray_end - self.ray_start) / (s - 1)
        # Bin midpoints where EG3D draws a random point in each bin.
        depths = torch.linspace(self.ray_start, self.ray_end, s, dtype=c.dtype, device=c.device) + 0.5 * delta
        depths = depths.reshape(1, 1, s, 1).expand(n, r, s, 1)
        points = (origins.unsqueeze(-2) + depths * dirs.unsqueeze(-2)).reshape(n, -1, 3)
        colors, sigma = self._run_model(planes, points)
        colors = colors.reshape(n, r, s, -1)
        sigma = sigma.reshape(n, r, s, 1)
        if self.importance_samples > 0:
            unused_rgb, unused_depth, weights = self._march(colors, sigma, depths)
            fine = self._importance(depths, weights, self.importance_samples)
            points = (origins.unsqueeze(-2) + fine * dirs.unsqueeze(-2)).reshape(n, -1, 3)
            colors_f, sigma_f = self._run_model(planes, points)
            depths = torch.cat([depths, fine], -2)
            colors = torch.cat([colors, colors_f.reshape(n, r, self.importance_samples, -1)], -2)
            sigma = torch.cat([sigma, sigma_f.reshape(n, r, self.importance_samples, 1)], -2)
            order = torch.argsort(depths, dim=-2)
            depths = torch.gather(depths, -2, order)
            colors = torch.gather(colors, -2, order.expand(-1, -1, -1, colors.shape[-1]))
            sigma = torch.gather(sigma, -2, order)
        rgb, depth, weights = self._march(colors, sigma, depths)
        return rgb, depth, weights.sum(2)

    @torch.jit.export
    def synthesis(self, ws: torch.Tensor, c: torch.Tensor, vertices: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        res = self.neural_resolution
        images: List[torch.Tensor] = []
        depths: List[torch.Tensor] = []
        for b in range(ws.shape[0]):
            planes = self._planes(ws[b:b + 1], vertices[b])
            cb = c[b:b + 1]
            feats, depth, coverage = self._render(planes, cb)
            feats = feats.permute(0, 2, 1).reshape(1, feats.shape[-1], res, res)
            image = self.sr_net(feats[:, :3], feats, ws[b:b + 1, :self.num_ws_eg3d])
            images.append(image.clamp(-1, 1))
            # Distance along the unit ray -> camera z.
            unused_origins, dirs = self._rays(cb)
            forward = cb[:, :16].reshape(1, 4, 4)[:, :3, 2]
            z = depth[..., 0] * (dirs * forward.unsqueeze(1)).sum(-1)
            z = torch.where(coverage[..., 0] >= self.coverage_threshold, z, torch.zeros_like(z))
            depths.append(z.reshape(1, 1, res, res))
        return torch.cat(images, 0), torch.cat(depths, 0)

    @torch.jit.export
    def density(self, ws: torch.Tensor, c: torch.Tensor, vertices: torch.Tensor, points: torch.Tensor) -> torch.Tensor:
        out: List[torch.Tensor] = []
        for b in range(ws.shape[0]):
            planes = self._cached_planes(ws[b:b + 1], vertices[b])
            unused_rgb, sigma = self._run_model(planes, points[b:b + 1])
            # The ray marcher's activation: softplus(raw - 1).
            out.append(F.softplus(sigma[..., 0] - 1))
        return torch.cat(out, 0)

    def _cached_planes(self, ws: torch.Tensor, vertices: torch.Tensor) -> torch.Tensor:
        # Alignment queries the same head many times; the planes are the costly part.
        if ws.requires_grad or vertices.requires_grad:
            return self._planes(ws, vertices)
        key = torch.cat([ws.reshape(-1), vertices.reshape(-1).to(ws.dtype)])
        cached_key = self.density_cache_key
        cached = self.density_cache_planes
        if cached is not None and cached_key is not None and cached_key.shape == key.shape \
                and cached_key.device == key.device and bool(torch.equal(cached_key, key)):
            return cached
        planes = self._planes(ws, vertices)
        self.density_cache_key = key.detach().clone()
        self.density_cache_planes = planes.detach()
        return planes
