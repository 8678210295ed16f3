#pragma once
// IResNet, ArcFace's modified ResNet for 112 x 112 faces (Deng et al. 2019;
// InsightFace's `iresnet`): stem conv3x3 3->64, BN, PReLU; four stages of
// improved basic blocks at 64/128/256/512 channels, each stage halving the
// resolution (112 -> 7); BN, dropout, flatten, linear to the embedding, BN1d.
//
// Block: BN, conv3x3, BN, PReLU, conv3x3 (stride), BN, plus a shortcut
// (identity, or conv1x1 + BN when the shape changes).
//
// The module names follow InsightFace's (conv1, bn1, prelu, layer1.0.bn1,
// layer1.0.downsample.0, bn2, fc, features), so a state dict saved by either
// side loads in the other. Only torch_*.cpp files may include this header.

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/pimpl.h>

#include "core/train/torch_sync_batch_norm.h"

#include <cstdint>
#include <string>
#include <vector>

namespace synthforge::fr {

struct IResNetOptions {
    std::vector<int64_t> blocks{3, 4, 14, 3};        ///< per stage
    std::vector<int64_t> widths{64, 128, 256, 512};  ///< per stage
    int64_t stem = 64;
    int64_t embedding = 512;
    double dropout = 0.0;
    int64_t inputSize = 112;  ///< the final map is inputSize / 16 on a side
};

/// "tiny" (CPU tests: [1,1,1,1] at 16/32/64/128, 128-d), "ir18" [2,2,2,2],
/// "ir50" [3,4,14,3], "ir100" [3,13,30,3] (512-d at 64/128/256/512).
/// std::invalid_argument for another name.
IResNetOptions iresnetPreset(const std::string& name);

class IBasicBlockImpl : public torch::nn::Module {
public:
    IBasicBlockImpl(int64_t in, int64_t out, int64_t stride);
    torch::Tensor forward(const torch::Tensor& x);

    train::SyncableBatchNorm bn1{nullptr}, bn2{nullptr}, bn3{nullptr};
    torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
    torch::nn::PReLU prelu{nullptr};
    torch::nn::Sequential downsample{nullptr};  ///< empty when the shortcut is the identity
};
TORCH_MODULE(IBasicBlock);

class IResNetImpl : public torch::nn::Module {
public:
    explicit IResNetImpl(const IResNetOptions& options);
    /// B x 3 x S x S, normalised as (x/255 - 0.5)/0.5 -> B x embedding
    /// (not L2-normalised: the norm carries AdaFace's quality signal).
    torch::Tensor forward(const torch::Tensor& x);

    IResNetOptions options;
    torch::nn::Conv2d conv1{nullptr};
    train::SyncableBatchNorm bn1{nullptr}, bn2{nullptr};
    torch::nn::PReLU prelu{nullptr};
    torch::nn::Sequential layer1{nullptr}, layer2{nullptr}, layer3{nullptr}, layer4{nullptr};
    torch::nn::Dropout dropout{nullptr};
    torch::nn::Linear fc{nullptr};
    train::SyncableBatchNorm features{nullptr};
};
TORCH_MODULE(IResNet);

}  // namespace synthforge::fr
