// Rasteriser throughput: a 10,000-triangle UV sphere filling most of a
// 512 x 512 image (about FLAME's 9,976 faces at the size we render), drawn
// with 1 and 2 threads. Both windings are drawn, as for annotations.
//
//   build-raster/bench/bench_raster --benchmark_min_time=0.5

#include <benchmark/benchmark.h>

#include <cmath>
#include <vector>

#include "core/raster/rasterizer.h"

namespace {

using namespace synthforge::raster;

/// Sphere of 2 * slices * (stacks - 1) triangles at camera-space `centre`.
void makeSphere(int slices, int stacks, const Eigen::Vector3f& centre, float radius, Vertices& v, Triangles& t) {
    const double pi = 3.14159265358979323846;
    v.resize(2 + slices * (stacks - 1), 3);
    v.row(0) = (centre + Eigen::Vector3f(0, radius, 0)).transpose();
    v.row(1) = (centre - Eigen::Vector3f(0, radius, 0)).transpose();
    for (int s = 1; s < stacks; ++s)
        for (int l = 0; l < slices; ++l) {
            const double th = pi * s / stacks, ph = 2 * pi * l / slices;
            const Eigen::Vector3d p(std::sin(th) * std::cos(ph), std::cos(th), std::sin(th) * std::sin(ph));
            v.row(2 + (s - 1) * slices + l) = (centre + radius * p.cast<float>()).transpose();
        }
    auto ring = [&](int s, int l) { return 2 + (s - 1) * slices + (l % slices); };
    std::vector<Eigen::Vector3i> tris;
    for (int l = 0; l < slices; ++l) {
        tris.emplace_back(0, ring(1, l), ring(1, l + 1));
        tris.emplace_back(1, ring(stacks - 1, l + 1), ring(stacks - 1, l));
        for (int s = 1; s < stacks - 1; ++s) {
            tris.emplace_back(ring(s, l), ring(s + 1, l), ring(s + 1, l + 1));
            tris.emplace_back(ring(s, l), ring(s + 1, l + 1), ring(s, l + 1));
        }
    }
    t.resize(static_cast<Eigen::Index>(tris.size()), 3);
    for (std::size_t i = 0; i < tris.size(); ++i) t.row(static_cast<Eigen::Index>(i)) = tris[i].transpose();
}

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
