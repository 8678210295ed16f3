// The UV atlas of the default head: which island each grid face belongs to
// and its raw coordinates there, then the mirrored right half and the
// islands scaled into their slots of one atlas.

#include "core/head/default_head/neutral_mesh_builder.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <tuple>
#include <utility>
#include <vector>

#include <Eigen/Geometry>

namespace synthforge::head::default_head::neutral_build {

// ---- islands of the grid -------------------------------------------------------

namespace {

/// Which grid island a grid vertex votes for: neck below the jaw line and the
/// nape, face in front of the sideburns and below the hairline, scalp else.
UvIsland gridVertexIsland(const HalfVertex& hv) {
    if (hv.row < kNeckRows - 1) return UvIsland::kNeck;
    static const MonotoneCurve jawLine({{0.0, -0.0825}, {22 * kDeg, -0.0765}, {52 * kDeg, -0.0640}, {82 * kDeg, -0.0520},
                                {96 * kDeg, -0.0280}, {112 * kDeg, -0.0330}, {140 * kDeg, -0.0450}, {180 * kDeg, -0.0470}});
    static const MonotoneCurve hairLine({{0.0, 0.0980}, {30 * kDeg, 0.0950}, {55 * kDeg, 0.0850}, {70 * kDeg, 0.0700},
                                 {80 * kDeg, 0.0550}, {90 * kDeg, 0.0400}});
    const double u = std::abs(hv.u);
    if (hv.p.y() < jawLine(u)) return UvIsland::kNeck;
    if (u <= 79 * kDeg && hv.p.y() < hairLine(u)) return UvIsland::kFace;
    return UvIsland::kScalp;
}

}  // namespace

UvIsland Builder::gridIsland(const std::array<int, 3>& f) const {
    // A face belongs to the face island only when all its corners do, so the
    // island's border follows mesh edges instead of zig-zagging across them.
    int face = 0, neck = 0, scalp = 0;
    for (int v : f) {
        if (v == pole_) return UvIsland::kScalp;
        const UvIsland i = gridVertexIsland(verts_[v]);
        face += (i == UvIsland::kFace);
        neck += (i == UvIsland::kNeck);
        scalp += (i == UvIsland::kScalp);
    }
    if (face == 3) return UvIsland::kFace;
    if (neck == 3 || (neck > 0 && scalp == 0)) return UvIsland::kNeck;
    if (scalp == 3 || (scalp > 0 && neck == 0)) return UvIsland::kScalp;
    return neck >= 2 ? UvIsland::kNeck : UvIsland::kScalp;
}

Vec2 Builder::gridUv(int v, UvIsland island) const {
    const HalfVertex& hv = verts_[v];
    if (island == UvIsland::kFace) return Vec2(0.085 * hv.u * std::cos(hv.phi), 0.115 * hv.phi);
    if (island == UvIsland::kNeck) {
        // around the neck; upward along the surface from the bottom
        if (hv.row < kNeckRows) return Vec2(0.055 * hv.u, hv.p.y());
        const Vec3 q = neckPoint(hv.u, neckTopY(hv.u));
        return Vec2(0.055 * hv.u, q.y() + (hv.p - q).norm());
    }
    // scalp: azimuthal equidistant around the crown, tilted back
    const Vec3 d = (hv.p - kRayCentre).normalized();
    const Vec3 d0 = Vec3(0, 1, -0.35).normalized();
    const Vec3 e1 = Vec3::UnitX();
    const Vec3 e2 = d0.cross(e1).normalized();  // points forward
    const double th = std::acos(std::max(-1.0, std::min(1.0, d.dot(d0))));
    const Vec3 t = d - d.dot(d0) * d0;
    const double tn = t.norm();
    if (tn < 1e-12) return Vec2(0, 0);
    return th * Vec2(t.dot(e1) / tn, t.dot(e2) / tn);
}

// ---- assembly ------------------------------------------------------------------

namespace {

struct IslandSlot {
    UvIsland island;
    double x0, y0, x1, y1;  // target rectangle in the atlas
};

}  // namespace

NeutralHead Builder::assemble() {
    // Grid faces: decide islands and raw uvs.
    for (HalfFace& f : faces_) {
        const bool grid = verts_[f.v[0]].row >= 0 && verts_[f.v[1]].row >= 0 && verts_[f.v[2]].row >= 0;
        if (!grid) continue;
        if (f.island != UvIsland::kFace && f.island != UvIsland::kScalp) continue;
        f.island = gridIsland(f.v);
        if (std::find(f.v.begin(), f.v.end(), pole_) != f.v.end()) f.island = UvIsland::kScalp;
        for (int c = 0; c < 3; ++c) f.uv[c] = gridUv(f.v[c], f.island);
    }

    // Mirror.
    const int nh = static_cast<int>(verts_.size());
    std::vector<int> mirror(nh, -1);
    int count = nh;
    for (int i = 0; i < nh; ++i) mirror[i] = verts_[i].mid ? i : count++;
    NeutralHead out;
    out.vertices.resize(count, 3);
    out.vertexPart.assign(count, 0);
    out.mirrorOf.assign(count, 0);
    for (int i = 0; i < nh; ++i) {
        const Vec3& p = verts_[i].p;
        out.vertices.row(i) = Eigen::Vector3f(static_cast<float>(p.x()), static_cast<float>(p.y()), static_cast<float>(p.z()));
        out.vertexPart[i] = static_cast<std::uint8_t>(verts_[i].part);
        out.mirrorOf[i] = mirror[i];
        if (mirror[i] != i) {
            const int m = mirror[i];
            out.vertices.row(m) = out.vertices.row(i);
            out.vertices(m, 0) = -out.vertices(i, 0);
            Part part = verts_[i].part;
            if (part == Part::kLeftEyeball) part = Part::kRightEyeball;
            else if (part == Part::kLeftEyeSocket) part = Part::kRightEyeSocket;
            out.vertexPart[m] = static_cast<std::uint8_t>(part);
            out.mirrorOf[m] = i;
        }
    }
    auto mirrorIsland = [](UvIsland s) {
        switch (s) {
            case UvIsland::kLeftEar: return UvIsland::kRightEar;
            case UvIsland::kLeftEyeball: return UvIsland::kRightEyeball;
            case UvIsland::kLeftEyeSocket: return UvIsland::kRightEyeSocket;
            default: return s;
        }
    };
    struct FullFace {
        std::array<int, 3> v;
        UvIsland island;
        std::array<Vec2, 3> uv;
    };
    std::vector<FullFace> all;
    all.reserve(2 * faces_.size());
    for (const HalfFace& f : faces_) all.push_back({f.v, f.island, f.uv});
    for (const HalfFace& f : faces_) {
        FullFace g;
        g.v = {mirror[f.v[0]], mirror[f.v[2]], mirror[f.v[1]]};
        g.island = mirrorIsland(f.island);
        g.uv = {Vec2(-f.uv[0].x(), f.uv[0].y()), Vec2(-f.uv[2].x(), f.uv[2].y()), Vec2(-f.uv[1].x(), f.uv[1].y())};
        all.push_back(g);
    }

    // Atlas layout.
    const std::array<IslandSlot, kNumUvIslands> slots{{
        {UvIsland::kFace, 0.005, 0.300, 0.655, 0.995},
        {UvIsland::kScalp, 0.665, 0.615, 0.995, 0.995},
        {UvIsland::kNeck, 0.005, 0.150, 0.655, 0.290},
        {UvIsland::kLeftEar, 0.665, 0.300, 0.825, 0.605},
        {UvIsland::kRightEar, 0.835, 0.300, 0.995, 0.605},
        {UvIsland::kLeftEyeball, 0.005, 0.005, 0.140, 0.140},
        {UvIsland::kRightEyeball, 0.150, 0.005, 0.285, 0.140},
        {UvIsland::kMouthBag, 0.295, 0.005, 0.495, 0.140},
        {UvIsland::kLeftEyeSocket, 0.505, 0.005, 0.635, 0.140},
        {UvIsland::kRightEyeSocket, 0.645, 0.005, 0.775, 0.140},
        {UvIsland::kNeckCap, 0.785, 0.005, 0.920, 0.140},
    }};
    std::array<Eigen::AlignedBox2d, kNumUvIslands> box;
    for (const FullFace& f : all)
        for (const Vec2& t : f.uv) box[static_cast<int>(f.island)].extend(t);
    std::array<std::pair<Vec2, double>, kNumUvIslands> xf;  // offset, scale
    for (const IslandSlot& s : slots) {
        const int i = static_cast<int>(s.island);
        if (box[i].isEmpty()) {
            xf[i] = {Vec2(s.x0, s.y0), 0.0};
            continue;
        }
        const Vec2 size = box[i].sizes();
        const double sc = std::min((s.x1 - s.x0) / std::max(size.x(), 1e-12), (s.y1 - s.y0) / std::max(size.y(), 1e-12));
        const Vec2 centre(0.5 * (s.x0 + s.x1), 0.5 * (s.y0 + s.y1));
        xf[i] = {centre - sc * box[i].center(), sc};
    }
    std::map<std::tuple<int, int, float, float>, int> uvIndex;
    std::vector<Eigen::Vector2f> uvs;
    out.faces.resize(static_cast<long>(all.size()), 3);
    out.uvFaces.resize(static_cast<long>(all.size()), 3);
    out.faceIsland.resize(all.size());
    for (size_t fi = 0; fi < all.size(); ++fi) {
        const FullFace& f = all[fi];
        const int isl = static_cast<int>(f.island);
        out.faceIsland[fi] = static_cast<std::uint8_t>(isl);
        for (int c = 0; c < 3; ++c) {
            out.faces(static_cast<long>(fi), c) = f.v[c];
            const Vec2 t = xf[isl].first + xf[isl].second * f.uv[c];
            float tx = static_cast<float>(std::min(1.0, std::max(0.0, t.x())));
            float ty = static_cast<float>(std::min(1.0, std::max(0.0, t.y())));
            if (tx == 0.0f) tx = 0.0f;  // fold -0 into +0
            if (ty == 0.0f) ty = 0.0f;
            const auto key = std::make_tuple(f.v[c], isl, tx, ty);
            auto it = uvIndex.find(key);
            int id;
            if (it == uvIndex.end()) {
                id = static_cast<int>(uvs.size());
                uvs.emplace_back(tx, ty);
                uvIndex.emplace(key, id);
            } else {
                id = it->second;
            }
            out.uvFaces(static_cast<long>(fi), c) = id;
        }
    }
    out.uv.resize(static_cast<long>(uvs.size()), 2);
    for (size_t i = 0; i < uvs.size(); ++i) out.uv.row(static_cast<long>(i)) = uvs[i].transpose();
    return out;
}

}  // namespace synthforge::head::default_head::neutral_build
