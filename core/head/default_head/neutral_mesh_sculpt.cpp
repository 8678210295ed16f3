// The sculpted signed field of the default head's skin (skull, face relief,
// neck, eyelid shells) and the rays that find its outermost surface.

#include "core/head/default_head/neutral_mesh_builder.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace synthforge::head::default_head::neutral_build {

HeadShape::HeadShape()
    // z of the face, lateral baseline (before the muzzle, nose, lips, chin)
    : zBase_({{-0.095, 0.050}, {-0.086, 0.066}, {-0.078, 0.078}, {-0.066, 0.0835}, {-0.050, 0.0855},
              {-0.034, 0.0865}, {-0.015, 0.0878}, {0.000, 0.0888}, {0.015, 0.0895}, {0.030, 0.0905},
              {0.037, 0.0920}, {0.050, 0.0978}, {0.070, 0.0968}, {0.085, 0.0928}, {0.100, 0.0850},
              {0.115, 0.0740}, {0.130, 0.0560}}),
      // horizontal radius of curvature of the face
      curvR_({{-0.090, 0.036}, {-0.070, 0.044}, {-0.050, 0.054}, {-0.030, 0.062}, {0.000, 0.066},
              {0.030, 0.068}, {0.060, 0.072}, {0.090, 0.072}, {0.120, 0.062}}),
      // muzzle (dental arch) protrusion
      muzzle_({{-0.090, 0.000}, {-0.075, 0.002}, {-0.060, 0.0045}, {-0.045, 0.0060}, {-0.020, 0.0060},
               {-0.008, 0.0030}, {0.004, 0.0}}),
      // nose dorsum height above the baseline, along the midline
      noseH_({{-0.0168, 0.0}, {-0.0150, 0.0035}, {-0.0132, 0.0100}, {-0.0112, 0.0180}, {-0.0088, 0.0237},
              {-0.0060, 0.0262}, {-0.0030, 0.0263}, {0.0000, 0.0248}, {0.0100, 0.0180}, {0.0200, 0.0120},
              {0.0300, 0.0072}, {0.0380, 0.0020}, {0.0430, 0.0}}),
      noseW_({{-0.016, 0.0055}, {-0.010, 0.0068}, {-0.005, 0.0070}, {0.000, 0.0062}, {0.015, 0.0048},
              {0.030, 0.0040}, {0.045, 0.0045}}),
      // half width of the face-outline prism
      outlineW_({{-0.070, 0.042}, {-0.050, 0.0545}, {-0.030, 0.0615}, {-0.010, 0.0655}, {0.010, 0.0680},
                 {0.030, 0.0670}, {0.050, 0.0640}, {0.080, 0.0600}, {0.110, 0.0560}}) {}

double HeadShape::faceFront(double x, double y) const {
    const double R = curvR_(y);
    double z = zBase_(y);
    z -= (x < R) ? (R - std::sqrt(R * R - x * x)) : (R + (x - R) * 4.0);
    z += muzzle_(y) * gauss1(x, 0.024);
    // forehead: flatten the frontal bossing
    z += 0.0025 * gauss2(x - 0.025, 0.018, y - 0.080, 0.015);
    // brow ridge
    z += 0.0032 * gauss2(x - 0.027, 0.019, y - 0.047, 0.0065);
    // orbit (eye socket) depression
    z -= 0.0050 * gauss2(x - fig::kEyeX, 0.0165, y - 0.031, 0.0125);
    // temple hollow
    z -= 0.0030 * gauss2(x - 0.058, 0.010, y - 0.045, 0.015);
    // cheekbone
    z += 0.0045 * gauss2(x - 0.047, 0.016, y - 0.006, 0.013);
    // cheek mass lateral to the nasolabial fold
    z += 0.0030 * gauss2(x - 0.034, 0.011, y + 0.014, 0.012);
    // nasolabial fold: a soft groove from the ala to beside the mouth corner
    {
        const Vec2 a(0.0195, -0.0085), b(0.031, -0.042);
        const Vec2 p(x, y);
        const Vec2 ab = b - a;
        const double t = clamp01((p - a).dot(ab) / ab.squaredNorm());
        const double d = (p - (a + t * ab)).norm();
        z -= 0.0011 * gauss1(d, 0.0028) * std::sin(kPi * (0.15 + 0.85 * t));
    }
    z += nose(x, y);
    z += lips(x, y);
    // chin and mentolabial sulcus
    z += 0.0055 * gauss2(x, 0.015, y + 0.066, 0.0095);
    z -= 0.0016 * gauss2(x, 0.020, y + 0.052, 0.0045);
    return z;
}

double HeadShape::nose(double x, double y) const {
    const double h = noseH_(y);
    const double a = noseW_(y);              // roundness of the ridge
    const double k = 2.3 + 0.6 * smoothstep(-0.004, 0.02, y);  // slope of the side walls
    const double raw = h - k * a * (std::sqrt(1.0 + (x / a) * (x / a)) - 1.0);
    const double blend = 0.004 * std::min(1.0, h / 0.006);
    double n = blend > 1e-6 ? smax(raw, 0.0, blend) : std::max(raw, 0.0);
    // tip lobule: slightly wider and rounder
    n += 0.0020 * gauss2(x, 0.0080, y + 0.0050, 0.0050);
    // alae: domes with a crease where they meet the cheek
    const double ax = (x - 0.0115) / 0.0062, ay = (y - fig::kAlarY) / 0.0056;
    const double r2 = ax * ax + ay * ay;
    if (r2 < 1.0) n = std::max(n, 0.0085 * std::pow(1.0 - r2, 0.6) + 0.35 * n);
    return n;
}

