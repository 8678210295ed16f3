#include "core/raster/shaded_render.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include <Eigen/Geometry>
#include <opencv2/imgproc.hpp>

#include "core/raster/mesh_normals.h"
#include "core/raster/visibility.h"

namespace synthforge::raster {

namespace {

/// Linear [0, 1] -> 8-bit with a plain 2.2 gamma, so that Lambert falloff
/// reads naturally on screen.
std::uint8_t toByte(float linear) {
    const float g = std::pow(std::clamp(linear, 0.0f, 1.0f), 1.0f / 2.2f);
    return static_cast<std::uint8_t>(std::lround(g * 255.0f));
}

cv::Vec3b toBgr(const Eigen::Vector3f& rgb) { return {toByte(rgb.z()), toByte(rgb.y()), toByte(rgb.x())}; }

/// Display values [0, 1] -> 8-bit BGR, no gamma.
cv::Vec3b displayBgr(const Eigen::Vector3f& rgb) {
    auto b = [](float c) { return static_cast<std::uint8_t>(std::lround(std::clamp(c, 0.0f, 1.0f) * 255.0f)); };
    return {b(rgb.z()), b(rgb.y()), b(rgb.x())};
}

void drawLandmarks(ShadedRender& r, const Vertices& camLandmarks, const Intrinsics& k, bool withIndex) {
    const int L = static_cast<int>(camLandmarks.rows());
    r.landmarks2d.resize(L, 2);
    r.landmarkVisible.assign(L, false);
    const int side = std::min(r.image.cols, r.image.rows);
    const int radius = std::max(2, side / 200);
    const double fontScale = std::max(0.3, side / 1400.0);
    for (int i = 0; i < L; ++i) {
        const Eigen::Vector3f p = camLandmarks.row(i);
        if (!(p.z() > 0.0f)) {
            r.landmarks2d.row(i).setConstant(std::nanf(""));
            continue;
        }
        const float u = k.fx * p.x() / p.z() + k.cx, v = k.fy * p.y() / p.z() + k.cy;
        r.landmarks2d.row(i) << u, v;
        const int px = static_cast<int>(std::floor(u)), py = static_cast<int>(std::floor(v));
        if (px < 0 || py < 0 || px >= r.raster.width || py >= r.raster.height) continue;
        r.landmarkVisible[i] = pointVisible(r.raster, u, v, p.z());
        const cv::Point c(px, py);
        const cv::Scalar colour = r.landmarkVisible[i] ? cv::Scalar(60, 220, 60) : cv::Scalar(60, 60, 230);
        cv::circle(r.image, c, radius + 1, cv::Scalar(0, 0, 0), cv::FILLED, cv::LINE_AA);
        cv::circle(r.image, c, radius, colour, cv::FILLED, cv::LINE_AA);
        if (withIndex) {
            const cv::Point t(px + radius + 1, py - radius - 1);
            const std::string s = std::to_string(i);
            cv::putText(r.image, s, t, cv::FONT_HERSHEY_SIMPLEX, fontScale, cv::Scalar(0, 0, 0), 3, cv::LINE_AA);
            cv::putText(r.image, s, t, cv::FONT_HERSHEY_SIMPLEX, fontScale, cv::Scalar(255, 255, 255), 1, cv::LINE_AA);
        }
    }
}

}  // namespace

ShadedRender renderShaded(const Eigen::Ref<const Vertices>& flameVertices, const Eigen::Ref<const Triangles>& faces,
                          const camera::OrbitCamera& camera, const ShadedRenderOptions& options) {
    const Eigen::Index V = flameVertices.rows();
    if (options.vertexColors.rows() != 0 && options.vertexColors.rows() != V)
        throw std::invalid_argument("renderShaded: vertexColors has " + std::to_string(options.vertexColors.rows()) +
                                    " rows for " + std::to_string(V) + " vertices");
    const Eigen::Matrix4f flameToCam = camera.world2cam() * camera::flameToWorldMatrix();
    const Vertices cam = camera::transformPoints(flameToCam, flameVertices);
    const Intrinsics k = Intrinsics::fromMatrix(camera.intrinsicsPixels(options.width, options.height));

    RasterOptions ro;
    ro.threads = options.threads;
    ShadedRender r;
    r.raster = rasterize(cam, k, faces, options.width, options.height, ro);

    const Vertices normals = options.smoothNormals ? vertexNormals(cam, faces) : Vertices();
    const Eigen::Vector3f light = options.lightDirection.normalized();
    const bool coloured = options.vertexColors.rows() == V && V > 0;
    const cv::Vec3b bg = displayBgr(options.background);
    r.image.create(options.height, options.width, CV_8UC3);
    for (int y = 0; y < options.height; ++y) {
        auto* row = r.image.ptr<cv::Vec3b>(y);
        for (int x = 0; x < options.width; ++x) {
            const std::size_t idx = r.raster.index(x, y);
            const std::int32_t f = r.raster.triangleId[idx];
            if (f < 0) {
                row[x] = bg;
                continue;
            }
            const float b0 = r.raster.bary0[idx], b1 = r.raster.bary1[idx], b2 = 1.0f - b0 - b1;
            const int i0 = faces(f, 0), i1 = faces(f, 1), i2 = faces(f, 2);
            const Eigen::Vector3f p = b0 * cam.row(i0) + b1 * cam.row(i1) + b2 * cam.row(i2);
            Eigen::Vector3f n = options.smoothNormals
                                    ? Eigen::Vector3f(b0 * normals.row(i0) + b1 * normals.row(i1) + b2 * normals.row(i2))
                                    : Eigen::Vector3f((cam.row(i1) - cam.row(i0)).cross(cam.row(i2) - cam.row(i0)));
            // Two-sided: light the side that faces the camera (at the origin),
            // so open meshes and inconsistent windings still read correctly.
            if (n.dot(p) > 0.0f) n = -n;
            const float len = n.norm();
            const float lambert = len > 0.0f ? std::max(0.0f, n.dot(light) / len) : 0.0f;
            const Eigen::Vector3f albedo =
                coloured ? Eigen::Vector3f(b0 * options.vertexColors.row(i0) + b1 * options.vertexColors.row(i1) +
                                           b2 * options.vertexColors.row(i2))
                         : options.albedo;
            row[x] = toBgr(albedo * (options.ambient + (1.0f - options.ambient) * lambert));
        }
    }

    if (options.wireframe) {
        // Where the visible triangle changes to the right or below: the edges
        // of the visible surface, occlusion included, one pixel wide.
        for (int y = 0; y < options.height; ++y)
            for (int x = 0; x < options.width; ++x) {
                const std::int32_t id = r.raster.triangleAt(x, y);
                if (id < 0) continue;
                const bool edge = (x + 1 < options.width && r.raster.triangleAt(x + 1, y) != id) ||
                                  (y + 1 < options.height && r.raster.triangleAt(x, y + 1) != id);
                if (edge) r.image.at<cv::Vec3b>(y, x) *= 0.45;
            }
    }

    if (options.landmarks.rows() > 0)
        drawLandmarks(r, camera::transformPoints(flameToCam, options.landmarks), k, options.landmarkIndices);
    return r;
}

}  // namespace synthforge::raster
