#include "core/head/default_head/label_map.h"

#include "core/head/default_head/monotone_curve.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "core/io/file_util.h"

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
    if (size < 16 || size > kMaxLabelMapSize)
        throw std::invalid_argument("label map size " + std::to_string(size) + " is outside 16.." +
                                    std::to_string(kMaxLabelMapSize));
}

template <typename A, typename B>
bool sameMatrix(const A& a, const B& b) {
    return a.rows() == b.rows() && a.cols() == b.cols() && a == b;
}

// ---- PNG structure --------------------------------------------------------------

std::uint32_t crc32(const std::uint8_t* data, std::size_t n) {
    static const std::array<std::uint32_t, 256> table = [] {
        std::array<std::uint32_t, 256> t{};
        for (std::uint32_t i = 0; i < 256; ++i) {
            std::uint32_t c = i;
            for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        return t;
    }();
    std::uint32_t c = 0xFFFFFFFFu;
    for (std::size_t i = 0; i < n; ++i) c = table[(c ^ data[i]) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

std::uint32_t be32(const std::uint8_t* p) {
    return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | std::uint32_t(p[3]);
}

/// Walks the PNG chunks (lengths, CRCs, IHDR first, IEND last) and checks
/// that the image is 8-bit greyscale within the size limit.
void checkPngStructure(const std::vector<std::uint8_t>& b, const std::string& path) {
    static const std::uint8_t kSig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    auto fail = [&](const std::string& what) { throw std::runtime_error(path + ": " + what); };
    if (b.size() >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF)
        fail("is a JPEG; label maps must be lossless 8-bit greyscale PNGs (JPEG would corrupt the class ids)");
    if (b.size() < 8 || std::memcmp(b.data(), kSig, 8) != 0) fail("not a PNG file (bad signature)");
    std::size_t pos = 8;
    bool first = true, sawIdat = false;
    for (;;) {
        if (b.size() - pos < 12) fail("truncated PNG: chunk header at byte " + std::to_string(pos) + " is cut off");
        const std::uint32_t len = be32(&b[pos]);
        const std::string type(reinterpret_cast<const char*>(&b[pos + 4]), 4);
        if (len > 0x7FFFFFFFu || b.size() - pos - 12 < len)
            fail("truncated PNG: chunk '" + type + "' at byte " + std::to_string(pos) + " runs past the end of the file");
        const std::uint8_t* data = &b[pos + 8];
        if (crc32(&b[pos + 4], len + 4) != be32(data + len))
            fail("corrupt PNG: CRC mismatch in chunk '" + type + "' at byte " + std::to_string(pos));
        if (first) {
            if (type != "IHDR" || len != 13) fail("corrupt PNG: the first chunk is not a valid IHDR");
            const std::uint32_t w = be32(data), h = be32(data + 4);
            const int depth = data[8], colour = data[9];
            if (colour != 0 || depth != 8) {
                const char* kind = colour == 0 ? "greyscale" : colour == 2 ? "RGB" : colour == 3 ? "palette"
                                   : colour == 4 ? "greyscale+alpha" : colour == 6 ? "RGBA" : "unknown colour type";
                fail(std::string("IHDR: a ") + std::to_string(depth) + "-bit " + kind +
                     " PNG; a label map must be 8-bit greyscale (one class id per pixel). "
                     "A colour preview cannot be read back as class ids");
            }
            if (w == 0 || h == 0 || w > static_cast<std::uint32_t>(kMaxLabelMapSize) ||
                h > static_cast<std::uint32_t>(kMaxLabelMapSize))
                fail("IHDR: size " + std::to_string(w) + "x" + std::to_string(h) + " is outside 1.." +
                     std::to_string(kMaxLabelMapSize));
            first = false;
        }
        if (type == "IDAT") sawIdat = true;
        pos += 12 + len;
        if (type == "IEND") break;
    }
    if (!sawIdat) fail("corrupt PNG: no image data (IDAT)");
}

}  // namespace

raster::RasterResult rasterizeUvAtlas(const RowMatX2f& uv, const RowMatX3i& uvFaces, int size) {
    checkSize(size);
    raster::Vertices pts(uv.rows(), 3);
    for (Eigen::Index t = 0; t < uv.rows(); ++t)
        pts.row(t) << uv(t, 0) * static_cast<float>(size), (1.0f - uv(t, 1)) * static_cast<float>(size), 1.0f;
    raster::Intrinsics k;  // fx = fy = 1, cx = cy = 0: pixel = (X, Y)
    return raster::rasterize(pts, k, uvFaces, size, size);
}

cv::Mat buildDefaultLabelMap(const NeutralHead& head, int size) {
    checkSize(size);
    const raster::RasterResult r = rasterizeUvAtlas(head.uv, head.uvFaces, size);
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

void saveLabelMap(const std::string& pngPath, const cv::Mat& ids) {
    if (ids.empty()) throw std::invalid_argument("saveLabelMap: " + pngPath + ": the label map is empty");
    if (ids.type() != CV_8UC1)
        throw std::invalid_argument("saveLabelMap: " + pngPath + ": a label map must be CV_8UC1 class ids, got type " +
                                    std::to_string(ids.type()));
    std::vector<unsigned char> png;
    if (!cv::imencode(".png", ids, png, {cv::IMWRITE_PNG_COMPRESSION, 6}))
        throw std::runtime_error(pngPath + ": PNG encoding failed");
    io::writeFileAtomic(pngPath, png.data(), png.size());
}

cv::Mat loadLabelMap(const std::string& path) {
    const std::vector<std::uint8_t> bytes = io::readFileBytes(path, 512ull << 20);
    checkPngStructure(bytes, path);
    cv::Mat ids;
    try {
        ids = cv::imdecode(bytes, cv::IMREAD_UNCHANGED);
    } catch (const cv::Exception& e) {
        throw std::runtime_error(path + ": corrupt PNG: " + e.what());
    }
    if (ids.empty()) throw std::runtime_error(path + ": corrupt PNG: the image data could not be decoded");
    if (ids.type() != CV_8UC1)
        throw std::runtime_error(path + ": decoded as OpenCV type " + std::to_string(ids.type()) +
                                 ", not 8-bit single channel");
    return ids;
}

cv::Mat colorizeLabels(const cv::Mat& ids, const annotate::ClassTable& table) {
    if (ids.type() != CV_8UC1) throw std::invalid_argument("colorizeLabels: the label map must be CV_8UC1");
    const auto lut = table.colorMap();
    cv::Mat out(ids.rows, ids.cols, CV_8UC3);
    for (int y = 0; y < ids.rows; ++y) {
        const auto* in = ids.ptr<std::uint8_t>(y);
        auto* o = out.ptr<cv::Vec3b>(y);
        for (int x = 0; x < ids.cols; ++x) {
            const auto& c = lut[in[x]];
            o[x] = cv::Vec3b(c[2], c[1], c[0]);  // BGR
        }
    }
    return out;
}

cv::Mat padLabelMap(const cv::Mat& ids, int texels) {
    if (ids.type() != CV_8UC1) throw std::invalid_argument("padLabelMap: the label map must be CV_8UC1");
    if (texels < 0) throw std::invalid_argument("padLabelMap: texels must be >= 0");
    cv::Mat cur = ids.clone();
    for (int step = 0; step < texels; ++step) {
        cv::Mat next = cur.clone();
        bool changed = false;
        for (int y = 0; y < cur.rows; ++y) {
            for (int x = 0; x < cur.cols; ++x) {
                if (cur.at<std::uint8_t>(y, x) != annotate::kBackground) continue;
                // most frequent non-background 8-neighbour, lowest id on ties
                std::array<int, 8> cls{}, cnt{};
                int n = 0;
                for (int dy = -1; dy <= 1; ++dy)
                    for (int dx = -1; dx <= 1; ++dx) {
                        const int yy = y + dy, xx = x + dx;
                        if (yy < 0 || xx < 0 || yy >= cur.rows || xx >= cur.cols) continue;
                        const int c = cur.at<std::uint8_t>(yy, xx);
                        if (c == annotate::kBackground) continue;
                        int k = 0;
                        while (k < n && cls[k] != c) ++k;
                        if (k == n) cls[n++] = c;
                        ++cnt[k];
                    }
                int best = -1, bestCount = 0;
                for (int k = 0; k < n; ++k)
                    if (cnt[k] > bestCount || (cnt[k] == bestCount && cls[k] < best)) {
                        best = cls[k];
                        bestCount = cnt[k];
                    }
                if (best >= 0) {
                    next.at<std::uint8_t>(y, x) = static_cast<std::uint8_t>(best);
                    changed = true;
                }
            }
        }
        cur = next;
        if (!changed) break;
    }
    return cur;
}

}  // namespace synthforge::head::default_head
