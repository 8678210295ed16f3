// LabelCanvas tiles, edits and their records: exact undo/redo, rollback of
// an abandoned edit, dirty rectangles, and the memory an undo history holds
// over 500 strokes on a 4096^2 map.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <stdexcept>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "core/labelmap/brush.h"
#include "core/labelmap/edit_history.h"
#include "core/labelmap/label_canvas.h"

using namespace synthforge::labelmap;

namespace {

cv::Mat randomMap(int n, unsigned seed) {
    cv::Mat m(n, n, CV_8UC1);
    cv::RNG rng(seed);
    rng.fill(m, cv::RNG::UNIFORM, 0, 20);
    return m;
}

bool same(const cv::Mat& a, const cv::Mat& b) {
    return a.size() == b.size() && a.type() == b.type() && cv::countNonZero(a != b) == 0;
}

/// Bounding box of the texels where a and b differ.
TexelRect diffBox(const cv::Mat& a, const cv::Mat& b) {
    std::vector<cv::Point> pts;
    cv::findNonZero(a != b, pts);
    if (pts.empty()) return {};
    const cv::Rect r = cv::boundingRect(pts);
    return {r.x, r.y, r.width, r.height};
}

std::vector<Eigen::Vector2f> randomPolyline(std::mt19937& rng, int n, float maxLen) {
    std::uniform_real_distribution<float> pos(0.0f, static_cast<float>(n)), step(-1.0f, 1.0f);
    std::vector<Eigen::Vector2f> pts{{pos(rng), pos(rng)}};
    const int count = 1 + static_cast<int>(rng() % 40);
    const Eigen::Vector2f dir(step(rng), step(rng));
    for (int k = 0; k < count; ++k)
        pts.push_back(pts.back() + dir * (maxLen / count) + Eigen::Vector2f(step(rng), step(rng)) * 3.0f);
    return pts;
}

}  // namespace

TEST(LabelCanvas, SizesAndArguments) {
    EXPECT_THROW(LabelCanvas(0), std::invalid_argument);
    EXPECT_THROW(LabelCanvas(kMaxCanvasSide + 1), std::invalid_argument);
    EXPECT_THROW(LabelCanvas(64, 0, 4), std::invalid_argument);
    const LabelCanvas one(1, 7);
    EXPECT_EQ(one.at(0, 0), 7);
    const LabelCanvas c(100, 3);  // not a multiple of the tile size
    EXPECT_EQ(c.tilesPerSide(), 2);
    EXPECT_EQ(c.at(99, 99), 3);
    EXPECT_THROW(c.at(100, 0), std::invalid_argument);
    EXPECT_THROW(c.at(0, -1), std::invalid_argument);
    EXPECT_THROW(LabelCanvas::fromMat(cv::Mat(10, 12, CV_8UC1)), std::invalid_argument);
    EXPECT_THROW(LabelCanvas::fromMat(cv::Mat(10, 10, CV_16UC1)), std::invalid_argument);
}

TEST(LabelCanvas, MatRoundTripAndRegions) {
    const cv::Mat m = randomMap(200, 1);
    const LabelCanvas c = LabelCanvas::fromMat(m, 64);
    EXPECT_TRUE(same(c.toMat(), m));
    for (int i = 0; i < 50; ++i) EXPECT_EQ(c.at(i * 4 % 200, i * 7 % 200), m.at<std::uint8_t>(i * 7 % 200, i * 4 % 200));
    EXPECT_TRUE(same(c.region({60, 70, 80, 90}), m(cv::Rect(60, 70, 80, 90))));
    EXPECT_TRUE(same(c.region({150, 150, 100, 100}), m(cv::Rect(150, 150, 50, 50))));  // clipped
    EXPECT_TRUE(c.region({300, 0, 5, 5}).empty());
}

TEST(LabelCanvas, RecordsOnlyChangedTilesWithExactDirtyRect) {
    LabelCanvas c(256, 1);
    {
        CanvasEdit e(c);
        e.set(70, 80, 1);  // same value: no change
        EXPECT_TRUE(e.commit().empty());
    }
    CanvasEdit e(c);
    e.set(70, 80, 5);
    e.fillSpan(200, 120, 140, 6);  // crosses the tile border at x = 128
    const StrokeRecord r = e.commit();
    EXPECT_EQ(r.tileCount(), 3u);
    EXPECT_EQ(r.dirty(), (TexelRect{70, 80, 71, 121}));
    EXPECT_LT(r.bytes(), 400u);
    EXPECT_THROW(e.set(1, 1, 2), std::logic_error);
}

// A drag painted into one open edit: each mouse move reports what it wrote,
// release commits one undo step.
TEST(LabelCanvas, DragIntoOneOpenEdit) {
    LabelCanvas c(128, 1);
    CanvasEdit e(c);
    drawStroke(e, {{10.5f, 10.5f}, {30.5f, 10.5f}}, 3, 4);
    EXPECT_EQ(e.takeWritten(), (TexelRect{9, 9, 23, 3}));
    EXPECT_TRUE(e.takeWritten().empty());
    drawStroke(e, {{30.5f, 10.5f}, {30.5f, 40.5f}}, 3, 4);
    EXPECT_EQ(e.takeWritten(), (TexelRect{29, 9, 3, 33}));
    const StrokeRecord r = e.commit();
    EXPECT_EQ(r.dirty(), (TexelRect{9, 9, 23, 33}));
    c.undo(r);
    EXPECT_EQ(cv::countNonZero(c.toMat() != 1), 0);
}

