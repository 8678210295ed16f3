// Density tools on the default head: sampling the procedural generator's
// density on a grid around the posed head (1 and 2 threads, one slab or
// about 64k points per density() call), marching cubes
// on that grid, and the distances between the mesh and the iso-surface,
// at 64 and 128 cells along the head box's longest side (marching cubes also
// at 256, whose grid is sampled once, on every core, before it is timed).
//
//   build/bench/bench_density --benchmark_repetitions=5 --benchmark_report_aggregates_only=true

#include <benchmark/benchmark.h>

#include <algorithm>
#include <map>
#include <memory>
#include <vector>

#include "core/align/density_grid.h"
#include "core/align/marching_cubes.h"
#include "core/align/surface_distance.h"
#include "core/generate/mesh_density.h"
#include "core/generate/procedural_generator.h"
#include "core/head/default_head/model_source.h"
#include "core/head/lbs.h"

namespace {

using namespace synthforge;

struct Scene {
    std::shared_ptr<head::HeadModel> model = std::make_shared<head::HeadModel>(head::loadHeadModel("default"));
    generate::ProceduralGenerator generator{model, cv::Mat()};
    head::HeadPose pose = head::forward(*model, head::HeadParams{});
    generate::GeneratorInput input() const {
        generate::GeneratorInput in;
        in.vertices = &pose.vertices;
        return in;
    }
    align::GridSpec spec(int resolution) const {
        align::GridSpec s;
        s.bounds = align::headBounds(pose.vertices, 0.05f);
        s.resolution = resolution;
        return s;
    }
    const align::ScalarGrid& grid(int resolution) {
        auto it = grids.find(resolution);
        if (it == grids.end()) {
            align::SampleOptions o;
            o.threads = 0;
            o.slabsPerCall = 0;
            it = grids.emplace(resolution, align::sampleDensity(generator, input(), spec(resolution), o)).first;
        }
        return it->second;
    }
    std::map<int, align::ScalarGrid> grids;
};

Scene& scene() {
    static Scene s;
    return s;
}

const float kLevel = generate::MeshDensity::surfaceDensity(generate::ProceduralGeneratorOptions{}.densityBeta);

double minimum(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }

/// range(0): cells along the longest side; range(1): threads; range(2):
/// z-slabs per density() call (0: about 64k points per call).
void BM_SampleDensity(benchmark::State& state) {
    Scene& s = scene();
    align::SampleOptions o;
    o.threads = static_cast<int>(state.range(1));
    o.slabsPerCall = static_cast<int>(state.range(2));
    std::size_t points = 0;
    for (auto _ : state) {
        const align::ScalarGrid g = align::sampleDensity(s.generator, s.input(), s.spec(static_cast<int>(state.range(0))), o);
        points = g.size();
        benchmark::DoNotOptimize(g.values.data());
    }
    state.counters["points"] = static_cast<double>(points);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * points));
}
BENCHMARK(BM_SampleDensity)
    ->ArgsProduct({{64, 128}, {1, 2}, {1, 0}})
    ->ArgNames({"res", "threads", "slabs"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->ComputeStatistics("min", minimum);

void BM_MarchingCubes(benchmark::State& state) {
    const align::ScalarGrid& g = scene().grid(static_cast<int>(state.range(0)));
    std::int64_t faces = 0;
    for (auto _ : state) {
        const align::IsoSurface iso = align::marchingCubes(g, kLevel);
        faces = iso.mesh.faces.rows();
        benchmark::DoNotOptimize(iso.mesh.positions.data());
    }
    state.counters["triangles"] = static_cast<double>(faces);
    state.counters["points"] = static_cast<double>(g.size());
}
BENCHMARK(BM_MarchingCubes)->Arg(64)->Arg(128)->Arg(256)->ArgName("res")->Unit(benchmark::kMillisecond)->UseRealTime()->ComputeStatistics("min", minimum);

/// Both directions between the posed mesh and the iso-surface (index builds included).
void BM_MeshToIsoSurface(benchmark::State& state) {
    Scene& s = scene();
    const align::IsoSurface iso = align::marchingCubes(s.grid(static_cast<int>(state.range(0))), kLevel);
    io::TriMesh mesh;
    mesh.positions = camera::transformPoints(camera::flameToWorldMatrix(), s.pose.vertices);
    mesh.faces = s.model->faces;
    for (auto _ : state) {
        const align::MeshDistances d = align::meshDistances(mesh, iso.mesh, static_cast<int>(state.range(1)));
        benchmark::DoNotOptimize(d.chamfer);
    }
    state.counters["iso_triangles"] = static_cast<double>(iso.mesh.faces.rows());
}
BENCHMARK(BM_MeshToIsoSurface)
    ->ArgsProduct({{64, 128}, {1}})
    ->ArgNames({"res", "threads"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->ComputeStatistics("min", minimum);

}  // namespace

BENCHMARK_MAIN();
