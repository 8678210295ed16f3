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
#include "core/generate/shadow_map.h"
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
        if (!(linear > 0.0f)) return table_[0];  // also NaN: never index with it
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

/// A light in camera axes, with what its size does to the shading.
struct CameraLight {
    Eigen::Vector3f toLight;
    Rgb color;
    float wrap = 0.1f;    ///< diffuse wrap past the terminator (bigger lights wrap further)
    float spread = 1.0f;  ///< factor on the highlight's exponent (a big light's is broader)
    float peak = 1.0f;    ///< the broader highlight's lower peak, keeping its energy about the same
};

CameraLight cameraLight(const DirectionalLight& l, const Eigen::Vector3f& toLight, float shininess) {
    CameraLight c{toLight, l.color};
    c.wrap = 0.1f + 0.6f * l.radius;
    // A highlight of exponent n is about sqrt(2/n) wide; a light of radius r
    // widens it to sqrt(2/n + r^2).
    c.spread = 1.0f / (1.0f + 0.5f * shininess * l.radius * l.radius);
    c.peak = (shininess * c.spread + 2.0f) / (shininess + 2.0f);
    return c;
}

/// Per face, the camera-space gradients of the UV coordinates over the
/// triangle's plane: a height h(u, v) on the surface then has the surface
/// gradient dh/du * gradU + dh/dv * gradV (bump mapping without tangents).
void uvGradients(const raster::Vertices& cam, const head::HeadModel& m, std::vector<Eigen::Vector3f>& gradU,
                 std::vector<Eigen::Vector3f>& gradV) {
    gradU.assign(static_cast<std::size_t>(m.numFaces()), Eigen::Vector3f::Zero());
    gradV.assign(static_cast<std::size_t>(m.numFaces()), Eigen::Vector3f::Zero());
    for (int f = 0; f < m.numFaces(); ++f) {
        const Eigen::Vector3f p0 = cam.row(m.faces(f, 0)).transpose();
        const Eigen::Vector3f e1 = cam.row(m.faces(f, 1)).transpose() - p0, e2 = cam.row(m.faces(f, 2)).transpose() - p0;
        const Eigen::Vector3f normal = e1.cross(e2);
        const float area2 = normal.squaredNorm();
        if (area2 < 1e-20f) continue;
        // Gradients of the barycentric weights of vertices 1 and 2.
        const Eigen::Vector3f g1 = e2.cross(normal) / area2, g2 = normal.cross(e1) / area2;
        const auto t = m.uvFaces.row(f);
        const float du1 = m.uv(t[1], 0) - m.uv(t[0], 0), du2 = m.uv(t[2], 0) - m.uv(t[0], 0);
        const float dv1 = m.uv(t[1], 1) - m.uv(t[0], 1), dv2 = m.uv(t[2], 1) - m.uv(t[0], 1);
        gradU[static_cast<std::size_t>(f)] = du1 * g1 + du2 * g2;
        gradV[static_cast<std::size_t>(f)] = dv1 * g1 + dv2 * g2;
    }
}

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
/// soft blobs (display values, BGR). Both are smooth, so the field is built
/// at 64 x 64 and enlarged once, as bytes, to the output size: full-size
/// float temporaries cost more in fresh pages than in arithmetic.
cv::Mat renderBackground(const Appearance& a, int width, int height) {
    constexpr int kField = 64;
    cv::Mat corners(2, 2, CV_32FC3);
    for (int c = 0; c < 4; ++c) corners.at<cv::Vec3f>(c / 2, c % 2) = cv::Vec3f(a.background[c].z(), a.background[c].y(), a.background[c].x());
    cv::Mat grad;
    cv::resize(corners, grad, cv::Size(kField, kField), 0, 0, cv::INTER_LINEAR);
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
    cv::resize(mid, big, cv::Size(kField, kField), 0, 0, cv::INTER_LINEAR);
    cv::Mat field, out;
    cv::Mat(grad + big).convertTo(field, CV_8UC3, 255.0);
    cv::resize(field, out, cv::Size(width, height), 0, 0, cv::INTER_LINEAR);
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
    c.version = "2";
    c.latentDim = 512;
    c.preferredBatch = 1;
    c.density = true;
    c.densityLevel = MeshDensity::surfaceDensity(options_.densityBeta);
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

    // Lights into camera axes (world and FLAME frames share axes); normals
    // back to world axes for the environment's spherical harmonics.
    const Eigen::Matrix3f rot = toCam.topLeftCorner<3, 3>() / camera::kFlameToWorldScale;
    const Eigen::Matrix3f toWorld = rot.transpose();
    std::vector<CameraLight> lights;
    for (const DirectionalLight& l : a.lights) lights.push_back(cameraLight(l, rot * l.toLight.normalized(), a.shininess));
    const std::vector<float>& ao = atlas_.ambientOcclusion();
    const bool uv = m.hasUv() && atlas_.hasUv();
    const bool detail = uv && options_.skinDetail;
    thread_local std::vector<Eigen::Vector3f> gradU, gradV;
    if (detail) uvGradients(cam, m, gradU, gradV);
    // Relief heights are FLAME metres; camera space is in generator units.
    const float poreDepth = a.poreDepth * camera::kFlameToWorldScale;
    const float wrinkleDepth = a.wrinkleDepth * camera::kFlameToWorldScale;
    // The key's shadow map, one per thread and rebuilt per frame (its buffers
    // are megabytes). A sun's shadow is looked up per pixel with a bilinear
    // edge; a window's is soft (its penumbra under the nose is about the
    // light's angular radius times the ~5 cm from nose to cheek, a
    // centimetre or more), so it is filtered per vertex on a coarse map and
    // interpolated, at a twentieth of the cost.
    thread_local ShadowMap keyShadow;
    thread_local std::vector<float> vertexShadow;
    const bool shadows = options_.shadows && !lights.empty();
    const bool softShadow = shadows && a.lights[0].radius > 0.05f;
    if (shadows) {
        keyShadow.build(cam, m.faces, lights[0].toLight, softShadow ? 128 : 384);
        if (softShadow) {
            vertexShadow.resize(static_cast<std::size_t>(cam.rows()));
            for (Eigen::Index v = 0; v < cam.rows(); ++v)
                vertexShadow[static_cast<std::size_t>(v)] =
                    keyShadow.occlusion(cam.row(v).transpose(), normals.row(v).transpose().normalized(), 1);
        }
    }

    // The environment is smooth (second-order harmonics), so its diffuse
    // light and its reflection are evaluated per vertex and interpolated:
    // two harmonics per vertex instead of per pixel. Seen from behind (the
    // mouth's inside through the lips), a vertex uses its flipped normal.
    thread_local std::vector<Rgb> vertexAmbient, vertexReflection;
    vertexAmbient.resize(static_cast<std::size_t>(cam.rows()));
    vertexReflection.resize(static_cast<std::size_t>(cam.rows()));
    for (Eigen::Index v = 0; v < cam.rows(); ++v) {
        const Eigen::Vector3f p = cam.row(v).transpose();
        Eigen::Vector3f n = normals.row(v).transpose().normalized();
        const Eigen::Vector3f view = -p.normalized();
        if (n.dot(view) < 0.0f) n = -n;
        vertexAmbient[static_cast<std::size_t>(v)] = a.environment.ambient(toWorld * n);
        vertexReflection[static_cast<std::size_t>(v)] = a.environment.ambient(toWorld * (2.0f * n.dot(view) * n - view));
    }

    // Pixels an opaque asset will cover are left unshaded (only at one
    // sample per pixel, where the mask's pixels are the image's).
    const std::vector<std::uint8_t>* paintedOver =
        ss == 1 && in.paintedOver && in.paintedOver->size() == static_cast<std::size_t>(W) * H ? in.paintedOver
                                                                                               : nullptr;
    const DisplayCurve& curve = displayCurve();
    cv::Mat hi(H, W, CV_8UC3);
    const cv::Mat background = renderBackground(a, W, H);
    for (int y = 0; y < H; ++y) {
        auto* row = hi.ptr<cv::Vec3b>(y);
        const auto* bg = background.ptr<cv::Vec3b>(y);
        for (int x = 0; x < W; ++x) {
            const std::size_t idx = r.index(x, y);
            const std::int32_t f = r.triangleId[idx];
            if (f < 0 || (paintedOver && (*paintedOver)[idx])) {
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
            SkinDetail sd;
            if (uv) {
                const auto t = m.uvFaces.row(f);
                const float u = b0 * m.uv(t[0], 0) + b1 * m.uv(t[1], 0) + b2 * m.uv(t[2], 0);
                const float v = b0 * m.uv(t[0], 1) + b1 * m.uv(t[1], 1) + b2 * m.uv(t[2], 1);
                atlas_.sample(u, v, a.noiseWeights, mask, noise, detail ? &sd : nullptr);
            }
            const Rgb albedo = albedoAt(a, mask, noise);
            const float eye = mask[kMaskEyeball];
            // How much of this point is bare skin: relief, scattering and
            // oil belong to skin, not to eyes, mouth, lips or painted hair.
            const float skinness = std::clamp(
                1.0f - eye - mask[kMaskMouth] - 0.6f * mask[kMaskLips] - mask[kMaskHair] * a.hairDensity, 0.0f, 1.0f);

            // Relief as bump mapping: the height's surface gradient tilts the
            // normal. Diffuse light sees it halved (light scattered under the
            // skin blurs fine relief); highlights see all of it.
            Eigen::Vector3f nSpec = n, nDiff = n;
            if (detail && skinness > 0.0f) {
                const float du = poreDepth * sd.poreDu + wrinkleDepth * sd.wrinkleDu;
                const float dv = poreDepth * sd.poreDv + wrinkleDepth * sd.wrinkleDv;
                const Eigen::Vector3f grad = skinness * (du * gradU[f] + dv * gradV[f]);
                nSpec = (n - grad).normalized();
                nDiff = (n - 0.5f * grad).normalized();
            }

            const float specStrength =
                (a.specular * (1.0f + a.oiliness * sd.oil) * (1.0f - 0.8f * mask[kMaskHair])) + eye * 0.6f;
            const float shininess = a.shininess + eye * 250.0f;
            Rgb light = (b0 * vertexAmbient[i0] + b1 * vertexAmbient[i1] + b2 * vertexAmbient[i2]) * occlusion;
            Rgb spec = Rgb::Zero();
            const Rgb skinWrap = a.scatterWrap * skinness;
            for (std::size_t k = 0; k < lights.size(); ++k) {
                const CameraLight& l = lights[k];
                const float ndl = nDiff.dot(l.toLight);
                // Shadowed skin stays warm: light scattered under the skin
                // carries red furthest past a shadow's edge.
                Rgb visible = Rgb::Ones();
                // Near the terminator the surface turns away from the light by
                // itself (the wrapped diffuse handles that); a depth map only
                // adds stair-steps there, so shadows fade in from ndl 0.1..0.3.
                const float ndlGeometric = n.dot(l.toLight);
                if (k == 0 && shadows && ndlGeometric > 0.1f) {
                    const float fade = std::min(1.0f, (ndlGeometric - 0.1f) * 5.0f);
                    const float occluded = softShadow ? b0 * vertexShadow[static_cast<std::size_t>(i0)] +
                                                            b1 * vertexShadow[static_cast<std::size_t>(i1)] +
                                                            b2 * vertexShadow[static_cast<std::size_t>(i2)]
                                                      : keyShadow.occlusion(p, n, 0);
                    const float shade = occluded * fade * fade;
                    visible = Rgb::Ones() - shade * (Rgb::Ones() - 0.5f * skinWrap);
                }
                // Wrapped diffuse, wider in red under skin and for big lights.
                const Rgb w = (Rgb::Constant(l.wrap) + skinWrap);
                const Rgb diffuse((ndl + w.x()) / (1.0f + w.x()), (ndl + w.y()) / (1.0f + w.y()),
                                  (ndl + w.z()) / (1.0f + w.z()));
                light += l.color.cwiseProduct(diffuse.cwiseMax(0.0f)).cwiseProduct(visible) * (0.5f + 0.5f * occlusion);
                const float nsl = nSpec.dot(l.toLight);
                if (nsl > 0.0f) {
                    const float ndh = std::max(0.0f, nSpec.dot((l.toLight + view).normalized()));
                    // Times the cosine of incidence, as any BRDF's light is:
                    // without it the lobe stops dead at the terminator.
                    const float lobe = specularPow(ndh, shininess * l.spread) * l.peak * std::min(1.0f, 2.0f * nsl);
                    spec += l.color * (specStrength * lobe * occlusion * visible.z());
                }
            }
            // The environment's reflection, strongest at grazing angles
            // (Schlick's Fresnel from skin's F0 of 0.028): the sheen along
            // the cheeks and the silhouette that flat shading lacks.
            const float ndv = std::clamp(nSpec.dot(view), 0.0f, 1.0f);
            const float f5 = (1.0f - ndv) * (1.0f - ndv) * (1.0f - ndv) * (1.0f - ndv) * (1.0f - ndv);
            spec += (b0 * vertexReflection[i0] + b1 * vertexReflection[i1] + b2 * vertexReflection[i2]) *
                    ((0.028f + 0.972f * f5) * occlusion * std::min(1.0f, specStrength * 4.0f));
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

std::optional<SceneLight> ProceduralGenerator::sceneLight(const GeneratorInput& in) const {
    if (!in.z) throw std::invalid_argument("procedural generator: input without z");
    const Appearance a = appearanceFromLatent(*in.z);
    const Eigen::Matrix4f toCam = in.camera.world2cam() * camera::flameToWorldMatrix();
    const Eigen::Matrix3f rot = toCam.topLeftCorner<3, 3>() / camera::kFlameToWorldScale;
    SceneLight light;
    if (!a.lights.empty()) {
        light.toKey = (rot * a.lights[0].toLight).normalized();
        light.keyColor = a.lights[0].color * a.exposure;
    }
    // The dome toward the camera (-z of the camera, in world axes).
    light.ambient = a.environment.ambient(rot.transpose() * Eigen::Vector3f(0.0f, 0.0f, -1.0f)) * a.exposure;
    return light;
}

std::optional<Eigen::Vector3f> ProceduralGenerator::paintedHairColor(const Eigen::VectorXf& z) const {
    return appearanceFromLatent(z).hair;
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
