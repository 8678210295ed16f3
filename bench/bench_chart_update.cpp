// The run centre's scalar charts with long runs: updating a chart that holds
// two runs of 100k points each (the budget is one frame, 16 ms), and its
// parts: TensorBoard's smoothing and the M4 decimation to the plot width.
//
//   QT_QPA_PLATFORM=offscreen build/bench/bench_chart_update
//       --benchmark_repetitions=10 --benchmark_report_aggregates_only=true
//
// "Update" is what a live run costs per poll: one run's curve grows by a
// point and setRunSeries() smooths, decimates and hands the lines to Qt
// Charts. "UpdateAndRender" adds drawing the chart widget into a pixmap.
// Figures and the machine: docs/performance.md.

#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <vector>

#include <QApplication>
#include <QLineSeries>
#include <QPixmap>

#include "core/runs/scalar_series.h"
#include "widgets/runs/scalar_chart_view.h"

using synthforge::runs::PlotPoint;
using synthforge::runs::ScalarPoint;
using synthforge::widgets::ScalarChartView;

namespace {

constexpr int kPoints = 100000;

std::vector<ScalarPoint> lossCurve(int n, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> noise(0.0, 0.1);
    std::vector<ScalarPoint> pts;
    pts.reserve(static_cast<std::size_t>(n) + 1000);
    for (int i = 1; i <= n; ++i)
        pts.push_back({i, 1.7e9 + i, (0.2 + 2.0 * std::exp(-6.0 * i / n)) * (1.0 + noise(rng))});
    return pts;
}

/// A shown chart with two runs of kPoints points; the plot is ~800 px wide.
struct TwoRunChart {
    ScalarChartView view{"train/loss"};
    std::vector<ScalarPoint> a = lossCurve(kPoints, 1), b = lossCurve(kPoints, 2);
    TwoRunChart() {
        view.resize(900, 400);
        view.show();
        view.setRunSeries("a", Qt::blue, a);
        view.setRunSeries("b", Qt::red, b);
        QApplication::processEvents();
    }
    /// A live run's poll: one more point.
    void grow() {
        const ScalarPoint& last = a.back();
        a.push_back({last.step + 1, last.wallTime + 1, last.value});
        view.setRunSeries("a", Qt::blue, a);
    }
};

void BM_ChartUpdate(benchmark::State& state) {
    TwoRunChart chart;
    for (auto _ : state) chart.grow();
    state.counters["plot_columns"] = chart.view.plotColumns();
    state.counters["drawn_points"] = static_cast<double>(chart.view.rawSeries("a")->count());
}
BENCHMARK(BM_ChartUpdate)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ChartUpdateAndRender(benchmark::State& state) {
    TwoRunChart chart;
    for (auto _ : state) {
        chart.grow();
        QPixmap frame = chart.view.grab();
        benchmark::DoNotOptimize(frame);
    }
}
BENCHMARK(BM_ChartUpdateAndRender)->Unit(benchmark::kMillisecond)->UseRealTime();

/// Moving the smoothing slider redoes every run of the chart.
void BM_ChartSmoothingChange(benchmark::State& state) {
    TwoRunChart chart;
    bool flip = false;
    for (auto _ : state) chart.view.setSmoothing((flip = !flip) ? 0.7 : 0.6);
}
BENCHMARK(BM_ChartSmoothingChange)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_SmoothEma(benchmark::State& state) {
    std::vector<double> values;
    for (const ScalarPoint& p : lossCurve(kPoints, 3)) values.push_back(p.value);
    for (auto _ : state) benchmark::DoNotOptimize(synthforge::runs::smoothEma(values, 0.6));
}
BENCHMARK(BM_SmoothEma)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_DecimateM4(benchmark::State& state) {
    const std::vector<PlotPoint> pts =
        synthforge::runs::toPlotPoints(lossCurve(kPoints, 4), synthforge::runs::XAxisKind::Step);
    std::size_t kept = 0;
    for (auto _ : state) {
        const auto d = synthforge::runs::decimateM4(pts, 0, kPoints, 800);
        kept = d.size();
        benchmark::DoNotOptimize(d.data());
    }
    state.counters["kept_points"] = static_cast<double>(kept);
}
BENCHMARK(BM_DecimateM4)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
    // Headless by default: the benchmark needs widgets, not a display.
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