double HeadShape::lips(double x, double y) const {
    const double yst = stomionY(x);
    const double t = std::min(1.0, x / 0.027);
    const double upper = 1.0 - smoothstep(0.0, 1.05, t);
    const double lower = 1.0 - smoothstep(-0.1, 1.0, t);
    const double crease = 1.0 - smoothstep(0.78, 0.98, x / 0.027);
    const double shrink = 1.0 - 0.55 * t * t;  // the vermilion narrows toward the corners
    double z = 0.0;
    // vermilion of the upper lip, its border (white roll) with a Cupid's bow
    const double bow = 0.0006 * gauss1(x - 0.0055, 0.004) - 0.0004 * gauss1(x, 0.0025);
    z += 0.0044 * upper * gauss1(y - (yst + 0.0044 * shrink + bow), 0.0034 * shrink);
    z += 0.0008 * upper * gauss1(y - (yst + 0.0083 * shrink + 1.5 * bow), 0.0011);
    z += 0.0046 * lower * gauss1(y - (yst - 0.0058 * shrink), 0.0045 * shrink);
    z -= 0.0015 * crease * gauss1(y - yst, 0.0017);
    // philtrum groove and columns
    const double band = smoothstep(-0.0165, -0.0190, y) * smoothstep(yst + 0.0070, yst + 0.0095, y);
    z += band * (0.0006 * gauss1(x - 0.0052, 0.0022) - 0.0004 * gauss1(x, 0.0025));
    return z;
}

double HeadShape::stomionY(double x) {
    const double s = std::min(1.0, x / fig::kMouthHalfWidth);
    return fig::kStomionY - 0.0007 * gauss1(x, 0.0065) + 0.0010 * s * s;
}

double HeadShape::outline(double x, double y) const {
    const double side = x - outlineW_(y);
    const double gx = std::min(x / 0.054, 1.25);
    const double bottom = (-0.0815 + 0.032 * gx * gx) - y;
    double d = smax(side, bottom, 0.010);
    d = smax(d, y - 0.125, 0.02);
    return d;
}

double HeadShape::sdf(const Vec3& pIn) const {
    const Vec3 p(std::abs(pIn.x()), pIn.y(), pIn.z());
    // cranium: egg-shaped ellipsoid, narrower at the forehead
    Vec3 q = p;
    q.x() /= 1.0 - 0.085 * smoothstep(-0.03, 0.09, p.z());
    // below the brows the face takes over: the skull recedes
    if (q.z() > 0) q.z() *= 1.0 + 0.10 * smoothstep(0.100, 0.060, p.y());
    const double cranium = ellipsoid(q, Vec3(0, 0.055, 0.003), Vec3(0.0760, 0.090, 0.095));
    // neck: elliptic cylinder, leaning slightly forward at the bottom
    const double nz = neckAxisZ(p.y());
    const double ex = p.x() / fig::kNeckRx, ez = (p.z() - nz) / fig::kNeckRz;
    double neck = (std::sqrt(ex * ex + ez * ez) - 1.0) * 0.054;
    neck = smax(neck, p.y() - 0.01, 0.02);
    // face prism with the relief in front
    double face = 1.0;
    const double ol = outline(p.x(), p.y());
    if (ol < 0.03 && p.z() > -0.05) {
        face = smax(p.z() - faceFront(p.x(), p.y()), ol, 0.006);
        face = smax(face, -0.008 - p.z(), 0.030);
    }
    // the face relief hands the forehead over to the skull by morphing
    // the fields (no crease where the two surfaces meet)
    double d = smin(cranium, face, 0.010);
    d = lerp(d, cranium, smoothstep(0.062, 0.108, p.y()));
    d = smin(d, neck, 0.012);
    // eyelid shell over the eyeball
    const double lid = ellipsoid(p, kLidCentre, kLidRadii);
    d = smin(d, lid, 0.0025);
    return d;
}

double HeadShape::neckAxisZ(double y) { return -0.012 - 0.10 * (y + 0.06); }

const HeadShape& shape() {
    static const HeadShape s;
    return s;
}

/// Outermost crossing of the surface along origin + t * dir, t in (0, tFar].
Vec3 castRay(const Vec3& origin, const Vec3& dir, double tFar) {
    const HeadShape& s = shape();
    const double step = 0.0025;  // thinner than any sculpted feature
    double tOut = tFar;
    double fOut = s.sdf(origin + tOut * dir);
    if (fOut <= 0) throw std::logic_error("default head: ray starts inside the surface");
    for (;;) {
        const double tIn = tOut - step;
        if (tIn <= 0) throw std::logic_error("default head: ray missed the surface");
        const double fIn = s.sdf(origin + tIn * dir);
        if (fIn <= 0) {
            double a = tIn, b = tOut;  // a inside, b outside
            for (int it = 0; it < 32; ++it) {
                const double m = 0.5 * (a + b);
                if (s.sdf(origin + m * dir) <= 0) a = m; else b = m;
            }
            return origin + 0.5 * (a + b) * dir;
        }
        tOut = tIn;
    }
}

/// Surface point seen straight from the front at (x, y).
Vec3 frontPoint(double x, double y) { return castRay(Vec3(x, y, -0.02), Vec3(0, 0, 1), 0.16); }

}  // namespace synthforge::head::default_head::neutral_build
