#include "core/generate/appearance.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>
#include <string>

#include <Eigen/Geometry>
#include <opencv2/imgproc.hpp>

#include "core/generate/sample_rng.h"
#include "core/generate/skin_model.h"
#include "core/annotate/label_map_io.h"
#include "core/head/lbs.h"
#include "core/raster/mesh_normals.h"
#include "core/raster/visibility.h"

namespace synthforge::generate {

namespace {

/// Display sRGB (0..255) -> linear light (0..1).
Rgb linear(float r, float g, float b) {
    auto f = [](float c) { return std::pow(c / 255.0f, 2.2f); };
    return {f(r), f(g), f(b)};
}

/// Piecewise-linear interpolation through `stops` at u in [0, 1].
Rgb palette(const std::vector<Rgb>& stops, float u) {
    const float x = std::clamp(u, 0.0f, 1.0f) * static_cast<float>(stops.size() - 1);
    const int i = std::min(static_cast<int>(x), static_cast<int>(stops.size()) - 2);
    const float t = x - static_cast<float>(i);
    return (1.0f - t) * stops[i] + t * stops[i + 1];
}

float lerp(float a, float b, float t) { return a + (b - a) * t; }

/// Direction toward a light at azimuth (about y, 0 = in front of the face,
/// > 0 toward the subject's left) and elevation, in the FLAME frame.
Eigen::Vector3f direction(float azimuth, float elevation) {
    return {std::sin(azimuth) * std::cos(elevation), std::sin(elevation), std::cos(azimuth) * std::cos(elevation)};
}

/// Colour of a black body-ish light from warm (t = 0) to cool (t = 1), unit luminance-ish.
Rgb lightTint(float t) { return palette({{1.0f, 0.78f, 0.58f}, {1.0f, 0.95f, 0.9f}, {0.82f, 0.9f, 1.0f}}, t); }

/// The scene's light (latent dims 21..31 and 43..49): an environment of
/// one of three kinds, each a dome plus a key, a fill and sometimes a rim:
/// outdoors (a sun with a sharp shadow under a blue sky), indoors (a
/// window as the key, warm walls, the window's wall brighter) or a studio
/// (softboxes in a dark room, a rim light more often).
void lightScene(const std::function<float(int)>& u, Appearance& a) {
    const float kind = u(43);
    const bool outdoor = kind < 0.35f, studio = kind >= 0.75f;
    const float keyAz = lerp(-1.2f, 1.2f, u(21)), keyEl = lerp(-0.15f, 1.0f, u(22));
    const float keyI = lerp(1.1f, 1.9f, u(23));
    const Eigen::Vector3f toKey = direction(keyAz, keyEl);
    const float keyRadius = outdoor ? lerp(0.005f, 0.03f, u(45)) : lerp(0.15f, 0.45f, u(45));
    // A low sun is warmer.
    const Rgb keyTint = lightTint(outdoor ? u(27) * std::clamp(keyEl + 0.3f, 0.0f, 1.0f) : u(27));
    a.lights.push_back({toKey, keyTint * keyI, keyRadius});
    const float fillAz = -keyAz * lerp(0.5f, 1.2f, u(24)), fillEl = lerp(0.0f, 0.6f, u(25));
    const float fillI = keyI * lerp(0.1f, 0.5f, u(26));
    a.lights.push_back({direction(fillAz, fillEl), lightTint(u(28)) * fillI, outdoor ? 0.5f : 0.3f});
    if (u(46) > (studio ? 0.3f : 0.6f)) {
        // A rim light behind the head, to one side, grazing the silhouette.
        const float side = u(47) < 0.5f ? -1.0f : 1.0f;
        const float az = side * lerp(2.2f, 2.8f, std::abs(2.0f * u(47) - 1.0f));
        a.lights.push_back({direction(az, lerp(0.1f, 0.8f, u(48))), lightTint(u(28)) * (keyI * lerp(0.3f, 0.9f, u(46))),
                            0.1f});
    }
    const float level = lerp(0.2f, 0.4f, u(30));
    const Rgb ground = palette({{0.35f, 0.3f, 0.25f}, {0.3f, 0.32f, 0.26f}, {0.3f, 0.3f, 0.3f}}, u(49));
    Dome dome;
    dome.sideDirection = toKey;
    if (outdoor) {
        dome.zenith = Rgb(0.45f, 0.6f, 1.0f) * level;
        dome.horizon = Rgb(0.85f, 0.9f, 1.0f) * level;
        dome.ground = ground * level;
        dome.sideGain = lerp(1.0f, 2.5f, u(44));
    } else {
        const Rgb walls = lightTint(u(29)) * (studio ? 0.6f * level : level);
        dome.zenith = walls * 1.1f;
        dome.horizon = walls;
        dome.ground = walls.cwiseProduct(ground) * 1.6f;
        dome.sideGain = studio ? 1.0f : lerp(1.5f, 3.0f, u(44));
    }
    a.environment = EnvironmentSh::fromDome(dome, 256);
}

}  // namespace

Appearance appearanceFromLatent(const Eigen::VectorXf& z) {
    if (z.size() < kAppearanceLatentDims)
        throw std::invalid_argument("appearance: z has " + std::to_string(z.size()) + " values, needs at least " +
                                    std::to_string(kAppearanceLatentDims));
    if (!z.allFinite()) throw std::invalid_argument("appearance: z holds NaN or infinity");
    // u_k = Phi(z_k): uniform in (0, 1) for a standard normal z.
    auto u = [&](int k) { return static_cast<float>(0.5 * std::erfc(-static_cast<double>(z[k]) / std::sqrt(2.0))); };
    Appearance a;
    // Skin: a measured tone by melanin (stops in display sRGB, roughly along
    // the Fitzpatrick scale, from very light to very dark), then the
    // identity's blood and carotene as chromophores (skin_model.h): more
    // blood is pinker, less with carotene is sallow or olive.
    const Rgb tone = palette({linear(247, 219, 201), linear(234, 192, 165), linear(214, 164, 130), linear(184, 129, 94),
                              linear(143, 92, 62), linear(99, 62, 43), linear(64, 40, 29)},
                             u(0));
    a.skin = skin::withChromophores(tone, 0.0f, lerp(-0.08f, 0.12f, u(40)), lerp(0.06f, -0.04f, u(1)));
    a.skinFlushed = skin::withChromophores(a.skin, 0.0f, lerp(0.04f, 0.25f, u(2)));
    a.poreStrength = lerp(0.03f, 0.09f, u(3));
    a.blotchStrength = lerp(0.02f, 0.06f, u(4));
    // Hair: black, browns, blond, red and grey; darker skin leans darker.
    const float hairU = std::clamp(u(5) - 0.35f * std::max(0.0f, u(0) - 0.5f), 0.0f, 1.0f);
    a.hair = palette({linear(22, 18, 16), linear(45, 32, 24), linear(82, 56, 38), linear(122, 88, 58),
                      linear(168, 130, 88), linear(212, 178, 128), linear(150, 70, 38), linear(165, 160, 155)},
                     hairU) * lerp(0.8f, 1.15f, u(6));
    a.hairDensity = lerp(0.55f, 1.0f, u(7));
    a.brows = a.hair.cwiseMin(a.skin * 0.5f) * lerp(0.7f, 1.1f, u(8));
    a.browDensity = lerp(0.5f, 1.0f, u(9));
    // Lips: thin epidermis over dense capillaries, i.e. much more blood.
    a.lips = skin::withChromophores(a.skin, 0.0f, lerp(0.45f, 0.8f, u(10))) * lerp(0.8f, 1.0f, u(11));
    a.iris = palette({linear(60, 35, 20), linear(100, 65, 35), linear(120, 100, 55), linear(85, 110, 80),
                      linear(90, 120, 150), linear(120, 130, 140)},
                     u(12));
    a.sclera = linear(232, 222, 215) * lerp(0.85f, 1.0f, u(13));
    a.mouth = linear(120, 45, 45) * lerp(0.6f, 1.0f, u(14));
    a.specular = lerp(0.04f, 0.16f, u(15));
    a.shininess = lerp(12.0f, 40.0f, u(16));
    float wsum = 0.0f;
    for (int k = 0; k < 4; ++k) wsum += (a.noiseWeights[k] = 0.05f + u(17 + k));
    for (float& w : a.noiseWeights) w /= wsum;
    // Relief: pores 20-60 um deep everywhere; fine wrinkles mostly shallow
    // (most people are young-ish), up to 0.2 mm.
    a.poreDepth = lerp(20e-6f, 60e-6f, u(3));
    a.wrinkleDepth = 200e-6f * u(41) * u(41);
    a.oiliness = lerp(0.2f, 1.5f, u(42));
    a.scatterWrap = Rgb(0.45f, 0.25f, 0.15f);

    lightScene(u, a);
    // Expose for the skin: light skin needs less light to look right, as a
    // camera's auto-exposure would do (keeps very light skin from clipping).
    a.exposure = lerp(0.85f, 1.1f, u(31)) * std::clamp(0.45f / std::max(0.05f, a.skin.maxCoeff()), 0.6f, 1.6f);
    // Background: four corner colours around one random hue, and blobs.
    const float hue = u(32), sat = lerp(0.05f, 0.5f, u(33)), val = lerp(0.15f, 0.9f, u(34));
    for (int c = 0; c < 4; ++c) {
        const float h = std::fmod(hue + 0.08f * (u(35 + c % 2) - 0.5f) * static_cast<float>(c) + 1.0f, 1.0f);
        const float v = std::clamp(val * lerp(0.7f, 1.2f, u(37 + c % 2)) * (c < 2 ? 1.0f : 0.8f), 0.0f, 1.0f);
        cv::Mat hsv(1, 1, CV_32FC3, cv::Scalar(h * 360.0f, sat, v)), rgb;
        cv::cvtColor(hsv, rgb, cv::COLOR_HSV2RGB);
        const cv::Vec3f p = rgb.at<cv::Vec3f>(0, 0);
        a.background[c] = Rgb(p[0], p[1], p[2]);
    }
    a.backgroundNoise = lerp(0.02f, 0.15f, u(39));
    a.backgroundSeed = static_cast<std::uint64_t>(u(39) * 1e9) ^ static_cast<std::uint64_t>(u(32) * 1e12);
    return a;
}

// ---------------------------------------------------------------------------

namespace {

/// Per-vertex indicator of a named region (1 inside), or empty when the
/// model has no such region.
std::vector<float> regionIndicator(const head::HeadModel& model, const std::vector<std::string>& names) {
    std::vector<float> w;
    for (const std::string& n : names) {
        auto it = model.regions.find(n);
        if (it == model.regions.end()) continue;
        if (w.empty()) w.assign(model.numVertices(), 0.0f);
        for (std::int32_t v : it->second)
            if (v >= 0 && v < model.numVertices()) w[v] = 1.0f;
    }
    return w;
}

std::vector<float> cheekWeights(const head::HeadModel& model) {
    if (model.landmarks.empty()) return {};
    const head::RowMatX3f L = head::forward(model, {}).landmarks;
    std::vector<std::pair<Eigen::Vector3f, float>> centres;  // centre, radius (metres)
    const Eigen::Vector3f right = (L.row(41) + L.row(48) + L.row(3)).transpose() / 3.0f;
    const Eigen::Vector3f left = (L.row(46) + L.row(54) + L.row(13)).transpose() / 3.0f;
    centres.push_back({right, 0.022f});
    centres.push_back({left, 0.022f});
    centres.push_back({L.row(30).transpose(), 0.01f});  // the nose tip reddens too
    std::vector<float> w(model.numVertices(), 0.0f);
    for (int v = 0; v < model.numVertices(); ++v)
        for (const auto& [c, r] : centres) {
            const float d2 = (model.vTemplate.row(v).transpose() - c).squaredNorm();
            w[v] = std::max(w[v], std::exp(-d2 / (2.0f * r * r)));
        }
    return w;
}

/// Fine wrinkles and the T-zone, placed by the rest-pose landmarks (iBUG
/// 68): horizontal lines across the forehead above the brows, and crow's
/// feet fanning out from the outer eye corners. Heights are unit-free
/// (scaled per identity by Appearance::wrinkleDepth), in the rest frame's
/// x (subject's left) and y (up), so they run the same way whatever the UV
/// layout.
class SkinRelief {
public:
    explicit SkinRelief(const head::HeadModel& model) {
        if (model.landmarks.count() < 68) return;
        const head::RowMatX3f L = head::forward(model, {}).landmarks;
        has_ = true;
        browY_ = L.block(17, 1, 10, 1).mean();
        centreX_ = 0.5f * (L(17, 0) + L(26, 0));
        halfWidth_ = 0.5f * std::abs(L(26, 0) - L(17, 0));
        const float eyeWidth = std::abs(L(39, 0) - L(36, 0));
        for (int k : {36, 45}) {
            const float out = L(k, 0) < centreX_ ? -1.0f : 1.0f;
            corners_.push_back(Eigen::Vector2f(L(k, 0) + out * 0.35f * eyeWidth, L(k, 1)));
        }
        cornerRadius_ = 0.45f * eyeWidth;
        bridge_ = L.row(27).transpose();
        tip_ = L.row(30).transpose();
        foreheadCentre_ = Eigen::Vector3f(centreX_, browY_ + 0.6f * halfWidth_, L(27, 2));
    }

