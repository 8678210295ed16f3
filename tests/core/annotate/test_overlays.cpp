// Quick-look overlays: exact pixels for landmark dots (sub-pixel placement),
// segmentation colours and blends, depth and normal previews, contact sheet
// layout, and every argument check.

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "core/annotate/overlays.h"

using namespace synthforge;
using annotate::ClassTable;

namespace {

using Points = Eigen::Matrix<float, Eigen::Dynamic, 2, Eigen::RowMajor>;

const cv::Vec3b kBlack(0, 0, 0), kGreen(0, 255, 0), kRed(0, 0, 255);

cv::Mat black(int w, int h) { return cv::Mat(h, w, CV_8UC3, cv::Scalar::all(0)); }

/// Runs `f` and expects std::invalid_argument whose message holds `part`.
template <typename F>
void expectInvalid(F&& f, const std::string& part) {
    try {
        f();
        ADD_FAILURE() << "no error, expected one naming " << part;
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    }
}

/// The Turbo colour the map gives to one 8-bit index.
cv::Vec3b turbo(int index) {
    cv::Mat one(1, 1, CV_8UC1, cv::Scalar(index)), out;
    cv::applyColorMap(one, out, cv::COLORMAP_TURBO);
    return out.at<cv::Vec3b>(0, 0);
}

void expectNear(const cv::Vec3b& got, const cv::Vec3b& want, int tol, const std::string& what) {
    for (int k = 0; k < 3; ++k) EXPECT_NEAR(got[k], want[k], tol) << what << " channel " << k;
}

}  // namespace

// ---- landmarks ----

TEST(Overlays, LandmarkDotCentreIsTheExactPixel) {
    Points p(1, 2);
    p << 10.5f, 20.5f;
    const cv::Mat img = black(64, 64);
    const cv::Mat out = annotate::drawLandmarks(img, p, {});
    EXPECT_EQ(out.at<cv::Vec3b>(20, 10), kGreen);
    EXPECT_EQ(out.at<cv::Vec3b>(20, 20), kBlack);  // 10 px right
    EXPECT_EQ(out.at<cv::Vec3b>(30, 10), kBlack);  // 10 px down
    EXPECT_EQ(out.at<cv::Vec3b>(20, 0), kBlack);   // 10 px left
    // The dot is centred on the pixel: its neighbours get the same coverage.
    const cv::Vec3b l = out.at<cv::Vec3b>(20, 9), r = out.at<cv::Vec3b>(20, 11);
    const cv::Vec3b u = out.at<cv::Vec3b>(19, 10), d = out.at<cv::Vec3b>(21, 10);
    expectNear(l, r, 2, "left/right");
    expectNear(u, d, 2, "up/down");
    expectNear(l, u, 2, "left/up");
    // A copy: the input stays black.
    EXPECT_EQ(cv::countNonZero(img.reshape(1)), 0);
}

TEST(Overlays, LandmarkOnAPixelCornerCoversItsFourPixelsAlike) {
    Points p(1, 2);
    p << 30.0f, 40.0f;  // the corner shared by pixels (29..30, 39..40)
    const cv::Mat out = annotate::drawLandmarks(black(64, 64), p, {});
    const cv::Vec3b a = out.at<cv::Vec3b>(39, 29);
    EXPECT_GT(a[1], 100);
    expectNear(out.at<cv::Vec3b>(39, 30), a, 2, "(30,39)");
    expectNear(out.at<cv::Vec3b>(40, 29), a, 2, "(29,40)");
    expectNear(out.at<cv::Vec3b>(40, 30), a, 2, "(30,40)");
}

