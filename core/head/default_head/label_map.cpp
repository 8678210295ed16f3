#include "core/head/default_head/label_map.h"

#include "core/head/default_head/monotone_curve.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <opencv2/core.hpp>

#include "core/annotate/class_table.h"
#include "core/annotate/label_map_io.h"

namespace synthforge::head::default_head {

namespace {

using Vec3 = Eigen::Vector3d;

constexpr double kPi = 3.14159265358979323846;
constexpr double kDeg = kPi / 180.0;
constexpr int kPerTexel = -1;  // face class decided per texel
constexpr int kNoseSmoothing = 2;  // passes of neighbour averaging over the nose indicator

double clamp01(double t) { return std::min(1.0, std::max(0.0, t)); }
double gauss1(double d, double s) { return std::exp(-(d / s) * (d / s)); }

Vec3 anchor(const NeutralHead& h, const std::string& name) {
    const auto it = h.anchors.find(name);
    if (it == h.anchors.end()) throw std::logic_error("default head label map: the neutral mesh has no anchor " + name);
    return it->second.cast<double>();
}

// ---- brows ----------------------------------------------------------------------

/// A tapered band around the quadratic (in 3D) through a brow's inner, peak
/// and outer anchors. Parameter s: 0 at the inner anchor, 1 at the outer.
class BrowBand {
public:
    static constexpr double kHeadWidth = 0.0090;  ///< full width at the inner anchor
    static constexpr double kTailWidth = 0.0040;  ///< full width at the outer anchor
    static constexpr double kTipWidth = 0.0012;   ///< full width at the end of the tail
    static constexpr double kSBegin = -0.04, kSEnd = 1.10, kStep = 0.0025;

    BrowBand(const Vec3& inner, const Vec3& peak, const Vec3& outer) {
        const double a = (peak - inner).norm(), b = (outer - peak).norm();
        const double s1 = a / (a + b);
        auto at = [&](double s) {  // Lagrange through (0, inner), (s1, peak), (1, outer)
            const double l0 = (s - s1) * (s - 1.0) / (s1 * 1.0);
            const double l1 = s * (s - 1.0) / (s1 * (s1 - 1.0));
            const double l2 = s * (s - s1) / (1.0 * (1.0 - s1));
            return (l0 * inner + l1 * peak + l2 * outer).eval();
        };
        for (double s = kSBegin; s <= kSEnd + 1e-12; s += kStep) {
            s_.push_back(s);
            pts_.push_back(at(s));
        }
        lo_ = hi_ = pts_.front();
        for (const Vec3& p : pts_) {
            lo_ = lo_.cwiseMin(p);
            hi_ = hi_.cwiseMax(p);
        }
        lo_.array() -= 0.5 * kHeadWidth + 1e-3;
        hi_.array() += 0.5 * kHeadWidth + 1e-3;
    }

    static double width(double s) {
        if (s <= 0.0) return kHeadWidth;
        if (s <= 1.0) return kHeadWidth + (kTailWidth - kHeadWidth) * s;
        return kTailWidth + (kTipWidth - kTailWidth) * clamp01((s - 1.0) / (kSEnd - 1.0));
    }

    bool contains(const Vec3& p) const {
        if ((p.array() < lo_.array()).any() || (p.array() > hi_.array()).any()) return false;
        // Closest point on the polyline (segments between the dense samples).
        double best = 1e30, bestS = 0.0;
        for (std::size_t i = 0; i + 1 < pts_.size(); ++i) {
            const Vec3 ab = pts_[i + 1] - pts_[i];
            const double t = clamp01((p - pts_[i]).dot(ab) / ab.squaredNorm());
            const double d2 = (p - (pts_[i] + t * ab)).squaredNorm();
            if (d2 < best) {
                best = d2;
                bestS = s_[i] + t * (s_[i + 1] - s_[i]);
            }
        }
        const double r = 0.5 * width(bestS);
        return best <= r * r;
    }

private:
    std::vector<double> s_;
    std::vector<Vec3> pts_;
    Vec3 lo_, hi_;
};

// ---- lips -----------------------------------------------------------------------

/// The lip slit as y(|x|), read from the mouth rim of the mesh (the skin
/// vertices the mouth bag is sewn to), and the vermilion borders above and
/// below it.
class Lips {
public:
    explicit Lips(const NeutralHead& h) {
        std::set<int> rim;
        for (int f = 0; f < h.numFaces(); ++f) {
            if (h.faceIsland[f] != static_cast<std::uint8_t>(UvIsland::kMouthBag)) continue;
            for (int c = 0; c < 3; ++c) {
                const int v = h.faces(f, c);
                if (h.vertexPart[v] == static_cast<std::uint8_t>(Part::kSkin)) rim.insert(v);
            }
        }
        if (rim.empty()) throw std::logic_error("default head label map: no mouth rim found");
        for (int v : rim) {
            rimX_.push_back(std::abs(static_cast<double>(h.vertices(v, 0))));
            rimY_.push_back(h.vertices(v, 1));
            cornerX_ = std::max(cornerX_, rimX_.back());
        }
        endX_ = cornerX_ + kCornerExtension;
    }