    float wrinkle(const Eigen::Vector3f& p) const {
        if (!has_) return 0.0f;
        float h = 0.0f;
        // Forehead: from just above the brows to about a brow-span up,
        // fading toward the temples; lines ~6 mm apart, gently wavy.
        const float up = p.y() - browY_;
        const float across = std::abs(p.x() - centreX_) / halfWidth_;
        if (up > 0.0f && across < 1.2f && p.z() > foreheadCentre_.z() - 0.05f) {
            const float w = smoothstep(0.004f, 0.012f, up) * (1.0f - smoothstep(0.8f * halfWidth_, 1.2f * halfWidth_, up)) *
                            (1.0f - smoothstep(0.7f, 1.2f, across));
            h += w * std::sin(2.0f * static_cast<float>(M_PI) * up / 0.006f + 0.8f * std::sin(p.x() * 90.0f)) *
                 (0.6f + 0.4f * std::sin(p.x() * 47.0f + 1.3f));
        }
        // Crow's feet: radial lines from beside each outer corner.
        for (const Eigen::Vector2f& c : corners_) {
            const Eigen::Vector2f d(p.x() - c.x(), p.y() - c.y());
            const float r = d.norm();
            if (r > 2.5f * cornerRadius_ || p.z() < bridge_.z() - 0.06f) continue;
            const float w = std::exp(-r * r / (2.0f * cornerRadius_ * cornerRadius_)) * smoothstep(0.0f, 0.4f * cornerRadius_, r);
            h += w * std::sin(std::atan2(d.y(), std::abs(d.x())) * 11.0f);
        }
        return h;
    }

