#include "core/generate/procedural_generator.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <string>

#include <Eigen/Geometry>
#include <opencv2/imgproc.hpp>

#include "core/generate/mesh_density.h"
#include "core/generate/sample_rng.h"
#include "core/raster/mesh_normals.h"
#include "core/raster/rasterizer.h"

namespace synthforge::generate {

namespace {

/// Linear light -> display byte: gamma 2.2 with a soft shoulder so that
/// highlights roll off instead of clipping. A table, since three pow() calls
/// per pixel would cost more than the rest of the shading.
class DisplayCurve {
public:
    static constexpr int kSize = 4096;
    static constexpr float kMax = 4.0f;  // linear values above this are white
    DisplayCurve() {
        for (int i = 0; i < kSize; ++i) {
            const float linear = kMax * static_cast<float>(i) / (kSize - 1);
            const float x = linear / (1.0f + 0.15f * linear);
            table_[i] = static_cast<std::uint8_t>(std::lround(std::pow(std::clamp(x, 0.0f, 1.0f), 1.0f / 2.2f) * 255.0f));
        }
    }
    std::uint8_t operator()(float linear) const {
        const float t = std::clamp(linear, 0.0f, kMax) * ((kSize - 1) / kMax);
        return table_[static_cast<int>(t + 0.5f)];
    }

private:
    std::array<std::uint8_t, kSize> table_{};
};

const DisplayCurve& displayCurve() {
    static const DisplayCurve curve;
    return curve;
}

/// Schlick's cheap stand-in for pow(x, n) in specular lobes: x / (n - n x + x).
float specularPow(float x, float n) { return x / (n - n * x + x); }

/// Softens geometric edges of a 1-sample-per-pixel render: where the visible
/// surface jumps (background, or a depth step over 2 %) between a pixel and
/// a 4-neighbour, the pixel becomes a mix of itself and its neighbours. A
/// cheap stand-in for supersampling that removes most stair-stepping at the
/// silhouette; texture features are already soft (blurred UV masks).
void smoothGeometricEdges(const raster::RasterResult& r, cv::Mat& image) {
    const int W = r.width, H = r.height;
    const cv::Mat src = image.clone();
    auto jump = [&](std::size_t a, std::size_t b) {
        const bool ca = r.triangleId[a] >= 0, cb = r.triangleId[b] >= 0;
        if (ca != cb) return true;
        if (!ca) return false;
        return std::abs(r.depth[a] - r.depth[b]) > 0.02f * std::min(r.depth[a], r.depth[b]);
    };
    for (int y = 1; y + 1 < H; ++y) {
        auto* out = image.ptr<cv::Vec3b>(y);
        const auto* up = src.ptr<cv::Vec3b>(y - 1);
        const auto* mid = src.ptr<cv::Vec3b>(y);
        const auto* down = src.ptr<cv::Vec3b>(y + 1);
        for (int x = 1; x + 1 < W; ++x) {
            const std::size_t i = r.index(x, y);
            if (!jump(i, i + 1) && !jump(i, i - 1) && !jump(i, i + W) && !jump(i, i - W)) continue;
            for (int c = 0; c < 3; ++c)
                out[x][c] = static_cast<std::uint8_t>(
                    (4 * mid[x][c] + mid[x - 1][c] + mid[x + 1][c] + up[x][c] + down[x][c] + 4) / 8);
        }
    }
}

/// The background: a bilinear gradient between four corner colours plus
/// soft blobs, at the output size (display values, BGR).
cv::Mat renderBackground(const Appearance& a, int width, int height) {
    cv::Mat corners(2, 2, CV_32FC3);
    for (int c = 0; c < 4; ++c) corners.at<cv::Vec3f>(c / 2, c % 2) = cv::Vec3f(a.background[c].z(), a.background[c].y(), a.background[c].x());
    cv::Mat grad;
    cv::resize(corners, grad, cv::Size(width, height), 0, 0, cv::INTER_LINEAR);
    SampleRng rng(a.backgroundSeed, 0, RngStream::Appearance);
    cv::Mat blobs(5, 5, CV_32FC3);
    for (int y = 0; y < 5; ++y)
        for (int x = 0; x < 5; ++x) {
            const float l = static_cast<float>(rng.normal()) * a.backgroundNoise;
            const float t = static_cast<float>(rng.normal()) * a.backgroundNoise * 0.5f;
            blobs.at<cv::Vec3f>(y, x) = cv::Vec3f(l - t, l, l + t);
        }
    // Enlarge in two steps with a blur between, so the blobs are round
    // rather than the blocky cells a single bicubic enlargement shows.
    cv::Mat mid, big;
    cv::resize(blobs, mid, cv::Size(40, 40), 0, 0, cv::INTER_LINEAR);
    cv::GaussianBlur(mid, mid, cv::Size(0, 0), 4.0);
    cv::resize(mid, big, cv::Size(width, height), 0, 0, cv::INTER_LINEAR);
    cv::Mat out;
    cv::Mat(grad + big).convertTo(out, CV_8UC3, 255.0);
    return out;
}

}  // namespace

ProceduralGenerator::ProceduralGenerator(std::shared_ptr<const head::HeadModel> model, const cv::Mat& appearanceLabels,
                                         ProceduralGeneratorOptions options)
    : model_(std::move(model)), options_(options), atlas_(*model_, appearanceLabels, options.atlasSize) {
    if (options_.supersample < 1 || options_.supersample > 4)
        throw std::invalid_argument("ProceduralGenerator: supersample must be in 1..4");
}

GeneratorCapabilities ProceduralGenerator::capabilities() const {
    GeneratorCapabilities c;
    c.name = "procedural";
    c.version = "1";
    c.latentDim = 512;
    c.preferredBatch = 1;
    c.density = true;
    c.threadSafe = true;
    c.devices = {Device::Cpu};
    return c;
}

std::vector<GeneratorOutput> ProceduralGenerator::generate(const std::vector<GeneratorInput>& batch, int width,
                                                           int height) const {
    std::vector<GeneratorOutput> out;
    out.reserve(batch.size());
    for (const GeneratorInput& in : batch) out.push_back(render(in, width, height));
    return out;
}

GeneratorOutput ProceduralGenerator::render(const GeneratorInput& in, int width, int height) const {
    const head::HeadModel& m = *model_;
    if (!in.z || !in.vertices) throw std::invalid_argument("procedural generator: input without z or vertices");
    if (in.vertices->rows() != m.numVertices())
        throw std::invalid_argument("procedural generator: " + std::to_string(in.vertices->rows()) +
                                    " vertices for a model with " + std::to_string(m.numVertices()));
    if (width < 1 || height < 1 || width > 8192 || height > 8192)
        throw std::invalid_argument("procedural generator: image size must be 1..8192");
    const Appearance a = appearanceFromLatent(*in.z);
    const int ss = options_.supersample, W = width * ss, H = height * ss;

    const Eigen::Matrix4f toCam = in.camera.world2cam() * camera::flameToWorldMatrix();
    const raster::Vertices cam = camera::transformPoints(toCam, *in.vertices);
    const raster::Vertices normals = raster::vertexNormals(cam, m.faces);
    const raster::Intrinsics k = raster::Intrinsics::fromMatrix(in.camera.intrinsicsPixels(W, H));
    raster::RasterResult own;
    const bool reuse = in.coverage && ss == 1 && in.coverage->width == W && in.coverage->height == H;
    if (!reuse) {
        raster::RasterOptions ro;
        ro.threads = options_.threads;
        raster::rasterize(cam, k, m.faces, W, H, ro, own);
    }
    const raster::RasterResult& r = reuse ? *in.coverage : own;

    // Lights and "up" into camera axes (world and FLAME frames share axes).
    const Eigen::Matrix3f rot = toCam.topLeftCorner<3, 3>() / camera::kFlameToWorldScale;
    std::vector<std::pair<Eigen::Vector3f, Rgb>> lights;
    for (const DirectionalLight& l : a.lights) lights.push_back({rot * l.toLight.normalized(), l.color});
    const Eigen::Vector3f up = rot * Eigen::Vector3f::UnitY();
    const std::vector<float>& ao = atlas_.ambientOcclusion();
    const bool uv = m.hasUv() && atlas_.hasUv();

    const DisplayCurve& curve = displayCurve();
    cv::Mat hi(H, W, CV_8UC3);
    const cv::Mat background = renderBackground(a, W, H);
    for (int y = 0; y < H; ++y) {
        auto* row = hi.ptr<cv::Vec3b>(y);
        const auto* bg = background.ptr<cv::Vec3b>(y);
        for (int x = 0; x < W; ++x) {
            const std::size_t idx = r.index(x, y);
            const std::int32_t f = r.triangleId[idx];
            if (f < 0) {
                row[x] = bg[x];
                continue;
            }
            const float b0 = r.bary0[idx], b1 = r.bary1[idx], b2 = 1.0f - b0 - b1;
            const int i0 = m.faces(f, 0), i1 = m.faces(f, 1), i2 = m.faces(f, 2);
            const Eigen::Vector3f p = (b0 * cam.row(i0) + b1 * cam.row(i1) + b2 * cam.row(i2)).transpose();
            Eigen::Vector3f n = (b0 * normals.row(i0) + b1 * normals.row(i1) + b2 * normals.row(i2)).transpose();
            if (n.dot(p) > 0.0f) n = -n;  // back faces seen through openings
            n.normalize();
            const Eigen::Vector3f view = -p.normalized();
            const float occlusion = b0 * ao[i0] + b1 * ao[i1] + b2 * ao[i2];

            float mask[kNumAtlasChannels] = {};
            float noise[2] = {};
            if (uv) {
                const auto t = m.uvFaces.row(f);
                const float u = b0 * m.uv(t[0], 0) + b1 * m.uv(t[1], 0) + b2 * m.uv(t[2], 0);
                const float v = b0 * m.uv(t[0], 1) + b1 * m.uv(t[1], 1) + b2 * m.uv(t[2], 1);
                atlas_.sample(u, v, a.noiseWeights, mask, noise);
            }
            const Rgb albedo = albedoAt(a, mask, noise);

            // Shading: hemisphere ambient with occlusion, wrapped diffuse
            // (a cheap stand-in for light scattering under skin), Blinn-Phong.
            const float eye = mask[kMaskEyeball];
            const float specStrength = a.specular * (1.0f - 0.8f * mask[kMaskHair]) + eye * 0.6f;
            const float shininess = a.shininess + eye * 250.0f;
            const float hemi = 0.5f + 0.5f * n.dot(up);
            Rgb light = (a.ambientGround + hemi * (a.ambientSky - a.ambientGround)) * occlusion;
            Rgb spec = Rgb::Zero();
            for (const auto& [l, color] : lights) {
                const float ndl = n.dot(l);
                light += color * (std::max(0.0f, (ndl + 0.3f) / 1.3f) * (0.5f + 0.5f * occlusion));
                if (ndl > 0.0f) {
                    const float ndh = std::max(0.0f, n.dot((l + view).normalized()));
                    spec += color * (specStrength * specularPow(ndh, shininess) * occlusion);
                }
            }
            const Rgb c = (albedo.cwiseProduct(light) + spec) * a.exposure;
            row[x] = cv::Vec3b(curve(c.z()), curve(c.y()), curve(c.x()));
        }
    }

    GeneratorOutput out;
    if (ss == 1) {
        smoothGeometricEdges(r, hi);
        out.image = hi;
    }
    else
        cv::resize(hi, out.image, cv::Size(width, height), 0, 0, cv::INTER_AREA);
    // Depth: the mean z of the covered sub-samples of each pixel.
    out.depth = cv::Mat::zeros(height, width, CV_32FC1);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            float sum = 0.0f;
            int n = 0;
            for (int sy = 0; sy < ss; ++sy)
                for (int sx = 0; sx < ss; ++sx) {
                    const float d = r.depth[r.index(x * ss + sx, y * ss + sy)];
                    if (d > 0.0f) sum += d, ++n;
                }
            out.depth.at<float>(y, x) = n ? sum / n : 0.0f;
        }
    return out;
}

std::vector<float> ProceduralGenerator::density(const GeneratorInput& in,
                                                const Eigen::Ref<const camera::Points3f>& worldPoints) const {
    if (!in.vertices || in.vertices->rows() != model_->numVertices())
        throw std::invalid_argument("procedural generator density: vertices do not fit the model");
    const head::RowMatX3f world = camera::transformPoints(camera::flameToWorldMatrix(), *in.vertices);
    const MeshDensity field(world, model_->faces, options_.densityBeta);
    std::vector<float> out(worldPoints.rows());
    for (Eigen::Index i = 0; i < worldPoints.rows(); ++i) out[i] = field.density(worldPoints.row(i).transpose());
    return out;
}

}  // namespace synthforge::generate
