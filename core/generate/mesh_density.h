#pragma once
// A volume density from a closed triangle mesh, as a NeRF-style generator
// would hold it: sigma(x) = (1 / beta) * Psi(-sdf(x)), with Psi the CDF of a
// zero-mean Laplace distribution of scale beta (the VolSDF transform). Deep
// inside the density is 1/beta, far outside it is 0, and it falls through
// 1/(2 beta) on the surface.
//
// The signed distance uses the closest surface point (exact, through a
// uniform grid of triangles) and its side from the interpolated vertex
// normal there; points with no triangle within the grid's search radius take
// their side from the generalised winding number.

#include <vector>

#include "core/head/head_model.h"

namespace synthforge::generate {

class MeshDensity {
public:
    /// `vertices` and `faces` of a closed mesh (any units); `beta` in those units.
    MeshDensity(const head::RowMatX3f& vertices, const head::RowMatX3i& faces, float beta);

    /// Signed distance: negative inside.
    float signedDistance(const Eigen::Vector3f& p) const;
    float density(const Eigen::Vector3f& p) const;

private:
    head::RowMatX3f v_, n_;
    head::RowMatX3i f_;
    float beta_;
    Eigen::Vector3f lo_;
    float cell_;
    int nx_, ny_, nz_;
    std::vector<std::vector<std::int32_t>> cells_;
    float searchRadius_;

    bool inside(const Eigen::Vector3f& p) const;  // winding number > 0.5
};

}  // namespace synthforge::generate
