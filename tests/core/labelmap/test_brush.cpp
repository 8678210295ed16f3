// The round brush: exact footprints at several diameters and sub-texel
// positions, gap-free strokes, zoomed input, eraser, and long strokes with
// the overlay refresh of their dirty rectangle (timed in bench/bench_brush.cpp).

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <set>
#include <stdexcept>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "core/annotate/class_table.h"
#include "core/labelmap/brush.h"
#include "core/labelmap/label_file.h"

using namespace synthforge::labelmap;
using Eigen::Vector2f;

namespace {

std::set<Texel> painted(const LabelCanvas& c, std::uint8_t id) {
    std::set<Texel> s;
    for (int y = 0; y < c.size(); ++y)
        for (int x = 0; x < c.size(); ++x)
            if (c.get(x, y) == id) s.insert({x, y});
    return s;
}

std::set<Texel> asSet(const std::vector<Texel>& v) { return {v.begin(), v.end()}; }

/// Texels of the block [x0, x1] x [y0, y1].
std::set<Texel> block(int x0, int y0, int x1, int y1) {
    std::set<Texel> s;
    for (int y = y0; y <= y1; ++y)
        for (int x = x0; x <= x1; ++x) s.insert({x, y});
    return s;
}

}  // namespace

TEST(Brush, KnownFootprints) {
    // d = 1: the texel under the point, wherever in it the point lies
    for (Vector2f p : {Vector2f(10.0f, 20.0f), Vector2f(10.3f, 20.9f), Vector2f(10.999f, 20.5f)})
        EXPECT_EQ(asSet(brushTexels(p, 1)), (std::set<Texel>{{10, 20}})) << p.transpose();
    // d = 2: snapped to the nearest corner, a 2x2 block around it
    EXPECT_EQ(asSet(brushTexels({10.3f, 20.9f}, 2)), block(9, 20, 10, 21));
    EXPECT_EQ(asSet(brushTexels({10.6f, 20.4f}, 2)), block(10, 19, 11, 20));
    // d = 3: a 3x3 block (corners at distance sqrt(2) <= 1.5)
    EXPECT_EQ(asSet(brushTexels({5.99f, 5.01f}, 3)), block(4, 4, 6, 6));
    // d = 4 at corner (8, 9): a 4x4 block less its corners
    std::set<Texel> d4 = block(6, 7, 9, 10);
    for (Texel t : {Texel{6, 7}, Texel{9, 7}, Texel{6, 10}, Texel{9, 10}}) d4.erase(t);
    EXPECT_EQ(asSet(brushTexels({8.4f, 8.6f}, 4)), d4);
    // d = 5: 5x5 less its corners (offset (2,2): 8 > 6.25; (2,1): 5 <= 6.25)
    std::set<Texel> d5 = block(0, 0, 4, 4);
    for (Texel t : {Texel{0, 0}, Texel{4, 0}, Texel{0, 4}, Texel{4, 4}}) d5.erase(t);
    EXPECT_EQ(asSet(brushTexels({2.5f, 2.5f}, 5)), d5);
    // negative coordinates snap the same way (floor, not truncation)
    EXPECT_EQ(asSet(brushTexels({-0.2f, -1.7f}, 1)), (std::set<Texel>{{-1, -2}}));
}

TEST(Brush, FootprintsAreDTexelsAcrossSymmetricAndDiscSized) {
    for (int d : {1, 2, 3, 6, 7, 10, 31, 64, 99, 200}) {
        const auto t = brushTexels({500.3f, 400.7f}, d);
        int minX = 1 << 30, maxX = -(1 << 30), minY = minX, maxY = maxX;
        std::set<Texel> s(t.begin(), t.end());
        for (const Texel& p : t) {
            minX = std::min(minX, p.x);
            maxX = std::max(maxX, p.x);
            minY = std::min(minY, p.y);
            maxY = std::max(maxY, p.y);
        }
        EXPECT_EQ(maxX - minX + 1, d) << d;
        EXPECT_EQ(maxY - minY + 1, d) << d;
        for (const Texel& p : t) {  // mirror and transpose symmetric about the centre
            EXPECT_TRUE(s.count({minX + maxX - p.x, p.y}));
            EXPECT_TRUE(s.count({minX + (p.y - minY), minY + (p.x - minX)}));
        }
        if (d >= 31) EXPECT_NEAR(static_cast<double>(t.size()) / (M_PI * d * d / 4), 1.0, 0.03) << d;
        // the shape does not change within the snapping cell
        const float cell = d % 2 ? 0.0f : 0.5f;
        for (float fx : {0.01f, 0.37f, 0.99f})
            for (float fy : {0.02f, 0.5f, 0.98f}) {
                const Vector2f p(500.0f - cell + fx, 400.0f - cell + fy);
                EXPECT_EQ(asSet(brushTexels(p, d)), asSet(brushTexels({500.5f - cell, 400.5f - cell}, d)))
                    << d << " at " << p.transpose();
            }
    }
}

