#include "core/generate/shadow_map.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <Eigen/Geometry>

namespace synthforge::generate {

void ShadowMap::build(const raster::Vertices& v, const raster::Triangles& faces, const Eigen::Vector3f& toLight,
                      int size) {
    size_ = size;
    if (size < 8 || size > 4096) throw std::invalid_argument("ShadowMap: size must be in 8..4096");
    if (v.rows() == 0) throw std::invalid_argument("ShadowMap: no vertices");
    forward_ = -toLight.normalized();
    const Eigen::Vector3f helper =
        std::abs(forward_.y()) < 0.9f ? Eigen::Vector3f::UnitY() : Eigen::Vector3f::UnitX();
    right_ = forward_.cross(helper).normalized();
    down_ = forward_.cross(right_);
    centre_ = 0.5f * (v.colwise().minCoeff() + v.colwise().maxCoeff()).transpose();
    const float extent = (v.colwise().maxCoeff() - v.colwise().minCoeff()).norm();
    // Far enough that rays from the light are parallel within 1 %; the map
    // spans the bounding sphere with a texel of margin.
    distance_ = 50.0f * extent;
    focal_ = static_cast<float>(size) * distance_ / (1.05f * extent);
    texel_ = distance_ / focal_;
    light_.resize(v.rows(), 3);
    for (Eigen::Index i = 0; i < v.rows(); ++i) {
        const Eigen::Vector3f p = v.row(i).transpose() - centre_;
        light_.row(i) << p.dot(right_), p.dot(down_), p.dot(forward_) + distance_;
    }
    raster::RasterOptions ro;
    ro.threads = 1;
    const float c = static_cast<float>(size) / 2.0f;
    raster::rasterize(light_, raster::Intrinsics{focal_, focal_, c, c}, faces, size, size, ro, raster_);
    // Empty texels block nothing.
    for (std::size_t i = 0; i < raster_.depth.size(); ++i)
        if (raster_.triangleId[i] < 0) raster_.depth[i] = std::numeric_limits<float>::infinity();
}

float ShadowMap::occlusion(const Eigen::Vector3f& point, const Eigen::Vector3f& normal, int penumbra) const {
    // Offset along the normal, more the more the surface grazes the light
    // (where one texel spans the most depth), and toward the light: the depth
    // map's own surface is then always behind the look-up point ("normal
    // offset" shadows).
    const float cosine = std::clamp(-normal.dot(forward_), 0.0f, 1.0f);
    const float sine = std::sqrt(1.0f - cosine * cosine);
    const Eigen::Vector3f p = point - centre_ + normal * ((1.0f + 3.0f * sine) * texel_) - forward_ * texel_;
    const float z = p.dot(forward_) + distance_;
    const float c = static_cast<float>(size_) / 2.0f;
    const float u = focal_ * p.dot(right_) / z + c - 0.5f, w = focal_ * p.dot(down_) / z + c - 0.5f;
    const int x0 = static_cast<int>(std::floor(u)), y0 = static_cast<int>(std::floor(w));
    const float tx = u - static_cast<float>(x0), ty = w - static_cast<float>(y0);
    // Bilinear-weighted PCF over a (2k+2)^2 window: each tap is a depth
    // test, the weights fade the window's outer taps by the sub-texel offset.
    // The weights of a row (or column) sum to 2 * penumbra + 1.
    const float* depth = raster_.depth.data();
    float blocked = 0.0f;
    for (int dy = -penumbra; dy <= penumbra + 1; ++dy) {
        const float wy = dy == -penumbra ? 1.0f - ty : dy == penumbra + 1 ? ty : 1.0f;
        const float* row = depth + static_cast<std::size_t>(std::clamp(y0 + dy, 0, size_ - 1)) * size_;
        float rowBlocked = 0.0f;
        for (int dx = -penumbra; dx <= penumbra + 1; ++dx) {
            const float wx = dx == -penumbra ? 1.0f - tx : dx == penumbra + 1 ? tx : 1.0f;
            if (row[std::clamp(x0 + dx, 0, size_ - 1)] < z) rowBlocked += wx;
        }
        blocked += wy * rowBlocked;
    }
    const float side = static_cast<float>(2 * penumbra + 1);
    return blocked / (side * side);
}

}  // namespace synthforge::generate