    /// 0..1: forehead centre and the nose ridge, where skin is oilier.
    float oil(const Eigen::Vector3f& p) const {
        if (!has_) return 0.0f;
        const float r = 0.9f * halfWidth_;
        float w = std::exp(-(p - foreheadCentre_).squaredNorm() / (2.0f * r * r));
        const Eigen::Vector3f axis = tip_ - bridge_;
        const float t = std::clamp((p - bridge_).dot(axis) / axis.squaredNorm(), 0.0f, 1.0f);
        const float dn = (p - (bridge_ + t * axis)).norm();
        w = std::max(w, std::exp(-dn * dn / (2.0f * 0.01f * 0.01f)));
        return w;
    }

private:
    static float smoothstep(float a, float b, float x) {
        const float t = std::clamp((x - a) / (b - a), 0.0f, 1.0f);
        return t * t * (3.0f - 2.0f * t);
    }
    bool has_ = false;
    float browY_ = 0, centreX_ = 0, halfWidth_ = 1, cornerRadius_ = 0.01f;
    std::vector<Eigen::Vector2f> corners_;
    Eigen::Vector3f bridge_, tip_, foreheadCentre_;
};

/// Ambient occlusion per vertex: the cosine-weighted fraction of 32
/// directions from which the vertex is not hidden, each direction tested by
/// rasterising the rest mesh from far away.
std::vector<float> vertexAmbientOcclusion(const head::HeadModel& model) {
    const raster::Vertices& v = model.vTemplate;
    const raster::Vertices n = raster::vertexNormals(v, model.faces);
    const Eigen::Vector3f centre = 0.5f * (v.colwise().minCoeff() + v.colwise().maxCoeff()).transpose();
    const float extent = (v.colwise().maxCoeff() - v.colwise().minCoeff()).norm();
    constexpr int kDirs = 32, kImage = 256;
    const float dist = 4.0f * extent, focal = kImage * dist / (1.1f * extent);
    std::vector<float> seen(model.numVertices(), 0.0f), total(model.numVertices(), 0.0f);
    raster::RasterResult r;
    raster::RasterOptions ro;
    ro.threads = 1;
    for (int k = 0; k < kDirs; ++k) {
        // Fibonacci sphere.
        const float y = 1.0f - 2.0f * (static_cast<float>(k) + 0.5f) / kDirs;
        const float rad = std::sqrt(1.0f - y * y), phi = 2.399963f * static_cast<float>(k);
        const Eigen::Vector3f d(rad * std::cos(phi), y, rad * std::sin(phi));  // toward the viewer
        // Camera basis: forward = -d.
        const Eigen::Vector3f fwd = -d;
        const Eigen::Vector3f helper = std::abs(fwd.y()) < 0.9f ? Eigen::Vector3f::UnitY() : Eigen::Vector3f::UnitX();
        const Eigen::Vector3f right = fwd.cross(helper).normalized(), down = fwd.cross(right);
        raster::Vertices cam(v.rows(), 3);
        for (Eigen::Index i = 0; i < v.rows(); ++i) {
            const Eigen::Vector3f p = v.row(i).transpose() - centre;
            cam.row(i) << p.dot(right), p.dot(down), p.dot(fwd) + dist;
        }
        const raster::Intrinsics K{focal, focal, kImage / 2.0f, kImage / 2.0f};
        raster::rasterize(cam, K, model.faces, kImage, kImage, ro, r);
        for (Eigen::Index i = 0; i < v.rows(); ++i) {
            const float w = std::max(0.0f, n.row(i).dot(d.transpose()));
            if (w <= 0.0f) continue;
            total[i] += w;
            const Eigen::Vector3f c = cam.row(i).transpose();
            if (raster::pointVisible(r, K.fx * c.x() / c.z() + K.cx, K.fy * c.y() / c.z() + K.cy, c.z(), 0.002f))
                seen[i] += w;
        }
    }
    std::vector<float> ao(model.numVertices(), 1.0f);
    for (int i = 0; i < model.numVertices(); ++i)
        if (total[i] > 0.0f) ao[i] = seen[i] / total[i];
    return ao;
}

/// Fine zero-mean noise of unit-ish amplitude as int8 (x 40): white noise
/// per texel, slightly blurred (pores).
cv::Mat noiseTexture(int size, std::uint64_t seed) {
    SampleRng rng(seed, static_cast<std::uint64_t>(size), RngStream::Appearance);
    cv::Mat grid(size, size, CV_32FC1);
    for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x) grid.at<float>(y, x) = static_cast<float>(rng.normal());
    cv::Mat big;
    cv::GaussianBlur(grid, big, cv::Size(0, 0), 0.7);
    cv::Scalar mean, stddev;
    cv::meanStdDev(big, mean, stddev);
    cv::Mat out;
    big.convertTo(out, CV_8SC1, 40.0 / std::max(1e-6, stddev[0]), -40.0 * mean[0] / std::max(1e-6, stddev[0]));
    return out;
}

/// Smooth value noise in 3D: random values on a lattice of `cell` metres,
/// blended with smoothstep weights; two octaves.
float valueNoise(const Eigen::Vector3f& p, float cell, std::uint64_t seed) {
    auto lattice = [seed](int x, int y, int z) {
        std::uint64_t h = seed * 0x9E3779B97F4A7C15ull;
        h ^= static_cast<std::uint64_t>(static_cast<std::uint32_t>(x)) * 0xBF58476D1CE4E5B9ull;
        h ^= static_cast<std::uint64_t>(static_cast<std::uint32_t>(y)) * 0x94D049BB133111EBull;
        h ^= static_cast<std::uint64_t>(static_cast<std::uint32_t>(z)) * 0xD6E8FEB86659FD93ull;
        h ^= h >> 31;
        h *= 0xBF58476D1CE4E5B9ull;
        h ^= h >> 29;
        return static_cast<float>(h >> 40) / static_cast<float>(1ull << 24) * 2.0f - 1.0f;
    };
    auto octave = [&](float c) {
        const Eigen::Vector3f q = p / c;
        const int x0 = static_cast<int>(std::floor(q.x())), y0 = static_cast<int>(std::floor(q.y())),
                  z0 = static_cast<int>(std::floor(q.z()));
        auto smooth = [](float t) { return t * t * (3.0f - 2.0f * t); };
        const float tx = smooth(q.x() - x0), ty = smooth(q.y() - y0), tz = smooth(q.z() - z0);
        float v = 0.0f;
        for (int dz = 0; dz < 2; ++dz)
            for (int dy = 0; dy < 2; ++dy)
                for (int dx = 0; dx < 2; ++dx)
                    v += (dx ? tx : 1 - tx) * (dy ? ty : 1 - ty) * (dz ? tz : 1 - tz) * lattice(x0 + dx, y0 + dy, z0 + dz);
        return v;
    };
    return octave(cell) + 0.5f * octave(0.5f * cell);
}

/// Medium-scale noise (blotches about 2 cm across) at each vertex of the
/// rest mesh, zero-mean and unit standard deviation over the vertices. Per
/// vertex and interpolated over each texel's triangle: the blotches are far
/// larger than a triangle, and it is a hundredth of the work per texel.
std::vector<float> solidNoise(const head::RowMatX3f& rest, std::uint64_t seed) {
    std::vector<float> out(static_cast<std::size_t>(rest.rows()));
    double sum = 0.0, sum2 = 0.0;
    for (Eigen::Index v = 0; v < rest.rows(); ++v) {
        const float x = valueNoise(rest.row(v).transpose(), 0.02f, seed);
        out[static_cast<std::size_t>(v)] = x;
        sum += x;
        sum2 += static_cast<double>(x) * x;
    }
    if (out.empty()) return out;
    const double n = static_cast<double>(out.size()), mean = sum / n;
    const double sd = std::sqrt(std::max(1e-12, sum2 / n - mean * mean));
    for (float& x : out) x = static_cast<float>((x - mean) / sd);
    return out;
}

}  // namespace