TEST(Brush, StampOnCanvasMatchesFootprintAndClips) {
    for (int d : {1, 2, 5, 12, 33}) {
        LabelCanvas c(64, 0);
        const StrokeRecord r = paintStroke(c, {{20.7f, 30.2f}}, d, 9);
        EXPECT_EQ(painted(c, 9), asSet(brushTexels({20.7f, 30.2f}, d))) << d;
        const auto t = brushTexels({20.7f, 30.2f}, d);
        EXPECT_EQ(r.dirty().width, d);
    }
    LabelCanvas c(32, 0);  // a stamp over the corner paints the part inside
    paintStroke(c, {{1.0f, 1.0f}}, 6, 4);
    std::set<Texel> expect;
    for (const Texel& t : brushTexels({1.0f, 1.0f}, 6))
        if (t.x >= 0 && t.y >= 0) expect.insert(t);
    EXPECT_EQ(painted(c, 4), expect);
    EXPECT_THROW(paintStroke(c, {{1, 1}}, 0, 1), std::invalid_argument);
    EXPECT_THROW(paintStroke(c, {{1, 1}}, 201, 1), std::invalid_argument);
    EXPECT_THROW(paintStroke(c, {{NAN, 1}}, 3, 1), std::invalid_argument);
    EXPECT_THROW(paintStroke(c, {{1e9f, 1}}, 3, 1), std::invalid_argument);
    EXPECT_TRUE(paintStroke(c, {}, 3, 1).empty());
}

// A segment paints the texel centres within d/2 of the segment between the
// snapped end centres: compare with a brute-force distance test.
TEST(Brush, SegmentsAreSweptDiscsWithoutGaps) {
    const std::vector<std::pair<Vector2f, Vector2f>> segs = {
        {{3.2f, 4.9f}, {120.6f, 37.3f}}, {{100.1f, 5.0f}, {7.7f, 119.2f}}, {{60.0f, 2.0f}, {61.0f, 125.0f}}};
    for (int d : {1, 2, 4, 9, 16}) {
        for (const auto& [a, b] : segs) {
            LabelCanvas c(128, 0);
            paintStroke(c, {a, b}, d, 1);
            const Vector2f sa = snapBrushCentre(a, d), sb = snapBrushCentre(b, d);
            std::set<Texel> expect;
            for (int y = 0; y < 128; ++y)
                for (int x = 0; x < 128; ++x) {
                    const Eigen::Vector2d p(x + 0.5, y + 0.5), A = sa.cast<double>(), B = sb.cast<double>();
                    const double t = std::clamp((p - A).dot(B - A) / (B - A).squaredNorm(), 0.0, 1.0);
                    if ((A + t * (B - A) - p).norm() <= d / 2.0 + 1e-9) expect.insert({x, y});
                }
            EXPECT_EQ(painted(c, 1), expect) << "d=" << d << " " << a.transpose() << " -> " << b.transpose();
            // one 8-connected piece: no gaps however fast the mouse moved
            cv::Mat m = c.toMat(), lab;
            EXPECT_EQ(cv::connectedComponents(m, lab, 8), 2) << d;
        }
    }
}

