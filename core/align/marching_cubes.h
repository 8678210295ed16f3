#pragma once
// Iso-surfaces of a sampled scalar field by marching cubes, written here
// rather than taken from a library (docs/alignment.md says why).
//
// Conventions:
// - "Inside" is value > level (a density is high inside the head).
// - Vertices lie on grid edges, placed by linear interpolation, and each
//   grid edge gives one vertex shared by every cell around it, so the mesh
//   has no cracks: every edge of it is shared by exactly two triangles when
//   the surface is closed.
// - Triangles wind counter-clockwise seen from outside: their normals point
//   toward lower values (outward for a density).
// - A face whose four corners alternate inside/outside is resolved by the
//   bilinear interpolant's saddle value (the asymptotic decider). Both cells
//   that share the face compute the same answer, which keeps the mesh
//   watertight; the cube's own interior ambiguity is not resolved (either
//   answer is still a closed 2-manifold).
//
// The per-cube triangulation is derived when first needed from a walk
// around the cube's faces (see marching_cubes.cpp), not from a stored table.

#include <string>

#include "core/align/density_grid.h"
#include "core/io/mesh_io.h"

namespace synthforge::align {

struct IsoSurfaceOptions {
    /// true: the field is taken to be outside beyond the grid, so a surface
    /// that reaches the border is capped on the grid's boundary faces and
    /// stays closed (caps along the box's edges and corners may hold
    /// zero-area triangles). false: the surface is left open at the border.
    bool closeAtBorder = true;
};

struct IsoSurface {
    io::TriMesh mesh;            ///< positions in the grid's units; no UVs
    float fieldMin = 0.0f;       ///< the grid's smallest and largest value
    float fieldMax = 0.0f;
    /// Empty, or why the surface is empty (the level is outside the field's
    /// range, or the grid has no values).
    std::string message;
    bool empty() const { return mesh.faces.rows() == 0; }
};

/// Extracts the surface value == `level`. Never throws for a level outside
/// the field's range: the result is then empty, with `message` set. Throws
/// std::invalid_argument for a non-finite level, a grid whose values do not
/// match its dims, that has fewer than 2 points on an axis, a spacing that
/// is not positive, or a non-finite value.
IsoSurface marchingCubes(const ScalarGrid& grid, float level, const IsoSurfaceOptions& options = {});

/// Mesh measures used by the tests and the CLI's report.
double meshArea(const io::TriMesh& mesh);
/// Signed volume by the divergence theorem: positive for a closed mesh whose
/// triangles face outward.
double signedVolume(const io::TriMesh& mesh);

}  // namespace synthforge::align
