// Colour import: CIELAB figures, a synthetic colour-coded map saved as a
// noisy JPEG (quality 75) mapping back to the right classes away from
// borders, unmatched colours reported and then assigned by the caller.

#include <gtest/gtest.h>

#include <cstdio>
#include <stdexcept>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/labelmap/color_import.h"
#include "tests/support/fixtures.h"

using namespace synthforge;
using namespace synthforge::labelmap;

TEST(ColorImport, LabFigures) {
    const auto white = srgbToLab({255, 255, 255}), black = srgbToLab({0, 0, 0}), red = srgbToLab({255, 0, 0});
    EXPECT_NEAR(white[0], 100.0f, 0.05f);
    EXPECT_NEAR(white[1], 0.0f, 0.05f);
    EXPECT_NEAR(white[2], 0.0f, 0.05f);
    EXPECT_NEAR(black[0], 0.0f, 0.01f);
    EXPECT_NEAR(red[0], 53.24f, 0.05f);  // published sRGB red
    EXPECT_NEAR(red[1], 80.09f, 0.1f);
    EXPECT_NEAR(red[2], 67.20f, 0.1f);
    EXPECT_FLOAT_EQ(deltaE76({10, 20, 30}, {10, 20, 30}), 0.0f);
}

TEST(ColorImport, NoisyJpegMapsBackToClassesAndReportsUnmatched) {
    testutil::TempDir dir;
    const auto& table = annotate::ClassTable::defaultTable();
    constexpr int n = 256;
    // truth: a patchwork of classes, plus one colour far from every class
    cv::Mat truth(n, n, CV_8UC1, cv::Scalar(annotate::kSkin));
    const std::vector<int> cls = {annotate::kNose,    annotate::kLeftBrow, annotate::kRightBrow, annotate::kLeftEye,
                                  annotate::kRightEye, annotate::kTopLip,   annotate::kBottomLip, annotate::kHair,
                                  annotate::kNeck,    annotate::kLeftEar,  annotate::kBackground, annotate::kBeard};
    for (std::size_t k = 0; k < cls.size(); ++k)
        cv::circle(truth, {static_cast<int>(30 + (k % 4) * 65), static_cast<int>(30 + (k / 4) * 65)}, 24,
                   cv::Scalar(cls[k]), cv::FILLED);
    cv::rectangle(truth, cv::Rect(100, 210, 50, 30), cv::Scalar(250), cv::FILLED);  // 250: "unknown"
    // the unknown colour: the candidate farthest from every class colour
    Rgb unknown{};
    float far = 0;
    for (Rgb c : {Rgb{40, 255, 160}, Rgb{128, 0, 255}, Rgb{255, 255, 0}, Rgb{0, 70, 40}})
    {
        float near = 1e9f;
        for (const auto& e : table.entries()) near = std::min(near, deltaE76(c, e.color));
        if (near > far) far = near, unknown = c;
    }
    ASSERT_GT(far, 30.0f);
    cv::Mat bgr(n, n, CV_8UC3);
    const auto lut = table.colorMap();
    for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x) {
            const int id = truth.at<std::uint8_t>(y, x);
            const Rgb c = id == 250 ? unknown : lut[static_cast<std::size_t>(id)];
            bgr.at<cv::Vec3b>(y, x) = cv::Vec3b(c[2], c[1], c[0]);
        }
    cv::Mat noise(n, n, CV_16SC3);
    cv::randn(noise, cv::Scalar::all(0), cv::Scalar::all(4));
    bgr.convertTo(bgr, CV_16SC3);
    bgr += noise;
    bgr.convertTo(bgr, CV_8UC3);
    cv::imwrite(dir.file("map.jpg"), bgr, {cv::IMWRITE_JPEG_QUALITY, 75});

    ColorImport im = importColorMapFile(dir.file("map.jpg"), table);
    // texels at least 4 away from any class border
    cv::Mat edges, grad;
    cv::morphologyEx(truth, grad, cv::MORPH_GRADIENT, cv::Mat::ones(3, 3, CV_8U));
    cv::Mat nearBorder;
    cv::dilate(grad > 0, nearBorder, cv::Mat::ones(7, 7, CV_8U));
    long inner = 0, right = 0;
    for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x) {
            if (nearBorder.at<std::uint8_t>(y, x) || truth.at<std::uint8_t>(y, x) == 250) continue;
            ++inner;
            right += im.ids.at<std::uint8_t>(y, x) == truth.at<std::uint8_t>(y, x) && !im.unmatched.at<std::uint8_t>(y, x);
        }
    const double acc = static_cast<double>(right) / static_cast<double>(inner);
    std::printf("[ info ] JPEG q75 + noise: %.3f %% of %ld inner texels right; %zu unmatched, %zu distinct colours\n",
                100 * acc, inner, im.unmatchedCount, im.distinctUnmatchedColors);
    EXPECT_GT(acc, 0.995);

    // the unknown patch is reported: its box, and its colour among the top ones
    ASSERT_FALSE(im.unmatchedBoxes.empty());
    const TexelRect box = im.unmatchedBoxes.front();
    EXPECT_NEAR(box.x, 100, 3);
    EXPECT_NEAR(box.y, 210, 3);
    EXPECT_NEAR(box.width, 50, 6);
    EXPECT_NEAR(box.height, 30, 6);
    ASSERT_FALSE(im.unmatchedColors.empty());
    EXPECT_LT(deltaE76(im.unmatchedColors.front().rgb, unknown), 15.0f);
    EXPECT_LE(im.unmatchedColors.size(), im.options.maxReported);
    LabelCanvas canvas(n, 0);
    EXPECT_THROW(applyColorImport(canvas, im), std::invalid_argument);

    // the caller says what the colour is; stragglers along borders fall back to skin
    EXPECT_THROW(assignUnmatched(im, {{unknown, 99}}, std::nullopt, table), std::invalid_argument);
    assignUnmatched(im, {{unknown, annotate::kGlasses}}, std::nullopt, table);
    int glasses = 0;
    for (int y = 215; y < 235; ++y)
        for (int x = 105; x < 145; ++x) glasses += im.ids.at<std::uint8_t>(y, x) == annotate::kGlasses;
    EXPECT_EQ(glasses, 20 * 40);
    assignUnmatched(im, {}, annotate::kSkin, table);
    EXPECT_EQ(im.unmatchedCount, 0u);
    EXPECT_TRUE(im.unmatchedBoxes.empty());
    const StrokeRecord r = applyColorImport(canvas, im);
    EXPECT_EQ(cv::countNonZero(canvas.toMat() != im.ids), 0);
    canvas.undo(r);
    EXPECT_EQ(cv::countNonZero(canvas.toMat()), 0);
    LabelCanvas wrong(64, 0);
    EXPECT_THROW(applyColorImport(wrong, im), std::invalid_argument);
}

TEST(ColorImport, BadInputs) {
    testutil::TempDir dir;
    const auto& table = annotate::ClassTable::defaultTable();
    EXPECT_THROW(importColorMap(cv::Mat(), table), std::invalid_argument);
    EXPECT_THROW(importColorMap(cv::Mat(8, 8, CV_8UC1), table), std::invalid_argument);
    EXPECT_THROW(importColorMap(cv::Mat(8, 8, CV_8UC3), annotate::ClassTable()), std::invalid_argument);
    EXPECT_THROW(importColorMap(cv::Mat(8, 8, CV_8UC3), table, {-1.0f}), std::invalid_argument);
    EXPECT_THROW(importColorMapFile(dir.file("none.png"), table), std::runtime_error);
    std::FILE* f = std::fopen(dir.file("junk.jpg").c_str(), "wb");
    std::fputs("\xFF\xD8\xFF garbage", f);
    std::fclose(f);
    try {
        importColorMapFile(dir.file("junk.jpg"), table);
        ADD_FAILURE();
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("junk.jpg"), std::string::npos);
    }
}