    /// y of the slit at |x|: a Gaussian-weighted average of the rim vertices
    /// (upper and lower rims are 0.3 mm apart; the average runs between them).
    double slitY(double x) const {
        x = std::min(std::abs(x), cornerX_);
        double sw = 0.0, sy = 0.0;
        for (std::size_t i = 0; i < rimX_.size(); ++i) {
            const double w = gauss1(x - rimX_[i], 0.0015) + 1e-12;
            sw += w;
            sy += w * rimY_[i];
        }
        return sy / sw;
    }
    /// Half-width of the vermilion (the slit's corners plus a little).
    double endX() const { return endX_; }

    /// Height of the upper vermilion above the slit at x: ~8 mm at the
    /// philtrum with a Cupid's bow (peaks ~5.5 mm off the midline, a dip on
    /// it), tapering to zero just past the mouth corner.
    double upperHeight(double x) const {
        x = std::abs(x);
        const double t = x / endX_;
        if (t >= 1.0) return 0.0;
        const double bow = 0.0009 * gauss1(x - 0.0055, 0.0035) - 0.0007 * gauss1(x, 0.0022);
        return (0.0082 * (1.0 - 0.5 * t * t) + bow * (1.0 - t)) * std::sqrt(1.0 - std::pow(t, 4));
    }
    /// Depth of the lower vermilion below the slit: ~10 mm in the middle,
    /// fuller than the upper lip, tapering to zero past the corner.
    double lowerHeight(double x) const {
        const double t = std::abs(x) / endX_;
        if (t >= 1.0) return 0.0;
        return 0.0100 * (1.0 - 0.45 * t * t) * std::sqrt(1.0 - std::pow(t, 4));
    }

private:
    static constexpr double kCornerExtension = 0.0015;
    std::vector<double> rimX_, rimY_;
    double cornerX_ = 0.0, endX_ = 0.0;
};

// ---- hair -----------------------------------------------------------------------

/// The hairline as a height over the azimuth around the vertical axis
/// (0 = straight ahead, 90 deg = over the ear, 180 deg = the nape):
/// ~6 cm above the brows across the forehead, receding at the temples,
/// sideburns down to just above the tragion, around the top of the ear,
/// and down behind it to the nape.
MonotoneCurve hairline(double browY) {
    const double front = browY + 0.060;
    return MonotoneCurve({{0 * kDeg, front},
                          {22 * kDeg, front + 0.0010},
                          {38 * kDeg, front - 0.0040},
                          {52 * kDeg, front - 0.0180},
                          {62 * kDeg, 0.062},
                          {70 * kDeg, 0.040},
                          {76 * kDeg, 0.016},
                          {82 * kDeg, 0.006},
                          {97 * kDeg, 0.005},
                          {106 * kDeg, 0.009},
                          {116 * kDeg, 0.000},
                          {135 * kDeg, -0.019},
                          {180 * kDeg, -0.034}});
}

/// The face/neck border as a height over the same azimuth: the line along
/// which the neutral mesh splits its face and neck UV islands (under the
/// chin, along the jaw, up behind the ear lobe, round the nape).
MonotoneCurve jawLine() {
    return MonotoneCurve({{0 * kDeg, -0.0825},
                          {22 * kDeg, -0.0765},
                          {52 * kDeg, -0.0640},
                          {82 * kDeg, -0.0520},
                          {96 * kDeg, -0.0280},
                          {112 * kDeg, -0.0330},
                          {140 * kDeg, -0.0450},
                          {180 * kDeg, -0.0470}});
}

// ---- the labeller ---------------------------------------------------------------

class Labeller {
public:
    explicit Labeller(const NeutralHead& h)
        : h_(h),
          lips_(h),
          leftBrow_(anchor(h, "left_brow_inner"), anchor(h, "left_brow_peak"), anchor(h, "left_brow_outer")),
          rightBrow_(anchor(h, "right_brow_inner"), anchor(h, "right_brow_peak"), anchor(h, "right_brow_outer")),
          hairline_(hairline((anchor(h, "left_brow_inner").y() + anchor(h, "left_brow_peak").y() +
                              anchor(h, "left_brow_outer").y()) / 3.0)) {
        const int nf = h.numFaces(), nv = h.numVertices();
        // Per face: the class its island/part gives, or kPerTexel.
        faceClass_.assign(nf, annotate::kSkin);
        for (int f = 0; f < nf; ++f) {
            switch (static_cast<UvIsland>(h.faceIsland[f])) {
                case UvIsland::kFace:
                case UvIsland::kScalp: faceClass_[f] = kPerTexel; break;
                case UvIsland::kNeck: faceClass_[f] = kPerTexel; break;
                case UvIsland::kNeckCap: faceClass_[f] = annotate::kNeck; break;
                case UvIsland::kLeftEar: faceClass_[f] = annotate::kLeftEar; break;
                case UvIsland::kRightEar: faceClass_[f] = annotate::kRightEar; break;
                case UvIsland::kLeftEyeball: faceClass_[f] = annotate::kLeftEye; break;
                case UvIsland::kRightEyeball: faceClass_[f] = annotate::kRightEye; break;
                case UvIsland::kMouthBag: faceClass_[f] = annotate::kMouthInterior; break;
                case UvIsland::kLeftEyeSocket:
                case UvIsland::kRightEyeSocket: faceClass_[f] = annotate::kSkin; break;
            }
        }
        // Nose: the region's vertex indicator, smoothed over the skin so
        // that its 0.5 level set runs smoothly through the border edges.
        const auto nose = h.regions.find("nose");
        if (nose == h.regions.end()) throw std::logic_error("default head label map: no 'nose' region");
        std::vector<double> ind(nv, 0.0);
        for (int v : nose->second) ind[v] = 1.0;
        std::vector<std::vector<int>> nbr(nv);
        for (int f = 0; f < nf; ++f) {
            if (faceClass_[f] != kPerTexel) continue;
            for (int c = 0; c < 3; ++c) {
                const int a = h.faces(f, c), b = h.faces(f, (c + 1) % 3);
                nbr[a].push_back(b);
                nbr[b].push_back(a);
            }
        }
        for (auto& n : nbr) {
            std::sort(n.begin(), n.end());
            n.erase(std::unique(n.begin(), n.end()), n.end());
        }
        noseW_ = ind;
        for (int it = 0; it < kNoseSmoothing; ++it) {
            std::vector<double> next(nv);
            for (int v = 0; v < nv; ++v) {
                double s = 0.0;
                for (int u : nbr[v]) s += noseW_[u];
                next[v] = nbr[v].empty() ? noseW_[v] : 0.5 * noseW_[v] + 0.5 * s / static_cast<double>(nbr[v].size());
            }
            noseW_.swap(next);
        }
        // Lips: which side of the slit each face near the mouth lies on (by
        // its centroid; faces touch the slit only at their rim edge).
        lipSide_.assign(nf, 0);
        for (int f = 0; f < nf; ++f) {
            if (static_cast<UvIsland>(h.faceIsland[f]) != UvIsland::kFace) continue;
            const Vec3 c = (point(h.faces(f, 0)) + point(h.faces(f, 1)) + point(h.faces(f, 2))) / 3.0;
            if (std::abs(c.x()) > lips_.endX() + 0.003) continue;
            const double dy = c.y() - lips_.slitY(c.x());
            if (std::abs(dy) > 0.016) continue;
            lipSide_[f] = dy > 0 ? 1 : -1;
        }
    }