AppearanceAtlas::AppearanceAtlas(const head::HeadModel& model, const cv::Mat& labelMap, int size) : size_(size) {
    if (size < 16 || size > 4096) throw std::invalid_argument("AppearanceAtlas: size must be in 16..4096");
    if (!labelMap.empty() && labelMap.type() != CV_8UC1)
        throw std::invalid_argument("AppearanceAtlas: the label map must be CV_8UC1 class ids");
    ao_ = vertexAmbientOcclusion(model);
    if (!model.hasUv()) return;

    // Per-vertex fields, interpolated over the atlas.
    const std::vector<float> eyeball = regionIndicator(model, {"left_eyeball", "right_eyeball"});
    const std::vector<float> iris = regionIndicator(model, {"left_iris", "right_iris"});
    const std::vector<float> pupil = regionIndicator(model, {"left_pupil", "right_pupil"});
    const std::vector<float> cheeks = cheekWeights(model);
    cv::Mat labels;
    if (!labelMap.empty()) {
        const cv::Mat padded = annotate::padLabelMap(labelMap, std::max(2, labelMap.rows / 256));
        cv::resize(padded, labels, cv::Size(size, size), 0, 0, cv::INTER_NEAREST);
    }
    const raster::RasterResult r = annotate::rasterizeUvAtlas(model.uv, model.uvFaces, size);
    std::vector<cv::Mat> ch(kNumAtlasChannels);
    for (auto& m : ch) m = cv::Mat::zeros(size, size, CV_32FC1);
    auto interp = [&](const std::vector<float>& field, std::int32_t f, float b0, float b1, float b2) {
        if (field.empty()) return 0.0f;
        return b0 * field[model.faces(f, 0)] + b1 * field[model.faces(f, 1)] + b2 * field[model.faces(f, 2)];
    };
    // Rest-pose position of each texel: the medium noise and the relief are
    // functions of where a texel lies on the head, not of its UV, so they
    // run on across UV seams instead of stepping there.
    std::vector<Eigen::Vector3f> rest(static_cast<std::size_t>(size) * size, Eigen::Vector3f::Zero());
    for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x) {
            const std::size_t i = r.index(x, y);
            const std::int32_t f = r.triangleId[i];
            if (f < 0) continue;
            const float b0 = r.bary0[i], b1 = r.bary1[i], b2 = 1.0f - b0 - b1;
            rest[i] = (b0 * model.vTemplate.row(model.faces(f, 0)) + b1 * model.vTemplate.row(model.faces(f, 1)) +
                       b2 * model.vTemplate.row(model.faces(f, 2)))
                          .transpose();
            ch[kMaskEyeball].at<float>(y, x) = interp(eyeball, f, b0, b1, b2);
            ch[kMaskIris].at<float>(y, x) = interp(iris, f, b0, b1, b2);
            ch[kMaskPupil].at<float>(y, x) = interp(pupil, f, b0, b1, b2);
            ch[kMaskCheeks].at<float>(y, x) = interp(cheeks, f, b0, b1, b2);
            if (labels.empty()) continue;
            const std::uint8_t c = labels.at<std::uint8_t>(y, x);
            ch[kMaskLips].at<float>(y, x) = (c == 10 || c == 11) ? 1.0f : 0.0f;
            ch[kMaskBrows].at<float>(y, x) = (c == 5 || c == 6) ? 1.0f : 0.0f;
            ch[kMaskHair].at<float>(y, x) = c == 13 ? 1.0f : 0.0f;
            ch[kMaskMouth].at<float>(y, x) = c == 9 ? 1.0f : 0.0f;
            if (eyeball.empty() && (c == 3 || c == 4)) ch[kMaskEyeball].at<float>(y, x) = 1.0f;
        }
    // Soft edges: features blend into skin over ~1.5 texels instead of
    // stepping, and a slight dilation keeps island borders from fading.
    const double sigma = std::max(0.8, size / 400.0);
    for (int c = 0; c < kNumAtlasChannels; ++c) {
        cv::dilate(ch[c], ch[c], cv::Mat(), cv::Point(-1, -1), 1);
        cv::GaussianBlur(ch[c], ch[c], cv::Size(0, 0), sigma);
    }
    texels_.resize(static_cast<std::size_t>(size) * size);
    for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x)
            for (int c = 0; c < kNumAtlasChannels; ++c)
                texels_[static_cast<std::size_t>(y) * size + x].masks[c] =
                    static_cast<std::uint8_t>(std::lround(std::clamp(ch[c].at<float>(y, x), 0.0f, 1.0f) * 255.0f));
    for (int t = 0; t < 4; ++t) {
        const cv::Mat fine = noiseTexture(size, 100 + t);
        const std::vector<float> medium = solidNoise(model.vTemplate, 200 + t);
        for (int y = 0; y < size; ++y)
            for (int x = 0; x < size; ++x) {
                const std::size_t i = static_cast<std::size_t>(y) * size + x;
                texels_[i].noise[2 * t] = fine.at<std::int8_t>(y, x);
                const std::int32_t f = r.triangleId[i];
                if (f < 0) continue;
                const float b0 = r.bary0[i], b1 = r.bary1[i];
                const float value = interp(medium, f, b0, b1, 1.0f - b0 - b1);
                texels_[i].noise[2 * t + 1] = static_cast<std::int8_t>(std::lround(std::clamp(value * 40.0f, -127.0f, 127.0f)));
            }
    }
    bakeRelief(model, r, rest);
}

