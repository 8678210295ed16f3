// Forward-pass benchmarks on a synthetic model with FLAME's real dimensions
// (5023 vertices, 9976 faces, 300 + 100 blendshapes, 36 pose correctives,
// 51 static + 79x17 dynamic landmarks). The data is random but deterministic;
// only the sizes matter for timing.
//
//   build-bench/bench/bench_lbs --benchmark_min_time=0.2
//
// Eigen runs single-threaded (no OpenMP). Torch runs on the CPU in float32 with
// the intra-op thread count given by the benchmark's last argument; its
// figures use wall time and whole-process CPU time. Results and their
// interpretation: docs/performance.md.

#include <benchmark/benchmark.h>

#include <torch/torch.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "core/head/head_model.h"
#include "core/head/lbs.h"
#include "core/head/torch_lbs.h"

namespace {

using namespace synthforge::head;

constexpr int kV = 5023;
constexpr int kF = 9976;
constexpr int kS = kFlameShapeComponents;  // 300
constexpr int kE = kFlameExprComponents;   // 100
constexpr int kContourBins = 79;

HeadModel makeFlameSizedModel() {
    std::mt19937 rng(20261121);
    std::normal_distribution<float> n01(0.0f, 1.0f);
    std::uniform_real_distribution<float> u01(0.0f, 1.0f);
    std::uniform_int_distribution<int> vIdx(0, kV - 1);
    std::uniform_int_distribution<int> fIdx(0, kF - 1);

    HeadModel m;
    m.name = "synthetic FLAME-sized benchmark head";
    m.vTemplate.resize(kV, 3);
    for (int v = 0; v < kV; ++v) m.vTemplate.row(v) << 0.09f * n01(rng), 0.03f + 0.1f * n01(rng), 0.09f * n01(rng);

    auto fillNormal = [&](Eigen::MatrixXf& a, Eigen::Index rows, Eigen::Index cols, float sigma) {
        a.resize(rows, cols);
        for (Eigen::Index i = 0; i < a.size(); ++i) a.data()[i] = sigma * n01(rng);
    };
    fillNormal(m.shapedirs, 3 * kV, kS, 1e-3f);
    fillNormal(m.exprdirs, 3 * kV, kE, 1e-3f);
    fillNormal(m.posedirs, 3 * kV, kNumPoseFeatures, 1e-4f);

    // Sparse-ish regressor: each joint averages ~40 random vertices.
    m.jRegressor = Eigen::MatrixXf::Zero(kNumJoints, kV);
    for (int j = 0; j < kNumJoints; ++j) {
        for (int k = 0; k < 40; ++k) m.jRegressor(j, vIdx(rng)) += 0.1f + u01(rng);
        m.jRegressor.row(j) /= m.jRegressor.row(j).sum();
    }
    // Skinning: every vertex bound to two joints plus a small floor.
    m.weights = RowMatXf::Constant(kV, kNumJoints, 1e-3f);
    for (int v = 0; v < kV; ++v) {
        m.weights(v, v % kNumJoints) += u01(rng);
        m.weights(v, (v / kNumJoints) % kNumJoints) += u01(rng);
        m.weights.row(v) /= m.weights.row(v).sum();
    }

    m.faces.resize(kF, 3);
    for (int f = 0; f < kF; ++f) {
        const int a = vIdx(rng);
        m.faces.row(f) << a, (a + 1 + vIdx(rng) % (kV - 2)) % kV, 0;
        do m.faces(f, 2) = vIdx(rng);
        while (m.faces(f, 2) == m.faces(f, 0) || m.faces(f, 2) == m.faces(f, 1));
    }

    auto bary = [&](float* out) {
        const float a = u01(rng) + 0.05f, b = u01(rng) + 0.05f, c = u01(rng) + 0.05f, s = a + b + c;
        out[0] = a / s;
        out[1] = b / s;
        out[2] = c / s;
    };
    auto& lm = m.landmarks;
    lm.staticFaces.resize(kNumStaticFlameLandmarks);
    lm.staticBary.resize(kNumStaticFlameLandmarks, 3);
    for (int i = 0; i < kNumStaticFlameLandmarks; ++i) {
        lm.staticFaces[i] = fIdx(rng);
        bary(lm.staticBary.row(i).data());
    }
    lm.dynamicFaces.resize(kContourBins, kNumContourLandmarks);
    lm.dynamicBary.resize(kContourBins, 3 * kNumContourLandmarks);
    for (int b = 0; b < kContourBins; ++b)
        for (int k = 0; k < kNumContourLandmarks; ++k) {
            lm.dynamicFaces(b, k) = fIdx(rng);
            bary(lm.dynamicBary.row(b).data() + 3 * k);
        }
    m.validate("bench_lbs synthetic model");
    return m;
}

const HeadModel& model() {
    static const HeadModel m = makeFlameSizedModel();
    return m;
}

/// Parameters with the first `nShape` / `nExpr` coefficients non-zero; the
/// vectors are full length (300 / 100) unless `empty` so trailing zeros exist.
HeadParams makeParams(unsigned seed, int nShape, int nExpr, bool empty = false) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> n01(0.0f, 1.0f);
    HeadParams p;
    if (!empty) {
        p.shape = Eigen::VectorXf::Zero(kS);
        p.expr = Eigen::VectorXf::Zero(kE);
        for (int i = 0; i < nShape; ++i) p.shape[i] = n01(rng);
        for (int i = 0; i < nExpr; ++i) p.expr[i] = n01(rng);
    }
    for (int i = 0; i < kNumPoseValues; ++i) p.pose[i] = 0.1f * n01(rng);
    p.pose[3 * kJaw] = 0.25f;  // jaw open
    p.transl << 0.01f, -0.02f, 0.03f;
    return p;
}

