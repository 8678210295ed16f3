// Loading a FLAME-sized model pickle (53 MB: FLAME 2020's layout and sizes,
// made by bench/make_flame_pickle.py at build time): the restricted pickle
// parse alone, and the whole loadHeadModel (parse, arrays to float bases,
// validation). Wall time and process CPU time; on a shared machine the CPU
// time is the steadier figure.
//
//   build/bench/bench_flame_load --benchmark_repetitions=10 --benchmark_report_aggregates_only=true
//
// Figures and the machine: docs/performance.md.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <vector>

#include "core/head/head_model_io.h"
#include "core/io/pickle.h"

namespace {

using namespace synthforge;

void BM_ParseFlamePickle(benchmark::State& state) {
    for (auto _ : state) {
        io::PyRef root = io::loadPickleFile(SYNTHFORGE_BENCH_FLAME_PKL);
        benchmark::DoNotOptimize(root.get());
    }
}

void BM_LoadFlameModel(benchmark::State& state) {
    for (auto _ : state) {
        head::HeadModel m = head::loadHeadModelFile(SYNTHFORGE_BENCH_FLAME_PKL);
        benchmark::DoNotOptimize(m.shapedirs.data());
    }
}

double minimum(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }

BENCHMARK(BM_ParseFlamePickle)->Unit(benchmark::kMillisecond)->UseRealTime()->MeasureProcessCPUTime()
    ->Iterations(5)->ComputeStatistics("min", minimum);
BENCHMARK(BM_LoadFlameModel)->Unit(benchmark::kMillisecond)->UseRealTime()->MeasureProcessCPUTime()
    ->Iterations(5)->ComputeStatistics("min", minimum);

}  // namespace

BENCHMARK_MAIN();