void AppearanceAtlas::bakeRelief(const head::HeadModel& model, const raster::RasterResult& r,
                                 const std::vector<Eigen::Vector3f>& rest) {
    // Height fields on the texel grid: pores are the fine noise of texture 0
    // (the same pits everyone has, at fixed places on the skin), wrinkles
    // come from the rest position of each texel.
    const SkinRelief relief(model);
    const int n = size_;
    std::vector<float> wrinkle(texels_.size(), 0.0f);
    for (std::size_t i = 0; i < texels_.size(); ++i) {
        if (r.triangleId[i] < 0) continue;
        wrinkle[i] = relief.wrinkle(rest[i]);
        texels_[i].oil = static_cast<std::uint8_t>(std::lround(std::clamp(relief.oil(rest[i]), 0.0f, 1.0f) * 255.0f));
    }
    // Central differences, only where all four neighbours lie on the skin:
    // across a UV island's border the neighbour is another part of the
    // head, and a difference there would draw a seam.
    auto quantise = [](float g) {
        return static_cast<std::int8_t>(std::lround(std::clamp(g * kReliefScale, -127.0f, 127.0f)));
    };
    for (int y = 1; y + 1 < n; ++y)
        for (int x = 1; x + 1 < n; ++x) {
            const std::size_t i = r.index(x, y);
            if (r.triangleId[i] < 0 || r.triangleId[i - 1] < 0 || r.triangleId[i + 1] < 0 || r.triangleId[i - n] < 0 ||
                r.triangleId[i + n] < 0)
                continue;
            Texel& t = texels_[i];
            const float pore = 1.0f / 40.0f;
            t.relief[0] = quantise(0.5f * pore * (texels_[i + 1].noise[0] - texels_[i - 1].noise[0]));
            t.relief[1] = quantise(0.5f * pore * (texels_[i + n].noise[0] - texels_[i - n].noise[0]));
            t.relief[2] = quantise(0.5f * (wrinkle[i + 1] - wrinkle[i - 1]));
            t.relief[3] = quantise(0.5f * (wrinkle[i + n] - wrinkle[i - n]));
        }
}

