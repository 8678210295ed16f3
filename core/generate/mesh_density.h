#pragma once
// A volume density from a closed triangle mesh, as a NeRF-style generator
// would hold it: sigma(x) = (1 / beta) * Psi(-sdf(x)), with Psi the CDF of a
// zero-mean Laplace distribution of scale beta (the VolSDF transform). Deep
// inside the density is 1/beta, far outside it is 0, and it falls through
// 1/(2 beta) on the surface.
//
// The mesh may hold several closed components (the default head's skin and
// its two eyeballs, which sit partly inside the skin's solid): the field is
// that of their union, so the signed distance is the smallest of the
// components' own signed distances. Each uses the closest point on that
// component (exact, through a uniform grid of triangles) and its side from
// the angle-weighted pseudo normal of the feature it lies on (the face's
// normal, an edge's two faces, or a vertex's faces weighted by their angles
// there), which, unlike an interpolated vertex normal, gives the right side
// everywhere near a closed surface (Baerentzen and Aanaes, 2005), creases
// and crevices included. Taking the nearest surface of all components
// instead would call a point between an eyeball and the socket wall
// "outside" (it is outside the eyeball but inside the skin).
//
// Beyond the search radius (one grid cell) only a component's side
// matters. Its generalised winding number is constant in each connected
// region of grid cells that none of its triangles touch, so it is computed
// once per region when the field is built (a flood fill), and points outside
// the grid are outside. A far point in a cell that holds the component's
// triangles takes the pseudo normal at its closest point within two cells;
// only beyond that does it pay for a winding-number sum. Each component must
// be closed and must not intersect itself.

#include <array>
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
    int components_ = 1;
    std::vector<std::int32_t> faceComponent_;               // per face
    std::vector<std::vector<std::int32_t>> componentFaces_;  // per component
    /// Per component and cell: -1 when the cell holds that component's
    /// triangles, else 0 outside / 1 inside it (its region's side).
    std::vector<std::vector<std::int8_t>> side_;

    /// Closest point per component among the cells up to `rings` away from
    /// p's cell, where within `limit` (exact up to rings * cell).
    static constexpr int kMaxComponents = 8;  // more pieces are treated as one surface
    struct Nearest {
        std::array<float, kMaxComponents> distance;  // infinity: none within the limit
        std::array<std::int32_t, kMaxComponents> face;
        std::array<Eigen::Vector3f, kMaxComponents> bary, position;
    };

    void buildPseudoNormals();
    void labelComponents();
    void labelRegions();
    Eigen::Vector3f pseudoNormal(std::int32_t face, const Eigen::Vector3f& bary) const;
    Nearest closestWithin(const Eigen::Vector3f& p, int rings, float limit) const;
    double windingNumber(const Eigen::Vector3f& p, int component) const;
    bool insideComponent(const Eigen::Vector3f& p, int component) const;
};

}  // namespace synthforge::generate
