// core/train/data_split.h: the held-out count and the split ranges the
// trainer and the evaluator share.

#include <gtest/gtest.h>

#include <stdexcept>

#include "core/train/data_split.h"

using namespace synthforge::train;

TEST(DataSplit, ValidationCountIsCeilingWithAtLeastOne) {
    EXPECT_EQ(validationCount(10, 0.1), 1);
    EXPECT_EQ(validationCount(11, 0.1), 2);   // ceil(1.1)
    EXPECT_EQ(validationCount(100, 0.25), 25);
    EXPECT_EQ(validationCount(3, 0.01), 1);   // at least one when anything is held out
    EXPECT_EQ(validationCount(1, 0.5), 0);    // a single sample trains
    EXPECT_EQ(validationCount(0, 0.1), 0);
    EXPECT_EQ(validationCount(50, 0.0), 0);
}

TEST(DataSplit, RangesPartitionTheDataset) {
    const SampleRange all = splitRange(10, 0.1, "all"), train = splitRange(10, 0.1, "train"),
                      val = splitRange(10, 0.1, "val");
    EXPECT_EQ(all.begin, 0);
    EXPECT_EQ(all.end, 10);
    EXPECT_EQ(train.begin, 0);
    EXPECT_EQ(train.end, 9);
    EXPECT_EQ(val.begin, 9);
    EXPECT_EQ(val.end, 10);
    EXPECT_EQ(train.size() + val.size(), all.size());
    EXPECT_EQ(splitRange(1, 0.1, "val").size(), 0);
}

TEST(DataSplit, BadArgumentsAreRefused) {
    EXPECT_THROW(splitRange(10, 0.1, "test"), std::invalid_argument);
    EXPECT_THROW(validationCount(10, 1.0), std::invalid_argument);
    EXPECT_THROW(validationCount(10, -0.1), std::invalid_argument);
    EXPECT_THROW(validationCount(-1, 0.1), std::invalid_argument);
}
