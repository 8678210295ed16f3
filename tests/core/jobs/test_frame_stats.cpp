// jobs::FrameStats: nearest-rank latency percentiles over a rolling window,
// frames per second over the last second, frames without a waiting edit.

#include <gtest/gtest.h>

#include "core/jobs/frame_stats.h"

using synthforge::jobs::FrameStats;

TEST(FrameStats, PercentileAndFps) {
    FrameStats s;
    EXPECT_EQ(s.latencyPercentile(95), 0.0);
    EXPECT_EQ(s.fps(), 0.0);
    for (int i = 1; i <= 100; ++i) s.addFrame(10.0 * i, 1.0, static_cast<double>(i));
    EXPECT_EQ(s.latencyPercentile(95), 95.0);
    EXPECT_EQ(s.latencyPercentile(50), 50.0);
    EXPECT_EQ(s.latencyPercentile(100), 100.0);
    EXPECT_EQ(s.latencyPercentile(0), 1.0);  // clamped to the smallest rank
    EXPECT_EQ(s.latencyCount(), std::size_t(100));
    EXPECT_EQ(s.lastLatencyMs(), 100.0);
    EXPECT_NEAR(s.fps(), 100.0, 1e-9);  // one frame every 10 ms
    s.addFrame(2000.0, 3.5, -1.0);      // no edit waited for it: no latency sample
    EXPECT_EQ(s.latencyCount(), std::size_t(100));
    EXPECT_EQ(s.lastPaintMs(), 3.5);
    EXPECT_EQ(s.fps(), 0.0);  // alone in the last second
    for (int i = 0; i < 300; ++i) s.addFrame(3000.0 + i, 1.0, 1000.0);
    EXPECT_EQ(s.latencyCount(), FrameStats::kWindow);  // rolling window
    EXPECT_EQ(s.latencyPercentile(5), 1000.0);
    s.clear();
    EXPECT_EQ(s.latencyCount(), std::size_t(0));
    EXPECT_EQ(s.lastPaintMs(), 0.0);
    EXPECT_EQ(s.fps(), 0.0);
}
