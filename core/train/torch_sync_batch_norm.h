#pragma once
// BatchNorm layers whose batch statistics can span every rank of a
// data-parallel run (PyTorch's SyncBatchNorm), so that 2 ranks with batch b
// normalise exactly as one process with batch 2b would.
//
// Our networks build these instead of torch::nn::BatchNorm{1,2}d. They hold
// the same parameters and buffers under the same names (weights and
// checkpoints are unchanged), compute torch's batch_norm exactly, unless a
// SyncBatchNormScope with a process group is alive on the calling thread
// and the layer is in training mode. Then the mean and
// variance come from all ranks' batches: the per-channel sums and the sums
// of squared deviations are all-reduced in the forward pass, and their
// gradients are all-reduced in the backward pass (an autograd function), so
// the gradients averaged over the ranks are the global batch's. Running
// statistics use the global batch's mean and unbiased variance.
//
// Why a module of our own rather than a subclass of torch's: LibTorch
// 1.13 does not export BatchNormImplBase's pretty_print, which a subclass's
// vtables need, so a subclass does not link.
// With a group of one rank the synchronised formula still runs (its
// collectives are no-ops): it rounds differently from torch's fused kernel,
// and in networks whose gradients are sums of large cancelling terms those
// differences reach 1e-4 relative, so a run's arithmetic must not depend on
// its world size for `--sync-batchnorm` runs to be comparable across world
// sizes (the equivalence test compares them to 1e-5).
//
// Why a scope and not an option of each network: the choice belongs to the
// run (`--sync-batchnorm`), not to the weights, and a scope reaches every
// layer of every network without threading a flag through their builders.

#include <torch/nn/cloneable.h>
#include <torch/nn/options/batchnorm.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <ostream>

namespace synthforge::train {

class TorchProcessGroup;

/// While alive, SyncableBatchNorm layers in training mode on this thread
/// synchronise over `group` (nullptr: they are torch's BatchNorm).
class SyncBatchNormScope {
public:
    explicit SyncBatchNormScope(TorchProcessGroup* group);
    ~SyncBatchNormScope();
    SyncBatchNormScope(const SyncBatchNormScope&) = delete;
    SyncBatchNormScope& operator=(const SyncBatchNormScope&) = delete;

private:
    TorchProcessGroup* previous_;
};

/// BatchNorm over dimension 1 of N x C [x ...] inputs (BatchNorm1d for
/// N x C, BatchNorm2d for N x C x H x W).
class SyncableBatchNormImpl : public torch::nn::Cloneable<SyncableBatchNormImpl> {
public:
    explicit SyncableBatchNormImpl(const torch::nn::BatchNormOptions& options);
    explicit SyncableBatchNormImpl(int64_t features) : SyncableBatchNormImpl(torch::nn::BatchNormOptions(features)) {}
    void reset() override;
    /// std::invalid_argument for an input that is not N x C [x ...] with
    /// C = the layer's features.
    torch::Tensor forward(const torch::Tensor& input);
    void pretty_print(std::ostream& stream) const override;

    torch::nn::BatchNormOptions options;
    torch::Tensor weight, bias, running_mean, running_var, num_batches_tracked;
};
TORCH_MODULE(SyncableBatchNorm);

}  // namespace synthforge::train
