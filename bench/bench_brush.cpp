// A label-editor stroke as the live overlay sees it: paint a 1000-texel-long
// mouse stroke (as long at 1024^2 as at 4096^2 in UV terms) as one edit, then
// colour its dirty rectangle into a 512^2 overlay (nearest lookup). The
// correctness of both is tested in tests/core/labelmap/test_brush.cpp.
//
//   build/bench/bench_brush

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include <opencv2/core.hpp>

#include "core/annotate/class_table.h"
#include "core/labelmap/brush.h"

namespace {

using namespace synthforge::labelmap;

/// state.range(0): canvas side; state.range(1): brush diameter.
void BM_StrokeAndOverlay(benchmark::State& state) {
    const int n = static_cast<int>(state.range(0)), d = static_cast<int>(state.range(1));
    const auto lut = synthforge::annotate::ClassTable::defaultTable().colorMap();
    LabelCanvas c(n, synthforge::annotate::kSkin);
    cv::Mat overlay(512, 512, CV_8UC3, cv::Scalar(0, 0, 0));
    std::vector<Eigen::Vector2f> pts;
    for (int k = 0; k <= 250; ++k)
        pts.emplace_back(0.1f * n + 4.0f * k * n / 4096.0f, 0.5f * n + 100.0f * std::sin(k * 0.05f));
    std::uint8_t id = synthforge::annotate::kLeftBrow;
    std::size_t tiles = 0;
    for (auto _ : state) {
        // Alternate classes so every stroke changes the same texels.
        id = id == synthforge::annotate::kLeftBrow ? synthforge::annotate::kRightBrow : synthforge::annotate::kLeftBrow;
        const StrokeRecord r = paintStroke(c, pts, d, id);
        tiles = r.tileCount();
        const double s = 512.0 / n;
        const int ox0 = static_cast<int>(r.dirty().x * s), oy0 = static_cast<int>(r.dirty().y * s);
        const int ox1 = std::min(511, static_cast<int>((r.dirty().x + r.dirty().width) * s)),
                  oy1 = std::min(511, static_cast<int>((r.dirty().y + r.dirty().height) * s));
        for (int y = oy0; y <= oy1; ++y)
            for (int x = ox0; x <= ox1; ++x) {
                const auto& col = lut[c.get(static_cast<int>((x + 0.5) / s), static_cast<int>((y + 0.5) / s))];
                overlay.at<cv::Vec3b>(y, x) = cv::Vec3b(col[2], col[1], col[0]);
            }
        benchmark::DoNotOptimize(overlay.data);
    }
    state.counters["tiles"] = static_cast<double>(tiles);
}
BENCHMARK(BM_StrokeAndOverlay)
    ->ArgsProduct({{1024, 4096}, {5, 50, 200}})
    ->ArgNames({"side", "d"})
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
