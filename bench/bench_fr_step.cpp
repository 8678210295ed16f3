// Face-recognition training step on the CPU (docs/performance.md), next to
// tools/bench_fr_step.py, which steps the PyTorch twin
// (tools/synthforge_fr_nets.py) through the same work: IResNet forward on
// 112x112, a CosFace margin (s 64, m 0.4) over 1000 classes, cross-entropy,
// backward, SGD (lr 0.1, momentum 0.9, weight decay 5e-4). The margin is
// written out here on both sides so that the two do exactly the same
// arithmetic (fr train's heads are tested against hand-worked values).
//
//   build/bench/bench_fr_step --benchmark_filter=ir18
//   /usr/bin/python3 tools/bench_fr_step.py --preset ir18
// bench/compare_fr_step.sh runs both side by side. frEmbed measures the
// embedding throughput of fr eval / fr embed (flip-fused, batch 64). One intra-op thread
// unless SYNTHFORGE_BENCH_THREADS is set; batch 16 unless SYNTHFORGE_BENCH_BATCH.

#include <cstdlib>
#include <string>

#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "core/fr/torch_iresnet.h"

using namespace synthforge::fr;

namespace {

constexpr int64_t kClasses = 1000;

int64_t envInt(const char* name, int64_t fallback) {
    const char* s = std::getenv(name);
    return s ? std::atoll(s) : fallback;
}

void frStep(benchmark::State& state, const std::string& preset) {
    torch::set_num_threads(static_cast<int>(envInt("SYNTHFORGE_BENCH_THREADS", 1)));
    const int64_t batch = envInt("SYNTHFORGE_BENCH_BATCH", 16);
    torch::manual_seed(0);
    IResNet net(iresnetPreset(preset));
    net->train();
    torch::Tensor weight = torch::randn({kClasses, net->options.embedding}).mul_(0.01).requires_grad_(true);
    std::vector<torch::Tensor> params = net->parameters();
    params.push_back(weight);
    torch::optim::SGD opt(params, torch::optim::SGDOptions(0.1).momentum(0.9).weight_decay(5e-4));
    const torch::Tensor x = torch::randn({batch, 3, 112, 112});
    const torch::Tensor y = torch::randint(kClasses, {batch}, torch::kInt64);
    auto step = [&] {
        for (auto& p : params) p.mutable_grad() = torch::Tensor();
        const torch::Tensor e = torch::nn::functional::normalize(net->forward(x), torch::nn::functional::NormalizeFuncOptions().dim(1));
        const torch::Tensor w = torch::nn::functional::normalize(weight, torch::nn::functional::NormalizeFuncOptions().dim(1));
        const torch::Tensor cosine = e.matmul(w.t());
        const torch::Tensor logits = 64.0 * (cosine - 0.4 * torch::one_hot(y, kClasses).to(cosine.scalar_type()));
        torch::nn::functional::cross_entropy(logits, y).backward();
        opt.step();
    };
    step();  // warm-up
    for (auto _ : state) step();
    state.counters["images/s"] = benchmark::Counter(static_cast<double>(batch), benchmark::Counter::kIsIterationInvariantRate);
}

/// Embedding throughput as `fr eval`/`fr embed` computes it: eval mode, no
/// gradients, each image and its mirror (flip-fused), batch of 64.
void frEmbed(benchmark::State& state, const std::string& preset) {
    torch::set_num_threads(static_cast<int>(envInt("SYNTHFORGE_BENCH_THREADS", 1)));
    torch::manual_seed(0);
    IResNet net(iresnetPreset(preset));
    net->eval();
    const torch::Tensor x = torch::randn({64, 3, 112, 112});
    torch::NoGradGuard noGrad;
    auto embed = [&] { return net->forward(x) + net->forward(x.flip({3})); };
    embed();  // warm-up
    for (auto _ : state) benchmark::DoNotOptimize(embed());
    state.counters["images/s"] = benchmark::Counter(64.0, benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace

BENCHMARK_CAPTURE(frEmbed, ir18, std::string("ir18"))->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK_CAPTURE(frEmbed, ir50, std::string("ir50"))->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK_CAPTURE(frStep, tiny, std::string("tiny"))->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK_CAPTURE(frStep, ir18, std::string("ir18"))->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK_CAPTURE(frStep, ir50, std::string("ir50"))->Unit(benchmark::kMillisecond)->Iterations(2);

BENCHMARK_MAIN();
