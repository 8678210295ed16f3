#pragma once
// The posed head as a plain triangle mesh with the model's UV layout, for
// export (`synthforge head pose`, the studio's File > Export > Posed mesh).

#include <string>

#include "core/head/head_model.h"
#include "core/head/lbs.h"
#include "core/io/mesh_io.h"

namespace synthforge::head {

/// `vertices` (V x 3, e.g. HeadPose::vertices) with the model's faces and,
/// when it has them, its UVs.
io::TriMesh meshWithModelLayout(const HeadModel& model, const RowMatX3f& vertices);

/// Vertices posed by `forward`, the model's faces, and its UVs when it has them.
io::TriMesh posedMesh(const HeadModel& model, const HeadParams& params, const ForwardOptions& options = {});

/// posedMesh() written by extension (.obj, .ply, .gltf, .glb; io::exportMesh):
/// vertex i of the file is model vertex i (glTF appends seam copies, named
/// by its _VERTEX_ID attribute).
/// Throws std::invalid_argument for params that do not fit the model and
/// std::runtime_error naming the path when it cannot be written.
void exportPosedMesh(const std::string& path, const HeadModel& model, const HeadParams& params,
                     const ForwardOptions& options = {});

}  // namespace synthforge::head
