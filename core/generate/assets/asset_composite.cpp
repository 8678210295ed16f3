#include "core/generate/assets/asset_composite.h"

#include <algorithm>
#include <cmath>

#include "core/generate/assets/asset_builders.h"
#include "core/raster/mesh_normals.h"

namespace synthforge::generate {

namespace {

raster::RasterResult rasterOrEmpty(const AssetLayer& l, const raster::Triangles& faces, const raster::Intrinsics& k,
                                   int width, int height, int threads) {
    raster::RasterResult r;
    if (faces.rows() == 0) {
        r.width = width, r.height = height;
        r.triangleId.assign(static_cast<std::size_t>(width) * height, -1);
        r.bary0.assign(r.triangleId.size(), 0.0f);
        r.bary1.assign(r.triangleId.size(), 0.0f);
        r.depth.assign(r.triangleId.size(), 0.0f);
        return r;
    }
    raster::RasterOptions o;
    o.threads = threads;
    raster::rasterize(l.vertices, k, faces, width, height, o, r);
    return r;
}

raster::Triangles toTriangles(const std::vector<Eigen::Vector3i>& faces) {
    raster::Triangles t(static_cast<Eigen::Index>(faces.size()), 3);
    for (std::size_t f = 0; f < faces.size(); ++f) t.row(static_cast<Eigen::Index>(f)) = faces[f].transpose();
    return t;
}

/// Camera-space point and unit normal (turned toward the camera) at pixel i.
void surfaceAt(const AssetLayer& l, const raster::Triangles& faces, const raster::RasterResult& r, std::size_t i,
               std::int32_t f, Eigen::Vector3f& p, Eigen::Vector3f& n) {
    const float b0 = r.bary0[i], b1 = r.bary1[i], b2 = 1.0f - b0 - b1;
    const int i0 = faces(f, 0), i1 = faces(f, 1), i2 = faces(f, 2);
    p = (b0 * l.vertices.row(i0) + b1 * l.vertices.row(i1) + b2 * l.vertices.row(i2)).transpose();
    n = (b0 * l.normals.row(i0) + b1 * l.normals.row(i1) + b2 * l.normals.row(i2)).transpose();
    if (n.squaredNorm() < 1e-20f) {  // cancelled on a thin part: fall back to the face's own normal
        n = (l.vertices.row(i1) - l.vertices.row(i0)).cross(l.vertices.row(i2) - l.vertices.row(i0)).transpose();
    }
    if (n.dot(p) > 0.0f) n = -n;
    const float len = n.norm();
    n = len > 0.0f ? Eigen::Vector3f(n / len) : Eigen::Vector3f(0.0f, 0.0f, -1.0f);
}

// Key light above and left of the camera (OpenCV axes: y down, z forward).
const Eigen::Vector3f kToLight = Eigen::Vector3f(-0.35f, -0.55f, -0.75f).normalized();
constexpr float kAmbient = 0.3f, kDiffuse = 0.75f, kShininess = 40.0f;

float toSrgb(float c) {
    c = std::clamp(c, 0.0f, 1.0f);
    return c <= 0.0031308f ? 12.92f * c : 1.055f * std::pow(c, 1.0f / 2.4f) - 0.055f;
}

float fromSrgb(float c) { return c <= 0.04045f ? c / 12.92f : std::pow((c + 0.055f) / 1.055f, 2.4f); }

/// Lambert + ambient on `base`, plus a white highlight; linear RGB.
Eigen::Vector3f shade(const Eigen::Vector3f& base, float specular, const Eigen::Vector3f& p, const Eigen::Vector3f& n,
                      float& highlight) {
    const float diffuse = std::max(0.0f, n.dot(kToLight));
    const Eigen::Vector3f h = (kToLight - p.normalized()).normalized();
    highlight = specular * std::pow(std::max(0.0f, n.dot(h)), kShininess);
    return base * (kAmbient + kDiffuse * diffuse);
}

}  // namespace

AssetLayer rasterizeAssets(const std::vector<AssetSpec>& specs, const head::HeadModel& model,
                           const head::HeadPose& pose, const camera::PinholeCamera& camera, int width, int height,
                           int threads) {
    AssetLayer l;
    l.specs = specs;
    if (specs.empty()) return l;
    const AssetHeadFrame frame = assetHeadFrame(model);
    std::vector<Eigen::Vector3f> vertices;
    std::vector<Eigen::Vector3i> allFaces, opaque, lens;
    const Eigen::Matrix4f toCam = annotate::flameToCamera(camera);
    for (std::size_t s = 0; s < specs.size(); ++s) {
        const AssetMesh mesh = buildAsset(specs[s], model, frame);
        const head::RowMatX3f posed = poseAsset(mesh, model, pose);
        const head::RowMatX3f cam = camera::transformPoints(toCam, posed);
        const int offset = static_cast<int>(vertices.size());
        for (Eigen::Index v = 0; v < cam.rows(); ++v) vertices.emplace_back(cam.row(v).transpose());
        for (int f = 0; f < mesh.numFaces(); ++f) {
            const Eigen::Vector3i t = mesh.faces[static_cast<std::size_t>(f)].array() + offset;
            allFaces.push_back(t);
            if (mesh.transparent[static_cast<std::size_t>(f)]) {
                lens.push_back(t);
                l.lensOwner.push_back(static_cast<std::int32_t>(s));
            } else {
                opaque.push_back(t);
                l.opaqueOwner.push_back(static_cast<std::int32_t>(s));
            }
        }
    }
    l.vertices.resize(static_cast<Eigen::Index>(vertices.size()), 3);
    for (std::size_t v = 0; v < vertices.size(); ++v) l.vertices.row(static_cast<Eigen::Index>(v)) = vertices[v].transpose();
    l.normals = raster::vertexNormals(l.vertices, toTriangles(allFaces));
    l.opaqueFaces = toTriangles(opaque);
    l.lensFaces = toTriangles(lens);
    const raster::Intrinsics k = raster::Intrinsics::fromMatrix(camera.intrinsicsPixels(width, height));
    l.opaque = rasterOrEmpty(l, l.opaqueFaces, k, width, height, threads);
    l.lens = rasterOrEmpty(l, l.lensFaces, k, width, height, threads);
    return l;
}

void compositeAnnotations(AssetLayer& l, const std::array<std::uint8_t, kNumAssetTypes>& classIds, float tolerance,
                          annotate::Annotations& a) {
    if (l.empty()) return;
    const std::size_t n = static_cast<std::size_t>(a.width) * a.height;
    l.opaqueWin.assign(n, -1);
    l.lensWin.assign(n, -1);
    const bool seg = !a.segmentation.empty(), normals = !a.normals.empty();
    auto write = [&](std::size_t i, const raster::Triangles& faces, const raster::RasterResult& r,
                     const std::vector<std::int32_t>& owner, std::int32_t f) {
        const int x = static_cast<int>(i % static_cast<std::size_t>(a.width)), y = static_cast<int>(i / a.width);
        if (seg)
            a.segmentation.at<std::uint8_t>(y, x) =
                classIds[static_cast<std::size_t>(l.specs[static_cast<std::size_t>(owner[static_cast<std::size_t>(f)])].type)];
        a.depth.at<float>(y, x) = r.depth[i];
        if (normals) {
            Eigen::Vector3f p, nn;
            surfaceAt(l, faces, r, i, f, p, nn);
            a.normals.at<cv::Vec3f>(y, x) = cv::Vec3f(nn.x(), nn.y(), nn.z());
        }
    };
    for (std::size_t i = 0; i < n; ++i) {
        const float head = a.raster.triangleId[i] >= 0 ? a.raster.depth[i] : 0.0f;
        float front = head;
        const std::int32_t fo = l.opaque.triangleId[i];
        if (fo >= 0 && (head == 0.0f || l.opaque.depth[i] < head)) {
            l.opaqueWin[i] = fo;
            front = l.opaque.depth[i];
            write(i, l.opaqueFaces, l.opaque, l.opaqueOwner, fo);
        }
        const std::int32_t fl = l.lens.triangleId[i];
        if (fl >= 0 && (front == 0.0f || l.lens.depth[i] < front)) {
            l.lensWin[i] = fl;
            write(i, l.lensFaces, l.lens, l.lensOwner, fl);
        }
    }
    // Landmarks: only opaque asset surfaces hide them (lenses are see-through).
    for (std::size_t k = 0; k < a.landmarkVisible.size(); ++k) {
        if (!a.landmarkVisible[k]) continue;
        const float u = a.landmarks2d(static_cast<Eigen::Index>(k), 0), v = a.landmarks2d(static_cast<Eigen::Index>(k), 1);
        const float z = a.landmarks3d(static_cast<Eigen::Index>(k), 2);
        if (!(u >= 0.0f && v >= 0.0f && u < static_cast<float>(a.width) && v < static_cast<float>(a.height))) continue;
        const std::size_t i = l.opaque.index(static_cast<int>(u), static_cast<int>(v));
        if (l.opaque.triangleId[i] >= 0 && z > l.opaque.depth[i] * (1.0f + tolerance)) a.landmarkVisible[k] = 0;
    }
}

void compositeImage(const AssetLayer& l, cv::Mat& bgr, cv::Mat& depth) {
    if (l.empty() || l.opaqueWin.empty()) return;
    const int w = bgr.cols, h = bgr.rows;
    if (static_cast<std::size_t>(w) * h != l.opaqueWin.size() || bgr.type() != CV_8UC3) return;
    const bool writeDepth = depth.type() == CV_32FC1 && depth.rows == h && depth.cols == w;
    std::array<float, 256> linear{};
    for (int c = 0; c < 256; ++c) linear[static_cast<std::size_t>(c)] = fromSrgb(static_cast<float>(c) / 255.0f);
    auto store = [](cv::Vec3b& px, const Eigen::Vector3f& rgb) {
        for (int c = 0; c < 3; ++c)
            px[2 - c] = static_cast<std::uint8_t>(std::lround(255.0f * toSrgb(rgb[c])));
    };
    for (int y = 0; y < h; ++y) {
        auto* row = bgr.ptr<cv::Vec3b>(y);
        for (int x = 0; x < w; ++x) {
            const std::size_t i = static_cast<std::size_t>(y) * w + x;
            Eigen::Vector3f p, n;
            float highlight = 0.0f;
            if (const std::int32_t f = l.opaqueWin[i]; f >= 0) {
                const AssetSpec& s = l.specs[static_cast<std::size_t>(l.opaqueOwner[static_cast<std::size_t>(f)])];
                surfaceAt(l, l.opaqueFaces, l.opaque, i, f, p, n);
                const Eigen::Vector3f c = shade(s.material.baseColor, s.material.specular, p, n, highlight);
                store(row[x], c + Eigen::Vector3f::Constant(highlight));
                if (writeDepth) depth.at<float>(y, x) = l.opaque.depth[i];
            }
            if (const std::int32_t f = l.lensWin[i]; f >= 0) {
                const AssetSpec& s = l.specs[static_cast<std::size_t>(l.lensOwner[static_cast<std::size_t>(f)])];
                surfaceAt(l, l.lensFaces, l.lens, i, f, p, n);
                const Eigen::Vector3f under(linear[row[x][2]], linear[row[x][1]], linear[row[x][0]]);
                const float alpha = s.glasses.lensOpacity;
                const Eigen::Vector3f tint = shade(s.glasses.lensTint, s.material.specular, p, n, highlight);
                // A tinted filter over what lies behind, plus the glass's own reflection.
                const Eigen::Vector3f c = under.cwiseProduct((1.0f - alpha) * Eigen::Vector3f::Ones() + alpha * s.glasses.lensTint) +
                                          0.15f * alpha * tint + Eigen::Vector3f::Constant(highlight);
                store(row[x], c);
                if (writeDepth) depth.at<float>(y, x) = l.lens.depth[i];
            }
        }
    }
}

}  // namespace synthforge::generate
