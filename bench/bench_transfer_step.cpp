// CycleGAN training step on the CPU (docs/performance.md), next to
// tools/bench_transfer_step.py, which steps the PyTorch twin
// (tools/synthforge_transfer_nets.py) through the same work: both
// generators forward (translations, reconstructions, identity mappings),
// LSGAN + cycle (λ 10) + identity (0.5 λ) losses and their backward with
// the discriminators frozen, then both discriminators on real and
// detached fake images, then one Adam (2e-4, 0.5, 0.999) step over all
// four networks. The history pool is left out on both sides (it only
// copies images). ngf = ndf = 64, 9 residual blocks, 256 x 256, batch 1:
// CycleGAN's defaults.
//
//   build/bench/bench_transfer_step
//   /usr/bin/python3 tools/bench_transfer_step.py
// cutStep does the same for CUT (tools/bench_transfer_step.py --method cut).
// bench/compare_transfer_step.sh [build] [rounds] [cyclegan|cut] runs both side by side. One intra-op thread
// unless SYNTHFORGE_BENCH_THREADS is set; 256 unless SYNTHFORGE_BENCH_SIZE.

#include <cstdlib>

#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "core/transfer/torch_cut_nets.h"
#include "core/transfer/torch_cyclegan_nets.h"

using namespace synthforge::transfer;

namespace {

int64_t envInt(const char* name, int64_t fallback) {
    const char* s = std::getenv(name);
    return s ? std::atoll(s) : fallback;
}

torch::Tensor lsgan(const torch::Tensor& s, double target) { return torch::mse_loss(s, torch::full_like(s, target)); }

void cycleGanStep(benchmark::State& state) {
    torch::set_num_threads(static_cast<int>(envInt("SYNTHFORGE_BENCH_THREADS", 1)));
    const int64_t size = envInt("SYNTHFORGE_BENCH_SIZE", 256);
    torch::manual_seed(0);
    ResnetGenerator gA(ResnetGeneratorOptions{64, 9}), gB(ResnetGeneratorOptions{64, 9});
    PatchDiscriminator dA(64), dB(64);
    std::vector<torch::Tensor> gp = gA->parameters(), dp = dA->parameters(), all;
    for (auto& p : gB->parameters()) gp.push_back(p);
    for (auto& p : dB->parameters()) dp.push_back(p);
    all = gp;
    all.insert(all.end(), dp.begin(), dp.end());
    torch::optim::Adam opt(all, torch::optim::AdamOptions(2e-4).betas({0.5, 0.999}));
    const torch::Tensor a = torch::rand({1, 3, size, size}) * 2 - 1, b = torch::rand({1, 3, size, size}) * 2 - 1;
    auto step = [&] {
        for (auto& p : all) p.mutable_grad() = torch::Tensor();
        for (auto& p : dp) p.set_requires_grad(false);
        const torch::Tensor fakeB = gA->forward(a), recA = gB->forward(fakeB);
        const torch::Tensor fakeA = gB->forward(b), recB = gA->forward(fakeA);
        const torch::Tensor idt = (torch::l1_loss(gA->forward(b), b) + torch::l1_loss(gB->forward(a), a)) * 5.0;
        const torch::Tensor gan = lsgan(dA->forward(fakeB), 1) + lsgan(dB->forward(fakeA), 1);
        const torch::Tensor cycle = (torch::l1_loss(recA, a) + torch::l1_loss(recB, b)) * 10.0;
        (gan + cycle + idt).backward();
        for (auto& p : dp) p.set_requires_grad(true);
        (0.5 * (lsgan(dA->forward(b), 1) + lsgan(dA->forward(fakeB.detach()), 0))).backward();
        (0.5 * (lsgan(dB->forward(a), 1) + lsgan(dB->forward(fakeA.detach()), 0))).backward();
        opt.step();
    };
    step();  // warm-up
    for (auto _ : state) step();
}

/// CUT's step (ngf = ndf = 64, 9 blocks, 256 x 256, batch 1), the same on
/// both sides: G on [A; B] (identity NCE), the GAN term with D frozen,
/// PatchNCE on layers 0, 4, 8, 12, 16 with 256 patches through the MLPs for
/// A -> G(A) and B -> G(B), then D on the detached fake and real B, one
/// Adam step over G, the MLPs and D.
void cutStep(benchmark::State& state) {
    torch::set_num_threads(static_cast<int>(envInt("SYNTHFORGE_BENCH_THREADS", 1)));
    const int64_t size = envInt("SYNTHFORGE_BENCH_SIZE", 256);
    torch::manual_seed(0);
    CutGenerator g(64, 9);
    const std::vector<int64_t> layers{0, 4, 8, 12, 16};
    std::vector<int64_t> channels;
    for (int64_t l : layers) channels.push_back(g->channelsAt(l));
    PatchSampler f(channels, 256);
    CutDiscriminator d(64);
    std::vector<torch::Tensor> all = g->parameters(), dp = d->parameters();
    for (auto& p : f->parameters()) all.push_back(p);
    all.insert(all.end(), dp.begin(), dp.end());
    torch::optim::Adam opt(all, torch::optim::AdamOptions(2e-4).betas({0.5, 0.999}));
    const torch::Tensor a = torch::rand({1, 3, size, size}) * 2 - 1, b = torch::rand({1, 3, size, size}) * 2 - 1;
    auto nce = [&](const torch::Tensor& src, const torch::Tensor& tgt) {
        const auto q = g->encode(tgt, layers), k = g->encode(src, layers);
        std::vector<torch::Tensor> ids;
        const auto kp = f->forward(k, 256, nullptr, &ids);
        const auto qp = f->forward(q, 256, &ids, nullptr);
        torch::Tensor total = torch::zeros({});
        for (std::size_t i = 0; i < qp.size(); ++i) total = total + patchNceLoss(qp[i], kp[i], 1, 0.07).mean();
        return total / static_cast<double>(qp.size());
    };
    auto step = [&] {
        for (auto& p : all) p.mutable_grad() = torch::Tensor();
        for (auto& p : dp) p.set_requires_grad(false);
        const torch::Tensor fake = g->forward(torch::cat({a, b}));
        const torch::Tensor fakeB = fake.slice(0, 0, 1), idtB = fake.slice(0, 1);
        const torch::Tensor lossG = lsgan(d->forward(fakeB), 1) + (nce(a, fakeB) + nce(b, idtB)) * 0.5;
        lossG.backward();
        for (auto& p : dp) p.set_requires_grad(true);
        (0.5 * (lsgan(d->forward(fakeB.detach()), 0) + lsgan(d->forward(b), 1))).backward();
        opt.step();
    };
    step();  // warm-up
    for (auto _ : state) step();
}

/// `transfer apply`'s work per image: the A -> B generator at 286 x 286
/// (the default load size of a 256 run), eval mode, no gradients, batch 4.
void cycleGanApply(benchmark::State& state) {
    torch::set_num_threads(static_cast<int>(envInt("SYNTHFORGE_BENCH_THREADS", 1)));
    torch::manual_seed(0);
    ResnetGenerator g(ResnetGeneratorOptions{64, 9});
    g->eval();
    torch::NoGradGuard no;
    const torch::Tensor x = torch::rand({4, 3, 288, 288}) * 2 - 1;
    g->forward(x);
    for (auto _ : state) benchmark::DoNotOptimize(g->forward(x));
    state.counters["images/s"] = benchmark::Counter(4.0, benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace

BENCHMARK(cycleGanStep)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(cutStep)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(cycleGanApply)->Unit(benchmark::kMillisecond)->Iterations(2);

BENCHMARK_MAIN();
