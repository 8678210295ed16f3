// The neutral mesh of the default head: sculpted by code, no scan, no licence.
//
// ---------------------------------------------------------------------------
// Figures used: adult, sex-averaged anthropometric means (Farkas-style
// landmarks), rounded. Frame: FLAME's, metres, y up, face toward +z, the
// subject's left at +x, origin near the neck. "design" is what the code aims
// at, "built" what the anchors of the finished mesh measure (tests check the
// main ones to +-10 %).
//
//   measure                     landmarks        design   built   where
//   head breadth                eu-eu            0.152    0.150   eurion y = 0.055
//   head length                 g-op             0.190    0.190   glabella z = +0.098, opisthocranion z = -0.092
//   head height                 v-me             0.225    0.226   vertex y = 0.145, menton y = -0.081
//   face height                 n-me             0.120    0.122   nasion y = 0.038, z = 0.094
//   interpupillary distance     pu-pu            0.063    0.063   eye centres (+-0.0315, 0.030, 0.0755)
//   eyeball radius                               0.012            cornea apex z = 0.0875
//   iris / pupil radius                          0.006 / 0.002
//   palpebral fissure width     en-ex            0.029    0.0295  en x = +-0.0165, ex x = +-0.045,
//                                                                 ex 2.4 mm above en (canthal tilt)
//   palpebral fissure height                     0.0097   0.0096  upper lid 5.0 mm above, lower 4.7 mm below the pupil
//   intercanthal / biocular     en-en / ex-ex    0.033 / 0.090
//   nose length                 n-prn            0.050    0.049   pronasale y = -0.004, z = 0.119
//   nose height                 n-sn             0.054    0.055   subnasale y = -0.017
//   nose width                  al-al            0.035    0.035   alare y = -0.0085
//   mouth width                 ch-ch            0.050    0.050   stomion y = -0.034, lips 0.3 mm apart at rest
//   upper lip height            sn-sto           0.020    0.018
//   bizygomatic / bigonial      zy-zy / go-go    0.136 / 0.104    face outline half widths 0.068 / 0.052
//   ear height                                   0.062    0.0615  top y = 0.048 (brow level), bottom y = -0.014
//   ear width                                    0.031            flap flared 20 deg off the head, long axis
//                                                                 tilted 15 deg back
//   tragion                                                       (+-0.068, 0.0125, 0.004), behind the jaw hinge
//   jaw hinge (condyle)                                           tragion + (-0.015 medial, -0.003, +0.012 anterior)
//   neck                                         ~0.35 circumference (semi-axes 0.052 x 0.057), stump bottom y = -0.135
// ---------------------------------------------------------------------------
//
// Construction. The skin is a height-of-ray surface: every grid vertex is the
// outermost crossing of a ray with a sculpted signed field (skull ellipsoid,
// face relief as a height field over a face-outline prism, neck cylinder and
// eyelid shells, blended by smooth minimum; the forehead morphs from the face
// field into the skull). Rays start from one centre for the head and from the
// neck axis for the neck, so the grid cannot fold. The grid is a stack of
// rings (bottom of the neck to the crown) whose vertex counts follow a target
// edge length (about 2.3 mm at the lips, 3.3 mm at the eyes and nose, 4.5 mm on
// the rest of the face, up to 12 mm behind, never much longer than the gap to
// the next ring), joined by strips triangulated along the shorter diagonal.
// One ring runs through each eye and one through the lips; its vertices
// between the corners are doubled and the two copies pulled apart (almond eye
// openings) or left 0.3 mm apart (closed lips), with the neighbouring rings
// following. The rims then turn inward into closed pockets (eye sockets
// around the eyeballs, the mouth bag). Ears are tubes extruded from a strip of
// the side of the head and closed along the helix. A disc caps the neck. Only
// the subject's left half (x >= 0) is built; the right half is its mirror.
//
// UV atlas (uv/uvFaces, seams split uv only): the face island (sinusoidal
// projection of the ray directions, ~55 % of the used area) on top, the
// scalp (azimuthal projection around the crown), the neck (unrolled
// cylinder, seam at the back), nested-rectangle ears, eyeballs as discs
// with the iris in the centre, and discs for the mouth bag, the sockets and
// the neck cap.

