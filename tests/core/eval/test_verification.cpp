// Verification metrics on fixtures worked out by hand.

#include <gtest/gtest.h>

#include <cmath>

#include "core/eval/verification.h"

namespace synthforge::eval {
namespace {

TEST(Verification, NormalisedSquaredDistance) {
    EXPECT_NEAR(normalisedSquaredDistance({3, 4}, {4, 3}), 0.08, 1e-12);  // (0.6,0.8) vs (0.8,0.6)
    EXPECT_NEAR(normalisedSquaredDistance({1, 2}, {10, 20}), 0.0, 1e-12); // the scale does not matter
    EXPECT_NEAR(normalisedSquaredDistance({1, 0}, {-1, 0}), 4.0, 1e-12);  // opposite: the maximum
    EXPECT_THROW(normalisedSquaredDistance({1}, {1, 2}), std::invalid_argument);
}

TEST(Verification, TenFoldProtocolByHand) {
    // 20 pairs, 2 per fold; even pairs genuine at 0.5, odd impostors at 1.5,
    // except genuine pair 4 (fold 2) at 1.2.
    std::vector<double> d(20);
    std::vector<bool> same(20);
    for (int i = 0; i < 20; ++i) {
        same[i] = i % 2 == 0;
        d[i] = same[i] ? 0.5 : 1.5;
    }
    d[4] = 1.2;
    const KFoldAccuracy r = kFoldAccuracy(d, same);
    ASSERT_EQ(r.foldAccuracy.size(), 10u);
    for (int f = 0; f < 10; ++f) {
        if (f == 2) {
            // Trained without pair 4: every threshold in (0.5, 1.5] is perfect, the first is 0.51,
            // which calls pair 4 different.
            EXPECT_NEAR(r.foldThreshold[f], 0.51, 1e-12);
            EXPECT_DOUBLE_EQ(r.foldAccuracy[f], 0.5);
        } else {
            // Pair 4 in training: only thresholds above 1.2 are perfect; the first is 1.21.
            EXPECT_NEAR(r.foldThreshold[f], 1.21, 1e-12) << f;
            EXPECT_DOUBLE_EQ(r.foldAccuracy[f], 1.0) << f;
        }
    }
    EXPECT_NEAR(r.mean, 0.95, 1e-12);
    EXPECT_NEAR(r.std, 0.15, 1e-12);  // sqrt((9 * 0.05^2 + 0.45^2) / 10)
}

TEST(Verification, FoldsOfUnevenSizeFollowKFold) {
    // 23 pairs: folds 0-2 hold 3 pairs, folds 3-9 hold 2. A wrong pair at
    // index 2 lands in fold 0 (1 of 3 wrong), one at index 9 in fold 3 (pairs 9, 10).
    std::vector<double> d(23, 0.5);
    std::vector<bool> same(23, true);
    d[2] = 3.0;
    d[9] = 3.0;
    const KFoldAccuracy r = kFoldAccuracy(d, same);
    EXPECT_NEAR(r.foldAccuracy[0], 1.0, 1e-12);  // threshold learnt above 3.0 from the other folds' pair 9
    EXPECT_NEAR(r.foldThreshold[0], 3.01, 1e-12);
    EXPECT_NEAR(r.foldThreshold[3], 3.01, 1e-12);
    EXPECT_NEAR(r.mean, 1.0, 1e-12);
}

TEST(Verification, BadInput) {
    EXPECT_THROW(kFoldAccuracy({0.1, 0.2}, {true}), std::invalid_argument);
    EXPECT_THROW(kFoldAccuracy({0.1, 0.2}, {true, false}), std::invalid_argument);  // fewer pairs than folds
    EXPECT_THROW(kFoldAccuracy(std::vector<double>(10, NAN), std::vector<bool>(10, true)), std::invalid_argument);
    EXPECT_THROW(rocCurve({0.1, 0.2}, {true, true}), std::invalid_argument);  // no impostors
}

TEST(Verification, RocTarAtFarAndEerByHand) {
    // Genuine at 0.1 and 0.3, impostors at 0.2 and 0.4.
    const std::vector<RocPoint> roc = rocCurve({0.3, 0.2, 0.1, 0.4}, {true, false, true, false});
    ASSERT_EQ(roc.size(), 5u);
    const double far[] = {0, 0, 0.5, 0.5, 1}, tar[] = {0, 0.5, 0.5, 1, 1};
    for (std::size_t i = 0; i < roc.size(); ++i) {
        EXPECT_DOUBLE_EQ(roc[i].far, far[i]) << i;
        EXPECT_DOUBLE_EQ(roc[i].tar, tar[i]) << i;
    }
    EXPECT_DOUBLE_EQ(roc[1].threshold, 0.2);  // accepting d < 0.2: the genuine pair at 0.1
    EXPECT_DOUBLE_EQ(tarAtFar(roc, 0.0), 0.5);
    EXPECT_DOUBLE_EQ(tarAtFar(roc, 0.49), 0.5);
    EXPECT_DOUBLE_EQ(tarAtFar(roc, 0.5), 1.0);
    EXPECT_DOUBLE_EQ(equalErrorRate(roc), 0.5);
    // Separable: EER 0, TAR 1 at FAR 0.
    const std::vector<RocPoint> perfect = rocCurve({0.1, 0.9, 0.2, 0.8}, {true, false, true, false});
    EXPECT_DOUBLE_EQ(tarAtFar(perfect, 0.0), 1.0);
    EXPECT_DOUBLE_EQ(equalErrorRate(perfect), 0.0);
}

}  // namespace
}  // namespace synthforge::eval
