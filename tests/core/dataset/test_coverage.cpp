// Dataset coverage: every number equals a recomputation straight from the
// annotation files and segmentation PNGs; bad options and bad annotation
// fields are refused naming the file and field.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "core/dataset/coverage.h"
#include "core/io/file_util.h"
#include "tests/support/fixtures.h"
#include "tests/support/tiny_dataset.h"

namespace synthforge::dataset {
namespace {

namespace fs = std::filesystem;

TEST(Coverage, EqualsADirectRecomputationFromTheFiles) {
    testutil::TempDir dir;
    const fs::path ds = dir.path / "ds";
    testutil::writeTinyDataset(ds, 10, 3);
    CoverageOptions o;
    o.binDeg = 15;
    const Coverage c = computeCoverage(ds.string(), o);
    EXPECT_EQ(c.samples, 10u);
    EXPECT_EQ(c.yawBins, 12);
    EXPECT_EQ(c.pitchBins, 8);

    std::vector<std::uint64_t> pose(96, 0), visible(68, 0), face(20, 0);
    std::array<std::uint64_t, 256> classes{};
    std::vector<double> shapeSum;
    for (int i = 0; i < 10; ++i) {
        char stem[16];
        std::snprintf(stem, sizeof stem, "%06d", i);
        const auto a = nlohmann::json::parse(io::readFileText((ds / "annotations" / (std::string(stem) + ".json")).string()));
        const double yawDeg = a["yaw"].get<double>() * 180 / M_PI, pitchDeg = a["pitch"].get<double>() * 180 / M_PI;
        const int x = std::clamp(static_cast<int>(std::floor((yawDeg + 90) / 15)), 0, 11);
        const int y = std::clamp(static_cast<int>(std::floor((pitchDeg + 60) / 15)), 0, 7);
        ++pose[static_cast<size_t>(y * 12 + x)];
        for (size_t k = 0; k < 68; ++k) visible[k] += a["kps_visible"][k].get<int>() != 0;
        const auto& b = a["face_box"];
        const double side = std::max(b[2].get<double>() - b[0].get<double>(), b[3].get<double>() - b[1].get<double>()) / 64;
        ++face[static_cast<size_t>(std::clamp(static_cast<int>(std::floor(side * 20)), 0, 19))];
        if (shapeSum.empty()) shapeSum.assign(a["flame_shape"].size(), 0.0);
        for (size_t k = 0; k < shapeSum.size(); ++k) shapeSum[k] += a["flame_shape"][k].get<double>();
        const cv::Mat seg = cv::imread((ds / "seg" / (std::string(stem) + ".png")).string(), cv::IMREAD_UNCHANGED);
        ASSERT_FALSE(seg.empty());
        for (int r = 0; r < seg.rows; ++r)
            for (int q = 0; q < seg.cols; ++q) ++classes[seg.at<std::uint8_t>(r, q)];
        ASSERT_EQ(c.shapeScatter[static_cast<size_t>(i)].size(), 2u);
        EXPECT_FLOAT_EQ(c.shapeScatter[static_cast<size_t>(i)][1], a["flame_shape"][1].get<float>());
    }
    EXPECT_EQ(c.yawPitch, pose);
    EXPECT_EQ(c.withoutPose, 0u);
    EXPECT_EQ(c.landmarkVisible, visible);
    EXPECT_EQ(c.landmarkSamples, 10u);
    EXPECT_EQ(c.faceSize, face);
    EXPECT_EQ(c.classPixels, classes);
    EXPECT_EQ(c.segmentedSamples, 10u);
    ASSERT_EQ(c.shapeMean.size(), shapeSum.size());
    for (size_t k = 0; k < shapeSum.size(); ++k) EXPECT_NEAR(c.shapeMean[k], shapeSum[k] / 10, 1e-6);
    // The JSON carries the same counts.
    const auto j = nlohmann::json::parse(coverageJson(c, o));
    EXPECT_EQ(j["format"], "synthforge-coverage");
    EXPECT_EQ(j["pose"]["counts"].get<std::vector<std::uint64_t>>(), pose);
    EXPECT_EQ(j["samples"], 10);
}

TEST(Coverage, RefusesBadOptionsMissingDatasetsAndBadFields) {
    testutil::TempDir dir;
    CoverageOptions bad;
    bad.binDeg = 0;
    EXPECT_THROW(computeCoverage(dir.path.string(), bad), std::invalid_argument);
    EXPECT_THROW(computeCoverage((dir.path / "none").string()), std::runtime_error);
    const fs::path ds = dir.path / "ds";
    testutil::writeTinyDataset(ds, 2, 1);
    const fs::path ann = ds / "annotations" / "000001.json";
    auto a = nlohmann::json::parse(io::readFileText(ann.string()));
    const auto expectFieldError = [&](const nlohmann::json& edited, const std::string& field) {
        io::writeFileAtomic(ann.string(), edited.dump());
        try {
            computeCoverage(ds.string());
            ADD_FAILURE() << "accepted a bad " << field;
        } catch (const std::runtime_error& e) {
            const std::string msg = e.what();
            EXPECT_NE(msg.find("000001.json: " + field), std::string::npos) << msg;
        }
    };
    auto edited = a;
    edited["yaw"] = "left";
    expectFieldError(edited, "yaw");
    edited = a;
    edited["face_box"] = {1, 2, 3};
    expectFieldError(edited, "face_box");
    edited = a;
    edited["flame_shape"][0] = nullptr;
    expectFieldError(edited, "flame_shape");
    // Without the pose fields (older files) the sample counts as "without pose".
    edited = a;
    edited.erase("yaw");
    io::writeFileAtomic(ann.string(), edited.dump());
    EXPECT_EQ(computeCoverage(ds.string()).withoutPose, 1u);
}

}  // namespace
}  // namespace synthforge::dataset