TEST(Overlays, LandmarkVisibleGreenOccludedRed) {
    Points p(2, 2);
    p << 10.5f, 10.5f, 40.5f, 40.5f;
    const cv::Mat out = annotate::drawLandmarks(black(64, 64), p, {1, 0});
    EXPECT_EQ(out.at<cv::Vec3b>(10, 10), kGreen);
    EXPECT_EQ(out.at<cv::Vec3b>(40, 40), kRed);

    annotate::LandmarkStyle style;
    style.visibleColor = cv::Scalar(255, 0, 0);
    style.radius = 3.0f;
    const cv::Mat blue = annotate::drawLandmarks(black(64, 64), p, {1, 0}, style);
    EXPECT_EQ(blue.at<cv::Vec3b>(10, 10), cv::Vec3b(255, 0, 0));
    EXPECT_EQ(blue.at<cv::Vec3b>(10, 12), cv::Vec3b(255, 0, 0));  // radius 3 reaches 2 px out
}

TEST(Overlays, LandmarkDotHasADarkOutlineOnBrightImages) {
    Points p(1, 2);
    p << 32.5f, 32.5f;
    annotate::LandmarkStyle style;
    style.radius = 4.0f;
    const cv::Mat white(64, 64, CV_8UC3, cv::Scalar::all(255));
    const cv::Mat out = annotate::drawLandmarks(white, p, {}, style);
    EXPECT_EQ(out.at<cv::Vec3b>(32, 32), kGreen);
    // cv's anti-aliased discs reach about half a pixel past their radius:
    // the pixel 5 px out is mostly the black ring, none of the white.
    const cv::Vec3b ring = out.at<cv::Vec3b>(32, 32 + 5);
    EXPECT_LT(ring[0], 40);
    EXPECT_LT(ring[1], 128);
    EXPECT_LT(ring[2], 40);
    EXPECT_EQ(out.at<cv::Vec3b>(32, 32 + 8), cv::Vec3b(255, 255, 255));
}

TEST(Overlays, NonFinitePointsAreSkipped) {
    Points p(3, 2);
    p << std::nanf(""), 5.0f, 10.5f, std::nanf(""), INFINITY, 3.0f;
    const cv::Mat out = annotate::drawLandmarks(black(32, 32), p, {1, 1, 1});
    EXPECT_EQ(cv::countNonZero(out.reshape(1)), 0);
    // Far off the image: nothing drawn, no overflow.
    Points far(1, 2);
    far << 1e20f, -1e20f;
    EXPECT_EQ(cv::countNonZero(annotate::drawLandmarks(black(32, 32), far, {}).reshape(1)), 0);
}

TEST(Overlays, Ibug68ContoursAreJoinedOnlyWhenAsked) {
    // 68 points on a grid; jaw points 0 and 1 are 20 px apart on one row.
    Points p(68, 2);
    for (int i = 0; i < 68; ++i) p.row(i) << 20.5f + 20.0f * static_cast<float>(i % 17), 20.5f + 40.0f * (i / 17);
    const cv::Mat img = black(400, 200);
    annotate::LandmarkStyle style;
    style.radius = 2.0f;
    const cv::Mat joined = annotate::drawLandmarks(img, p, {}, style);
    EXPECT_NE(joined.at<cv::Vec3b>(20, 30), kBlack);  // midway between points 0 and 1
    EXPECT_EQ(joined.at<cv::Vec3b>(40, 30), kBlack);  // off every contour
    style.connect = false;
    const cv::Mat dots = annotate::drawLandmarks(img, p, {}, style);
    EXPECT_EQ(dots.at<cv::Vec3b>(20, 30), kBlack);
    // Fewer than 68 points: never joined.
    style.connect = true;
    const cv::Mat few = annotate::drawLandmarks(img, p.topRows(17), {}, style);
    EXPECT_EQ(few.at<cv::Vec3b>(20, 30), kBlack);
}

