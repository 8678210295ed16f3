#pragma once
// The FLAME/SMPL forward pass in Eigen (float32): shape and expression
// blendshapes, pose correctives, joint regression, linear blend skinning and
// landmark placement.

#include <vector>

#include <Eigen/Geometry>

#include "core/head/head_model.h"

namespace synthforge::head {

struct ForwardOptions {
    bool poseCorrectives = true;  ///< add posedirs * (R - I) features
    bool landmarks = true;        ///< compute the 68 landmarks
};

struct HeadPose {
    RowMatX3f vertices;  ///< V x 3 posed vertices (+ translation)
    Eigen::Matrix<float, kNumJoints, 3, Eigen::RowMajor> joints;  ///< posed joint positions (+ translation)
    RowMatX3f landmarks;  ///< 68 x 3 (0 x 3 when the model has no embedding or options say no)
    /// World transform of every joint relative to its rest pose (the LBS "A"
    /// matrices), translation included: x_posed = A * x_rest.
    std::array<Eigen::Matrix4f, kNumJoints> jointTransforms;
    int contourBin = -1;  ///< dynamic contour bin used, -1 for a static 68 embedding
};

/// Applies an affine map (last row 0 0 0 1) to a posed head's vertices,
/// joints, landmarks and joint transforms (a fitted alignment correction).
void transformPose(const Eigen::Matrix4f& affine, HeadPose& pose);

/// Rotation matrix from an axis-angle vector (Rodrigues), exact near zero.
Eigen::Matrix3f axisAngleToMatrix(const Eigen::Vector3f& aa);

/// FLAME's dynamic contour bin for a pose: the yaw of global*neck in whole
/// degrees, clamped to [-39, 39] and mapped to 0..78 as FLAME does.
int contourBinForPose(const Eigen::Matrix<float, kNumPoseValues, 1>& pose);
/// The same rule for any head rotation relative to a frontal view (FLAME's
/// frame: y up, the face toward +z, the viewer on +z).
int contourBinForRotation(const Eigen::Matrix3f& headToFrontalView);

/// One forward pass. Validates params against the model first.
HeadPose forward(const HeadModel& model, const HeadParams& params, const ForwardOptions& options = {});

/// Forward pass for many parameter sets. The blendshape sum runs as one matrix
/// product for the whole batch, which reads each basis once instead of once
/// per sample.
std::vector<HeadPose> forwardBatch(const HeadModel& model, const std::vector<HeadParams>& params,
                                   const ForwardOptions& options = {});

/// Places landmarks on a posed mesh (V x 3) for a given contour bin.
RowMatX3f placeLandmarks(const HeadModel& model, const RowMatX3f& vertices, int contourBin);

/// The triangle each of the 68 landmarks lies on for a contour bin (the
/// same choice placeLandmarks makes): what annotation checks compare with.
std::vector<std::int32_t> landmarkFaces(const HeadModel& model, int contourBin);

}  // namespace synthforge::head
