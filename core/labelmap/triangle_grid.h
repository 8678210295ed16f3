#pragma once
// Closest point on a triangle mesh through a uniform grid of triangle
// bounding boxes: the mirror map asks this for every texel of a UV atlas,
// where head::closestSurfacePoint's brute force would take minutes.

#include <cstdint>
#include <vector>

#include "core/head/surface_query.h"

namespace synthforge::labelmap {

class TriangleGrid {
public:
    /// Indexes `faces` of `vertices` (copies both). Throws std::invalid_argument
    /// for no faces or an index out of range.
    TriangleGrid(const head::RowMatX3f& vertices, const head::RowMatX3i& faces);

    /// The closest surface point to p (exact: the same answer as brute force,
    /// up to ties). Thread-safe.
    head::SurfacePoint closest(const Eigen::Vector3f& p) const;

private:
    head::RowMatX3f v_;
    head::RowMatX3i f_;
    Eigen::Vector3f origin_;
    float cell_ = 1.0f;
    int nx_ = 1, ny_ = 1, nz_ = 1;
    std::vector<std::int32_t> start_;  ///< CSR: cell c holds items_[start_[c] .. start_[c+1])
    std::vector<std::int32_t> items_;
};

}  // namespace synthforge::labelmap