TEST(Overlays, IndexLabelsAreWrittenWhenAsked) {
    Points p(1, 2);
    p << 20.5f, 40.5f;
    annotate::LandmarkStyle style;
    style.radius = 2.0f;
    const cv::Mat plain = annotate::drawLandmarks(black(128, 128), p, {}, style);
    style.indices = true;
    const cv::Mat labelled = annotate::drawLandmarks(black(128, 128), p, {}, style);
    // The label sits up and to the right of the dot, in white.
    const cv::Rect area(24, 20, 30, 18);
    EXPECT_EQ(cv::countNonZero(plain(area).reshape(1)), 0);
    cv::Mat whiteish;
    cv::inRange(labelled(area), cv::Scalar::all(200), cv::Scalar::all(255), whiteish);
    EXPECT_GT(cv::countNonZero(whiteish), 0);
}

TEST(Overlays, LandmarkArgumentErrorsNameTheArgument) {
    Points p(2, 2);
    p << 1.5f, 1.5f, 2.5f, 2.5f;
    expectInvalid([&] { annotate::drawLandmarks(cv::Mat(8, 8, CV_8UC1), p, {}); }, "bgr");
    expectInvalid([&] { annotate::drawLandmarks(cv::Mat(), p, {}); }, "bgr");
    expectInvalid([&] { annotate::drawLandmarks(black(8, 8), p, {1}); }, "visible");
    annotate::LandmarkStyle style;
    style.radius = -1.0f;
    expectInvalid([&] { annotate::drawLandmarks(black(8, 8), p, {}, style); }, "radius");
}

// ---- segmentation ----

TEST(Overlays, ColorizeSegmentationUsesTableColoursInBgr) {
    cv::Mat ids(2, 3, CV_8UC1);
    ids.at<uchar>(0, 0) = annotate::kBackground;
    ids.at<uchar>(0, 1) = annotate::kSkin;
    ids.at<uchar>(0, 2) = annotate::kRightEye;
    ids.at<uchar>(1, 0) = annotate::kIgnore;
    ids.at<uchar>(1, 1) = 200;  // not in the table
    ids.at<uchar>(1, 2) = annotate::kHair;
    const cv::Mat c = annotate::colorizeSegmentation(ids, ClassTable::defaultTable());
    ASSERT_EQ(c.type(), CV_8UC3);
    EXPECT_EQ(c.at<cv::Vec3b>(0, 0), cv::Vec3b(0, 0, 0));
    EXPECT_EQ(c.at<cv::Vec3b>(0, 1), cv::Vec3b(140, 180, 230));  // skin RGB (230, 180, 140)
    EXPECT_EQ(c.at<cv::Vec3b>(0, 2), cv::Vec3b(255, 90, 30));    // right_eye RGB (30, 90, 255)
    EXPECT_EQ(c.at<cv::Vec3b>(1, 0), cv::Vec3b(255, 255, 255));
    EXPECT_EQ(c.at<cv::Vec3b>(1, 1), cv::Vec3b(255, 0, 255));  // magenta
    EXPECT_EQ(c.at<cv::Vec3b>(1, 2), cv::Vec3b(60, 230, 250));  // hair RGB (250, 230, 60)

    expectInvalid([] { annotate::colorizeSegmentation(cv::Mat(4, 4, CV_8UC3), ClassTable::defaultTable()); }, "ids");
}

