#pragma once
// Private to core/head/default_head: the pieces that build the neutral mesh
// (neutral_mesh.h), shared by the files of its stages. Nothing outside
// default_head/ includes this header.
//
//   neutral_mesh_sculpt.cpp    the sculpted signed field and the rays that sample it
//   neutral_mesh_grid.cpp      the ring grid of the skin, its slits (eyes, lips) and faces
//   neutral_mesh_features.cpp  crown pole, neck cap, eye sockets, mouth bag, ears, eyeballs
//   neutral_mesh_uv.cpp        UV islands of the grid, mirroring and the atlas layout
//   neutral_mesh_anchors.cpp   named regions and anchor points
//   neutral_mesh.cpp           the order of the stages
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

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include <Eigen/Core>

#include "core/head/default_head/monotone_curve.h"
#include "core/head/default_head/neutral_mesh.h"

namespace synthforge::head::default_head::neutral_build {

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
inline const Vec3 kRayCentre(0.0, 0.020, 0.0);
inline const Vec3 kEyeCentre(fig::kEyeX, fig::kEyeY, fig::kEyeZ);
/// Eye socket (pocket) ellipsoid radii around the eye centre, and the eyelid
/// shell (skin over the eyeball) ellipsoid.
inline const Vec3 kPocketRadii(0.0134, 0.0131, 0.0131);
inline const Vec3 kLidCentre(fig::kEyeX, fig::kEyeY, fig::kEyeZ - 0.0020);
inline const Vec3 kLidRadii(0.0150, 0.0140, 0.0157);

// ----------------------------------------------------------------- helpers
inline double clamp01(double t) { return std::min(1.0, std::max(0.0, t)); }
inline double smoothstep(double e0, double e1, double x) {
    const double t = clamp01((x - e0) / (e1 - e0));
    return t * t * (3.0 - 2.0 * t);
}
inline double lerp(double a, double b, double t) { return a + (b - a) * t; }
inline double smin(double a, double b, double k) {
    const double h = std::max(k - std::abs(a - b), 0.0) / k;
    return std::min(a, b) - h * h * k * 0.25;
}
inline double smax(double a, double b, double k) { return -smin(-a, -b, k); }
inline double gauss2(double dx, double sx, double dy, double sy) {
    const double a = dx / sx, b = dy / sy;
    return std::exp(-(a * a + b * b));
}
inline double gauss1(double d, double s) { return std::exp(-(d / s) * (d / s)); }
/// Approximate signed distance to an axis-aligned ellipsoid (exact sign).
inline double ellipsoid(const Vec3& p, const Vec3& c, const Vec3& r) {
    const Vec3 d = p - c;
    const double k0 = d.cwiseQuotient(r).norm();
    const double k1 = d.cwiseQuotient(r.cwiseProduct(r)).norm();
    if (k1 < 1e-12) return -r.minCoeff();
    return k0 * (k0 - 1.0) / k1;
}


// ----------------------------------------------------------------- the sculpted field (neutral_mesh_sculpt.cpp)
class HeadShape {
public:
    HeadShape();

    /// z of the face relief at (x, y); x >= 0.
    double faceFront(double x, double y) const;
    /// Nose relief above the surrounding face.
    double nose(double x, double y) const;
    double lips(double x, double y) const;
    static double stomionY(double x);
    /// Signed 2D outline of the face prism in the x-y plane (negative inside).
    double outline(double x, double y) const;
    double sdf(const Vec3& pIn) const;
    static double neckAxisZ(double y);

private:
    MonotoneCurve zBase_, curvR_, muzzle_, noseH_, noseW_, outlineW_;
};

const HeadShape& shape();

/// Outermost crossing of the surface along origin + t * dir, t in (0, tFar].
Vec3 castRay(const Vec3& origin, const Vec3& dir, double tFar = 0.17);

/// Surface point seen straight from the front at (x, y).
Vec3 frontPoint(double x, double y);

// ----------------------------------------------------------------- ray parameterisation (neutral_mesh_grid.cpp)
// Row j of the grid: neck rows (j < kNeckRows) are horizontal rays from the
// neck axis; head rows are rays from kRayCentre at elevation phi.
constexpr int kNeckRows = 8;

double neckTopY(double u);
Vec3 neckPoint(double u, double y);

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

}  // namespace synthforge::head::default_head::neutral_build
