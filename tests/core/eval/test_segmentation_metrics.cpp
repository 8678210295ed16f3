// Confusion matrix accumulation and the per-class scores derived from it,
// checked against hand-counted label maps; NaN for absent classes; errors;
// merge equals accumulating everything in one matrix.

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>
#include <stdexcept>
#include <string>

#include "core/eval/segmentation_metrics.h"

using namespace synthforge::eval;

namespace {

cv::Mat map8(int rows, int cols, std::initializer_list<int> values) {
    cv::Mat m(rows, cols, CV_8UC1);
    auto it = values.begin();
    for (int y = 0; y < rows; ++y)
        for (int x = 0; x < cols; ++x) m.at<std::uint8_t>(y, x) = static_cast<std::uint8_t>(*it++);
    return m;
}

std::string invalidMessage(const std::function<void()>& f) {
    try {
        f();
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "";
}

cv::Mat randomMap(std::mt19937& rng, int k) {
    cv::Mat m(7, 9, CV_8UC1);
    std::uniform_int_distribution<int> d(0, k);  // k stands for "ignore" below
    for (int y = 0; y < m.rows; ++y)
        for (int x = 0; x < m.cols; ++x) {
            const int v = d(rng);
            m.at<std::uint8_t>(y, x) = static_cast<std::uint8_t>(v == k ? 255 : v);
        }
    return m;
}

}  // namespace

// 4 classes; class 3 appears nowhere.
//   gt   = 0 0 1 1      pred = 0 1 1 1
//          2 2 2 255           2 2 0 3
// Counted pixels (gt 255 skipped, although pred says 3 there):
//   (gt0,p0) (gt0,p1) (gt1,p1) (gt1,p1) (gt2,p2) (gt2,p2) (gt2,p0)
TEST(SegmentationMetrics, CountsAndScoresMatchHandComputation) {
    const cv::Mat gt = map8(2, 4, {0, 0, 1, 1, 2, 2, 2, 255});
    const cv::Mat pred = map8(2, 4, {0, 1, 1, 1, 2, 2, 0, 3});
    ConfusionMatrix cm(4);
    cm.add(pred, gt);
    EXPECT_EQ(cm.count(0, 0), 1u);
    EXPECT_EQ(cm.count(0, 1), 1u);
    EXPECT_EQ(cm.count(1, 1), 2u);
    EXPECT_EQ(cm.count(2, 2), 2u);
    EXPECT_EQ(cm.count(2, 0), 1u);
    EXPECT_EQ(cm.totalPixels(), 7u);
    EXPECT_EQ(cm.ignoredPixels(), 1u);

    // Class 0: TP 1, FP 1 (gt2 -> p0), FN 1 (gt0 -> p1).
    //   precision 1/2, recall 1/2, F1 2/4 = 0.5, IoU 1/3.
    ClassScores s = cm.classScores(0);
    EXPECT_DOUBLE_EQ(s.precision, 0.5);
    EXPECT_DOUBLE_EQ(s.recall, 0.5);
    EXPECT_DOUBLE_EQ(s.f1, 0.5);
    EXPECT_DOUBLE_EQ(s.iou, 1.0 / 3.0);
    EXPECT_EQ(s.gtPixels, 2u);
    EXPECT_EQ(s.predPixels, 2u);
    // Class 1: TP 2, FP 1 (gt0 -> p1), FN 0.
    //   precision 2/3, recall 1, F1 4/5, IoU 2/3.
    s = cm.classScores(1);
    EXPECT_DOUBLE_EQ(s.precision, 2.0 / 3.0);
    EXPECT_DOUBLE_EQ(s.recall, 1.0);
    EXPECT_DOUBLE_EQ(s.f1, 0.8);
    EXPECT_DOUBLE_EQ(s.iou, 2.0 / 3.0);
    // Class 2: TP 2, FP 0, FN 1 (gt2 -> p0).
    //   precision 1, recall 2/3, F1 4/5, IoU 2/3.
    s = cm.classScores(2);
    EXPECT_DOUBLE_EQ(s.precision, 1.0);
    EXPECT_DOUBLE_EQ(s.recall, 2.0 / 3.0);
    EXPECT_DOUBLE_EQ(s.f1, 0.8);
    EXPECT_DOUBLE_EQ(s.iou, 2.0 / 3.0);
    // Class 3: only predicted on the ignored pixel, so absent from both.
    s = cm.classScores(3);
    EXPECT_TRUE(std::isnan(s.precision));
    EXPECT_TRUE(std::isnan(s.recall));
    EXPECT_TRUE(std::isnan(s.f1));
    EXPECT_TRUE(std::isnan(s.iou));

    // Foreground mean over {1, 2, 3}: class 3 left out, so over 2 classes:
    //   precision (2/3 + 1) / 2 = 5/6, recall (1 + 2/3) / 2 = 5/6,
    //   F1 (0.8 + 0.8) / 2 = 0.8, IoU (2/3 + 2/3) / 2 = 2/3.
    const MeanScores m = cm.meanScores();
    EXPECT_EQ(m.classesCounted, 2);
    EXPECT_DOUBLE_EQ(m.precision, 5.0 / 6.0);
    EXPECT_DOUBLE_EQ(m.recall, 5.0 / 6.0);
    EXPECT_DOUBLE_EQ(m.f1, 0.8);
    EXPECT_DOUBLE_EQ(m.iou, 2.0 / 3.0);

    // An explicit list including background: F1 (0.5 + 0.8 + 0.8) / 3 = 0.7.
    const MeanScores all = cm.meanScores({0, 1, 2, 3});
    EXPECT_EQ(all.classesCounted, 3);
    EXPECT_DOUBLE_EQ(all.f1, 0.7);
    // Only the absent class: no mean.
    EXPECT_TRUE(std::isnan(cm.meanScores({3}).f1));
    EXPECT_EQ(cm.meanScores({3}).classesCounted, 0);
}

TEST(SegmentationMetrics, OneSidedClassesScoreZeroNotNaN) {
    // gt = 1 1, pred = 2 2: class 1 never predicted, class 2 never in gt.
    // Class 1: TP 0, FP 0, FN 2 -> precision 0 (0/0 as 0), recall 0, F1 0, IoU 0.
    // Class 2: TP 0, FP 2, FN 0 -> precision 0, recall 0 (0/0 as 0), F1 0, IoU 0.
    ConfusionMatrix cm(3);
    cm.add(map8(1, 2, {2, 2}), map8(1, 2, {1, 1}));
    for (int c : {1, 2}) {
        const ClassScores s = cm.classScores(c);
        EXPECT_EQ(s.precision, 0.0) << c;
        EXPECT_EQ(s.recall, 0.0) << c;
        EXPECT_EQ(s.f1, 0.0) << c;
        EXPECT_EQ(s.iou, 0.0) << c;
    }
    EXPECT_TRUE(std::isnan(cm.classScores(0).f1));
    EXPECT_EQ(cm.meanScores().classesCounted, 2);
    EXPECT_EQ(cm.meanScores().f1, 0.0);
}

TEST(SegmentationMetrics, IgnoreIdIsConfigurable) {
    // ignoreId -1: nothing skipped; ignoreId 0: background pixels skipped.
    const cv::Mat gt = map8(1, 3, {0, 1, 1});
    const cv::Mat pred = map8(1, 3, {1, 1, 0});
    ConfusionMatrix none(2);
    none.add(pred, gt, -1);
    EXPECT_EQ(none.totalPixels(), 3u);
    ConfusionMatrix skipBg(2);
    skipBg.add(pred, gt, 0);
    EXPECT_EQ(skipBg.totalPixels(), 2u);
    EXPECT_EQ(skipBg.count(1, 1), 1u);
    EXPECT_EQ(skipBg.count(1, 0), 1u);
    // 255 is an ordinary (bad) id when it is not the ignore id.
    const std::string m = invalidMessage([&] { none.add(map8(1, 1, {0}), map8(1, 1, {255}), -1); });
    EXPECT_NE(m.find("gt value 255"), std::string::npos) << m;
}

TEST(SegmentationMetrics, NonContinuousRoisAreRead) {
    // A column slice of a larger map is not continuous in memory.
    cv::Mat big(3, 4, CV_8UC1, cv::Scalar(0));
    big.col(2).setTo(1);
    const cv::Mat roi = big.colRange(1, 3);  // columns 1 (all 0) and 2 (all 1)
    ASSERT_FALSE(roi.isContinuous());
    ConfusionMatrix cm(2);
    cm.add(roi, roi);
    EXPECT_EQ(cm.count(0, 0), 3u);
    EXPECT_EQ(cm.count(1, 1), 3u);
}

TEST(SegmentationMetrics, BadInputIsRefusedAndLeavesTheMatrixUnchanged) {
    ConfusionMatrix cm(3);
    const cv::Mat ok = map8(2, 2, {0, 1, 2, 1});
    cm.add(ok, ok);
    const std::uint64_t before = cm.totalPixels();

    // An out-of-range id late in the image: error names map, value and pixel.
    std::string m = invalidMessage([&] { cm.add(map8(2, 2, {0, 1, 2, 7}), ok); });
    EXPECT_NE(m.find("pred value 7 at pixel (x=1, y=1)"), std::string::npos) << m;
    m = invalidMessage([&] { cm.add(ok, map8(2, 2, {0, 3, 0, 0})); });
    EXPECT_NE(m.find("gt value 3 at pixel (x=1, y=0)"), std::string::npos) << m;
    EXPECT_EQ(cm.totalPixels(), before);

    m = invalidMessage([&] { cm.add(ok, map8(1, 2, {0, 0})); });
    EXPECT_NE(m.find("pred is 2x2 but gt is 2x1"), std::string::npos) << m;
    m = invalidMessage([&] { cm.add(cv::Mat(2, 2, CV_16UC1, cv::Scalar(0)), ok); });
    EXPECT_NE(m.find("pred must be CV_8UC1"), std::string::npos) << m;
    m = invalidMessage([&] { cm.add(ok, cv::Mat(2, 2, CV_8UC3, cv::Scalar(0))); });
    EXPECT_NE(m.find("gt must be CV_8UC1"), std::string::npos) << m;
    EXPECT_THROW(cm.add(cv::Mat(), cv::Mat()), std::invalid_argument);
    EXPECT_THROW(cm.add(ok, ok, 256), std::invalid_argument);

    EXPECT_THROW(ConfusionMatrix(0), std::invalid_argument);
    EXPECT_THROW(ConfusionMatrix(257), std::invalid_argument);
    EXPECT_THROW(cm.classScores(3), std::invalid_argument);
    EXPECT_THROW(cm.count(-1, 0), std::invalid_argument);
    EXPECT_THROW(cm.meanScores({1, 1}), std::invalid_argument);
    EXPECT_THROW(cm.meanScores({5}), std::invalid_argument);
    ConfusionMatrix other(4);
    EXPECT_THROW(cm.merge(other), std::invalid_argument);
    EXPECT_EQ(cm.totalPixels(), before);
}

TEST(SegmentationMetrics, MergeEqualsSingleAccumulation) {
    // Seeded random maps with ignore pixels, split over two matrices the way
    // two worker threads would.
    std::mt19937 rng(1234);
    const int k = 5;
    ConfusionMatrix single(k), a(k), b(k);
    for (int i = 0; i < 20; ++i) {
        const cv::Mat gt = randomMap(rng, k), pred = randomMap(rng, k);
        // pred may hold 255 only where gt is ignored; elsewhere use class 0.
        cv::Mat p = pred.clone();
        p.setTo(0, (p == 255) & (gt != 255));
        single.add(p, gt);
        (i % 3 == 0 ? a : b).add(p, gt);
    }
    a.merge(b);
    EXPECT_EQ(a.totalPixels(), single.totalPixels());
    EXPECT_EQ(a.ignoredPixels(), single.ignoredPixels());
    EXPECT_GT(single.ignoredPixels(), 0u);
    for (int g = 0; g < k; ++g)
        for (int p = 0; p < k; ++p) EXPECT_EQ(a.count(g, p), single.count(g, p)) << g << "," << p;
    const MeanScores ma = a.meanScores(), ms = single.meanScores();
    EXPECT_EQ(ma.f1, ms.f1);
    EXPECT_EQ(ma.iou, ms.iou);
}

TEST(SegmentationMetrics, PerClassListsEveryClass) {
    ConfusionMatrix cm(3);
    cm.add(map8(1, 2, {0, 1}), map8(1, 2, {0, 1}));
    const auto all = cm.perClass();
    ASSERT_EQ(all.size(), 3u);
    EXPECT_DOUBLE_EQ(all[0].f1, 1.0);
    EXPECT_DOUBLE_EQ(all[1].iou, 1.0);
    EXPECT_TRUE(std::isnan(all[2].iou));
    EXPECT_EQ(cm.foregroundClasses(), (std::vector<int>{1, 2}));
}