#include "core/dataset/head_pose.h"
#include "core/io/pts_file.h"

namespace synthforge::dataset {
namespace {

TEST(LandmarkCoverage, A300WLayoutFolderGetsItsPoseFromTheLandmarks) {
    testutil::TempDir dir;
    const generate::SamplePipeline p = testutil::tinyPipeline(192);
    const LandmarkBasis basis = landmarkBasis(*p.model);
    HeadPoseFitOptions annotated;
    annotated.priorWeight = kAnnotatedLandmarkPrior;
    CoverageOptions o;
    const double deg = 3.14159265358979323846 / 180.0;
    int nearTruth = 0;
    const int n = 20;
    std::vector<std::uint64_t> expected(static_cast<std::size_t>(18 * 12), 0);
    for (int i = 0; i < n; ++i) {
        const generate::RenderedSample s = p.render(21, static_cast<std::uint64_t>(i));
        const std::string stem = (dir.path / ("face_" + std::to_string(i))).string();
        ASSERT_TRUE(cv::imwrite(stem + ".png", s.image.image));
        io::writePts(stem + ".pts", io::toPtsCoordinates(s.annotations.landmarks2d));
        // What the coverage must count: the fit on the landmarks as the .pts stores them.
        const HeadPose fit = estimateHeadPose(io::fromPtsCoordinates(io::readPts(stem + ".pts").points), basis,
                                              4.0 * 192, 96.0, 96.0, annotated);
        const int bx = std::clamp(static_cast<int>(std::floor((fit.yaw / deg + 90.0) / 10.0)), 0, 17);
        const int by = std::clamp(static_cast<int>(std::floor((fit.pitch / deg + 60.0) / 10.0)), 0, 11);
        ++expected[static_cast<std::size_t>(by * 18 + bx)];
        const int tx = std::clamp(static_cast<int>(std::floor((s.spec.camera.yaw / deg + 90.0) / 10.0)), 0, 17);
        const int ty = std::clamp(static_cast<int>(std::floor((s.spec.camera.pitch / deg + 60.0) / 10.0)), 0, 11);
        nearTruth += std::abs(bx - tx) <= 1 && std::abs(by - ty) <= 1;
    }
    const Coverage c = computeLandmarkCoverage(dir.path.string(), *p.model, o);
    EXPECT_EQ(c.samples, static_cast<std::uint64_t>(n));
    EXPECT_EQ(c.withoutPose, 0u);
    ASSERT_EQ(c.yawBins, 18);
    ASSERT_EQ(c.pitchBins, 12);
    EXPECT_EQ(c.yawPitch, expected);
    EXPECT_GE(nearTruth, n * 9 / 10) << "fitted poses land within a bin of the sampled ones";
    std::printf("300-W layout: %d of %d fitted poses within one bin of the sampled ones\n", nearTruth, n);
    EXPECT_EQ(c.segmentedSamples, 0u);
    EXPECT_EQ(c.landmarkSamples, 0u);
    std::uint64_t faces = 0;
    for (auto v : c.faceSize) faces += v;
    EXPECT_EQ(faces, static_cast<std::uint64_t>(n));

    // A folder with no annotated image, and a damaged .pts, are named.
    const std::filesystem::path empty = dir.path / "empty";
    std::filesystem::create_directories(empty);
    EXPECT_THROW(computeLandmarkCoverage(empty.string(), *p.model, o), std::runtime_error);
    io::writeFileAtomic((dir.path / "face_3.pts").string(), "version: 1\nn_points: 68\n{\n1 2\n}\n");
    try {
        computeLandmarkCoverage(dir.path.string(), *p.model, o);
        FAIL() << "a truncated .pts was read";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("face_3.pts"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace synthforge::dataset
