// Synchronised batch statistics (see torch_sync_batch_norm.h).
//
// The statistics are computed in two all-reduced passes, the mean first and
// then the squared deviations from it, rather than from sums of x and x^2:
// the one-pass formula loses digits when a channel's mean is large against
// its spread, and the equivalence with a single process is tested to 1e-5.

#include "core/train/torch_sync_batch_norm.h"

#include <torch/torch.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/train/torch_process_group.h"

namespace synthforge::train {

namespace {

thread_local TorchProcessGroup* activeGroup = nullptr;

TorchProcessGroup* groupFromAddress(int64_t address) { return reinterpret_cast<TorchProcessGroup*>(address); }

/// Sum over the ranks whose backward is the sum of the incoming gradients
/// over the ranks: each rank's loss depends on every rank's statistics, and
/// this hands each rank its share of all the losses' gradients.
struct AllReduceSum : torch::autograd::Function<AllReduceSum> {
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x, int64_t group) {
        ctx->saved_data["group"] = group;
        std::vector<torch::Tensor> one{x.detach().clone()};
        groupFromAddress(group)->allReduceSum(one);
        return one.front();
    }
    static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::tensor_list grads) {
        std::vector<torch::Tensor> one{grads.front().contiguous().clone()};
        groupFromAddress(ctx->saved_data["group"].toInt())->allReduceSum(one);
        return {one.front(), torch::Tensor()};
    }
};

torch::Tensor syncedBatchNorm(const torch::Tensor& x, torch::nn::BatchNormOptions& o, const torch::Tensor& weight,
                              const torch::Tensor& bias, torch::Tensor& runningMean, torch::Tensor& runningVar,
                              torch::Tensor& batchesTracked, TorchProcessGroup& group) {
    const int64_t channels = x.size(1);
    std::vector<int64_t> dims{0}, shape{1, channels};
    for (int64_t d = 2; d < x.dim(); ++d) {
        dims.push_back(d);
        shape.push_back(1);
    }
    const auto address = reinterpret_cast<int64_t>(&group);
    // Statistics and normalisation in float64, as torch's CPU batch norm
    // accumulates them: a channel that is nearly constant (after a ReLU,
    // say) has a variance of a few ulps of its mean, and float32 sums would
    // amplify rounding into its gradients.
    const torch::Tensor xs = x.to(torch::kFloat64);
    const double localCount = static_cast<double>(x.numel() / channels);
    const torch::Tensor sums =
        AllReduceSum::apply(torch::cat({xs.sum(dims), torch::full({1}, localCount, xs.options())}), address);
    const double count = sums[channels].item<double>();
    if (count <= 1)
        throw std::invalid_argument("SyncableBatchNorm: expected more than 1 value per channel when training over all "
                                    "ranks, got " + std::to_string(static_cast<int64_t>(count)) + " (input " +
                                    c10::str(x.sizes()) + ")");
    const torch::Tensor mean = sums.narrow(0, 0, channels) / count;
    const torch::Tensor centered = xs - mean.view(shape);
    const torch::Tensor var = AllReduceSum::apply(centered.pow(2).sum(dims), address) / count;
    torch::Tensor y = centered * (var + o.eps()).rsqrt().view(shape);
    if (o.affine()) y = y * weight.view(shape) + bias.view(shape);

    if (o.track_running_stats()) {
        torch::NoGradGuard noGrad;
        double factor = o.momentum() ? *o.momentum() : 0.0;
        if (batchesTracked.defined()) {
            batchesTracked += 1;
            if (!o.momentum()) factor = 1.0 / batchesTracked.item<double>();
        }
        const double unbias = count > 1 ? count / (count - 1) : 1.0;
        runningMean.mul_(1 - factor).add_(mean.detach().to(runningMean.scalar_type()), factor);
        runningVar.mul_(1 - factor).add_((var.detach() * unbias).to(runningVar.scalar_type()), factor);
    }
    return y.to(x.scalar_type());
}

void checkInput(const torch::Tensor& input, int64_t features) {
    if (input.dim() < 2 || input.size(1) != features)
        throw std::invalid_argument("SyncableBatchNorm: expected an N x " + std::to_string(features) +
                                    " [x ...] input, got " + std::to_string(input.dim()) + " dimensions of sizes " +
                                    c10::str(input.sizes()));
}

}  // namespace

SyncBatchNormScope::SyncBatchNormScope(TorchProcessGroup* group) : previous_(activeGroup) { activeGroup = group; }
SyncBatchNormScope::~SyncBatchNormScope() { activeGroup = previous_; }

SyncableBatchNormImpl::SyncableBatchNormImpl(const torch::nn::BatchNormOptions& o) : options(o) { reset(); }

void SyncableBatchNormImpl::reset() {
    // torch's NormImplBase::reset: the same names, in the same order.
    const int64_t n = options.num_features();
    if (options.affine()) {
        weight = register_parameter("weight", torch::ones({n}));
        bias = register_parameter("bias", torch::zeros({n}));
    } else {
        weight = register_parameter("weight", torch::Tensor(), false);
        bias = register_parameter("bias", torch::Tensor(), false);
    }
    if (options.track_running_stats()) {
        running_mean = register_buffer("running_mean", torch::zeros({n}));
        running_var = register_buffer("running_var", torch::ones({n}));
        num_batches_tracked = register_buffer("num_batches_tracked", torch::tensor(0, torch::kLong));
    } else {
        running_mean = register_buffer("running_mean", torch::Tensor());
        running_var = register_buffer("running_var", torch::Tensor());
        num_batches_tracked = register_buffer("num_batches_tracked", torch::Tensor());
    }
}

torch::Tensor SyncableBatchNormImpl::forward(const torch::Tensor& input) {
    checkInput(input, options.num_features());
    TorchProcessGroup* group = activeGroup;
    if (group && is_training())
        return syncedBatchNorm(input, options, weight, bias, running_mean, running_var, num_batches_tracked, *group);
    // torch's BatchNormImplBase::forward, step for step.
    double factor = options.momentum() ? *options.momentum() : 0.0;
    if (is_training() && options.track_running_stats() && num_batches_tracked.defined()) {
        num_batches_tracked += 1;
        if (!options.momentum()) factor = 1.0 / num_batches_tracked.item<double>();
    }
    return torch::nn::functional::detail::batch_norm(input, running_mean, running_var, weight, bias,
                                                     is_training() || !options.track_running_stats(), factor,
                                                     options.eps());
}

void SyncableBatchNormImpl::pretty_print(std::ostream& stream) const {
    stream << "synthforge::train::SyncableBatchNorm(" << options.num_features() << ", eps=" << options.eps()
           << ", affine=" << options.affine() << ", track_running_stats=" << options.track_running_stats() << ")";
}

}  // namespace synthforge::train