TEST(Overlays, BlendMixesClassesLeavesBackgroundAndOutlinesEdges) {
    const cv::Vec3b base(100, 50, 200);
    const cv::Mat img(40, 40, CV_8UC3, cv::Scalar(base[0], base[1], base[2]));
    cv::Mat ids(40, 40, CV_8UC1, cv::Scalar(0));
    ids(cv::Rect(10, 10, 20, 20)).setTo(annotate::kSkin);
    ids(cv::Rect(20, 10, 10, 20)).setTo(annotate::kNose);  // right half of the square
    const float alpha = 0.3f;
    const cv::Mat out = annotate::blendSegmentation(img, ids, ClassTable::defaultTable(), alpha);

    for (int y = 0; y < 40; ++y)
        for (int x = 0; x < 40; ++x)
            if (ids.at<uchar>(y, x) == 0) {
                ASSERT_EQ(out.at<cv::Vec3b>(y, x), base) << x << "," << y;
            }

    auto mix = [&](cv::Vec3b colour) {
        cv::Vec3b m;
        for (int k = 0; k < 3; ++k) m[k] = cv::saturate_cast<uchar>((1 - alpha) * base[k] + alpha * colour[k]);
        return m;
    };
    const cv::Vec3b skin = mix({140, 180, 230}), nose = mix({40, 120, 255});
    expectNear(out.at<cv::Vec3b>(15, 15), skin, 1, "skin interior");
    expectNear(out.at<cv::Vec3b>(15, 25), nose, 1, "nose interior");

    // Outlines: one pixel, on the class side, darker than the interior.
    auto darker = [](cv::Vec3b a, cv::Vec3b b) { return a[0] + a[1] + a[2] < b[0] + b[1] + b[2]; };
    EXPECT_TRUE(darker(out.at<cv::Vec3b>(15, 10), skin));  // left edge against background
    EXPECT_TRUE(darker(out.at<cv::Vec3b>(10, 15), skin));  // top edge
    EXPECT_TRUE(darker(out.at<cv::Vec3b>(29, 15), skin));  // bottom edge
    EXPECT_TRUE(darker(out.at<cv::Vec3b>(15, 29), nose));  // right edge
    EXPECT_TRUE(darker(out.at<cv::Vec3b>(15, 19), skin));  // skin | nose: skin side only
    expectNear(out.at<cv::Vec3b>(15, 20), nose, 1, "nose next to skin");
    expectNear(out.at<cv::Vec3b>(15, 11), skin, 1, "one in from the edge");

    // alpha 0 leaves class interiors as they were; alpha 1 paints the colour.
    expectNear(annotate::blendSegmentation(img, ids, ClassTable::defaultTable(), 0.0f).at<cv::Vec3b>(15, 15), base, 0,
               "alpha 0");
    expectNear(annotate::blendSegmentation(img, ids, ClassTable::defaultTable(), 1.0f).at<cv::Vec3b>(15, 15),
               cv::Vec3b(140, 180, 230), 0, "alpha 1");
}

TEST(Overlays, BlendArgumentErrorsNameTheArgument) {
    const ClassTable& t = ClassTable::defaultTable();
    const cv::Mat img = black(16, 16);
    const cv::Mat ids(16, 16, CV_8UC1, cv::Scalar(1));
    expectInvalid([&] { annotate::blendSegmentation(cv::Mat(16, 16, CV_8UC1), ids, t); }, "bgr");
    expectInvalid([&] { annotate::blendSegmentation(img, cv::Mat(16, 16, CV_16UC1), t); }, "ids");
    expectInvalid([&] { annotate::blendSegmentation(img, cv::Mat(8, 16, CV_8UC1, cv::Scalar(0)), t); }, "ids");
    expectInvalid([&] { annotate::blendSegmentation(img, ids, t, 1.5f); }, "alpha");
    expectInvalid([&] { annotate::blendSegmentation(img, ids, t, std::nanf("")); }, "alpha");
}

// ---- depth and normals ----

TEST(Overlays, DepthNearIsWarmFarIsCoolBackgroundBlack) {
    cv::Mat depth(16, 16, CV_32FC1, cv::Scalar(0));
    depth(cv::Rect(8, 0, 4, 16)).setTo(2.0f);  // near
    depth(cv::Rect(12, 0, 4, 16)).setTo(3.0f);  // far
    depth.at<float>(0, 0) = std::nanf("");      // treated as background
    const cv::Mat c = annotate::depthColormap(depth);
    ASSERT_EQ(c.type(), CV_8UC3);
    const cv::Vec3b nearC = c.at<cv::Vec3b>(5, 9), farC = c.at<cv::Vec3b>(5, 13);
    EXPECT_EQ(nearC, turbo(255));
    EXPECT_EQ(farC, turbo(0));
    EXPECT_GT(nearC[2], nearC[0]);  // warm: red over blue
    EXPECT_GT(farC[0], farC[2]);    // cool: blue over red
    EXPECT_EQ(c.at<cv::Vec3b>(5, 3), kBlack);
    EXPECT_EQ(c.at<cv::Vec3b>(0, 0), kBlack);
}

