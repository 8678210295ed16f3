#pragma once
// A c10d process group for data-parallel training: the rendezvous through
// c10d's TCPStore (rank 0 serves it at MASTER_ADDR:MASTER_PORT) and Gloo's
// CPU collectives, built from the DistributedEnv that torchrun, Slurm or
// `synthforge launch` describe. We build no transport of our own: this is
// the engine PyTorch's own DistributedDataParallel runs on.
//
// Every collective must be called by every rank in the same order with
// tensors of the same shapes and dtypes (c10d's rule). A world of one is a
// single process: no store, no sockets, and every call is a no-op.
// Failures (a rendezvous that times out, a peer that dies or stops
// answering) are std::runtime_error naming MASTER_ADDR:MASTER_PORT and this
// rank, raised within the configured timeout rather than hanging.

#include <torch/torch.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "core/train/distributed_env.h"

namespace synthforge::train {

struct ProcessGroupOptions {
    /// For the rendezvous and for every collective.
    std::chrono::milliseconds timeout{60000};
    /// Tensors are flattened into buckets of about this size, one
    /// collective per bucket, as DistributedDataParallel does (its default).
    std::size_t bucketBytes = 25u * 1024u * 1024u;
};

class TorchProcessGroup {
public:
    /// Joins the group (blocks until every rank has arrived or the timeout
    /// ends). std::invalid_argument for a zero timeout or bucket size.
    explicit TorchProcessGroup(const DistributedEnv& env, ProcessGroupOptions options = {});
    ~TorchProcessGroup();
    TorchProcessGroup(const TorchProcessGroup&) = delete;
    TorchProcessGroup& operator=(const TorchProcessGroup&) = delete;

    int rank() const { return env_.rank; }
    int worldSize() const { return env_.worldSize; }
    const ProcessGroupOptions& options() const { return options_; }

    /// Replaces every tensor by its mean over the ranks, in place (works on
    /// parameters and gradients alike: autograd is not recorded). Tensors
    /// must be defined, on the CPU and of a floating dtype
    /// (std::invalid_argument otherwise).
    void allReduceMean(std::vector<torch::Tensor>& tensors);
    /// The same with the sum over the ranks.
    void allReduceSum(std::vector<torch::Tensor>& tensors);
    /// Overwrites every tensor, in place, with rank 0's values (any dtype:
    /// BatchNorm's integer batch counters travel too).
    void broadcastFrom0(std::vector<torch::Tensor>& tensors);
    /// Returns when every rank has reached it.
    void barrier();

private:
    void allReduce(std::vector<torch::Tensor>& tensors, bool mean);

    struct Impl;
    DistributedEnv env_;
    ProcessGroupOptions options_;
    std::unique_ptr<Impl> impl_;  ///< null for a world of one
};

}  // namespace synthforge::train