/// Bytes of basis data one forward pass reads: the active blendshape columns
/// plus posedirs when correctives are on.
int64_t basisBytes(int nShape, int nExpr, bool correctives) {
    return int64_t{3} * kV * (nShape + nExpr + (correctives ? kNumPoseFeatures : 0)) * int64_t{sizeof(float)};
}

// --- Eigen: one forward pass -------------------------------------------------

// Arg 0: pose correctives on (1) / off (0). All 300 + 100 coefficients non-zero.
void BM_Forward_Full400(benchmark::State& state) {
    const HeadModel& m = model();
    const HeadParams p = makeParams(1, kS, kE);
    ForwardOptions opts;
    opts.poseCorrectives = state.range(0) != 0;
    for (auto _ : state) {
        HeadPose out = forward(m, p, opts);
        benchmark::DoNotOptimize(out.vertices.data());
        benchmark::DoNotOptimize(out.landmarks.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(state.iterations() * basisBytes(kS, kE, opts.poseCorrectives));
}
BENCHMARK(BM_Forward_Full400)->ArgName("correctives")->Arg(1)->Arg(0)->Unit(benchmark::kMicrosecond);

// DECA-style: 100 shape + 50 expression non-zero in full-length vectors, so the
// trailing-zero skip reads only 150 of 400 basis columns.
void BM_Forward_Deca150(benchmark::State& state) {
    const HeadModel& m = model();
    const HeadParams p = makeParams(2, 100, 50);
    for (auto _ : state) {
        HeadPose out = forward(m, p);
        benchmark::DoNotOptimize(out.vertices.data());
        benchmark::DoNotOptimize(out.landmarks.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(state.iterations() * basisBytes(100, 50, true));
}
BENCHMARK(BM_Forward_Deca150)->Unit(benchmark::kMicrosecond);

// Slider drag: shape/expr empty, the jaw angle changes every call.
void BM_Forward_PoseOnly(benchmark::State& state) {
    const HeadModel& m = model();
    HeadParams p = makeParams(3, 0, 0, /*empty=*/true);
    float jaw = 0.0f;
    for (auto _ : state) {
        jaw = jaw > 0.5f ? 0.0f : jaw + 0.01f;
        p.pose[3 * kJaw] = jaw;
        HeadPose out = forward(m, p);
        benchmark::DoNotOptimize(out.vertices.data());
        benchmark::DoNotOptimize(out.landmarks.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(state.iterations() * basisBytes(0, 0, true));
}
BENCHMARK(BM_Forward_PoseOnly)->Unit(benchmark::kMicrosecond);

// --- References (not product code paths) -------------------------------------

// The blendshape product alone (template + shape + expression, no posedirs).
// chunk 0: one Eigen GEMV per basis, as lbs.cpp computes it. chunk > 0: the
// same product as a sum of GEMVs over `chunk` columns each. Eigen 3.4's
// column-major GEMV walks all columns of a block at once, and the block is the
// whole matrix when it has fewer than 128 columns (100 and 50 here: that many
// interleaved streams 60 KB apart) and only 4 columns otherwise (one pass over
// the result vector per 4 columns); 16-column chunks sit between the two.
void BM_Reference_BlendGemv(benchmark::State& state) {
    const HeadModel& m = model();
    const int ns = static_cast<int>(state.range(0)), ne = static_cast<int>(state.range(1));
    const int chunk = static_cast<int>(state.range(2));
    const HeadParams p = makeParams(4, ns, ne);
    const Eigen::Map<const Eigen::VectorXf> tmpl(m.vTemplate.data(), m.vTemplate.size());
    Eigen::VectorXf out(tmpl.size());
    auto addBasis = [&](const Eigen::MatrixXf& basis, const Eigen::VectorXf& coeff, int n) {
        if (chunk == 0) {
            out.noalias() += basis.leftCols(n) * coeff.head(n);
            return;
        }
        for (int c = 0; c < n; c += chunk) {
            const int w = std::min(chunk, n - c);
            out.noalias() += basis.middleCols(c, w) * coeff.segment(c, w);
        }
    };
    for (auto _ : state) {
        out = tmpl;
        addBasis(m.shapedirs, p.shape, ns);
        addBasis(m.exprdirs, p.expr, ne);
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(state.iterations() * basisBytes(ns, ne, false));
}
BENCHMARK(BM_Reference_BlendGemv)
    ->ArgNames({"shape", "expr", "chunk"})
    ->Args({kS, kE, 0})
    ->Args({kS, kE, 16})
    ->Args({100, 50, 0})
    ->Args({100, 50, 16})
    ->Unit(benchmark::kMicrosecond);

// --- Eigen: batch ------------------------------------------------------------

// Arg 0: batch size. All 300 + 100 coefficients non-zero, correctives on.
void BM_ForwardBatch_Full400(benchmark::State& state) {
    const HeadModel& m = model();
    const int batch = static_cast<int>(state.range(0));
    std::vector<HeadParams> params;
    for (int b = 0; b < batch; ++b) params.push_back(makeParams(100 + b, kS, kE));
    for (auto _ : state) {
        std::vector<HeadPose> out = forwardBatch(m, params);
        benchmark::DoNotOptimize(out.data());
        benchmark::DoNotOptimize(out.back().vertices.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations() * batch);
}
BENCHMARK(BM_ForwardBatch_Full400)->ArgName("batch")->Arg(8)->Arg(64)->Unit(benchmark::kMillisecond);

// --- LibTorch (CPU, float32) -------------------------------------------------

const TorchHeadModel& torchModel() {
    static const TorchHeadModel t = TorchHeadModel::fromModel(model(), torch::kCPU, torch::kFloat32);
    return t;
}

struct TorchInputs {
    torch::Tensor shape, expr, pose, transl;
};

TorchInputs torchInputs(int batch) {
    torch::manual_seed(7);
    const auto f32 = torch::TensorOptions().dtype(torch::kFloat32);
    TorchInputs in;
    in.shape = torch::randn({batch, kS}, f32);
    in.expr = torch::randn({batch, kE}, f32);
    in.pose = 0.1 * torch::randn({batch, kNumPoseValues}, f32);
    in.pose.select(1, 3 * kJaw).fill_(0.25);
    in.transl = 0.01 * torch::randn({batch, 3}, f32);
    return in;
}

// Args: batch, threads. No autograd.
void BM_TorchForward_NoGrad(benchmark::State& state) {
    const int batch = static_cast<int>(state.range(0));
    torch::set_num_threads(static_cast<int>(state.range(1)));
    const TorchHeadModel& tm = torchModel();
    const TorchInputs in = torchInputs(batch);
    torch::NoGradGuard noGrad;
    for (auto _ : state) {
        TorchHeadPose out = torchForward(tm, in.shape, in.expr, in.pose, in.transl);
        benchmark::DoNotOptimize(out.vertices.data_ptr<float>());
        benchmark::DoNotOptimize(out.landmarks.data_ptr<float>());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations() * batch);
    torch::set_num_threads(1);
}
BENCHMARK(BM_TorchForward_NoGrad)
    ->ArgNames({"batch", "threads"})
    ->Args({1, 1})
    ->Args({64, 1})
    ->Args({64, 2})
    ->MeasureProcessCPUTime()  // CPU column: all threads, not just the caller
    ->UseRealTime()            // items/s from wall time, the figure that matters with 2 threads
    ->Unit(benchmark::kMillisecond);

// Batch 1, forward + backward of vertices.sum() with respect to shape.
void BM_TorchForwardBackward_Shape(benchmark::State& state) {
    torch::set_num_threads(static_cast<int>(state.range(0)));
    const TorchHeadModel& tm = torchModel();
    TorchInputs in = torchInputs(1);
    in.shape.set_requires_grad(true);
    for (auto _ : state) {
        TorchHeadPose out = torchForward(tm, in.shape, in.expr, in.pose, in.transl);
        out.vertices.sum().backward();
        benchmark::DoNotOptimize(in.shape.grad().data_ptr<float>());
        benchmark::ClobberMemory();
        in.shape.mutable_grad() = torch::Tensor();
    }
    state.SetItemsProcessed(state.iterations());
    torch::set_num_threads(1);
}
BENCHMARK(BM_TorchForwardBackward_Shape)
    ->ArgName("threads")
    ->Arg(1)
    ->MeasureProcessCPUTime()
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::AddCustomContext("eigen_threads", std::to_string(Eigen::nbThreads()));
    benchmark::AddCustomContext("model", "V=" + std::to_string(kV) + " F=" + std::to_string(kF) + " S=" +
                                             std::to_string(kS) + " E=" + std::to_string(kE));
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