namespace {

struct Bilinear {
    std::size_t i00, i10, i01, i11;
    float w00, w10, w01, w11;
};

Bilinear bilinear(float u, float v, int n) {
    const float fx = std::clamp(u * n - 0.5f, 0.0f, n - 1.0f), fy = std::clamp((1.0f - v) * n - 0.5f, 0.0f, n - 1.0f);
    const int x0 = static_cast<int>(fx), y0 = static_cast<int>(fy);
    const int x1 = std::min(x0 + 1, n - 1), y1 = std::min(y0 + 1, n - 1);
    const float tx = fx - x0, ty = fy - y0;
    const auto idx = [n](int x, int y) { return static_cast<std::size_t>(y) * n + x; };
    return {idx(x0, y0), idx(x1, y0), idx(x0, y1), idx(x1, y1), (1 - tx) * (1 - ty), tx * (1 - ty), (1 - tx) * ty,
            tx * ty};
}

}  // namespace

void AppearanceAtlas::sample(float u, float v, const std::array<float, 4>& weights, float masks[kNumAtlasChannels],
                             float noise[2], SkinDetail* detail) const {
    noise[0] = noise[1] = 0.0f;
    if (texels_.empty()) {
        std::fill(masks, masks + kNumAtlasChannels, 0.0f);
        if (detail) *detail = SkinDetail{};
        return;
    }
    const Bilinear b = bilinear(u, v, size_);
    const Texel& t00 = texels_[b.i00];
    const Texel& t10 = texels_[b.i10];
    const Texel& t01 = texels_[b.i01];
    const Texel& t11 = texels_[b.i11];
    for (int c = 0; c < kNumAtlasChannels; ++c)
        masks[c] = (b.w00 * t00.masks[c] + b.w10 * t10.masks[c] + b.w01 * t01.masks[c] + b.w11 * t11.masks[c]) *
                   (1.0f / 255.0f);
    float raw[8];
    for (int k = 0; k < 8; ++k)
        raw[k] = b.w00 * t00.noise[k] + b.w10 * t10.noise[k] + b.w01 * t01.noise[k] + b.w11 * t11.noise[k];
    for (int t = 0; t < 4; ++t) {
        noise[0] += weights[t] * raw[2 * t];
        noise[1] += weights[t] * raw[2 * t + 1];
    }
    noise[0] *= 1.0f / 40.0f;
    noise[1] *= 1.0f / 40.0f;
    if (!detail) return;
    float g[4];
    for (int k = 0; k < 4; ++k)
        g[k] = b.w00 * t00.relief[k] + b.w10 * t10.relief[k] + b.w01 * t01.relief[k] + b.w11 * t11.relief[k];
    // Per texel -> per UV unit; the atlas's y runs down while v runs up.
    const float perUv = static_cast<float>(size_) / kReliefScale;
    detail->poreDu = g[0] * perUv;
    detail->poreDv = -g[1] * perUv;
    detail->wrinkleDu = g[2] * perUv;
    detail->wrinkleDv = -g[3] * perUv;
    detail->oil = (b.w00 * t00.oil + b.w10 * t10.oil + b.w01 * t01.oil + b.w11 * t11.oil) * (1.0f / 255.0f);
}

}  // namespace synthforge::generate
