#pragma once
// A volume density from a closed triangle mesh, as a NeRF-style generator
// would hold it: sigma(x) = (1 / beta) * Psi(-sdf(x)), with Psi the CDF of a
// zero-mean Laplace distribution of scale beta (the VolSDF transform). Deep
// inside the density is 1/beta, far outside it is 0, and it falls through
// 1/(2 beta) on the surface.
//
// The signed distance uses the closest surface point (exact, through a
// uniform grid of triangles) and its side from the angle-weighted pseudo
// normal of the feature it lies on (the face's normal, an edge's two faces,
// or a vertex's faces weighted by their angles there), which, unlike an
// interpolated vertex normal, gives the right side everywhere near a closed
// mesh (Baerentzen and Aanaes, 2005), creases and crevices included; points with no triangle within the grid's search radius take
// their side from the generalised winding number. That number is constant
// in each connected region of grid cells that no triangle touches, so it is
// computed once per region when the field is built (a flood fill over the
// empty cells), and points outside the grid are outside: the mesh must be
// closed, as the class says. A far point in a cell that holds triangles
// takes its side from the pseudo normal at its closest point within two
// cells; only beyond that does it pay for a full winding-number sum.

#include <cstdint>
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

    /// The density on the surface (sdf = 0): 1 / (2 beta). The natural
    /// iso-level for extracting the surface back from the field.
    static float surfaceDensity(float beta) { return 0.5f / beta; }
    float surfaceDensity() const { return surfaceDensity(beta_); }
    float beta() const { return beta_; }

private:
    head::RowMatX3f v_;
    head::RowMatX3f faceNormal_;    // unit, per face
    head::RowMatX3f vertexNormal_;  // angle-weighted sum of face normals, per vertex
    head::RowMatX3f edgeNormal_;    // per face corner k: the edge k -> k+1's two face normals, summed
    head::RowMatX3i f_;
    float beta_;
    Eigen::Vector3f lo_;
    float cell_;
    int nx_, ny_, nz_;
    std::vector<std::vector<std::int32_t>> cells_;
    float searchRadius_;
    /// Per cell: -1 holds triangles, else 0 outside / 1 inside (its region's side).
    std::vector<std::int8_t> emptySide_;

    void buildPseudoNormals();
    Eigen::Vector3f pseudoNormal(std::int32_t face, const Eigen::Vector3f& bary) const;
    void labelEmptyCells();
    /// Distance to the closest triangle among the cells up to `rings` away
    /// from p's cell, if at most `limit` (exact up to rings * cell); infinity
    /// otherwise.
    float closestWithin(const Eigen::Vector3f& p, int rings, float limit, std::int32_t& face, Eigen::Vector3f& bary,
                        Eigen::Vector3f& position) const;
    double windingNumber(const Eigen::Vector3f& p) const;

    bool inside(const Eigen::Vector3f& p) const;  // winding number > 0.5
};

}  // namespace synthforge::generate
