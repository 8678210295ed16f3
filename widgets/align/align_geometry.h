#pragma once
// What the alignment view computes from a sampled density, free of Qt so it
// can be tested directly: where to sample around the posed head, the head
// mesh in generator world with or without a fitted correction, the
// iso-surface at a level, and each head vertex's distance to it.

#include <optional>
#include <vector>

#include <Eigen/Core>

#include "core/align/density_grid.h"
#include "core/align/marching_cubes.h"
#include "core/head/head_model.h"
#include "core/head/lbs.h"
#include "core/io/mesh_io.h"

namespace synthforge::widgets {

/// Margin around the posed head, generator units (the density command's default).
inline constexpr float kAlignGridMargin = 0.05f;

/// The default iso-level: the procedural density's surface level 1/(2 beta)
/// with the studio generator's beta.
float defaultSurfaceLevel();

/// The grid around `pose` (uncorrected: the generator is conditioned on it).
align::GridSpec alignGridSpec(const head::HeadPose& pose, int resolution, float margin = kAlignGridMargin);

/// The posed head as a generator-world mesh: M * C * v with M the FLAME-to-
/// world map and C the correction when given (head::transformPose).
io::TriMesh headWorldMesh(const head::HeadModel& model, const head::HeadPose& pose,
                          const std::optional<Eigen::Matrix4f>& correction);

/// Each vertex of `mesh` to the closest point on `surface`'s triangles
/// (generator units); empty when the surface has no triangles.
std::vector<float> vertexResiduals(const io::TriMesh& mesh, const io::TriMesh& surface, int threads = 0);

/// The iso-surface of `grid` at `level`, closed at the grid's border.
align::IsoSurface extractSurface(const align::ScalarGrid& grid, float level);

}  // namespace synthforge::widgets
