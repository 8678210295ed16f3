// Rasteriser throughput: a 10,000-triangle UV sphere filling most of a
// 512 x 512 image (about FLAME's 9,976 faces at the size we render), drawn
// with 1 and 2 threads. Both windings are drawn, as for annotations.
//
//   build-raster/bench/bench_raster --benchmark_min_time=0.5

#include <benchmark/benchmark.h>

#include <cmath>
#include <vector>

#include "core/raster/rasterizer.h"
#include "tests/core/raster/sphere_mesh.h"

namespace {

using namespace synthforge::raster;

using synthforge::testutil::makeSphere;  // the rasteriser tests' sphere

/// state.range(0): threads; state.range(1): 1 reuses one RasterResult across
/// frames (a generator's loop), 0 returns a fresh one per frame.
void BM_RasterSphere512(benchmark::State& state) {
    Vertices v;
    Triangles t;
    makeSphere(100, 51, Eigen::Vector3f(0, 0, 3.0f), 1.0f, v, t);  // 10,000 triangles
    // The sphere (angular radius asin(1/3)) spans ~85% of the image width.
    const Intrinsics k{620.0f, 620.0f, 256.0f, 256.0f};
    RasterOptions o;
    o.threads = static_cast<int>(state.range(0));
    const bool reuse = state.range(1) != 0;
    RasterResult r;
    for (auto _ : state) {
        if (reuse) rasterize(v, k, t, 512, 512, o, r);
        else r = rasterize(v, k, t, 512, 512, o);
        benchmark::DoNotOptimize(r.triangleId.data());
    }
    std::int64_t covered = 0;
    for (auto id : r.triangleId) covered += id >= 0;
    state.counters["triangles"] = static_cast<double>(t.rows());
    state.counters["covered_px"] = static_cast<double>(covered);
    state.SetItemsProcessed(state.iterations());  // frames
}
BENCHMARK(BM_RasterSphere512)
    ->ArgsProduct({{1, 2}, {0, 1}})
    ->ArgNames({"threads", "reuse"})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