TEST(LabelCanvas, AbandonedEditRollsBack) {
    const cv::Mat m = randomMap(150, 2);
    LabelCanvas c = LabelCanvas::fromMat(m);
    {
        CanvasEdit e(c);
        e.fillSpan(10, 0, 149, 9);
        e.set(149, 149, 9);
        EXPECT_EQ(c.at(5, 10), 9);
    }  // no commit: as if a tool threw half way
    EXPECT_TRUE(same(c.toMat(), m));
}

TEST(LabelCanvas, UndoRedoBitExact) {
    LabelCanvas c = LabelCanvas::fromMat(randomMap(300, 3));
    std::mt19937 rng(4);
    std::vector<cv::Mat> states{c.toMat()};
    std::vector<StrokeRecord> records;
    for (int k = 0; k < 60; ++k) {
        const cv::Mat before = c.toMat();
        const int d = 1 + static_cast<int>(rng() % 40);
        records.push_back(paintStroke(c, randomPolyline(rng, 300, 200), d, static_cast<std::uint8_t>(rng() % 30)));
        states.push_back(c.toMat());
        EXPECT_EQ(records.back().dirty(), diffBox(before, states.back())) << "stroke " << k;
    }
    for (int k = 59; k >= 0; --k) {
        c.undo(records[static_cast<std::size_t>(k)]);
        ASSERT_TRUE(same(c.toMat(), states[static_cast<std::size_t>(k)])) << "undo " << k;
    }
    for (int k = 0; k < 60; ++k) {
        c.redo(records[static_cast<std::size_t>(k)]);
        ASSERT_TRUE(same(c.toMat(), states[static_cast<std::size_t>(k) + 1])) << "redo " << k;
    }
    LabelCanvas other(64);
    EXPECT_THROW(other.undo(records[0]), std::invalid_argument);
}

TEST(EditHistory, UndoRedoAndBudget) {
    LabelCanvas c(128, 1);
    EditHistory h(1 << 20);
    EXPECT_TRUE(h.undo(c).empty());
    h.push(paintStroke(c, {{10, 10}, {100, 10}}, 5, 2));
    const cv::Mat one = c.toMat();
    h.push(paintStroke(c, {{10, 50}, {100, 50}}, 5, 3));
    h.push(paintStroke(c, {{300, 300}}, 5, 3));  // off the map: empty, ignored
    EXPECT_EQ(h.undoCount(), 2u);
    EXPECT_EQ(h.undo(c), (TexelRect{8, 48, 95, 5}));
    EXPECT_TRUE(same(c.toMat(), one));
    EXPECT_TRUE(h.canRedo());
    h.push(paintStroke(c, {{60, 60}}, 3, 4));  // a new edit drops the redo step
    EXPECT_FALSE(h.canRedo());
    EXPECT_EQ(h.undoCount(), 2u);

    EditHistory tiny(1);  // budget below one record: only the newest is kept
    tiny.push(paintStroke(c, {{5, 5}}, 3, 7));
    tiny.push(paintStroke(c, {{50, 5}}, 3, 7));
    EXPECT_EQ(tiny.undoCount(), 1u);
    EXPECT_EQ(tiny.droppedCount(), 1u);
}

// 500 strokes of diameter 1..200 on a 4096^2 map with a realistic start
// (large class regions). The history must stay small, and undoing all and
// redoing all must be bit-exact.
TEST(EditHistory, FiveHundredStrokesOn4096Map) {
    constexpr int n = 4096;
    cv::Mat start(n, n, CV_8UC1, cv::Scalar(1));
    cv::circle(start, {2048, 2048}, 1500, cv::Scalar(2), cv::FILLED);
    cv::rectangle(start, cv::Rect(300, 300, 1200, 700), cv::Scalar(13), cv::FILLED);
    cv::ellipse(start, {1400, 2600}, {500, 200}, 20, 0, 360, cv::Scalar(5), cv::FILLED);
    LabelCanvas c = LabelCanvas::fromMat(start);
    EditHistory h(std::size_t(1) << 40);  // no budget: measure everything
    std::mt19937 rng(5);
    double paintMs = 0, worstMs = 0;
    std::size_t tiles = 0, nonEmpty = 0;
    for (int k = 0; k < 500; ++k) {
        const int d = 1 + static_cast<int>(rng() % 200);
        const auto pts = randomPolyline(rng, n, 1000.0f);
        const auto t0 = std::chrono::steady_clock::now();
        StrokeRecord r = paintStroke(c, pts, d, static_cast<std::uint8_t>(rng() % 19));
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        paintMs += ms;
        worstMs = std::max(worstMs, ms);
        tiles += r.tileCount();
        nonEmpty += r.empty() ? 0 : 1;  // a stroke wholly off the map records nothing
        h.push(std::move(r));
    }
    const cv::Mat end = c.toMat();
    const double rawMiB = static_cast<double>(tiles) * 2 * 64 * 64 / (1 << 20);
    std::printf("[ info ] 500 strokes, 4096^2: history %.2f MiB (%zu tiles; raw before+after would be %.0f MiB); "
                "paint+record %.2f ms mean, %.2f ms worst\n",
                static_cast<double>(h.bytesHeld()) / (1 << 20), tiles, rawMiB, paintMs / 500, worstMs);
    // Budget: a few hundred KiB per worst-case stroke is the design figure;
    // 500 strokes must fit in 48 MiB (raw tiles would take ~10x that).
    EXPECT_LT(h.bytesHeld(), std::size_t(48) << 20);
    EXPECT_EQ(h.undoCount(), nonEmpty);
    EXPECT_GT(nonEmpty, 450u);
    while (h.canUndo()) h.undo(c);
    EXPECT_TRUE(same(c.toMat(), start));
    while (h.canRedo()) h.redo(c);
    EXPECT_TRUE(same(c.toMat(), end));
}
