#pragma once
// Smooth vertex normals of a triangle mesh, shared by every shading and
// annotation path so that the image and the normal map agree.

#include "core/raster/rasterizer.h"

namespace synthforge::raster {

/// Area-weighted vertex normals (the sum of unnormalised face normals,
/// normalised). With outward counter-clockwise faces (FLAME's winding) they
/// point outward. Vertices no face uses get a zero normal.
Vertices vertexNormals(const Eigen::Ref<const Vertices>& vertices, const Eigen::Ref<const Triangles>& faces);

}  // namespace synthforge::raster
