#pragma once
// Geometric sanity checks on triangle meshes: self-intersection between
// faces that share no vertex. Used to prove that the default head and its
// shape and expression components never push the surface through itself.

#include <utility>
#include <vector>

#include "core/head/head_model.h"

namespace synthforge::head {

/// Pairs of faces (sharing no vertex) whose triangles cross, found through a
/// uniform grid of `cellSize` metres over the faces' bounding boxes. Stops
/// after `maxPairs` pairs. Exact for touching-free meshes; triangles that
/// only touch at a point may or may not be reported.
std::vector<std::pair<int, int>> findSelfIntersections(const RowMatX3f& vertices, const RowMatX3i& faces,
                                                       float cellSize = 0.004f, std::size_t maxPairs = 16);

}  // namespace synthforge::head