    Vec3 point(int v) const { return h_.vertices.row(v).transpose().cast<double>(); }

    std::uint8_t classify(int f, double b0, double b1) const {
        const int base = faceClass_[f];
        if (base != kPerTexel) return static_cast<std::uint8_t>(base);
        const double b2 = 1.0 - b0 - b1;
        const int v0 = h_.faces(f, 0), v1 = h_.faces(f, 1), v2 = h_.faces(f, 2);
        const Vec3 p = b0 * point(v0) + b1 * point(v1) + b2 * point(v2);
        const double azimuth = std::atan2(std::abs(p.x()), p.z());
        // neck: below the jaw line (the neck island's own border zig-zags
        // along mesh edges up to a centimetre behind the jaw)
        if (p.y() < jawLine_(azimuth)) return annotate::kNeck;
        // lips
        if (lipSide_[f] != 0 && std::abs(p.x()) < lips_.endX()) {
            const double dy = p.y() - lips_.slitY(p.x());
            if (lipSide_[f] > 0 && dy <= lips_.upperHeight(p.x())) return annotate::kTopLip;
            if (lipSide_[f] < 0 && -dy <= lips_.lowerHeight(p.x())) return annotate::kBottomLip;
        }
        // nose
        if (b0 * noseW_[v0] + b1 * noseW_[v1] + b2 * noseW_[v2] >= 0.5) return annotate::kNose;
        // brows
        if (p.x() > 0 ? leftBrow_.contains(p) : rightBrow_.contains(p))
            return p.x() > 0 ? annotate::kLeftBrow : annotate::kRightBrow;
        // hair
        if (p.y() > hairline_(azimuth)) return annotate::kHair;
        return annotate::kSkin;
    }

private:
    const NeutralHead& h_;
    Lips lips_;
    BrowBand leftBrow_, rightBrow_;
    MonotoneCurve hairline_;
    MonotoneCurve jawLine_ = jawLine();
    std::vector<int> faceClass_;
    std::vector<double> noseW_;
    std::vector<std::int8_t> lipSide_;
};

void checkSize(int size) {
    if (size < annotate::kMinLabelMapSize || size > annotate::kMaxLabelMapSize)
        throw std::invalid_argument("label map size " + std::to_string(size) + " is outside 16.." +
                                    std::to_string(annotate::kMaxLabelMapSize));
}

template <typename A, typename B>
bool sameMatrix(const A& a, const B& b) {
    return a.rows() == b.rows() && a.cols() == b.cols() && a == b;
}

}  // namespace

cv::Mat buildDefaultLabelMap(const NeutralHead& head, int size) {
    checkSize(size);
    const raster::RasterResult r = annotate::rasterizeUvAtlas(head.uv, head.uvFaces, size);
    const Labeller labeller(head);
    cv::Mat ids(size, size, CV_8UC1, cv::Scalar(annotate::kBackground));
    for (int y = 0; y < size; ++y) {
        auto* row = ids.ptr<std::uint8_t>(y);
        for (int x = 0; x < size; ++x) {
            const std::size_t i = r.index(x, y);
            const int f = r.triangleId[i];
            if (f >= 0) row[x] = labeller.classify(f, r.bary0[i], r.bary1[i]);
        }
    }
    return ids;
}

cv::Mat buildDefaultLabelMap(const HeadModel& model, int size) {
    checkSize(size);
    const NeutralHead head = buildNeutralHead();
    const bool same = model.numVertices() == head.numVertices() && sameMatrix(model.faces, head.faces) &&
                      sameMatrix(model.uvFaces, head.uvFaces) && sameMatrix(model.uv, head.uv) &&
                      (model.vTemplate - head.vertices).cwiseAbs().maxCoeff() < 1e-5f;
    if (!same)
        throw std::invalid_argument("'" + model.name +
                                    "' is not SynthForge's default head (its mesh or UVs differ); only the default "
                                    "head has a built-in label map");
    return buildDefaultLabelMap(head, size);
}

}  // namespace synthforge::head::default_head
