#pragma once
// Loading and saving head models.
//
//  - our own .safetensors (FLAME array names, metadata in __metadata__);
//  - the official FLAME generic_model.pkl (2020/2023) and the same content
//    as .npz, plus landmark embeddings, FLAME_masks.pkl and the UVs of
//    head_template.obj.

#include <string>

#include "core/head/head_model.h"

namespace synthforge::head {

/// Version written to and required from our .safetensors metadata.
constexpr int kHeadModelFormatVersion = 1;

/// Loads a head model file by extension: .safetensors, .pkl (FLAME) or .npz
/// (FLAME content). The result is validated. The built-in default head is
/// not a file: head::loadHeadModel (core/head/default_head/model_source.h)
/// takes "default" or a file.
HeadModel loadHeadModelFile(const std::string& path);

/// Writes our .safetensors (atomically).
void saveHeadModel(const std::string& path, const HeadModel& model);

/// FLAME generic_model.pkl / flame2023.pkl / .npz. Splits 400 shape
/// directions into 300 identity and 100 expression.
HeadModel loadFlameModel(const std::string& path);

/// Landmark embedding files, attached to an already loaded model:
///  - flame_static_embedding.pkl (51 static points)
///  - flame_dynamic_embedding.npy (79 bins x 17 contour points)
///  - DECA's landmark_embedding.npy (static + dynamic, or its full 68 when
///    `preferFull68`).
/// The kind is chosen from the file name and content. Validates the model.
void attachLandmarkFile(HeadModel& model, const std::string& path, bool preferFull68 = false);

/// FLAME_masks.pkl: region name -> vertex indices.
void attachFlameMasks(HeadModel& model, const std::string& path);

/// UVs from an OBJ that shares the model's triangles in order (FLAME's
/// head_template.obj). Each face is matched to the model's face by vertex
/// position; a mismatch is an error naming the face.
void attachUvTemplate(HeadModel& model, const std::string& objPath);

}  // namespace synthforge::head
