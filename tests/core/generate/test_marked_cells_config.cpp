// Marked explorer cells as a sampler config: the ranges and bins are the
// hand-computed ones, a dataset drawn from the config puts equal counts in
// bins centred on the marked grid values and nothing outside them, the config
// survives its JSON, and what cannot become a config is refused or noted.
// The per-axis "ranges" of sobol/stratified samplers are tested here too.

#include <cmath>
#include <map>

#include <gtest/gtest.h>

#include "core/generate/explore/marked_cells_config.h"
#include "tests/core/generate/sampler_test_util.h"

namespace synthforge::generate {
namespace {

using testing::tinyConfig;
using testing::tinyModel;

GridRequest grid(const std::string& rows, const std::string& cols) {
    GridRequest g;
    g.rows = GridAxis::parse(rows, "rows");
    g.cols = GridAxis::parse(cols, "cols");
    return g;
}

TEST(MarkedCellsConfig, RangesSpanTheMarkedValuesWithOneBinCentredOnEach) {
    // yaw values -0.6 -0.2 0.2 0.6 (step 0.4); shape:3 values -2 -1 0 1 2 (step 1).
    const GridRequest g = grid("yaw:-0.6:0.6:4", "shape:3:-2:2:5");
    const MarkedCellsConfig m = samplerConfigForCells(tinyConfig(SamplerKind::Iid), g, {{1, 2}, {1, 3}, {2, 2}, {2, 3}});
    const SamplingConfig& s = m.config.sampling;
    EXPECT_TRUE(m.note.empty());
    ASSERT_EQ(s.kind, SamplerKind::Stratified);
    ASSERT_EQ(s.axes.size(), 2u);
    EXPECT_EQ(s.axes[0].name(), "yaw");
    EXPECT_EQ(s.axes[1].name(), "shape:3");
    EXPECT_EQ(s.bins, (std::vector<int>{2, 2}));
    ASSERT_EQ(s.ranges.size(), 2u);
    EXPECT_NEAR(s.ranges[0].lo, -0.4, 1e-12);
    EXPECT_NEAR(s.ranges[0].hi, 0.4, 1e-12);
    EXPECT_NEAR(s.ranges[1].lo, -0.5, 1e-12);
    EXPECT_NEAR(s.ranges[1].hi, 1.5, 1e-12);

    // Drawn: 40 samples, 10 per bin, every bin's mean near its marked value,
    // the other shape components still drawn from the head section's range.
    const auto sampler = makeSampler(m.config, tinyModel());
    std::map<std::pair<int, int>, int> counts;
    std::map<std::pair<int, int>, double> yawSum, shapeSum;
    bool otherShapeVaries = false;
    for (std::uint64_t i = 0; i < 40; ++i) {
        const SampleSpec spec = sampler->draw(3, i);
        const double yaw = spec.camera.yaw, shape = spec.params.shape[3];
        ASSERT_GE(yaw, -0.4 - 1e-6);
        ASSERT_LE(yaw, 0.4 + 1e-6);
        ASSERT_GE(shape, -0.5 - 1e-6);
        ASSERT_LE(shape, 1.5 + 1e-6);
        const std::pair<int, int> bin{yaw < 0 ? 0 : 1, shape < 0.5 ? 0 : 1};
        ++counts[bin];
        yawSum[bin] += yaw;
        shapeSum[bin] += shape;
        otherShapeVaries |= std::abs(spec.params.shape[0]) > 0.5;
    }
    EXPECT_TRUE(otherShapeVaries);
    ASSERT_EQ(counts.size(), 4u);
    for (const auto& [bin, n] : counts) {
        EXPECT_EQ(n, 10);
        EXPECT_NEAR(yawSum[bin] / n, bin.first ? 0.2 : -0.2, 0.08);
        EXPECT_NEAR(shapeSum[bin] / n, bin.second ? 1.0 : 0.0, 0.2);
    }

    // The config file round trip keeps the ranges (what generate reads).
    EXPECT_EQ(parseSamplerConfigJson(samplerConfigToJson(m.config), "cells.json").sampling, s);
}

TEST(MarkedCellsConfig, OneMarkedStepFixesThatAxisAndGapsKeepTheirBins) {
    const GridRequest g = grid("pitch:0.3:-0.3:3", "jaw:0:0.3:4");  // pitch runs high to low
    const MarkedCellsConfig m = samplerConfigForCells(tinyConfig(SamplerKind::Iid), g, {{2, 0}, {2, 3}});
    const SamplingConfig& s = m.config.sampling;
    EXPECT_EQ(s.bins, (std::vector<int>{1, 4}));  // jaw steps 0..3, the two unmarked between keep bins
    EXPECT_NEAR(s.ranges[0].lo, -0.45, 1e-12);    // pitch -0.3 +- half of the 0.3 step
    EXPECT_NEAR(s.ranges[0].hi, -0.15, 1e-12);
    EXPECT_NEAR(s.ranges[1].lo, -0.05, 1e-12);
    EXPECT_NEAR(s.ranges[1].hi, 0.35, 1e-12);
}

TEST(MarkedCellsConfig, TheSeedAxisIsLeftOutWithANote) {
    const GridRequest g = grid("seed:1:4:4", "fov:18:24:3");
    const MarkedCellsConfig m = samplerConfigForCells(tinyConfig(SamplerKind::Iid), g, {{0, 1}, {3, 1}});
    ASSERT_EQ(m.config.sampling.axes.size(), 1u);
    EXPECT_EQ(m.config.sampling.axes[0].name(), "fov");
    EXPECT_NEAR(m.config.sampling.ranges[0].lo, 19.5, 1e-12);
    EXPECT_NEAR(m.config.sampling.ranges[0].hi, 22.5, 1e-12);
    EXPECT_NE(m.note.find("seed"), std::string::npos);
}

TEST(MarkedCellsConfig, WhatCannotBeAConfigIsRefusedSayingWhy) {
    const SamplerConfig base = tinyConfig(SamplerKind::Iid);
    const auto message = [&](const GridRequest& g, const std::vector<std::pair<int, int>>& cells) {
        try {
            samplerConfigForCells(base, g, cells);
        } catch (const std::invalid_argument& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_NE(message(grid("yaw:0:1:2", "pitch:0:1:2"), {}).find("no cells"), std::string::npos);
    EXPECT_NE(message(grid("yaw:0:1:2", "pitch:0:1:2"), {{0, 2}}).find("outside"), std::string::npos);
    EXPECT_NE(message(grid("seed:0:3:4", "seed:4:7:4"), {{0, 0}}).find("seed"), std::string::npos);
    EXPECT_NE(message(grid("yaw:0:1:2", "yaw:0:1:2"), {{0, 0}}).find("two different axes"), std::string::npos);
    // The tiny head samples 4 shape components; shape:6 would control nothing.
    EXPECT_NE(message(grid("shape:6:-1:1:3", "yaw:0:1:2"), {{0, 0}}).find("shape:6"), std::string::npos);
}

TEST(SamplerRanges, SobolDrawsInsideEachAxisOwnRange) {
    SamplerConfig c = tinyConfig(SamplerKind::Sobol);
    c.sampling.axes = {SamplingAxis{SamplingAxis::Kind::Yaw, 0}, SamplingAxis{SamplingAxis::Kind::Expr, 1}};
    c.sampling.ranges = {Range{0.1, 0.2}, Range{1.0, 1.5}};
    const auto s = makeSampler(c, tinyModel());
    double yawMin = 1, yawMax = 0;
    for (std::uint64_t i = 0; i < 64; ++i) {
        const SampleSpec spec = s->draw(0, i);
        yawMin = std::min<double>(yawMin, spec.camera.yaw);
        yawMax = std::max<double>(yawMax, spec.camera.yaw);
        EXPECT_GE(spec.params.expr[1], 1.0f - 1e-6f);
        EXPECT_LE(spec.params.expr[1], 1.5f + 1e-6f);
        EXPECT_GE(spec.params.expr[0], -2.0f);  // other components keep the head section's [-2, 2]
    }
    EXPECT_GE(yawMin, 0.1 - 1e-6);
    EXPECT_LE(yawMax, 0.2 + 1e-6);
    EXPECT_GT(yawMax - yawMin, 0.09);  // 64 Sobol points fill the range
}

TEST(SamplerRanges, BadRangesAreRefusedNamingTheKey) {
    const auto error = [](const std::string& section) {
        try {
            parseSamplerConfigJson(R"({"sampler": )" + section + "}", "cfg.json");
        } catch (const std::runtime_error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_NE(error(R"({"name": "iid", "ranges": [[0, 1]]})").find("not read by the iid sampler"), std::string::npos);
    EXPECT_NE(error(R"({"name": "sobol", "axes": ["yaw"], "ranges": [[1, 0]]})").find("ranges[0]"), std::string::npos);
    EXPECT_NE(error(R"({"name": "sobol", "axes": ["yaw"], "ranges": [[0]]})").find("ranges[0]"), std::string::npos);
    EXPECT_NE(error(R"({"name": "sobol", "axes": ["yaw"], "ranges": [[0, "1"]]})").find("ranges[0]"), std::string::npos);
    EXPECT_NE(error(R"({"name": "sobol", "axes": ["yaw"], "ranges": {}})").find("ranges"), std::string::npos);
    EXPECT_NE(error(R"({"name": "stratified", "axes": ["yaw", "pitch"], "bins": [2, 2], "ranges": [[0, 1]]})")
                  .find("one per axis"),
              std::string::npos);
}

}  // namespace
}  // namespace synthforge::generate