TEST(Overlays, DepthRangeIgnoresOutliers) {
    // 1000 foreground pixels from 1.0 to 2.0, plus one stray at 100: the
    // 99th percentile keeps the face's range, so 2.0 is already the far end.
    cv::Mat depth(10, 101, CV_32FC1, cv::Scalar(0));
    for (int i = 0; i < 1000; ++i) depth.at<float>(i / 100, i % 100) = 1.0f + static_cast<float>(i) / 999.0f;
    depth.at<float>(0, 100) = 100.0f;
    const cv::Mat c = annotate::depthColormap(depth);
    EXPECT_EQ(c.at<cv::Vec3b>(9, 99), turbo(0));
    EXPECT_EQ(c.at<cv::Vec3b>(0, 100), turbo(0));
    EXPECT_EQ(c.at<cv::Vec3b>(0, 0), turbo(255));
}

TEST(Overlays, DepthAllBackgroundAndConstantDepth) {
    const cv::Mat none = annotate::depthColormap(cv::Mat(8, 8, CV_32FC1, cv::Scalar(0)));
    EXPECT_EQ(cv::countNonZero(none.reshape(1)), 0);

    cv::Mat flat(8, 8, CV_32FC1, cv::Scalar(0));
    flat(cv::Rect(0, 0, 4, 8)).setTo(1.5f);
    const cv::Mat c = annotate::depthColormap(flat);
    EXPECT_EQ(c.at<cv::Vec3b>(3, 1), turbo(128));
    EXPECT_EQ(c.at<cv::Vec3b>(3, 6), kBlack);

    expectInvalid([] { annotate::depthColormap(cv::Mat(4, 4, CV_64FC1)); }, "depth");
}

TEST(Overlays, NormalsMapXyzToRgb) {
    cv::Mat n(1, 4, CV_32FC3, cv::Scalar::all(0));
    n.at<cv::Vec3f>(0, 0) = {0, 0, -1};  // facing the camera
    n.at<cv::Vec3f>(0, 1) = {1, 0, 0};
    n.at<cv::Vec3f>(0, 2) = {0, 0, 0};  // background
    n.at<cv::Vec3f>(0, 3) = {std::nanf(""), 0, 1};
    const cv::Mat c = annotate::normalsToBgr(n);
    ASSERT_EQ(c.type(), CV_8UC3);
    const cv::Vec3b f = c.at<cv::Vec3b>(0, 0);
    EXPECT_EQ(f[0], 0);
    EXPECT_NEAR(f[1], 128, 1);
    EXPECT_NEAR(f[2], 128, 1);
    const cv::Vec3b x = c.at<cv::Vec3b>(0, 1);
    EXPECT_EQ(x[2], 255);
    EXPECT_NEAR(x[1], 128, 1);
    EXPECT_NEAR(x[0], 128, 1);
    EXPECT_EQ(c.at<cv::Vec3b>(0, 2), kBlack);
    EXPECT_EQ(c.at<cv::Vec3b>(0, 3), kBlack);

    expectInvalid([] { annotate::normalsToBgr(cv::Mat(4, 4, CV_32FC1)); }, "normals");
}

// ---- contact sheet ----

