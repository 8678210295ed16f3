#pragma once
// What makes a training run data-parallel over the ranks of a c10d process
// group (issue: training beyond one machine), shared by train, finetune,
// fr train and transfer train through torch_run_loop.h:
//  - every rank starts from rank 0's parameters and buffers (broadcast);
//  - after each step's backward pass the gradients are averaged over the
//    ranks in buckets (torch_process_group.h), with the step's reported
//    values and the "stop now" flag in one small all-reduce before them, so
//    metrics.csv holds the global means and every rank stops at the same step;
//  - after each optimiser step the buffers (BatchNorm running statistics)
//    are rank 0's again, as DistributedDataParallel's broadcast_buffers does,
//    so that validation and checkpoints are the same on every rank;
//  - with sync_batchnorm the BatchNorm layers normalise over the global batch
//    (torch_sync_batch_norm.h); otherwise each rank normalises its own batch.
// Rank 0 alone writes (RunDirectory, checkpoints, metrics, TensorBoard, run
// records). A world of one has no group and every call is a no-op, so a
// single process runs exactly as before. Torch types appear here, so only
// torch_*.cpp files may include it.

#include <torch/nn/module.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "core/train/distributed_env.h"

namespace synthforge::train {

class TorchProcessGroup;
class SyncBatchNormScope;
struct RunConfigCommon;

/// What the ranks agreed on after a step's backward pass.
struct StepConsensus {
    std::vector<double> values;  ///< the step's reported values, averaged over the ranks
    bool stop = false;           ///< some rank was asked to stop (Ctrl+C, SIGTERM)
};

class DataParallel {
public:
    /// One process: no group.
    DataParallel();
    /// Joins the job `env` describes (blocks until every rank has joined or
    /// `timeoutMs` has passed; std::runtime_error naming the rendezvous then).
    DataParallel(const DistributedEnv& env, int64_t timeoutMs, bool syncBatchNorm);
    ~DataParallel();
    DataParallel(const DataParallel&) = delete;
    DataParallel& operator=(const DataParallel&) = delete;

    int rank() const { return env_.rank; }
    int worldSize() const { return env_.worldSize; }
    bool distributed() const { return env_.worldSize > 1; }
    /// Whether this rank writes the run's files (rank 0).
    bool writes() const { return env_.rank == 0; }
    bool syncBatchNorm() const { return syncBatchNorm_; }

    /// Overwrites `module`'s parameters and buffers with rank 0's.
    /// std::runtime_error for parameters off the CPU (no NCCL yet).
    void broadcastState(torch::nn::Module& module);
    /// Overwrites `module`'s buffers with rank 0's.
    void broadcastBuffers(torch::nn::Module& module);
    /// Rank 0's values (as doubles: exact for integers below 2^53).
    std::vector<double> broadcastValues(const std::vector<double>& values);
    /// After a step's backward pass on every rank: averages `values`, agrees
    /// on stopping, then averages the gradients of `parameters` in place. A
    /// gradient some ranks have and others lack (a branch one rank's batch
    /// did not reach) counts as zeros there.
    StepConsensus finishBackward(const std::vector<double>& values, bool stop, std::vector<torch::Tensor>& parameters);
    /// Returns when every rank has reached it.
    void barrier();

    /// While alive, SyncableBatchNorm layers on this thread normalise over
    /// the ranks when syncBatchNorm() (otherwise it does nothing).
    std::unique_ptr<SyncBatchNormScope> batchNormScope();

private:
    DistributedEnv env_;
    bool syncBatchNorm_ = false;
    /// Null for one process, unless it synchronises BatchNorm (a group of one).
    std::unique_ptr<TorchProcessGroup> group_;
};

/// Joins the job the environment describes (distributed_env.h), with the
/// run's --dist-timeout and --sync-batchnorm. Errors name the variable (a
/// bad environment) or the rendezvous (a rank that never came).
std::unique_ptr<DataParallel> joinDataParallel(const RunConfigCommon& c);

}  // namespace synthforge::train
