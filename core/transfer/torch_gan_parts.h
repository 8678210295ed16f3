#pragma once
// Small pieces the transfer methods share: LSGAN's loss, freezing a
// network, the Adam options of a run, and a forward pass under the run's
// precision with a float32 result. Torch types appear here, so only
// torch_*.cpp files may include it.

#include <torch/nn/module.h>
#include <torch/optim/adam.h>
#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "core/train/torch_autocast.h"
#include "core/transfer/transfer.h"

namespace synthforge::transfer {

/// Mean squared distance of the scores to 1 (real) or 0 (fake).
inline torch::Tensor lsgan(const torch::Tensor& scores, bool real) {
    return torch::mse_loss(scores, torch::full_like(scores, real ? 1.0 : 0.0));
}

inline void setRequiresGrad(torch::nn::Module& m, bool on) {
    for (auto& p : m.parameters()) p.set_requires_grad(on);
}

/// Adam with the run's rate, betas, eps and weight decay.
inline std::unique_ptr<torch::optim::AdamOptions> adamOptions(const TransferTrainConfig& c) {
    return std::make_unique<torch::optim::AdamOptions>(
        torch::optim::AdamOptions(c.lr).betas({c.beta1, c.beta2}).eps(c.eps).weight_decay(c.weightDecay));
}

/// The two parameter groups every transfer method's one Adam has: the
/// generator side (generators, and CUT's patch MLPs or VSAIT's mapping
/// network) and the discriminators, whose rate TransferMethod::lrScales
/// scales. Each module's parameters, in the order given.
inline std::vector<torch::optim::OptimizerParamGroup> generatorAndDiscriminatorGroups(
    const std::vector<const torch::nn::Module*>& generatorSide, const std::vector<const torch::nn::Module*>& discriminators,
    const TransferTrainConfig& c) {
    const auto params = [](const std::vector<const torch::nn::Module*>& modules) {
        std::vector<torch::Tensor> out;
        for (const torch::nn::Module* m : modules)
            for (const torch::Tensor& p : m->parameters()) out.push_back(p);
        return out;
    };
    return {torch::optim::OptimizerParamGroup(params(generatorSide), adamOptions(c)),
            torch::optim::OptimizerParamGroup(params(discriminators), adamOptions(c))};
}

/// `net`'s forward pass under autocast when the run trains in bf16; the
/// losses always see float32.
template <typename Net>
torch::Tensor forwardFloat32(Net& net, const torch::Tensor& x, const std::string& precision, const torch::Device& device) {
    const train::AutocastScope autocast(precision, device);
    return net->forward(x).to(torch::kFloat32);
}

}  // namespace synthforge::transfer
