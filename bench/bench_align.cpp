// Density throughput of a TorchScript generator (the planted test module,
// tools/planted_generator.py) beside the procedural density, on the same
// points around the posed default head, and the alignment solver's time
// (targets and Adam steps) on the planted module.
//
//   build/bench/bench_align --benchmark_repetitions=3 --benchmark_report_aggregates_only=true

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>

#include "core/align/alignment_solver.h"
#include "core/align/density_grid.h"
#include "core/generate/procedural_generator.h"
#include "core/generate/torchscript_generator.h"
#include "core/head/default_head/model_source.h"
#include "core/head/lbs.h"
#include "core/io/npy.h"

namespace {

using namespace synthforge;
namespace fs = std::filesystem;

struct Fixture {
    std::shared_ptr<head::HeadModel> model = std::make_shared<head::HeadModel>(head::loadHeadModel("default"));
    std::string module;
    std::shared_ptr<const generate::Generator> torchGen, procedural;
    head::HeadPose pose = head::forward(*model, head::HeadParams{});
    Eigen::VectorXf z64 = Eigen::VectorXf::Zero(64), z512 = Eigen::VectorXf::Zero(512);
    camera::Points3f points;

    Fixture() {
        const fs::path dir = fs::temp_directory_path() / "synthforge_bench_align";
        fs::create_directories(dir);
        std::vector<std::int64_t> faces(static_cast<std::size_t>(model->faces.size()));
        for (Eigen::Index i = 0; i < model->faces.size(); ++i) faces[static_cast<std::size_t>(i)] = model->faces.data()[i];
        io::saveNpyFile((dir / "faces.npy").string(), io::NdArray::fromInt64(faces, {model->faces.rows(), 3}));
        module = (dir / "planted.pt").string();
        const std::string cmd = "/usr/bin/python3 '" + std::string(SYNTHFORGE_SOURCE_DIR) +
                                "/tools/planted_generator.py' --faces '" + (dir / "faces.npy").string() +
                                "' --vertex-count " + std::to_string(model->numVertices()) +
                                " --image-size 32 --out '" + module + "'";
        if (std::system(cmd.c_str()) != 0) throw std::runtime_error("cannot make the planted module: " + cmd);
        generate::TorchScriptGeneratorOptions o;
        torchGen = generate::loadTorchScriptGenerator(module, model, o);
        procedural = std::make_shared<generate::ProceduralGenerator>(model, cv::Mat());
        // 65536 points uniformly in the head's box (the grid's region).
        const align::Box box = align::headBounds(pose.vertices, 0.05f);
        std::mt19937 rng(1);
        std::uniform_real_distribution<float> u(0.0f, 1.0f);
        points.resize(65536, 3);
        for (Eigen::Index i = 0; i < points.rows(); ++i)
            for (int k = 0; k < 3; ++k) points(i, k) = box.lo[k] + u(rng) * (box.hi[k] - box.lo[k]);
    }
};

Fixture& fixture() {
    static Fixture f;
    return f;
}

void densityBench(benchmark::State& state, bool torchScript) {
    Fixture& f = fixture();
    generate::GeneratorInput in;
    in.z = torchScript ? &f.z64 : &f.z512;
    in.vertices = &f.pose.vertices;
    in.camera = camera::OrbitCamera().pinhole();
    const generate::Generator& g = torchScript ? *f.torchGen : *f.procedural;
    for (auto _ : state) benchmark::DoNotOptimize(g.density(in, f.points));
    state.SetItemsProcessed(state.iterations() * f.points.rows());
}

void BM_DensityTorchScriptPlanted(benchmark::State& state) { densityBench(state, true); }
void BM_DensityProcedural(benchmark::State& state) { densityBench(state, false); }
BENCHMARK(BM_DensityTorchScriptPlanted)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_DensityProcedural)->Unit(benchmark::kMillisecond)->Iterations(3);

/// The whole solver: 2 samples' targets (40-cell grid, one 32² render each)
/// and state.range(0) Adam steps.
void BM_AlignPlanted(benchmark::State& state) {
    Fixture& f = fixture();
    generate::SamplePipeline p;
    p.model = f.model;
    p.generator = f.torchGen;
    p.sampler.latentDim = 64;
    p.sampler.assets = generate::AssetsSamplerConfig::none();
    align::AlignmentOptions o;
    o.samples = 2;
    o.steps = static_cast<int>(state.range(0));
    o.gridResolution = 40;
    for (auto _ : state) benchmark::DoNotOptimize(align::solveAlignment(p, o));
}
BENCHMARK(BM_AlignPlanted)->Arg(0)->Arg(100)->Unit(benchmark::kSecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