#include "core/head/default_head/neutral_mesh.h"
#include "core/head/default_head/monotone_curve.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <set>
#include <stdexcept>
#include <tuple>
#include <utility>
#include <vector>

#include <Eigen/Geometry>

namespace synthforge::head::default_head {

namespace {

using Vec3 = Eigen::Vector3d;
using Vec2 = Eigen::Vector2d;

constexpr double kPi = 3.14159265358979323846;
constexpr double kDeg = kPi / 180.0;

// ----------------------------------------------------------------- figures
namespace fig {
constexpr double kEyeX = 0.0315, kEyeY = 0.030, kEyeZ = 0.0755;
constexpr double kEyeballRadius = 0.012;
constexpr double kIrisRadius = 0.006;
constexpr double kPupilRadius = 0.002;
constexpr double kInnerCanthusX = 0.0165, kOuterCanthusX = 0.0450;
constexpr double kUpperLidHeight = 0.0050, kLowerLidHeight = 0.0047;
constexpr double kCanthalTilt = 0.0012;  // half of the outer-minus-inner corner height
constexpr double kStomionY = -0.034;
constexpr double kMouthHalfWidth = 0.025;
constexpr double kLipGap = 0.0003;       // rest gap between the inner lip contours
constexpr double kAlarHalfWidth = 0.0175;
constexpr double kAlarY = -0.0085;
constexpr double kNeckBottomY = -0.135;
constexpr double kNeckRx = 0.052, kNeckRz = 0.057;
constexpr double kEarHeight = 0.062;
constexpr double kEarTopY = 0.048;
constexpr double kEarWidth = 0.031;
constexpr double kEarFlare = 20 * kDeg;
constexpr double kEarTilt = 15 * kDeg;
}  // namespace fig

/// Centre of the head rays.
const Vec3 kRayCentre(0.0, 0.020, 0.0);
const Vec3 kEyeCentre(fig::kEyeX, fig::kEyeY, fig::kEyeZ);
/// Eye socket (pocket) ellipsoid radii around the eye centre, and the eyelid
/// shell (skin over the eyeball) ellipsoid.
const Vec3 kPocketRadii(0.0134, 0.0131, 0.0131);
const Vec3 kLidCentre(fig::kEyeX, fig::kEyeY, fig::kEyeZ - 0.0020);
const Vec3 kLidRadii(0.0150, 0.0140, 0.0157);

// ----------------------------------------------------------------- helpers
double clamp01(double t) { return std::min(1.0, std::max(0.0, t)); }
double smoothstep(double e0, double e1, double x) {
    const double t = clamp01((x - e0) / (e1 - e0));
    return t * t * (3.0 - 2.0 * t);
}
double lerp(double a, double b, double t) { return a + (b - a) * t; }
double smin(double a, double b, double k) {
    const double h = std::max(k - std::abs(a - b), 0.0) / k;
    return std::min(a, b) - h * h * k * 0.25;
}
double smax(double a, double b, double k) { return -smin(-a, -b, k); }
double gauss2(double dx, double sx, double dy, double sy) {
    const double a = dx / sx, b = dy / sy;
    return std::exp(-(a * a + b * b));
}
double gauss1(double d, double s) { return std::exp(-(d / s) * (d / s)); }
/// Approximate signed distance to an axis-aligned ellipsoid (exact sign).
double ellipsoid(const Vec3& p, const Vec3& c, const Vec3& r) {
    const Vec3 d = p - c;
    const double k0 = d.cwiseQuotient(r).norm();
    const double k1 = d.cwiseQuotient(r.cwiseProduct(r)).norm();
    if (k1 < 1e-12) return -r.minCoeff();
    return k0 * (k0 - 1.0) / k1;
}


// ----------------------------------------------------------------- the sculpted field
class HeadShape {
public:
    HeadShape()
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

