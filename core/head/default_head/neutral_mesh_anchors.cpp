// Named vertex regions (islands, parts, lips, lids, brows, ...) and anchor
// points (eye corners, nose tip, mouth corners, menton, tragion, ...) of the
// default head, measured on the finished mesh.

#include "core/head/default_head/neutral_mesh_builder.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace synthforge::head::default_head::neutral_build {

// ---- regions and anchors --------------------------------------------------------

namespace {

/// Brow band above the left eye: lower edge and thickness at x.
void browBand(double x, double& lo, double& thick) {
    const double t = clamp01((x - 0.012) / 0.044);
    lo = 0.0415 + 0.0075 * std::sin(kPi * std::pow(t, 0.8)) - 0.002 * t;
    thick = lerp(0.0085, 0.003, t);
}

}  // namespace

void Builder::annotate(NeutralHead& out) const {
    const int nv = out.numVertices();
    auto P = [&](int v) { return out.vertices.row(v).transpose().cast<double>().eval(); };
    auto part = [&](int v) { return static_cast<Part>(out.vertexPart[v]); };
    auto mirrorPoint = [](const Vec3& p) { return Vec3(-p.x(), p.y(), p.z()); };

    // --- regions from islands and parts
    std::vector<std::set<int>> byIsland(kNumUvIslands);
    for (int f = 0; f < out.numFaces(); ++f)
        for (int c = 0; c < 3; ++c) byIsland[out.faceIsland[f]].insert(out.faces(f, c));
    auto toVec = [](const std::set<int>& s) { return std::vector<std::int32_t>(s.begin(), s.end()); };
    auto& R = out.regions;
    R["face"] = toVec(byIsland[static_cast<int>(UvIsland::kFace)]);
    R["scalp"] = toVec(byIsland[static_cast<int>(UvIsland::kScalp)]);
    {
        std::set<int> neck = byIsland[static_cast<int>(UvIsland::kNeck)];
        neck.insert(byIsland[static_cast<int>(UvIsland::kNeckCap)].begin(), byIsland[static_cast<int>(UvIsland::kNeckCap)].end());
        R["neck"] = toVec(neck);
    }
    R["left_ear"] = toVec(byIsland[static_cast<int>(UvIsland::kLeftEar)]);
    R["right_ear"] = toVec(byIsland[static_cast<int>(UvIsland::kRightEar)]);
    std::map<std::string, std::vector<std::int32_t>> byRule;
    const double irisTheta = std::asin(fig::kIrisRadius / fig::kEyeballRadius) + 1e-6;
    const double pupilTheta = std::asin(fig::kPupilRadius / fig::kEyeballRadius) + 1e-6;
    const HeadShape& hs = shape();
    for (int v = 0; v < nv; ++v) {
        const Vec3 p = P(v);
        const int half = v < static_cast<int>(verts_.size()) ? v : out.mirrorOf[v];
        const std::string side = p.x() >= 0 ? "left" : "right";
        const double x = std::abs(p.x());
        switch (part(v)) {
            case Part::kLeftEyeball:
            case Part::kRightEyeball: {
                const std::string s = part(v) == Part::kLeftEyeball ? "left" : "right";
                R[s + "_eyeball"].push_back(v);
                if (verts_[half].eyeTheta <= irisTheta) R[s + "_iris"].push_back(v);
                if (verts_[half].eyeTheta <= pupilTheta) R[s + "_pupil"].push_back(v);
                break;
            }
            case Part::kLeftEyeSocket: R["left_eye_socket"].push_back(v); break;
            case Part::kRightEyeSocket: R["right_eye_socket"].push_back(v); break;
            case Part::kMouthBag: R["mouth_interior"].push_back(v); break;
            case Part::kSkin: {
                if (p.z() < 0.06) break;
                if (hs.nose(x, p.y()) > 0.0015 && p.y() > -0.019 && p.y() < 0.045) R["nose"].push_back(v);
                const double t = std::min(1.0, x / 0.027);
                const double yst = HeadShape::stomionY(x);
                if (x <= 0.0265 && p.z() > 0.07) {
                    if (p.y() >= yst && p.y() <= yst + 0.0092 * (1 - 0.55 * t * t)) R["upper_lip"].push_back(v);
                    if (p.y() < yst && p.y() >= yst - 0.0115 * (1 - 0.55 * t * t)) R["lower_lip"].push_back(v);
                }
                const double ex = (x - fig::kEyeX) / 0.0195, ey = (p.y() - fig::kEyeY) / 0.0125;
                if (ex * ex + ey * ey < 1.0) R[side + "_eyelid"].push_back(v);
                double lo, th;
                browBand(x, lo, th);
                if (x > 0.011 && x < 0.057 && p.y() >= lo && p.y() <= lo + th) R[side + "_brow"].push_back(v);
                break;
            }
        }
    }
    {
        std::set<int> lips(R["upper_lip"].begin(), R["upper_lip"].end());
        lips.insert(R["lower_lip"].begin(), R["lower_lip"].end());
        R["lips"] = toVec(lips);
    }
    for (auto& kv : R) std::sort(kv.second.begin(), kv.second.end());

    // --- anchors (left side first; right = mirror)
    auto& A = out.anchors;
    auto put = [&](const std::string& name, const Vec3& p) { A[name] = p.cast<float>(); };
    auto putLR = [&](const std::string& name, const Vec3& leftPoint) {
        put("left_" + name, leftPoint);
        put("right_" + name, mirrorPoint(leftPoint));
    };
    // eyes
    putLR("eye_inner_corner", verts_[eyeRim_.front()].p);
    const int nRim = static_cast<int>(eyeRim_.size());
    putLR("eye_outer_corner", verts_[eyeRim_[nRim / 2]].p);
    {
        int up = -1, lo = -1;
        double bu = 1e9, bl = 1e9;
        for (int i = 1; i < nRim / 2; ++i) {
            const double d = std::abs(verts_[eyeRim_[i]].p.x() - fig::kEyeX);
            if (d < bu) { bu = d; up = eyeRim_[i]; }
        }
        for (int i = nRim / 2 + 1; i < nRim; ++i) {
            const double d = std::abs(verts_[eyeRim_[i]].p.x() - fig::kEyeX);
            if (d < bl) { bl = d; lo = eyeRim_[i]; }
        }
        putLR("upper_eyelid", verts_[up].p);
        putLR("lower_eyelid", verts_[lo].p);
    }
    putLR("eye_centre", kEyeCentre);
    putLR("pupil", kEyeCentre + Vec3(0, 0, fig::kEyeballRadius));
    // midline profile of the face, densely sampled from the front
    std::vector<Vec3> profile;
    for (double y = -0.090; y <= 0.080; y += 0.0002) profile.push_back(frontPoint(0.0, y));
    auto extreme = [&](double y0, double y1, const Vec3& dir) {
        Vec3 best(0, 0, 0);
        double bv = -1e9;
        for (const Vec3& p : profile) {
            if (p.y() < y0 || p.y() > y1) continue;
            const double v = p.dot(dir);
            if (v > bv) { bv = v; best = p; }
        }
        return best;
    };
    // nose tip: the frontmost skin vertex (on the midline by symmetry)
    {
        int best = -1;
        for (int v = 0; v < nv; ++v)
            if (part(v) == Part::kSkin && (best < 0 || out.vertices(v, 2) > out.vertices(best, 2))) best = v;
        Vec3 tip = P(best);
        tip.x() = 0;
        put("nose_tip", tip);
    }
    put("nasion", extreme(0.025, 0.055, Vec3(0, 0, -1)));
    put("nose_bridge_top", extreme(0.025, 0.055, Vec3(0, 0, -1)));
    put("glabella", extreme(0.040, 0.070, Vec3(0, 0, 1)));
    put("subnasale", extreme(-0.024, -0.006, Vec3(0, 0.47, -0.88).normalized()));
    putLR("alar", frontPoint(fig::kAlarHalfWidth, fig::kAlarY));
    // mouth
    putLR("mouth_corner", verts_[mouthRim_[mouthRim_.size() / 2]].p);
    put("upper_lip_outer", extreme(fig::kStomionY, fig::kStomionY + 0.012, Vec3(0, 0, 1)));
    put("lower_lip_outer", extreme(fig::kStomionY - 0.014, fig::kStomionY, Vec3(0, 0, 1)));
    put("upper_lip_inner", verts_[mouthRim_.front()].p);
    put("lower_lip_inner", verts_[mouthRim_.back()].p);
    // chin
    put("pogonion", extreme(-0.080, -0.055, Vec3(0, 0, 1)));
    {
        std::vector<Vec3> chin;
        for (const Vec3& p : profile)
            if (p.z() > 0.062) chin.push_back(p);
        Vec3 best = chin.front();
        for (const Vec3& p : chin)
            if (p.y() < best.y()) best = p;
        put("menton", best);
    }
    // gonion: the jaw angle, reached from inside toward the outline corner
    putLR("gonion", castRay(Vec3(0.0, -0.0485, 0.008), Vec3(1.0, -0.03, 0.0).normalized(), 0.12));
    // ears and jaw hinge
    {
        int best = -1;
        double bd = 1e9;
        const int m = static_cast<int>(earRoot_.size()) / 2;
        for (int j = 0; j < m; ++j) {
            const double d = std::abs(verts_[earRoot_[j]].p.y() - 0.012);
            if (d < bd) { bd = d; best = earRoot_[j]; }
        }
        const Vec3 tragion = verts_[best].p;
        putLR("tragion", tragion);
        putLR("jaw_hinge", tragion + Vec3(-0.015, -0.003, 0.012));
        double top = -1e9, bottom = 1e9;
        Vec3 pt, pb;
        for (int v : R["left_ear"]) {
            const Vec3 p = P(v);
            if (p.y() > top) { top = p.y(); pt = p; }
            if (p.y() < bottom) { bottom = p.y(); pb = p; }
        }
        putLR("ear_top", pt);
        putLR("ear_bottom", pb);
    }
    // brows
    {
        double lo, th;
        browBand(0.014, lo, th);
        putLR("brow_inner", frontPoint(0.014, lo + 0.5 * th));
        browBand(0.037, lo, th);
        putLR("brow_peak", frontPoint(0.037, lo + 0.5 * th));
        browBand(0.053, lo, th);
        putLR("brow_outer", frontPoint(0.053, lo + 0.5 * th));
    }
    // skull
    {
        int eu = -1, op = -1;
        for (int v = 0; v < nv; ++v) {
            if (part(v) != Part::kSkin) continue;
            if (std::binary_search(R["left_ear"].begin(), R["left_ear"].end(), v)) continue;
            if (std::binary_search(R["right_ear"].begin(), R["right_ear"].end(), v)) continue;
            if (eu < 0 || out.vertices(v, 0) > out.vertices(eu, 0)) eu = v;
            if (op < 0 || out.vertices(v, 2) < out.vertices(op, 2)) op = v;
        }
        putLR("eurion", P(eu));
        Vec3 o = P(op);
        o.x() = 0;
        put("opisthocranion", o);
        put("vertex", verts_[pole_].p);
    }
    // neck
    put("neck_base_centre", Vec3(0, fig::kNeckBottomY, HeadShape::neckAxisZ(fig::kNeckBottomY)));
    put("upper_neck_centre", Vec3(0, -0.075, HeadShape::neckAxisZ(-0.075)));
}

}  // namespace synthforge::head::default_head::neutral_build
