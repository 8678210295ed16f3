// The parts of the default head beyond the ring grid: the pole that closes
// the crown, the cap under the neck, the eye sockets and the mouth bag sewn
// inward from the rims, the ears extruded from the side of the head, and the
// eyeballs.

#include "core/head/default_head/neutral_mesh_builder.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <vector>

namespace synthforge::head::default_head::neutral_build {

void Builder::makePole() {
    HalfVertex hv;
    hv.p = castRay(kRayCentre, Vec3(0, 1, 0));
    hv.p.x() = 0;
    hv.mid = true;
    hv.row = numRows_;
    hv.u = 0;
    hv.phi = kPi / 2;
    pole_ = addVertex(hv);
    const auto& top = rowUp_[numRows_ - 1];
    for (size_t i = 0; i + 1 < top.size(); ++i)
        addFace(top[i], top[i + 1], pole_, UvIsland::kScalp, Vec2::Zero(), Vec2::Zero(), Vec2::Zero());
}

void Builder::makeNeckCap() {
    // Concentric rings with fewer vertices toward the centre.
    const double y = fig::kNeckBottomY;
    const double zc = HeadShape::neckAxisZ(y);
    std::vector<int> outer = neckBottom_;
    std::vector<double> outerU = rowU_[0];
    const std::array<double, 2> scales{0.68, 0.36};
    const std::array<int, 2> counts{10, 5};  // segments over [0, pi]
    auto capUv = [&](const Vec3& p) { return Vec2(p.x(), p.z() - zc); };
    for (int r = 0; r < 2; ++r) {
        std::vector<int> inner;
        std::vector<double> innerU;
        for (int s = 0; s <= counts[r]; ++s) {
            const double u = kPi * s / counts[r];
            HalfVertex hv;
            // scale the actual bottom ring radially
            const Vec3 d(std::sin(u), 0, std::cos(u));
            const Vec3 hit = neckPoint(u, y);
            const double radius = Vec3(hit.x(), 0, hit.z() - zc).norm();
            hv.p = Vec3(d.x() * radius * scales[r], y, zc + d.z() * radius * scales[r]);
            hv.mid = (s == 0 || s == counts[r]);
            if (hv.mid) hv.p.x() = 0;
            inner.push_back(addVertex(hv));
            innerU.push_back(u);
        }
        // the cap faces down: the inner ring plays the lower row
        const size_t before = faces_.size();
        zip(inner, innerU, outer, outerU, UvIsland::kNeckCap, false);
        for (size_t f = before; f < faces_.size(); ++f)
            for (int c = 0; c < 3; ++c) faces_[f].uv[c] = capUv(verts_[faces_[f].v[c]].p);
        outer = inner;
        outerU = innerU;
    }
    HalfVertex hc;
    hc.p = Vec3(0, y, zc);
    hc.mid = true;
    const int centre = addVertex(hc);
    for (size_t i = 0; i + 1 < outer.size(); ++i)
        addFace(centre, outer[i + 1], outer[i], UvIsland::kNeckCap, capUv(hc.p), capUv(verts_[outer[i + 1]].p),
                capUv(verts_[outer[i]].p));
}

// ---- tubes: eye socket, mouth bag, ear ---------------------------------------

namespace {

/// Faces between ring a and ring b (same length) such that every edge of a
/// is used in the direction a[i+1] -> a[i]; `closed` wraps around.
template <typename UvFn>
void tube(std::vector<HalfFace>& faces, const std::vector<int>& a, const std::vector<int>& b, bool closed,
          UvIsland island, UvFn uvOf) {
    const size_t n = a.size();
    const size_t m = closed ? n : n - 1;
    for (size_t i = 0; i < m; ++i) {
        const size_t k = (i + 1) % n;
        faces.push_back(HalfFace{{a[k], a[i], b[i]}, island, {uvOf(a[k]), uvOf(a[i]), uvOf(b[i])}});
        faces.push_back(HalfFace{{a[k], b[i], b[k]}, island, {uvOf(a[k]), uvOf(b[i]), uvOf(b[k])}});
    }
}

Vec3 slerpDir(const Vec3& a, const Vec3& b, double t) {
    const double c = std::max(-1.0, std::min(1.0, a.dot(b)));
    const double ang = std::acos(c);
    if (ang < 1e-9) return a;
    const double s = std::sin(ang);
    return (std::sin((1 - t) * ang) / s) * a + (std::sin(t * ang) / s) * b;
}

}  // namespace

void Builder::makeEyeSocket() {
    const int n = static_cast<int>(eyeRim_.size());
    // rim loop -> concentric rings in the socket island
    std::map<int, Vec2> uvOf;
    for (int i = 0; i < n; ++i) {
        const double a = 2 * kPi * i / n;
        uvOf[eyeRim_[i]] = Vec2(std::cos(a), std::sin(a));
    }
    const std::array<double, 7> frac{0.0, 0.15, 0.30, 0.45, 0.60, 0.75, 0.89};
    const Vec3 back = Vec3(0.15, 0.0, -1.0).normalized();
    std::vector<int> prev = eyeRim_;
    for (size_t k = 0; k < frac.size(); ++k) {
        std::vector<int> ring;
        const double rad = 1.0 - (k + 1.0) / (frac.size() + 1.0);
        for (int i = 0; i < n; ++i) {
            const Vec3& rp = verts_[eyeRim_[i]].p;
            const Vec3 q0 = (rp - kEyeCentre).cwiseQuotient(kPocketRadii).normalized();
            const Vec3 q = slerpDir(q0, back, frac[k]).normalized();
            HalfVertex hv;
            hv.p = kEyeCentre + q.cwiseProduct(kPocketRadii);
            hv.part = Part::kLeftEyeSocket;
            const int id = addVertex(hv);
            const double a = 2 * kPi * i / n;
            uvOf[id] = rad * Vec2(std::cos(a), std::sin(a));
            ring.push_back(id);
        }
        tube(faces_, prev, ring, true, UvIsland::kLeftEyeSocket, [&](int v) { return uvOf[v]; });
        prev = ring;
    }
    HalfVertex hc;
    hc.p = kEyeCentre + back.cwiseProduct(kPocketRadii);
    hc.part = Part::kLeftEyeSocket;
    const int c = addVertex(hc);
    uvOf[c] = Vec2(0, 0);
    for (int i = 0; i < n; ++i) {
        const int a = prev[i], b = prev[(i + 1) % n];
        addFace(b, a, c, UvIsland::kLeftEyeSocket, uvOf[b], uvOf[a], uvOf[c]);
    }
}

void Builder::makeMouthBag() {
    // Half chain: upper rim from the midline to the corner, lower rim back.
    const int n = static_cast<int>(mouthRim_.size());
    const int half = n / 2;  // index of the corner
    const Vec3 corner = verts_[mouthRim_[half]].p;
    const double xc = corner.x();
    std::map<int, Vec2> uvOf;
    auto angleOf = [&](int i) { return kPi / 2 - kPi * i / (n - 1); };  // +90deg (upper mid) .. -90deg (lower mid)
    for (int i = 0; i < n; ++i) uvOf[mouthRim_[i]] = Vec2(std::cos(angleOf(i)), std::sin(angleOf(i)));
    struct RingSpec { double a, b, back, zAbs, blend; };
    // a: half width (fraction of the corner x), b: half height, back: depth behind the rim,
    // zAbs / blend: absolute depth of the cavity and how much it replaces the rim-following depth
    const std::array<RingSpec, 6> spec{{{0.96, 0.0, 0.0022, 0.0, 0.0},
                                        {0.93, 0.0075, 0.0110, 0.0, 0.0},
                                        {0.90, 0.0110, 0.0, 0.0700, 1.0},
                                        {0.80, 0.0125, 0.0, 0.0590, 1.0},
                                        {0.60, 0.0105, 0.0, 0.0500, 1.0},
                                        {0.34, 0.0065, 0.0, 0.0440, 1.0}}};
    const double yst = fig::kStomionY;
    std::vector<int> prev = mouthRim_;
    for (size_t k = 0; k < spec.size(); ++k) {
        std::vector<int> ring;
        const double rad = 1.0 - (k + 1.0) / (spec.size() + 1.0);
        for (int i = 0; i < n; ++i) {
            const Vec3& rp = verts_[mouthRim_[i]].p;
            const int side = (i < half) ? 1 : (i > half ? -1 : 0);
            const double lam = std::min(1.0, rp.x() / xc);
            const double ps = std::sqrt(std::max(0.0, 1.0 - lam * lam));
            HalfVertex hv;
            const double z = lerp(rp.z() - spec[k].back, spec[k].zAbs, spec[k].blend);
            hv.p = Vec3(spec[k].a * xc * lam, yst + side * spec[k].b * ps, z);
            if (k == 0) {
                // The inner lip surfaces first run back and slightly down
                // together, the upper one below the lower rim: seen from the
                // front, the slit then ends on lip, never on the bag.
                hv.p.y() = rp.y() - (side > 0 ? 0.00125 : side < 0 ? 0.00155 : 0.00140);
            }
            hv.mid = (i == 0 || i == n - 1);
            if (hv.mid) hv.p.x() = 0;
            hv.part = Part::kMouthBag;
            const int id = addVertex(hv);
            uvOf[id] = rad * Vec2(std::cos(angleOf(i)), std::sin(angleOf(i)));
            ring.push_back(id);
        }
        tube(faces_, prev, ring, false, UvIsland::kMouthBag, [&](int v) { return uvOf[v]; });
        prev = ring;
    }
    HalfVertex hc;
    hc.p = Vec3(0, yst - 0.001, 0.040);
    hc.mid = true;
    hc.part = Part::kMouthBag;
    const int c = addVertex(hc);
    uvOf[c] = Vec2(0, 0);
    for (int i = 0; i + 1 < n; ++i) addFace(prev[i + 1], prev[i], c, UvIsland::kMouthBag, uvOf[prev[i + 1]], uvOf[prev[i]], uvOf[c]);
}

void Builder::makeEar() {
    const int m = static_cast<int>(earRoot_.size()) / 2;  // vertices per column
    std::vector<int> front(earRoot_.begin(), earRoot_.begin() + m);
    std::vector<int> back(earRoot_.rbegin(), earRoot_.rbegin() + m);  // bottom to top
    // Ear frame at the tragion (middle of the front column).
    const Vec3 o = 0.5 * (verts_[front[m / 2]].p + verts_[front[(m - 1) / 2]].p);
    const Vec3 up(0, std::cos(fig::kEarTilt), -std::sin(fig::kEarTilt));
    const Vec3 back0(0, -std::sin(fig::kEarTilt), -std::cos(fig::kEarTilt));
    const Vec3 bdir = std::cos(fig::kEarFlare) * back0 + std::sin(fig::kEarFlare) * Vec3::UnitX();
    const Vec3 ndir = -std::sin(fig::kEarFlare) * back0 + std::cos(fig::kEarFlare) * Vec3::UnitX();
    // outline of the ear in (a back, b up) around o
    const double B = 0.5 * fig::kEarHeight;
    const double bc = fig::kEarTopY - B - o.y();
    const double A = 0.0245, ac = fig::kEarWidth - A;
    auto outlinePt = [&](double beta) -> Vec3 {
        const double th = lerp(-103 * kDeg, 118 * kDeg, beta);
        const double lobe = 1.0 - 0.10 * smoothstep(-0.4, -1.0, std::sin(th));  // slightly narrower lobule
        const double a = ac + A * std::cos(th) * lobe;
        const double b = bc + B * std::sin(th);
        return o + a * bdir + b * up;
    };
    const std::array<double, 9> kap{0.07, 0.16, 0.30, 0.45, 0.59, 0.72, 0.84, 0.93, 0.985};
    auto offsets = [&](double k, double beta, double& lat, double& med) {
        // helix rim rolled outward, scapha groove inside it, antihelix ridge,
        // concha bowl behind the root (clamped onto the head below), a
        // tragus knob at its front, a fleshy lobule
        const double rim = smoothstep(0.68, 0.90, k) * (1.0 - 0.45 * smoothstep(0.95, 1.0, k));
        const double scapha = gauss1(k - 0.76, 0.06) * smoothstep(0.30, 0.60, beta);
        const double anti = gauss1(k - 0.55, 0.09) * (0.3 + 0.7 * smoothstep(0.20, 0.55, beta));
        const double concha = gauss1(k - 0.26, 0.13) * gauss1(beta - 0.45, 0.17);
        const double tragus = gauss1(k - 0.06, 0.045) * gauss1(beta - 0.42, 0.09);
        const double lobule = 1.0 - smoothstep(0.05, 0.30, beta);
        lat = 0.0016 + 0.0038 * rim - 0.0012 * scapha + 0.0032 * anti - 0.0090 * concha + 0.0045 * tragus +
              0.0022 * lobule;
        med = 0.0012 + 0.0010 * rim + 0.0018 * lobule;
    };
    // keep every ring off the head surface
    auto pushOut = [&](Vec3 p, double minD) -> Vec3 {
        for (int it = 0; it < 30; ++it) {
            const double d = shape().sdf(p);
            if (d >= minD) break;
            p += ndir * (minD - d + 2e-5);
        }
        return p;
    };
    // UV: nested rectangles, lateral side left, medial right, the helix in the middle.
    std::map<int, Vec2> uvOf;
    const double W = 0.55, mH = 0.18;
    auto earUv = [&](double k, double beta, int side) {
        const double shrink = 1.0 - k;
        const double u = side * (W * shrink + 0.03);
        const double v = lerp(-mH * shrink, 1.0 + mH * shrink, beta);
        return Vec2(u, v);
    };
    for (int j = 0; j < m; ++j) {
        const double beta = static_cast<double>(j) / (m - 1);
        verts_[front[j]].uvOther = earUv(0, beta, -1);
        verts_[back[j]].uvOther = earUv(0, beta, 1);
        uvOf[front[j]] = earUv(0, beta, -1);
        uvOf[back[j]] = earUv(0, beta, 1);
    }
    std::vector<int> prev = earRoot_;
    std::vector<int> lastF, lastB;
    for (size_t r = 0; r < kap.size(); ++r) {
        const double k = kap[r];
        std::vector<int> fr(m), bk(m);
        for (int j = 0; j < m; ++j) {
            const double beta = static_cast<double>(j) / (m - 1);
            const Vec3 out = outlinePt(beta);
            double lat, med;
            offsets(k, beta, lat, med);
            const double g = smoothstep(0.0, 0.45, k);
            const double kk = std::pow(k, 0.9);
            HalfVertex hf, hb;
            const double gl = smoothstep(0.0, 0.10, k);
            hf.p = verts_[front[j]].p + kk * (out - verts_[front[j]].p) + ndir * (lat * gl);
            hb.p = verts_[back[j]].p + kk * (out - verts_[back[j]].p) - ndir * (med * g) + ndir * 0.0015 * k;
            hf.p = pushOut(hf.p, 0.0012 + 0.004 * k);
            hb.p = pushOut(hb.p, 0.0008 + 0.002 * k);
            fr[j] = addVertex(hf);
            bk[j] = addVertex(hb);
            uvOf[fr[j]] = earUv(k, beta, -1);
            uvOf[bk[j]] = earUv(k, beta, 1);
        }
        std::vector<int> ring = fr;
        ring.insert(ring.end(), bk.rbegin(), bk.rend());
        tube(faces_, prev, ring, true, UvIsland::kLeftEar, [&](int v) { return uvOf[v]; });
        prev = ring;
        lastF = fr;
        lastB = bk;
    }
    for (int j = 0; j + 1 < m; ++j) {
        const int f0 = lastF[j], f1 = lastF[j + 1], b0 = lastB[j], b1 = lastB[j + 1];
        addFace(f1, f0, b0, UvIsland::kLeftEar, uvOf[f1], uvOf[f0], uvOf[b0]);
        addFace(f1, b0, b1, UvIsland::kLeftEar, uvOf[f1], uvOf[b0], uvOf[b1]);
    }
}

void Builder::makeEyeball() {
    const std::vector<double> thetaDeg{5, 9.594, 15, 22, 30, 38, 48, 60, 74, 90, 107, 125, 143, 162};
    const int na = 20;
    const double r = fig::kEyeballRadius;
    auto uvOf = [](double th, double al) -> Vec2 { return (th / kPi) * Vec2(std::cos(al), std::sin(al)); };
    HalfVertex hf;
    hf.p = kEyeCentre + Vec3(0, 0, r);
    hf.part = Part::kLeftEyeball;
    hf.eyeTheta = 0;
    const int front = addVertex(hf);
    std::vector<std::vector<int>> rings;
    for (double td : thetaDeg) {
        const double th = td * kDeg;
        std::vector<int> ring;
        for (int a = 0; a < na; ++a) {
            const double al = 2 * kPi * a / na;
            HalfVertex hv;
            hv.p = kEyeCentre + r * Vec3(std::sin(th) * std::cos(al), std::sin(th) * std::sin(al), std::cos(th));
            hv.part = Part::kLeftEyeball;
            hv.eyeTheta = th;
            ring.push_back(addVertex(hv));
        }
        rings.push_back(ring);
    }
    HalfVertex hb;
    hb.p = kEyeCentre + Vec3(0, 0, -r);
    hb.part = Part::kLeftEyeball;
    hb.eyeTheta = kPi;
    const int backPole = addVertex(hb);
    const UvIsland isl = UvIsland::kLeftEyeball;
    auto alpha = [na](int a) { return 2 * kPi * a / na; };
    for (int a = 0; a < na; ++a) {
        const int b = (a + 1) % na;
        const double t0 = thetaDeg[0] * kDeg;
        addFace(front, rings[0][a], rings[0][b], isl, Vec2(0, 0), uvOf(t0, alpha(a)), uvOf(t0, alpha(a + 1)));
    }
    for (size_t i = 0; i + 1 < rings.size(); ++i) {
        const double t0 = thetaDeg[i] * kDeg, t1 = thetaDeg[i + 1] * kDeg;
        for (int a = 0; a < na; ++a) {
            const int b = (a + 1) % na;
            addFace(rings[i][a], rings[i + 1][a], rings[i + 1][b], isl, uvOf(t0, alpha(a)), uvOf(t1, alpha(a)),
                    uvOf(t1, alpha(a + 1)));
            addFace(rings[i][a], rings[i + 1][b], rings[i][b], isl, uvOf(t0, alpha(a)), uvOf(t1, alpha(a + 1)),
                    uvOf(t0, alpha(a + 1)));
        }
    }
    const double tl = thetaDeg.back() * kDeg;
    for (int a = 0; a < na; ++a) {
        const int b = (a + 1) % na;
        addFace(backPole, rings.back()[b], rings.back()[a], isl, uvOf(kPi, alpha(a) + kPi / na), uvOf(tl, alpha(a + 1)),
                uvOf(tl, alpha(a)));
    }
}

}  // namespace synthforge::head::default_head::neutral_build
