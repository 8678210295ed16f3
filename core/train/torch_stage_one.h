#pragma once
// One Stage I training set-up: the dataset and its split, the network, AdamW
// with the backbone and heads as two parameter groups, and the forward and
// backward passes of an optimiser step. The run (torch_trainer.cpp, through
// torch_run_loop.h) and the learning-rate range test (torch_lr_finder.cpp)
// drive the same passes, so the sweep measures the loss the run will see.
// Torch types appear here, so only torch_*.cpp files may include it.

#include <torch/nn/module.h>
#include <torch/optim/adamw.h>

#include <memory>
#include <vector>

#include <opencv2/core.hpp>

#include "core/annotate/class_table.h"
#include "core/train/augment.h"
#include "core/train/torch_losses.h"
#include "core/train/torch_multitask_net.h"
#include "core/train/torch_run_loop.h"
#include "core/train/torch_synthforge_data.h"
#include "core/train/trainer.h"

namespace synthforge::train {

/// The loss targets of a batch, as training and validation use them.
MultiTaskTargets stageOneTargets(const SynthForgeBatch& batch, const torch::Device& device);
/// The run configuration's loss weights and settings.
MultiTaskLossOptions stageOneLossOptions(const TrainConfig& config);

class StageOneSession {
public:
    /// Validates `config`, opens the data, builds the network (its initial
    /// weights depend on the seed only) and the optimiser. Errors as
    /// trainStageOne's.
    /// Data-parallel: this is rank `rank` of `world`, and trains on its
    /// slice of each global micro-batch of batch x world samples
    /// (distributed_sampler.h).
    explicit StageOneSession(const TrainConfig& config, int rank = 0, int world = 1);
    ~StageOneSession();

    const TrainConfig& config() const { return c_; }
    MultiTaskNet& net() { return net_; }
    torch::optim::AdamW& optimizer() { return *optimizer_; }
    const torch::Device& device() const { return device_; }
    int64_t trainSamples() const { return nTrain_; }
    int64_t valSamples() const { return nVal_; }
    int64_t stepsPerEpoch() const { return stepsPerEpoch_; }
    int64_t totalSteps() const { return c_.epochs * stepsPerEpoch_; }

    /// The forward and backward passes of optimiser step `step` (accumulating
    /// c.accumulate micro-batches); the caller zeroes the gradients, sets the
    /// rates and steps the optimiser. Reports the terms of trainMetrics().
    StepReport step(int64_t step, double lrHeads);
    /// metrics.csv columns and TensorBoard tags of step().
    static std::vector<RunMetric> trainMetrics();

    /// Validation loss (without the equivariance term), NME, foreground mIoU
    /// and face depth L1 on the held-out samples, eval mode; NaN each without
    /// a validation split. The network goes back to training mode.
    std::vector<double> validate();
    static std::vector<RunMetric> validationMetrics();
    /// The index into validationMetrics() of c.bestMetric, and whether
    /// higher is better.
    size_t bestMetricIndex() const;
    bool bestHigherIsBetter() const;

    /// The prediction grid of the first (up to) 4 validation samples.
    cv::Mat preview();

private:
    MultiTaskLossOptions lossOptions() const { return stageOneLossOptions(c_); }

    TrainConfig c_;
    int rank_ = 0, world_ = 1;
    torch::Device device_;
    AugmentConfig augment_;
    SynthForgeDataset data_;
    int64_t n_ = 0, nVal_ = 0, nTrain_ = 0, microUsed_ = 0, stepsPerEpoch_ = 0;
    MultiTaskNet net_{nullptr};
    std::unique_ptr<torch::optim::AdamW> optimizer_;
    int64_t loaderEpoch_ = -1;
    std::unique_ptr<SynthForgeBatchLoader> loader_;
    annotate::ClassTable classes_;
    torch::Tensor previewImages_;
};

}  // namespace synthforge::train
