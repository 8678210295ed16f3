#pragma once
// Distances between two triangle meshes: from each vertex of one to the
// closest point on the other's triangles (not its vertices), through a
// uniform grid of triangles, so that the head mesh (5k vertices) against an
// iso-surface of 50k triangles takes milliseconds, not seconds.

#include <cstddef>
#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "core/head/surface_query.h"
#include "core/io/mesh_io.h"

namespace synthforge::align {

using Points = Eigen::Matrix<float, Eigen::Dynamic, 3, Eigen::RowMajor>;
using Faces = Eigen::Matrix<std::int32_t, Eigen::Dynamic, 3, Eigen::RowMajor>;

/// The triangles of a mesh binned in a uniform grid (by bounding box) for
/// exact closest-point queries. Keeps its own copy of the mesh.
class SurfaceIndex {
public:
    /// Throws std::invalid_argument for a mesh with no faces, an index out of
    /// range or a non-finite position.
    SurfaceIndex(const Points& vertices, const Faces& faces);
    explicit SurfaceIndex(const io::TriMesh& mesh) : SurfaceIndex(mesh.positions, mesh.faces) {}

    /// The exact closest point on any triangle: the grid is searched in
    /// growing shells of cells until no unvisited cell can hold a closer one.
    head::SurfacePoint closest(const Eigen::Vector3f& p) const;
    float distance(const Eigen::Vector3f& p) const { return closest(p).distance; }

    float cellSize() const { return cell_; }

private:
    Points v_;
    Faces f_;
    Eigen::Vector3f lo_;
    float cell_ = 0.0f;
    Eigen::Vector3i dims_;
    std::vector<std::int32_t> cellStart_;  // CSR: triangles of cell c are items[cellStart_[c] .. cellStart_[c+1])
    std::vector<std::int32_t> items_;
};

/// Distance from every row of `points` to the surface, on `threads` threads
/// (0: the hardware's core count).
std::vector<float> distancesToSurface(const Points& points, const SurfaceIndex& surface, int threads = 0);

struct DistanceStats {
    std::size_t count = 0;
    double mean = 0, median = 0, p95 = 0, max = 0;  ///< 0 when count is 0
};

/// Mean, median, 95th percentile (linear interpolation between order
/// statistics) and maximum.
DistanceStats summarize(std::vector<float> distances);

/// Both directions between two meshes, per vertex.
struct MeshDistances {
    std::vector<float> aToB;  ///< each vertex of a to b's surface
    std::vector<float> bToA;  ///< each vertex of b to a's surface
    DistanceStats aToBStats, bToAStats;
    /// Symmetric Chamfer distance: the mean of the two directions' means
    /// (so two concentric spheres of radii r and r + d are about d apart).
    double chamfer = 0;
};

MeshDistances meshDistances(const io::TriMesh& a, const io::TriMesh& b, int threads = 0);

}  // namespace synthforge::align