TEST(Overlays, ContactSheetLayoutSizeAndPlacement) {
    const int tile = 32, gap = annotate::kContactSheetGap;
    std::vector<cv::Mat> tiles;
    tiles.push_back(cv::Mat(20, 20, CV_8UC1, cv::Scalar(77)));  // grey, upscaled
    for (int i = 1; i < 4; ++i) tiles.push_back(black(48, 48));
    tiles.push_back(cv::Mat(64, 96, CV_8UC3, cv::Scalar(0, 0, 255)));  // red, index 4: row 1, column 1
    const cv::Mat sheet = annotate::contactSheet(tiles, 3, tile);
    ASSERT_EQ(sheet.type(), CV_8UC3);
    EXPECT_EQ(sheet.cols, 3 * tile + 4 * gap);
    EXPECT_EQ(sheet.rows, 2 * tile + 3 * gap);

    const cv::Rect red(gap + (tile + gap), gap + (tile + gap), tile, tile);
    cv::Mat isRed;
    cv::inRange(sheet(red), cv::Scalar(0, 0, 255), cv::Scalar(0, 0, 255), isRed);
    EXPECT_EQ(cv::countNonZero(isRed), tile * tile);
    // Just outside the red tile: the gap, dark but not black.
    const cv::Vec3b g = sheet.at<cv::Vec3b>(red.y + 5, red.x - 1);
    EXPECT_EQ(g, sheet.at<cv::Vec3b>(red.y - 1, red.x + 5));
    EXPECT_NE(g, kRed);
    EXPECT_LT(g[0], 80);
    // The grey tile, converted to BGR, at the top left.
    EXPECT_EQ(sheet.at<cv::Vec3b>(gap + 10, gap + 10), cv::Vec3b(77, 77, 77));
    // The empty sixth slot is gap colour.
    EXPECT_EQ(sheet.at<cv::Vec3b>(gap + tile + gap + 10, gap + 2 * (tile + gap) + 10), g);

    // Fewer tiles than columns: the sheet is only as wide as its tiles.
    EXPECT_EQ(annotate::contactSheet({tiles[0]}, 4, tile).cols, tile + 2 * gap);
}

TEST(Overlays, ContactSheetCaptionsStayInsideTheirTile) {
    const std::vector<cv::Mat> tiles(2, black(64, 64));
    const cv::Mat plain = annotate::contactSheet(tiles, 2, 64);
    const cv::Mat captioned =
        annotate::contactSheet(tiles, 2, 64, {"a very long caption that overflows the tile", ""});
    const int gap = annotate::kContactSheetGap;
    const cv::Rect first(gap, gap, 64, 64), second(2 * gap + 64, gap, 64, 64);
    EXPECT_GT(cv::countNonZero(captioned(first).reshape(1)), 0);
    // Bottom left: the caption's pixels are in the tile's lower half.
    EXPECT_EQ(cv::countNonZero(captioned(cv::Rect(gap, gap, 64, 32)).reshape(1)), 0);
    // Clipped: the second tile and the gap between stay as without captions.
    EXPECT_EQ(cv::norm(captioned(second), plain(second), cv::NORM_INF), 0.0);
    EXPECT_EQ(cv::norm(captioned.col(gap + 64), plain.col(gap + 64), cv::NORM_INF), 0.0);
}

TEST(Overlays, ContactSheetArgumentErrors) {
    const std::vector<cv::Mat> tiles(2, black(16, 16));
    expectInvalid([&] { annotate::contactSheet(tiles, 0, 32); }, "columns");
    expectInvalid([&] { annotate::contactSheet(tiles, 2, 7); }, "tileSize");
    expectInvalid([&] { annotate::contactSheet({}, 2, 32); }, "tiles");
    expectInvalid([&] { annotate::contactSheet(tiles, 2, 32, {"one"}); }, "captions");
    expectInvalid([&] { annotate::contactSheet({black(8, 8), cv::Mat(8, 8, CV_32FC1)}, 2, 32); }, "tiles[1]");
    expectInvalid([&] { annotate::contactSheet({black(8, 8), cv::Mat()}, 2, 32); }, "tiles[1]");
    expectInvalid([&] { annotate::contactSheet(tiles, 2, 40000); }, "at most");
}
