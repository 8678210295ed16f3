// The data-parallel sampler (core/train/distributed_sampler.h): the ranks'
// slices of a global micro-batch are disjoint, their union in rank order is
// exactly what one process with batch x world takes, and bad arguments are
// refused by name.

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <set>
#include <stdexcept>
#include <vector>

#include "core/train/distributed_sampler.h"

using namespace synthforge::train;

TEST(DistributedSampler, RanksTakeDisjointBlocksWhoseUnionIsTheOneProcessBatch) {
    std::vector<int64_t> order(23);
    std::iota(order.begin(), order.end(), 100);
    std::reverse(order.begin(), order.end());  // any permutation: the rule works on positions
    const int world = 3;
    const int64_t batch = 2;
    const int64_t micro = globalMicroBatchesPerEpoch(23, batch, world);
    ASSERT_EQ(micro, 3);  // 23 / 6, the rest dropped
    std::vector<std::vector<int64_t>> slices;
    for (int r = 0; r < world; ++r) slices.push_back(rankSamples(order, 0, micro, batch, r, world));
    std::set<int64_t> seen;
    for (const auto& s : slices) {
        EXPECT_EQ(s.size(), static_cast<size_t>(micro * batch));
        for (int64_t v : s) EXPECT_TRUE(seen.insert(v).second) << v << " given to two ranks";
    }
    // Micro-batch m of one process with batch 6 is rank 0's, 1's, 2's blocks of m.
    const std::vector<int64_t> single = rankSamples(order, 0, micro, batch * world, 0, 1);
    for (int64_t m = 0; m < micro; ++m)
        for (int r = 0; r < world; ++r)
            for (int64_t j = 0; j < batch; ++j)
                EXPECT_EQ(slices[static_cast<size_t>(r)][static_cast<size_t>(m * batch + j)],
                          single[static_cast<size_t>(m * batch * world + r * batch + j)]);
    // A later start (a resumed epoch) is the tail of the same slices.
    const std::vector<int64_t> tail = rankSamples(order, 1, micro, batch, 2, world);
    EXPECT_TRUE(std::equal(tail.begin(), tail.end(), slices[2].begin() + batch));
    EXPECT_EQ(rankSamples(order, 0, micro, batch, 1, world).front(), order[2]);
}

TEST(DistributedSampler, MicroBatchesPerEpochDropTheRestAndRespectAccumulation) {
    EXPECT_EQ(globalMicroBatchesPerEpoch(10, 2, 1), 5);
    EXPECT_EQ(globalMicroBatchesPerEpoch(10, 2, 2), 2);
    EXPECT_EQ(globalMicroBatchesPerEpoch(10, 1, 2, 2), 4);
    EXPECT_EQ(globalMicroBatchesPerEpoch(10, 1, 2, 3), 3);
    EXPECT_EQ(globalMicroBatchesPerEpoch(3, 2, 2), 0);
    EXPECT_THROW(globalMicroBatchesPerEpoch(10, 0, 1), std::invalid_argument);
    EXPECT_THROW(globalMicroBatchesPerEpoch(10, 1, 0), std::invalid_argument);
    EXPECT_THROW(globalMicroBatchesPerEpoch(10, 1, 1, 0), std::invalid_argument);
}

TEST(DistributedSampler, RefusesRanksOutsideTheWorldAndRangesPastTheOrder) {
    const std::vector<int64_t> order{0, 1, 2, 3, 4, 5, 6, 7};
    EXPECT_THROW(rankSamples(order, 0, 1, 2, 2, 2), std::invalid_argument);
    EXPECT_THROW(rankSamples(order, 0, 1, 2, -1, 2), std::invalid_argument);
    EXPECT_THROW(rankSamples(order, 0, 1, 0, 0, 2), std::invalid_argument);
    EXPECT_THROW(rankSamples(order, 0, 3, 2, 0, 2), std::out_of_range);  // 3 x 4 > 8
    EXPECT_THROW(rankSamples(order, 2, 1, 2, 0, 2), std::out_of_range);
    EXPECT_TRUE(rankSamples(order, 1, 1, 2, 0, 2).empty());
}