// The widget maps screen points to texels as (screen - pan) / zoom. Whatever
// the zoom, the same texel-space stroke paints the same texels, and a
// screen-space stroke at a high zoom touches exactly the texels under it.
TEST(Brush, ZoomedInput) {
    const std::vector<Vector2f> texelStroke = {{10.25f, 12.5f}, {40.75f, 22.125f}, {50.5f, 60.0f}};
    LabelCanvas ref(96, 0);
    paintStroke(ref, texelStroke, 3, 2);
    for (float zoom : {0.25f, 1.0f, 4.0f, 16.0f}) {
        const Vector2f pan(37.0f, -12.0f);
        std::vector<Vector2f> pts;
        for (const auto& t : texelStroke) {
            const Vector2f screen = t * zoom + pan;
            pts.push_back((screen - pan) / zoom);
        }
        LabelCanvas c(96, 0);
        paintStroke(c, pts, 3, 2);
        EXPECT_EQ(painted(c, 2), painted(ref, 2)) << zoom;
    }
    // At zoom 8, a 1-texel brush dragged across screen pixels 0..79 of one
    // screen row paints texels 0..9 of one texel row.
    LabelCanvas c(32, 0);
    std::vector<Vector2f> pts;
    for (int sx = 0; sx < 80; ++sx) pts.push_back(Vector2f(static_cast<float>(sx) + 0.5f, 43.0f) / 8.0f);
    paintStroke(c, pts, 1, 3);
    EXPECT_EQ(painted(c, 3), block(0, 5, 9, 5));
}

TEST(Brush, EraserPaintsSkinByDefault) {
    LabelCanvas c(32, synthforge::annotate::kLeftBrow);
    eraseStroke(c, {{16.5f, 16.5f}}, 1);
    EXPECT_EQ(c.at(16, 16), synthforge::annotate::kSkin);
    eraseStroke(c, {{4.5f, 4.5f}}, 1, synthforge::annotate::kBackground);
    EXPECT_EQ(c.at(4, 4), synthforge::annotate::kBackground);
}

namespace {

/// The overlay refresh the label editor does after a stroke: the canvas
/// rectangle `rect` in overlay pixels (nearest lookup), coloured by class.
void refreshOverlay(cv::Mat& overlay, const LabelCanvas& c, const TexelRect& rect,
                    const std::array<std::array<std::uint8_t, 3>, 256>& lut) {
    const double s = static_cast<double>(overlay.cols) / c.size();
    const int ox0 = static_cast<int>(rect.x * s), oy0 = static_cast<int>(rect.y * s);
    const int ox1 = std::min(overlay.cols - 1, static_cast<int>((rect.x + rect.width) * s)),
              oy1 = std::min(overlay.rows - 1, static_cast<int>((rect.y + rect.height) * s));
    for (int y = oy0; y <= oy1; ++y)
        for (int x = ox0; x <= ox1; ++x) {
            const auto& col = lut[c.get(static_cast<int>((x + 0.5) / s), static_cast<int>((y + 0.5) / s))];
            overlay.at<cv::Vec3b>(y, x) = cv::Vec3b(col[2], col[1], col[0]);
        }
}

double segmentDistance(const Vector2f& p, const Vector2f& a, const Vector2f& b) {
    const Eigen::Vector2d pd = p.cast<double>(), ad = a.cast<double>(), e = (b - a).cast<double>();
    const double l2 = e.squaredNorm();
    const double t = l2 == 0 ? 0.0 : std::clamp((pd - ad).dot(e) / l2, 0.0, 1.0);
    return (pd - (ad + t * e)).norm();
}

}  // namespace

