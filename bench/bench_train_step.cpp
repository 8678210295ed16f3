// Training step time of the Stage I network on the CPU (docs/performance.md),
// next to tools/bench_train_step.py, which steps the same network (the
// PyTorch twin, tools/synthforge_nets.py) through the same work.
//
// BM_NetStep is the comparable step: forward of every head, cross-entropy on
// the segmentation, L1 on the depth, MSE on the soft-argmax landmarks,
// backward, AdamW. BM_FullStep is our real training step (multiTaskLoss:
// heatmap cross-entropy and the affine-equivariance term, which runs the
// backbone a second time), for the figures in docs/performance.md.
//
//   build/bench/bench_train_step --benchmark_filter=small
//   /usr/bin/python3 tools/bench_train_step.py --preset small
// The C++ side keeps freed memory for reuse as `synthforge train` does
// (core/jobs/memory_policy.h) unless SYNTHFORGE_BENCH_SYSTEM_MALLOC is set.
// Both use one intra-op thread unless SYNTHFORGE_BENCH_THREADS is set, and
// 256x256 input unless SYNTHFORGE_BENCH_SIZE is set. With
// SYNTHFORGE_BENCH_PROFILE=FILE the first timed step of each benchmark is
// recorded by the autograd profiler as a Chrome trace (FILE.<name>.json);
// tools/profile_summary.py compares such traces with the Python side's.
// SYNTHFORGE_BENCH_PRECISION=bf16 runs the forward passes under autocast as
// `train --precision bf16` does; SYNTHFORGE_BENCH_ZERO_GRAD=fill zero-fills
// the gradients (LibTorch 1.13's zero_grad()) instead of dropping them as the
// trainer does (clearGradients). The Python side reads the same variables.

#include <cstdlib>
#include <string>

#include <benchmark/benchmark.h>
#include <torch/csrc/autograd/profiler_legacy.h>
#include <torch/torch.h>

#include "core/jobs/memory_policy.h"
#include "core/train/torch_autocast.h"
#include "core/train/torch_losses.h"
#include "core/train/torch_multitask_net.h"
#include "core/train/torch_run_loop.h"

using namespace synthforge::train;

namespace {

constexpr int64_t kBatch = 8, kClasses = 19;

int64_t inputSize() {
    const char* s = std::getenv("SYNTHFORGE_BENCH_SIZE");
    return s ? std::atoll(s) : 256;
}

/// Runs `step` once under the autograd profiler when SYNTHFORGE_BENCH_PROFILE is set.
template <typename Step>
void profileOnce(const std::string& name, Step&& step) {
    const char* path = std::getenv("SYNTHFORGE_BENCH_PROFILE");
    if (!path) return;
    torch::autograd::profiler::RecordProfile guard(std::string(path) + "." + name + ".json");
    step();
}

struct Fixture {
    MultiTaskNet net;
    torch::optim::AdamW opt;
    torch::Tensor images, seg, depth, landmarks;

    explicit Fixture(const std::string& preset)
        : net(MultiTaskNetOptions(kClasses).preset(preset)),
          opt(net->parameters(), torch::optim::AdamWOptions(1e-4).weight_decay(1e-2)) {
        torch::manual_seed(0);
        const int64_t n = inputSize();
        images = torch::rand({kBatch, 3, n, n}) * 2 - 1;
        seg = torch::randint(0, kClasses, {kBatch, n, n}, torch::kLong);
        depth = torch::rand({kBatch, 1, n, n});
        landmarks = torch::rand({kBatch, 68, 2}) * 2 - 1;
        // SYNTHFORGE_BENCH_CHANNELS_LAST=1: the images and every 4-d parameter
        // in channels-last (NHWC) layout, to measure whether oneDNN's
        // convolutions run faster that way before the trainer adopts it.
        if (std::getenv("SYNTHFORGE_BENCH_CHANNELS_LAST")) {
            torch::NoGradGuard noGrad;
            images = images.contiguous(torch::MemoryFormat::ChannelsLast);
            for (auto& p : net->parameters())
                if (p.dim() == 4) p.set_data(p.contiguous(torch::MemoryFormat::ChannelsLast));
        }
        net->train();
    }
};

std::string precision() {
    const char* p = std::getenv("SYNTHFORGE_BENCH_PRECISION");
    return p ? p : "fp32";
}

void clearGrads(torch::optim::Optimizer& opt) {
    const char* z = std::getenv("SYNTHFORGE_BENCH_ZERO_GRAD");
    if (z && std::string(z) == "fill")
        opt.zero_grad();
    else
        clearGradients(opt);
}

void setThreads() {
    const char* t = std::getenv("SYNTHFORGE_BENCH_THREADS");
    torch::set_num_threads(t ? std::atoi(t) : 1);
    // As `synthforge train` does; SYNTHFORGE_BENCH_SYSTEM_MALLOC=1 measures glibc's defaults.
    if (!std::getenv("SYNTHFORGE_BENCH_SYSTEM_MALLOC")) synthforge::jobs::retainFreedMemoryForReuse();
}

void netStep(benchmark::State& state, const std::string& preset) {
    setThreads();
    Fixture f(preset);
    auto step = [&f] {
        clearGrads(f.opt);
        MultiTaskOutput out;
        {
            const AutocastScope autocast(precision(), torch::kCPU);
            out = f.net->forward(f.images);
        }
        const torch::Tensor loss =
            torch::nn::functional::cross_entropy(out.segmentation.to(torch::kFloat32), f.seg) +
            (out.depth.to(torch::kFloat32) - f.depth).abs().mean() + torch::mse_loss(out.landmarks, f.landmarks);
        loss.backward();
        f.opt.step();
        return loss.item<float>();
    };
    step();  // warm-up, as tools/bench_train_step.py does
    profileOnce("netStep_" + preset, step);
    for (auto _ : state) benchmark::DoNotOptimize(step());
    state.counters["images/s"] = benchmark::Counter(static_cast<double>(kBatch * state.iterations()),
                                                    benchmark::Counter::kIsRate);
}

void fullStep(benchmark::State& state, const std::string& preset) {
    setThreads();
    Fixture f(preset);
    MultiTaskTargets targets;
    targets.segmentation = f.seg;
    targets.depth = f.depth;
    targets.landmarks = f.landmarks;
    auto step = [&f, &targets] {
        clearGrads(f.opt);
        const MultiTaskLosses l = multiTaskLoss(f.net, f.images, targets, MultiTaskLossOptions().precision(precision()));
        l.total.backward();
        f.opt.step();
        return l.total.item<float>();
    };
    step();  // warm-up
    profileOnce("fullStep_" + preset, step);
    for (auto _ : state) benchmark::DoNotOptimize(step());
    state.counters["images/s"] = benchmark::Counter(static_cast<double>(kBatch * state.iterations()),
                                                    benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK_CAPTURE(netStep, small, std::string("small"))->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(5);
BENCHMARK_CAPTURE(fullStep, small, std::string("small"))->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(5);
BENCHMARK_CAPTURE(netStep, reference, std::string("reference"))->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(2);
BENCHMARK_CAPTURE(fullStep, reference, std::string("reference"))->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(2);

BENCHMARK_MAIN();
