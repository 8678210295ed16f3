// The stratified sampler: counts per cell of the grid differ by at most one
// for any number of samples, values fall inside their cell, and every round
// of `cells` samples visits each cell once.

#include <algorithm>
#include <map>

#include <gtest/gtest.h>

#include "tests/core/generate/sampler_test_util.h"

namespace synthforge::generate {
namespace {

using testing::tinyConfig;
using testing::tinyModel;

/// Cell (bin per axis, flattened with the first axis fastest) of a sample.
int cellOf(const SampleSpec& s, const SamplerConfig& c) {
    const auto axes = c.sampling.effectiveAxes();
    const auto bins = c.sampling.effectiveBins();
    int cell = 0, stride = 1;
    for (std::size_t d = 0; d < axes.size(); ++d) {
        const double u = axisUnit(s, c, axes[d]);
        EXPECT_GE(u, 0.0);
        EXPECT_LE(u, 1.0);
        cell += std::min(bins[d] - 1, static_cast<int>(u * bins[d])) * stride;
        stride *= bins[d];
    }
    return cell;
}

TEST(StratifiedSampler, CountsPerCellDifferByAtMostOneForAnyCount) {
    auto model = tinyModel();
    SamplerConfig c = tinyConfig(SamplerKind::Stratified);  // default: yaw x pitch, 5 x 3
    const auto s = makeSampler(c, model);
    for (std::uint64_t seed : {0u, 7u}) {
        std::map<int, int> counts;
        for (int n = 1; n <= 200; ++n) {
            ++counts[cellOf(s->draw(seed, static_cast<std::uint64_t>(n - 1)), c)];
            int lo = n, hi = 0;
            for (int cell = 0; cell < 15; ++cell) {
                const int k = counts.count(cell) ? counts[cell] : 0;
                lo = std::min(lo, k), hi = std::max(hi, k);
            }
            ASSERT_LE(hi - lo, 1) << "n " << n << ", seed " << seed;
            if (n % 15 == 0) {
                EXPECT_EQ(lo, n / 15) << "a complete round fills every cell equally";
            }
        }
    }
}

TEST(StratifiedSampler, ThreeAxesWithOddBinsAndRoundsDiffer) {
    auto model = tinyModel();
    SamplerConfig c = tinyConfig(SamplerKind::Stratified);
    c.sampling.axes = {SamplingAxis::parse("yaw", "t"), SamplingAxis::parse("jaw", "t"),
                       SamplingAxis::parse("shape:3", "t")};
    c.sampling.bins = {2, 7, 1};
    const auto s = makeSampler(c, model);
    for (int n : {1, 13, 14, 15, 41, 100}) {
        std::map<int, int> counts;
        for (int i = 0; i < n; ++i) ++counts[cellOf(s->draw(11, static_cast<std::uint64_t>(i)), c)];
        int lo = n, hi = 0;
        for (int cell = 0; cell < 14; ++cell) {
            const int k = counts.count(cell) ? counts[cell] : 0;
            lo = std::min(lo, k), hi = std::max(hi, k);
        }
        EXPECT_LE(hi - lo, 1) << "n " << n;
    }
    // Rounds visit the cells in different orders (a fixed order would
    // correlate the cell with the index modulo the cell count).
    std::vector<int> first, second;
    for (int i = 0; i < 14; ++i) {
        first.push_back(cellOf(s->draw(11, static_cast<std::uint64_t>(i)), c));
        second.push_back(cellOf(s->draw(11, static_cast<std::uint64_t>(14 + i)), c));
    }
    EXPECT_NE(first, second);
}

TEST(StratifiedSampler, DeterministicPerSeedAndIndex) {
    auto model = tinyModel();
    SamplerConfig c = tinyConfig(SamplerKind::Stratified);
    const auto a = makeSampler(c, model), b = makeSampler(c, model);
    for (std::uint64_t i : {44u, 0u, 3u, 1000000u})
        EXPECT_TRUE(testing::sameSpec(a->draw(9, i), b->draw(9, i))) << i;
    EXPECT_FALSE(testing::sameSpec(a->draw(9, 3), a->draw(10, 3)));
}

}  // namespace
}  // namespace synthforge::generate
