#pragma once
// The LibTorch twin of the Eigen forward pass, differentiable end to end, for
// fitting and mesh-to-density alignment. It includes torch headers, so only
// .cpp files that already use torch may include it (keeps the rest of the
// build fast and the GUI torch-free).

#include <torch/types.h>

#include "core/head/head_model.h"

namespace synthforge::head {

/// The model's arrays as tensors on one device and dtype.
struct TorchHeadModel {
    torch::Tensor vTemplate;    ///< V x 3
    torch::Tensor shapedirs;    ///< V x 3 x S
    torch::Tensor exprdirs;     ///< V x 3 x E
    torch::Tensor posedirs;     ///< 36 x 3V (empty when the model has none)
    torch::Tensor jRegressor;   ///< 5 x V
    torch::Tensor weights;      ///< V x 5
    torch::Tensor faces;        ///< F x 3 (int64)
    torch::Tensor staticLmkFaces;  ///< L (int64)
    torch::Tensor staticLmkBary;   ///< L x 3
    torch::Tensor dynLmkFaces;     ///< bins x 17 (int64), undefined if none
    torch::Tensor dynLmkBary;      ///< bins x 17 x 3
    std::array<int, kNumJoints> parents{};

    static TorchHeadModel fromModel(const HeadModel& model, torch::Device device = torch::kCPU,
                                    torch::Dtype dtype = torch::kFloat32);
};

struct TorchHeadPose {
    torch::Tensor vertices;   ///< B x V x 3
    torch::Tensor joints;     ///< B x 5 x 3
    torch::Tensor landmarks;  ///< B x 68 x 3 (B x 0 x 3 without an embedding)
};

/// Batched, differentiable forward pass. shape is B x S' (S' <= S), expr is
/// B x E' (E' <= E), pose B x 15, transl B x 3; any may be undefined for zero.
TorchHeadPose torchForward(const TorchHeadModel& model, const torch::Tensor& shape, const torch::Tensor& expr,
                           const torch::Tensor& pose, const torch::Tensor& transl, bool poseCorrectives = true);

/// Batched Rodrigues: N x 3 axis-angle -> N x 3 x 3, with a finite gradient at zero.
torch::Tensor torchAxisAngleToMatrix(const torch::Tensor& aa);

}  // namespace synthforge::head
