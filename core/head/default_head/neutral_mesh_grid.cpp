// The ring grid of the default head's skin: rows from the bottom of the neck
// to the crown spaced by target edge length, columns per row, the eye and
// lip slits warped into the rows, the grid's vertices, their rims, and the
// strips of faces between neighbouring rows.

#include "core/head/default_head/neutral_mesh_builder.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>
#include <vector>

namespace synthforge::head::default_head::neutral_build {

// ----------------------------------------------------------------- ray parameterisation
namespace {

Vec3 dirOf(double u, double phi) {
    return Vec3(std::cos(phi) * std::sin(u), std::sin(phi), std::cos(phi) * std::cos(u));
}

}  // namespace

double neckTopY(double u) { return -0.0715 - 0.018 * std::cos(u) - 0.0065 * std::cos(2 * u); }

Vec3 neckPoint(double u, double y) {
    const Vec3 o(0, y, HeadShape::neckAxisZ(y));
    return castRay(o, Vec3(std::sin(u), 0, std::cos(u)), 0.12);
}

namespace {

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

double frontWeight(double u) {
    const double a = std::abs(u);
    return 1.0 - smoothstep(55 * kDeg, 130 * kDeg, a);
}

}  // namespace

// ---- rows -----------------------------------------------------------------

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

}  // namespace synthforge::head::default_head::neutral_build
