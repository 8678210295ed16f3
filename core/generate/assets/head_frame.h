#pragma once
// What the asset builders need to know about a head model's rest template:
// eye and jaw joint positions, vertex normals and vertex sets to bind to.
// Read from the FLAME layout (joint regressor) and the model's named regions
// where both FLAME's masks and the default head have them (eyeballs, ears,
// neck), so builders work with either model.

#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "core/head/head_model.h"

namespace synthforge::generate {

struct AssetHeadFrame {
    Eigen::Vector3f leftEye, rightEye, jaw;  ///< rest joint positions (FLAME left eye at +x)
    head::RowMatX3f normals;                 ///< rest vertex normals, outward
    /// Outer skin: no eyeballs (by region or by eye-joint skinning weight),
    /// sockets or mouth interior (nothing an asset should rest on).
    std::vector<std::int32_t> skin;
    /// Skin without lids, brows and lips: anchors that move little with
    /// expression, for rigid things such as glasses.
    std::vector<std::int32_t> steadySkin;
    std::vector<std::int32_t> neck, leftEar, rightEar;  ///< empty when the model has no such region
    /// Centre of the ears: mean |x|, y and z of both ear regions (without
    /// them, a typical place 8.5 cm behind and 1.5 cm below the eyes).
    Eigen::Vector3f ear;
    /// Rest positions of the 68 iBUG landmarks (the jaw contour from the
    /// frontal yaw bin); empty when the model has no landmark embedding.
    std::vector<Eigen::Vector3f> landmarks;
};

AssetHeadFrame assetHeadFrame(const head::HeadModel& model);

}  // namespace synthforge::generate