// A long mouse stroke as the live overlay sees it, on 1024^2 and 4096^2 maps
// at small, medium and the largest brush: the painted texels are exactly
// those whose centre lies within d/2 of the polyline through the snapped
// brush centres (texels within 1e-3 of the rim are left out of the
// comparison: float ties), the record's dirty rectangle is the bounding box
// of the change, refreshing only that rectangle of a 512^2 overlay gives the
// overlay of the whole map, and undo restores the map. Timings live in
// bench/bench_brush.cpp.
TEST(Brush, LongStrokeForTheLiveOverlay) {
    const auto lut = synthforge::annotate::ClassTable::defaultTable().colorMap();
    for (int n : {1024, 4096}) {
        for (int d : {5, 50, 200}) {
            SCOPED_TRACE("canvas " + std::to_string(n) + ", diameter " + std::to_string(d));
            LabelCanvas c(n, synthforge::annotate::kSkin);
            cv::Mat overlay(512, 512, CV_8UC3, cv::Scalar(0, 0, 0));
            refreshOverlay(overlay, c, c.bounds(), lut);
            std::vector<Vector2f> pts;  // a 1000-texel-long mouse stroke (at 4096^2), a point every 4 texels
            for (int k = 0; k <= 250; ++k)
                pts.push_back(Vector2f(0.1f * n + 4.0f * k * n / 4096.0f, 0.5f * n + 100.0f * std::sin(k * 0.05f)));
            const StrokeRecord r = paintStroke(c, pts, d, synthforge::annotate::kLeftBrow);
            const cv::Mat ids = c.toMat();
            const cv::Mat changed = ids != synthforge::annotate::kSkin;
            ASSERT_EQ(cv::countNonZero((ids != synthforge::annotate::kSkin) & (ids != synthforge::annotate::kLeftBrow)), 0);

            // The reference: brute force over each segment's neighbourhood.
            std::vector<Vector2f> centres;
            for (const auto& p : pts) centres.push_back(snapBrushCentre(p, d));
            const double radius = d / 2.0;
            cv::Mat inside(n, n, CV_8UC1, cv::Scalar(0)), rim(n, n, CV_8UC1, cv::Scalar(0));
            for (std::size_t k = 0; k < centres.size(); ++k) {
                const Vector2f a = centres[k], b = centres[k == 0 ? 0 : k - 1];
                const int x0 = std::max(0, static_cast<int>(std::floor(std::min(a.x(), b.x()) - radius)) - 1),
                          x1 = std::min(n - 1, static_cast<int>(std::ceil(std::max(a.x(), b.x()) + radius)) + 1),
                          y0 = std::max(0, static_cast<int>(std::floor(std::min(a.y(), b.y()) - radius)) - 1),
                          y1 = std::min(n - 1, static_cast<int>(std::ceil(std::max(a.y(), b.y()) + radius)) + 1);
                for (int y = y0; y <= y1; ++y)
                    for (int x = x0; x <= x1; ++x) {
                        const double dist = segmentDistance(Vector2f(x + 0.5f, y + 0.5f), a, b);
                        if (dist <= radius - 1e-3) inside.at<std::uint8_t>(y, x) = 255;
                        else if (dist <= radius + 1e-3) rim.at<std::uint8_t>(y, x) = 255;
                    }
            }
            const cv::Mat decided = rim == 0;
            const int wrong = cv::countNonZero((changed != inside) & decided);
            const int painted = cv::countNonZero(changed);
            std::printf("[ info ] %d^2, d=%3d: %d texels painted, %d on the rim, %zu tiles\n", n, d, painted,
                        cv::countNonZero(rim), r.tileCount());
            EXPECT_EQ(wrong, 0) << "of " << painted << " painted texels";
            // The stroke spans about 250 (1024^2) or 1000 (4096^2) texels in x.
            EXPECT_GT(painted, (n / 4) * d / 2);

            const cv::Rect box = cv::boundingRect(changed);
            EXPECT_EQ(r.dirty(), (TexelRect{box.x, box.y, box.width, box.height}));
            EXPECT_EQ(r.canvasSize(), n);

            refreshOverlay(overlay, c, r.dirty(), lut);
            cv::Mat whole(512, 512, CV_8UC3, cv::Scalar(0, 0, 0));
            refreshOverlay(whole, c, c.bounds(), lut);
            cv::Mat diff;
            cv::absdiff(overlay, whole, diff);
            EXPECT_EQ(cv::countNonZero(diff.reshape(1)), 0) << "the dirty rectangle missed overlay pixels";
            const auto& brow = lut[synthforge::annotate::kLeftBrow];
            cv::Mat browPixels;
            cv::inRange(whole, cv::Scalar(brow[2], brow[1], brow[0]), cv::Scalar(brow[2], brow[1], brow[0]), browPixels);
            EXPECT_GT(cv::countNonZero(browPixels), 0);

            EXPECT_EQ(c.undo(r), r.dirty());
            EXPECT_EQ(cv::countNonZero(c.toMat() != synthforge::annotate::kSkin), 0);
        }
    }
}
