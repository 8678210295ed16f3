// Data-parallel steps over a c10d process group (see torch_data_parallel.h).

#include "core/train/torch_data_parallel.h"

#include <torch/torch.h>

#include <chrono>
#include <stdexcept>
#include <string>

#include "core/train/run_config_common.h"
#include "core/train/torch_process_group.h"
#include "core/train/torch_sync_batch_norm.h"

namespace synthforge::train {

DataParallel::DataParallel() = default;

DataParallel::DataParallel(const DistributedEnv& env, int64_t timeoutMs, bool syncBatchNorm)
    : env_(env), syncBatchNorm_(syncBatchNorm) {
    // A world of one needs a group only for synchronised BatchNorm, whose
    // arithmetic is then the same at every world size (its collectives are
    // no-ops there).
    if (!env.distributed() && !syncBatchNorm) return;
    ProcessGroupOptions options;
    options.timeout = std::chrono::milliseconds(timeoutMs);
    group_ = std::make_unique<TorchProcessGroup>(env, options);
}

DataParallel::~DataParallel() = default;

namespace {

std::vector<torch::Tensor> buffersOf(torch::nn::Module& module) {
    std::vector<torch::Tensor> buffers;
    for (const torch::Tensor& b : module.buffers())
        if (b.defined()) buffers.push_back(b);
    return buffers;
}

}  // namespace

void DataParallel::broadcastState(torch::nn::Module& module) {
    if (!distributed()) return;
    std::vector<torch::Tensor> state = module.parameters();
    for (const torch::Tensor& p : state)
        if (!p.device().is_cpu())
            throw std::runtime_error("rank " + std::to_string(env_.rank) +
                                     ": data-parallel training on " + p.device().str() +
                                     " needs NCCL, which this build does not have (Gloo here reduces CPU tensors); "
                                     "train with --device cpu, or as one process (docs/distributed.md)");
    const std::vector<torch::Tensor> buffers = buffersOf(module);
    state.insert(state.end(), buffers.begin(), buffers.end());
    group_->broadcastFrom0(state);
}

void DataParallel::broadcastBuffers(torch::nn::Module& module) {
    if (!distributed()) return;
    std::vector<torch::Tensor> buffers = buffersOf(module);
    if (!buffers.empty()) group_->broadcastFrom0(buffers);
}

std::vector<double> DataParallel::broadcastValues(const std::vector<double>& values) {
    if (!distributed() || values.empty()) return values;
    std::vector<torch::Tensor> one{torch::tensor(values, torch::kFloat64)};
    group_->broadcastFrom0(one);
    const torch::Tensor& t = one.front();
    return std::vector<double>(t.data_ptr<double>(), t.data_ptr<double>() + t.numel());
}

StepConsensus DataParallel::finishBackward(const std::vector<double>& values, bool stop,
                                           std::vector<torch::Tensor>& parameters) {
    StepConsensus agreed{values, stop};
    if (!distributed()) return agreed;
    // One small all-reduce: the values, the stop flag and which gradients
    // each rank has, so the gradient buckets below are the same everywhere.
    const size_t n = values.size();
    torch::Tensor control = torch::zeros({static_cast<int64_t>(n + 1 + parameters.size())}, torch::kFloat64);
    auto c = control.accessor<double, 1>();
    for (size_t i = 0; i < n; ++i) c[static_cast<int64_t>(i)] = values[i];
    c[static_cast<int64_t>(n)] = stop ? 1.0 : 0.0;
    for (size_t i = 0; i < parameters.size(); ++i)
        c[static_cast<int64_t>(n + 1 + i)] = parameters[i].grad().defined() ? 1.0 : 0.0;
    std::vector<torch::Tensor> one{control};
    group_->allReduceMean(one);
    for (size_t i = 0; i < n; ++i) agreed.values[i] = c[static_cast<int64_t>(i)];
    agreed.stop = c[static_cast<int64_t>(n)] > 0;

    std::vector<torch::Tensor> grads;
    for (size_t i = 0; i < parameters.size(); ++i) {
        if (c[static_cast<int64_t>(n + 1 + i)] == 0) continue;  // no rank has it
        torch::Tensor& p = parameters[i];
        if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
        grads.push_back(p.grad());
    }
    group_->allReduceMean(grads);
    return agreed;
}

void DataParallel::barrier() {
    if (distributed()) group_->barrier();
}

std::unique_ptr<SyncBatchNormScope> DataParallel::batchNormScope() {
    return std::make_unique<SyncBatchNormScope>(syncBatchNorm_ ? group_.get() : nullptr);
}

std::unique_ptr<DataParallel> joinDataParallel(const RunConfigCommon& c) {
    const DistributedEnv env = distributedEnvironment();
    return std::make_unique<DataParallel>(env, static_cast<int64_t>(c.distTimeout * 1000.0), c.syncBatchNorm);
}

}  // namespace synthforge::train
