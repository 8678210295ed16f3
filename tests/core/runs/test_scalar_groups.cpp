// Grouped runs: the mean curve at the steps every run of the group has.

#include <gtest/gtest.h>

#include "core/runs/scalar_groups.h"

namespace synthforge::runs {
namespace {

TEST(ScalarGroups, MeanAtCommonStepsPerTag) {
    ScalarMap a{{"loss", {{1, 10.0, 4.0}, {2, 20.0, 2.0}, {3, 30.0, 1.0}}}, {"lr", {{1, 10.0, 0.1}}}};
    ScalarMap b{{"loss", {{1, 12.0, 6.0}, {2, 22.0, 4.0}}}, {"only_b", {{5, 50.0, 7.0}}}};
    const ScalarMap m = meanOfRuns({&a, &b, nullptr});
    ASSERT_EQ(m.at("loss").size(), 2u);  // step 3 only in a
    EXPECT_EQ(m.at("loss")[0].step, 1);
    EXPECT_DOUBLE_EQ(m.at("loss")[0].value, 5.0);
    EXPECT_DOUBLE_EQ(m.at("loss")[0].wallTime, 11.0);
    EXPECT_DOUBLE_EQ(m.at("loss")[1].value, 3.0);
    // A tag one run has is that run's curve.
    ASSERT_EQ(m.at("lr").size(), 1u);
    EXPECT_DOUBLE_EQ(m.at("lr")[0].value, 0.1);
    ASSERT_EQ(m.at("only_b").size(), 1u);
    EXPECT_DOUBLE_EQ(m.at("only_b")[0].value, 7.0);
}

TEST(ScalarGroups, RepeatedStepCountsOnceWithItsLastValue) {
    // A resumed run may log a step twice: the later value stands.
    ScalarMap a{{"loss", {{1, 1.0, 9.0}, {1, 2.0, 3.0}}}};
    ScalarMap b{{"loss", {{1, 1.0, 5.0}}}};
    const ScalarMap m = meanOfRuns({&a, &b});
    ASSERT_EQ(m.at("loss").size(), 1u);
    EXPECT_DOUBLE_EQ(m.at("loss")[0].value, 4.0);
    EXPECT_TRUE(meanOfRuns({}).empty());
}

}  // namespace
}  // namespace synthforge::runs