    /// z of the face relief at (x, y); x >= 0.
    double faceFront(double x, double y) const {
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

    /// Nose relief above the surrounding face.
    double nose(double x, double y) const {
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

    double lips(double x, double y) const {
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

    static double stomionY(double x) {
        const double s = std::min(1.0, x / fig::kMouthHalfWidth);
        return fig::kStomionY - 0.0007 * gauss1(x, 0.0065) + 0.0010 * s * s;
    }

    /// Signed 2D outline of the face prism in the x-y plane (negative inside).
    double outline(double x, double y) const {
        const double side = x - outlineW_(y);
        const double gx = std::min(x / 0.054, 1.25);
        const double bottom = (-0.0815 + 0.032 * gx * gx) - y;
        double d = smax(side, bottom, 0.010);
        d = smax(d, y - 0.125, 0.02);
        return d;
    }

    double sdf(const Vec3& pIn) const {
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

    static double neckAxisZ(double y) { return -0.012 - 0.10 * (y + 0.06); }

private:
    MonotoneCurve zBase_, curvR_, muzzle_, noseH_, noseW_, outlineW_;
};

const HeadShape& shape() {
    static const HeadShape s;
    return s;
}

/// Outermost crossing of the surface along origin + t * dir, t in (0, tFar].
Vec3 castRay(const Vec3& origin, const Vec3& dir, double tFar = 0.17) {
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

// ----------------------------------------------------------------- ray parameterisation
// Row j of the grid: neck rows (j < kNeckRows) are horizontal rays from the
// neck axis; head rows are rays from kRayCentre at elevation phi.
constexpr int kNeckRows = 8;

Vec3 dirOf(double u, double phi) {
    return Vec3(std::cos(phi) * std::sin(u), std::sin(phi), std::cos(phi) * std::cos(u));
}

double neckTopY(double u) { return -0.0715 - 0.018 * std::cos(u) - 0.0065 * std::cos(2 * u); }

Vec3 neckPoint(double u, double y) {
    const Vec3 o(0, y, HeadShape::neckAxisZ(y));
    return castRay(o, Vec3(std::sin(u), 0, std::cos(u)), 0.12);
}

/// Elevation (from the ray centre) of the top neck ring at u: the head rows
/// start there. Tabulated for speed.
class NeckJoin {
public:
    NeckJoin() {
        phi_.resize(kN + 1);
        for (int i = 0; i <= kN; ++i) {
            const double u = kPi * i / kN;
            const Vec3 q = neckPoint(u, neckTopY(u)) - kRayCentre;
            phi_[i] = std::atan2(q.y(), std::hypot(q.x(), q.z()));
        }
    }
    double operator()(double u) const {
        const double a = std::min(std::abs(u), kPi) / kPi * kN;
        const int i = std::min(static_cast<int>(a), kN - 1);
        return lerp(phi_[i], phi_[i + 1], a - i);
    }

private:
    static constexpr int kN = 256;
    std::vector<double> phi_;
};

const NeckJoin& neckJoin() {
    static const NeckJoin n;
    return n;
}

/// Target edge length at a surface point.
double targetEdge(const Vec3& p) {
    const double x = std::abs(p.x());
    const double front = smoothstep(0.0, 0.045, p.z());
    const double vert = smoothstep(-0.098, -0.080, p.y()) * (1.0 - smoothstep(0.070, 0.100, p.y()));
    const double side = 1.0 - smoothstep(0.050, 0.068, x);
    const double wf = front * vert * side;
    double h = lerp(0.0118, 0.0045, wf);
    const double eye = gauss2(x - fig::kEyeX, 0.017, p.y() - fig::kEyeY, 0.012);
    const double nose = gauss2(x, 0.013, p.y() - 0.002, 0.022);
    const double mouth = gauss2(x, 0.026, p.y() - fig::kStomionY, 0.009);
    const double core = std::max(eye, nose) * smoothstep(0.05, 0.07, p.z());
    h = lerp(h, 0.0033, core);
    // the lips need the finest rows: their vermilion is only ~8 mm tall
    h = lerp(h, 0.0023, mouth * smoothstep(0.05, 0.07, p.z()));
    return h;
}

// ----------------------------------------------------------------- mesh building (left half)
struct HalfVertex {
    Vec3 p;
    bool mid = false;  // on the x = 0 plane (its own mirror)
    Part part = Part::kSkin;
    Vec2 uvFace{0, 0};   // raw coordinates in the island the vertex's faces use
    Vec2 uvOther{0, 0};  // second set (grid vertices: neck island; ear roots: ear island)
    double eyeTheta = 0;  // eyeball: angle from the gaze axis
    int row = -1;          // grid row (-1: not a grid vertex)
    double u = 0, phi = 0; // grid parameters
};

struct HalfFace {
    std::array<int, 3> v;
    UvIsland island;
    std::array<Vec2, 3> uv;  // raw island coordinates per corner
};

struct Slit {
    int row = -1;
    double u0 = 0, u1 = 0;  // corners (u0 = -u1 for the mouth)
    double margin = 0;      // fade of the alignment beyond the corners
    int reach = 3;          // rows on each side that follow the opening
    bool mouth = false;
};

class Builder {
public:
    NeutralHead build();

private:
    // ---- grid
    void planRows();
    void planColumns();
    double rowPhi(int j, double u) const;                     // unwarped elevation of head row j
    double warpedPhi(int j, double u, int side) const;         // side +1 upper copy, -1 lower copy, 0 none
    Vec3 gridPoint(int j, double u, int side, double* phiOut) const;
    Vec3 rawPoint(int j, double u) const;  // without the slit warps
    double slitTargetY(const Slit& s, double u, int side) const;
    double solvePhiForY(int j, double u, double y) const;
    void makeGridVertices();
    void makeGridFaces();
    void zip(const std::vector<int>& lower, const std::vector<double>& uLower, const std::vector<int>& upper,
             const std::vector<double>& uUpper, UvIsland island, bool skipEar);
    // ---- parts
    void makeEyeSocket();
    void makeMouthBag();
    void makeEar();
    void makeNeckCap();
    void makePole();
    void makeEyeball();
    // ---- finishing
    UvIsland gridIsland(const std::array<int, 3>& f) const;
    Vec2 gridUv(int v, UvIsland island) const;
    NeutralHead assemble();
    void annotate(NeutralHead& out) const;

    int addVertex(const HalfVertex& hv) {
        verts_.push_back(hv);
        return static_cast<int>(verts_.size()) - 1;
    }
    void addFace(int a, int b, int c, UvIsland island, const Vec2& ta, const Vec2& tb, const Vec2& tc) {
        faces_.push_back(HalfFace{{a, b, c}, island, {ta, tb, tc}});
    }

    std::vector<HalfVertex> verts_;
    std::vector<HalfFace> faces_;

    int numHeadRows_ = 0;
    int numRows_ = 0;
    std::vector<double> sFront_, sBack_;  // head-row fractions at the front / back meridians
    std::vector<std::vector<double>> rowU_;     // per row, u in [0, pi]
    std::vector<std::vector<int>> rowUp_, rowDown_;  // vertex ids seen from above / below
    Slit eye_, mouth_;
    int earRow0_ = -1, earRow1_ = -1;
    double earU0_ = 0, earU1_ = 0;
    int pole_ = -1;
    std::vector<int> neckBottom_;

    // rims for the pockets
    std::vector<int> eyeRim_;    // closed loop: corner a, upper..., corner b, lower...
    std::vector<int> mouthRim_;  // half chain: upper (u=0..), corner, lower (..u=0)
    std::vector<int> earRoot_;   // loop: front column up, back column down
};

// ---- rows -----------------------------------------------------------------

double frontWeight(double u) {
    const double a = std::abs(u);
    return 1.0 - smoothstep(55 * kDeg, 130 * kDeg, a);
}

double Builder::rowPhi(int j, double u) const {
    const int k = j - (kNeckRows - 1);  // 0 = the neck-top ring
    const double s = lerp(sBack_[k], sFront_[k], frontWeight(u));
    const double p0 = neckJoin()(u);
    return lerp(p0, kPi / 2, s);
}

void Builder::planRows() {
    // Distribute head rows along the front and back meridians by target edge
    // length, with the same count on both.
    auto profile = [](double u, std::vector<double>& s, std::vector<double>& cost, double spacingScale) {
        const int n = 600;
        const double p0 = neckJoin()(u);
        s.resize(n + 1);
        cost.assign(n + 1, 0.0);
        Vec3 prev = Vec3::Zero();
        for (int i = 0; i <= n; ++i) {
            s[i] = static_cast<double>(i) / n;
            const double phi = lerp(p0, kPi / 2, s[i]);
            const Vec3 p = (i == 0) ? neckPoint(u, neckTopY(u)) : castRay(kRayCentre, dirOf(u, phi));
            if (i > 0) {
                const double h = spacingScale > 0 ? spacingScale : targetEdge(0.5 * (p + prev));
                cost[i] = cost[i - 1] + (p - prev).norm() / h;
            }
            prev = p;
        }
    };
    std::vector<double> sf, cf, sb, cb;
    profile(15 * kDeg, sf, cf, -1);
    const int count = std::max(8, static_cast<int>(std::lround(cf.back())));
    numHeadRows_ = count;  // rows 1..count-1 plus the pole at s = 1
    profile(kPi, sb, cb, 1.0);
    auto place = [count](const std::vector<double>& s, const std::vector<double>& c) {
        std::vector<double> out(count);
        const double total = c.back();
        size_t i = 0;
        for (int k = 0; k < count; ++k) {
            const double target = total * k / count;
            while (i + 1 < c.size() && c[i + 1] < target) ++i;
            const double span = c[i + 1] - c[i];
            const double f = span > 0 ? (target - c[i]) / span : 0;
            out[k] = lerp(s[i], s[i + 1], f);
        }
        return out;
    };
    sFront_ = place(sf, cf);
    sBack_ = place(sb, cb);
    numRows_ = kNeckRows - 1 + count;  // neck rows 0..kNeckRows-1 (last = head k=0), head rows up to count-1

    // The slit rows: the head row nearest the eye line / the lips.
    auto nearestRow = [this](double u, double yTarget) {
        int best = -1;
        double bestD = 1e9;
        for (int j = kNeckRows; j < numRows_; ++j) {
            const Vec3 p = castRay(kRayCentre, dirOf(u, rowPhi(j, u)));
            const double d = std::abs(p.y() - yTarget);
            if (d < bestD) { bestD = d; best = j; }
        }
        return best;
    };
    const double uEye = std::atan2(fig::kEyeX, fig::kEyeZ + 0.013 - kRayCentre.z());
    eye_.row = nearestRow(uEye, fig::kEyeY);
    mouth_.row = nearestRow(0.0, fig::kStomionY);
    mouth_.mouth = true;
    eye_.reach = 3;
    mouth_.reach = 3;

    // Slit corners: u where the slit row passes the corner x.
    auto uAtX = [this](int j, double xTarget, double uLo, double uHi) {
        for (int it = 0; it < 50; ++it) {
            const double m = 0.5 * (uLo + uHi);
            const Vec3 p = castRay(kRayCentre, dirOf(m, rowPhi(j, m)));
            if (p.x() < xTarget) uLo = m; else uHi = m;
        }
        return 0.5 * (uLo + uHi);
    };
    eye_.u0 = uAtX(eye_.row, fig::kInnerCanthusX, 0.0, 0.6);
    eye_.u1 = uAtX(eye_.row, fig::kOuterCanthusX, 0.0, 0.9);
    eye_.margin = 0.12;
    mouth_.u1 = uAtX(mouth_.row, fig::kMouthHalfWidth, 0.0, 0.7);
    mouth_.u0 = -mouth_.u1;
    mouth_.margin = 0.16;

    // Ear root: rows whose side point lies between the root's bottom and top.
    earU0_ = 87.0 * kDeg;
    earU1_ = 96.5 * kDeg;
    const double rootBottom = -0.006, rootTop = 0.038;
    for (int j = kNeckRows; j < numRows_; ++j) {
        const Vec3 p = castRay(kRayCentre, dirOf(earU0_, rowPhi(j, earU0_)));
        if (p.y() >= rootBottom && p.y() <= rootTop) {
            if (earRow0_ < 0) earRow0_ = j;
            earRow1_ = j;
        }
    }
    if (earRow0_ < 0 || earRow1_ - earRow0_ < 4) throw std::logic_error("default head: ear rows not found");
    if (std::abs(eye_.row - mouth_.row) < 2 * eye_.reach + 2)
        throw std::logic_error("default head: eye and mouth rows too close");
}

// ---- columns ---------------------------------------------------------------

void Builder::planColumns() {
    rowU_.assign(numRows_, {});
    for (int j = 0; j < numRows_; ++j) {
        // Forced knots.
        std::vector<std::pair<double, int>> knots;  // (u, forced segment count to the next knot; 0 = free)
        knots.push_back({0.0, 0});
        if (j == eye_.row) {
            knots.push_back({eye_.u0, 11});
            knots.push_back({eye_.u1, 0});
        }
        if (j == mouth_.row) knots.front().second = 9, knots.push_back({mouth_.u1, 0});
        if (j >= earRow0_ && j <= earRow1_) {
            knots.push_back({earU0_, 1});
            knots.push_back({earU1_, 0});
        }
        knots.push_back({kPi, 0});
        std::sort(knots.begin(), knots.end());
        // Cost along the row.
        const int n = 180;
        std::vector<double> us(n + 1), cost(n + 1, 0.0);
        Vec3 prev = Vec3::Zero();
        for (int i = 0; i <= n; ++i) {
            us[i] = kPi * i / n;
            const Vec3 p = rawPoint(j, us[i]);
            // keep triangles near-isotropic: no longer along the ring than
            // ~2.3 times the gap to the neighbouring rings
            const int jn = (j + 1 < numRows_) ? j + 1 : j - 1;
            const double gap = (rawPoint(jn, us[i]) - p).norm();
            const double h = std::min(targetEdge(p), std::max(2.3 * gap, 0.0030));
            if (i > 0) cost[i] = cost[i - 1] + (p - prev).norm() / h;
            prev = p;
        }
        auto costAt = [&](double u) {
            const double a = u / kPi * n;
            const int i = std::min(static_cast<int>(a), n - 1);
            return lerp(cost[i], cost[i + 1], a - i);
        };
        auto uAtCost = [&](double c) {
            size_t i = 0;
            while (i + 1 < cost.size() && cost[i + 1] < c) ++i;
            if (i + 1 >= cost.size()) return kPi;
            const double span = cost[i + 1] - cost[i];
            return lerp(us[i], us[i + 1], span > 0 ? (c - cost[i]) / span : 0.0);
        };
        std::vector<double> out;
        for (size_t k = 0; k + 1 < knots.size(); ++k) {
            const double ua = knots[k].first, ub = knots[k + 1].first;
            const double ca = costAt(ua), cb = costAt(ub);
            int segs = knots[k].second;
            if (segs == 0) segs = std::max(1, static_cast<int>(std::lround(cb - ca)));
            out.push_back(ua);
            const bool uniformU = (knots[k].second != 0);
            for (int s = 1; s < segs; ++s) {
                const double f = static_cast<double>(s) / segs;
                out.push_back(uniformU ? lerp(ua, ub, f) : uAtCost(lerp(ca, cb, f)));
            }
        }
        out.push_back(kPi);
        rowU_[j] = out;
    }
}

// ---- warps and points -------------------------------------------------------

double Builder::slitTargetY(const Slit& s, double u, int side) const {
    if (s.mouth) {
        const double t = std::min(1.0, std::abs(u) / s.u1);
        const double yst = HeadShape::stomionY(fig::kMouthHalfWidth * t);
        if (t >= 1.0 || side == 0) return yst;
        return yst + side * 0.5 * fig::kLipGap;
    }
    const double t = std::min(1.0, std::max(-1.0, 2.0 * (u - s.u0) / (s.u1 - s.u0) - 1.0));
    const double yc = fig::kEyeY - 0.0003 + fig::kCanthalTilt * t;
    if (std::abs(t) >= 1.0 || side == 0) return yc;
    const double q = 1.0 - t * t;
    if (side > 0) return yc + fig::kUpperLidHeight * std::pow(q, 0.75) * (1.0 - 0.12 * t);
    return yc - fig::kLowerLidHeight * std::pow(q, 0.9) * (1.0 + 0.12 * t);
}

double Builder::solvePhiForY(int j, double u, double y) const {
    double lo = rowPhi(j - 4, u), hi = rowPhi(j + 4, u);
    for (int it = 0; it < 26; ++it) {
        const double m = 0.5 * (lo + hi);
        const Vec3 p = castRay(kRayCentre, dirOf(u, m));
        if (p.y() < y) lo = m; else hi = m;
    }
    return 0.5 * (lo + hi);
}

double Builder::warpedPhi(int j, double u, int side) const {
    double phi = rowPhi(j, u);
    for (const Slit* s : {&eye_, &mouth_}) {
        if (s->row < 0 || std::abs(j - s->row) > s->reach) continue;
        // weight along the row: 1 between the corners, fading outside
        double w;
        if (u >= s->u0 && u <= s->u1) w = 1.0;
        else {
            const double d = (u < s->u0) ? s->u0 - u : u - s->u1;
            w = 1.0 - smoothstep(0.0, s->margin, d);
        }
        if (w <= 0) continue;
        const bool inside = (u > s->u0 && u < s->u1);
        const int useSide = inside ? (j > s->row ? 1 : j < s->row ? -1 : side) : 0;
        const double base = rowPhi(s->row, u);
        const double target = solvePhiForY(s->row, u, slitTargetY(*s, u, useSide));
        const double delta = w * (target - base);
        const double fall = 1.0 - static_cast<double>(std::abs(j - s->row)) / (s->reach + 1);
        phi += delta * fall;
    }
    return phi;
}

Vec3 Builder::gridPoint(int j, double u, int side, double* phiOut) const {
    if (j < kNeckRows - 1) {
        const double y = lerp(fig::kNeckBottomY, neckTopY(u), static_cast<double>(j) / (kNeckRows - 1));
        if (phiOut) *phiOut = 0;
        return neckPoint(u, y);
    }
    if (j == kNeckRows - 1) {
        if (phiOut) *phiOut = neckJoin()(u);
        return neckPoint(u, neckTopY(u));
    }
    const double phi = warpedPhi(j, u, side);
    Vec3 p = castRay(kRayCentre, dirOf(u, phi));
    if (phiOut) *phiOut = phi;
    // Rims of the eye openings and the lips: put them exactly on their target
    // curves, seen from the front (the crease between the lips is hidden from
    // the ray centre).
    for (const Slit* s : {&eye_, &mouth_}) {
        if (j != s->row || u < s->u0 || u > s->u1) continue;
        p = frontPoint(p.x(), slitTargetY(*s, u, side));
        if (phiOut) *phiOut = std::atan2(p.y() - kRayCentre.y(), std::hypot(p.x(), p.z() - kRayCentre.z()));
    }
    return p;
}

Vec3 Builder::rawPoint(int j, double u) const {
    if (j < kNeckRows) return gridPoint(j, u, 0, nullptr);
    return castRay(kRayCentre, dirOf(u, rowPhi(j, u)));
}

void Builder::makeGridVertices() {
    rowUp_.assign(numRows_, {});
    rowDown_.assign(numRows_, {});
    for (int j = 0; j < numRows_; ++j) {
        for (double u : rowU_[j]) {
            auto make = [&](int side) {
                HalfVertex hv;
                double phi = 0;
                hv.p = gridPoint(j, u, side, &phi);
                hv.mid = (u == 0.0 || u == kPi);
                if (hv.mid) hv.p.x() = 0.0;
                hv.row = j;
                hv.u = u;
                hv.phi = phi;
                return addVertex(hv);
            };
            bool split = false;
            if (j == eye_.row && u > eye_.u0 && u < eye_.u1) split = true;
            if (j == mouth_.row && u < mouth_.u1) split = true;
            const int up = make(split ? 1 : 0);
            const int down = split ? make(-1) : up;
            rowUp_[j].push_back(up);
            rowDown_[j].push_back(down);
        }
    }
    // rims
    {
        const auto& us = rowU_[eye_.row];
        std::vector<int> upper, lower;
        int ca = -1, cb = -1;
        for (size_t i = 0; i < us.size(); ++i) {
            if (us[i] == eye_.u0) ca = rowUp_[eye_.row][i];
            if (us[i] == eye_.u1) cb = rowUp_[eye_.row][i];
            if (us[i] > eye_.u0 && us[i] < eye_.u1) {
                upper.push_back(rowUp_[eye_.row][i]);
                lower.push_back(rowDown_[eye_.row][i]);
            }
        }
        eyeRim_.clear();
        eyeRim_.push_back(ca);
        eyeRim_.insert(eyeRim_.end(), upper.begin(), upper.end());
        eyeRim_.push_back(cb);
        eyeRim_.insert(eyeRim_.end(), lower.rbegin(), lower.rend());
    }
    {
        const auto& us = rowU_[mouth_.row];
        std::vector<int> upper, lower;
        int corner = -1;
        for (size_t i = 0; i < us.size(); ++i) {
            if (us[i] < mouth_.u1) {
                upper.push_back(rowUp_[mouth_.row][i]);
                lower.push_back(rowDown_[mouth_.row][i]);
            } else if (us[i] == mouth_.u1) {
                corner = rowUp_[mouth_.row][i];
            }
        }
        mouthRim_ = upper;
        mouthRim_.push_back(corner);
        mouthRim_.insert(mouthRim_.end(), lower.rbegin(), lower.rend());
    }
    {
        std::vector<int> front, back;
        for (int j = earRow0_; j <= earRow1_; ++j) {
            const auto& us = rowU_[j];
            for (size_t i = 0; i < us.size(); ++i) {
                if (us[i] == earU0_) front.push_back(rowUp_[j][i]);
                if (us[i] == earU1_) back.push_back(rowUp_[j][i]);
            }
        }
        earRoot_ = front;
        earRoot_.insert(earRoot_.end(), back.rbegin(), back.rend());
    }
    neckBottom_ = rowUp_[0];
}

// ---- faces of the grid -------------------------------------------------------

void Builder::zip(const std::vector<int>& lower, const std::vector<double>& uLower, const std::vector<int>& upper,
                  const std::vector<double>& uUpper, UvIsland island, bool skipEar) {
    // Split at u values both rings share (slit corners, ear columns, 0, pi),
    // then advance along the shorter diagonal.
    size_t i = 0, j = 0;
    auto isEar = [&](int v) {
        const HalfVertex& hv = verts_[v];
        return skipEar && hv.row >= earRow0_ && hv.row <= earRow1_ && (hv.u == earU0_ || hv.u == earU1_);
    };
    auto emit = [&](int a, int b, int c) {
        if (isEar(a) && isEar(b) && isEar(c)) return;
        addFace(a, b, c, island, Vec2::Zero(), Vec2::Zero(), Vec2::Zero());
    };
    while (i + 1 < lower.size() || j + 1 < upper.size()) {
        bool advanceLower;
        if (i + 1 >= lower.size()) advanceLower = false;
        else if (j + 1 >= upper.size()) advanceLower = true;
        else {
            // a ring standing on a shared knot waits for the other to arrive
            const double cl = uLower[i], cu = uUpper[j];
            const bool lowerWaits =
                cu < cl && std::find(uUpper.begin(), uUpper.end(), cl) != uUpper.end();
            const bool upperWaits =
                cl < cu && std::find(uLower.begin(), uLower.end(), cu) != uLower.end();
            if (lowerWaits) advanceLower = false;
            else if (upperWaits) advanceLower = true;
            else {
                const double dl = (verts_[lower[i + 1]].p - verts_[upper[j]].p).squaredNorm();
                const double du = (verts_[upper[j + 1]].p - verts_[lower[i]].p).squaredNorm();
                advanceLower = dl < du;
            }
        }
        if (advanceLower) {
            emit(lower[i], lower[i + 1], upper[j]);
            ++i;
        } else {
            emit(lower[i], upper[j + 1], upper[j]);
            ++j;
        }
    }
}

void Builder::makeGridFaces() {
    for (int j = 0; j + 1 < numRows_; ++j) {
        const bool ear = (j >= earRow0_ && j < earRow1_);
        zip(rowUp_[j], rowU_[j], rowDown_[j + 1], rowU_[j + 1], UvIsland::kFace, ear);
    }
}

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

// ---- islands of the grid -------------------------------------------------------

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

struct IslandSlot {
    UvIsland island;
    double x0, y0, x1, y1;  // target rectangle in the atlas
};

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

NeutralHead Builder::build() {
    planRows();
    planColumns();
    makeGridVertices();
    makeGridFaces();
    makePole();
    makeNeckCap();
    makeEyeSocket();
    makeMouthBag();
    makeEar();
    makeEyeball();
    NeutralHead head = assemble();
    annotate(head);
    return head;
}

}  // namespace

NeutralHead buildNeutralHead() {
    Builder b;
    return b.build();
}

}  // namespace synthforge::head::default_head
