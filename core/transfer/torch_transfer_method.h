#pragma once
// What differs between the translators a transfer run trains (CycleGAN,
// CUT, FastCUT, VSAIT): their networks and optimiser, one training step on a batch
// of each domain, the A -> B translation, a validation loss and how the
// translator is saved. torch_transfer_trainer.cpp drives any of them
// through the shared run loop. Torch types appear here, so only torch_*.cpp
// files may include it.

#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>

#include <memory>
#include <string>
#include <vector>

#include "core/train/torch_run_loop.h"

namespace synthforge::transfer {

struct TransferTrainConfig;

class TransferMethod {
public:
    virtual ~TransferMethod() = default;
    /// Every network and buffer a checkpoint must hold.
    virtual torch::nn::Module& module() = 0;
    virtual torch::optim::Optimizer& optimizer() = 0;
    /// The optimiser's parameter groups' rates over the scheduled one.
    virtual std::vector<double> lrScales() const = 0;
    /// The step's values, in order (the first is the total loss).
    virtual std::vector<train::RunMetric> metrics() const = 0;
    /// Forward and backward passes of one step (gradients are cleared
    /// before and the optimiser steps after, by the run loop).
    virtual std::vector<double> step(const torch::Tensor& realA, const torch::Tensor& realB) = 0;
    /// A -> B, as apply runs it (the caller sets eval mode and no-grad).
    virtual torch::Tensor translate(const torch::Tensor& a) = 0;
    /// What picks best.safetensors (lower is better) on held-out renders,
    /// and its metrics.csv column and TensorBoard tag.
    virtual train::RunMetric validationMetric() const = 0;
    virtual double validationLoss(const torch::Tensor& a) = 0;
    /// A third preview column after source | translated (CycleGAN's
    /// reconstruction); undefined for none.
    virtual torch::Tensor previewExtra(const torch::Tensor& translated) { return {}; }
    virtual void saveTranslator(const std::string& path) = 0;
};

std::unique_ptr<TransferMethod> makeCycleGanMethod(const TransferTrainConfig& c, const torch::Device& device);
std::unique_ptr<TransferMethod> makeCutMethod(const TransferTrainConfig& c, const torch::Device& device);
std::unique_ptr<TransferMethod> makeVsaitMethod(const TransferTrainConfig& c, const torch::Device& device);

}  // namespace synthforge::transfer
