// `synthforge explore grid` and `explore coverage` as a user runs them: the
// sheet has the grid's layout, the coverage files hold counts that add up
// to the datasets' samples, and bad axes fail naming the option.

#include <gtest/gtest.h>

#include <filesystem>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/videoio.hpp>

#include "core/annotate/overlays.h"
#include "tests/support/child_process.h"
#include "tests/support/fixtures.h"

namespace fs = std::filesystem;

namespace {

using synthforge::testutil::readTextFile;

int run(const std::vector<std::string>& args, const fs::path& errFile) {
    return synthforge::testutil::waitForExit(synthforge::testutil::startCli(args, errFile));
}

TEST(ExploreCli, GridWritesTheSheetAndBadAxesFailNamingTheOption) {
    synthforge::testutil::TempDir dir;
    const fs::path err = dir.path / "err.txt", out = dir.path / "grid.png";
    ASSERT_EQ(run({"explore", "grid", "--rows", "yaw:-0.5:0.5:3", "--cols", "expr:0:-1.5:1.5:2", "--size", "40",
                   "--overlay", "landmarks", "--out", out.string(), "--progress", "none"},
                  err),
              0)
        << readTextFile(err);
    const cv::Mat sheet = cv::imread(out.string());
    ASSERT_FALSE(sheet.empty());
    EXPECT_EQ(sheet.cols, 2 * 40 + 3 * synthforge::annotate::kContactSheetGap);
    EXPECT_EQ(sheet.rows, 3 * 40 + 4 * synthforge::annotate::kContactSheetGap);
    EXPECT_EQ(run({"explore", "grid", "--rows", "roll:0:1:3", "--cols", "yaw:0:1:2", "--out", out.string()}, err), 1);
    EXPECT_NE(readTextFile(err).find("--rows"), std::string::npos) << readTextFile(err);
    EXPECT_EQ(run({"explore", "grid", "--rows", "yaw:0:1:3", "--cols", "yaw:0:1:99", "--out", out.string()}, err), 1);
    EXPECT_NE(readTextFile(err).find("--cols: N must be a whole number from 1 to 64"), std::string::npos)
        << readTextFile(err);
}

TEST(ExploreCli, InterpFramesStartAndEndAtTheTwoScenes) {
    synthforge::testutil::TempDir dir;
    const fs::path err = dir.path / "err.txt", ds = dir.path / "ds", out = dir.path / "frames";
    ASSERT_EQ(run({"generate", "--count", "2", "--size", "48", "--out", ds.string(), "--progress", "none"}, err), 0);
    // Any sample's annotation opens as a scene.
    ASSERT_EQ(run({"explore", "interp", (ds / "annotations/000000.json").string(), (ds / "annotations/000001.json").string(),
                   "--frames", "3", "--out", out.string(), "--video", (dir.path / "strip.mp4").string(), "--fps", "10",
                   "--progress", "none"},
                  err),
              0)
        << readTextFile(err);
    {
        cv::VideoCapture video((dir.path / "strip.mp4").string(), cv::CAP_FFMPEG);
        ASSERT_TRUE(video.isOpened());
        int frames = 0;
        cv::Mat f;
        while (video.read(f)) {
            EXPECT_EQ(f.size(), cv::Size(48, 48));
            ++frames;
        }
        EXPECT_EQ(frames, 3);
    }
    for (const char* f : {"frame_0000.png", "frame_0001.png", "frame_0002.png", "frame_0002.json"})
        EXPECT_TRUE(fs::is_regular_file(out / f)) << f;
    const auto same = [](const fs::path& x, const fs::path& y) {
        const cv::Mat a = cv::imread(x.string()), b = cv::imread(y.string());
        return !a.empty() && a.size() == b.size() && cv::norm(a, b, cv::NORM_INF) == 0;
    };
    EXPECT_TRUE(same(out / "frame_0000.png", ds / "images/000000.png"));
    EXPECT_TRUE(same(out / "frame_0002.png", ds / "images/000001.png"));
    EXPECT_FALSE(same(out / "frame_0001.png", ds / "images/000000.png"));
    EXPECT_EQ(run({"explore", "interp", (ds / "annotations/000000.json").string(), (dir.path / "none.json").string(),
                   "--out", out.string()},
                  err),
              2);
    EXPECT_EQ(run({"explore", "interp", (ds / "annotations/000000.json").string(), (ds / "annotations/000001.json").string(),
                   "--out", out.string(), "--video", (dir.path / "strip.mov").string()},
                  err),
              1);
    EXPECT_NE(readTextFile(err).find("strip.mov: video must end in .mp4 or .avi"), std::string::npos) << readTextFile(err);
}

TEST(ExploreCli, CoverageOfTwoDatasetsWritesPlotsAndCountsThatAddUp) {
    synthforge::testutil::TempDir dir;
    const fs::path err = dir.path / "err.txt";
    const fs::path a = dir.path / "a", b = dir.path / "b", out = dir.path / "cov";
    ASSERT_EQ(run({"generate", "--count", "6", "--size", "32", "--out", a.string(), "--progress", "none"}, err), 0);
    ASSERT_EQ(run({"generate", "--count", "4", "--size", "32", "--seed", "9", "--out", b.string(), "--progress", "none"},
                  err),
              0);
    ASSERT_EQ(run({"explore", "coverage", a.string(), b.string(), "--out", out.string(), "--progress", "none"}, err), 0)
        << readTextFile(err);
    for (const char* f : {"coverage.json", "coverage_2.json", "yaw_pitch.csv", "classes.csv", "yaw_pitch.png",
                          "shape.png", "expression.png"})
        EXPECT_TRUE(fs::is_regular_file(out / f)) << f;
    const auto first = nlohmann::json::parse(readTextFile(out / "coverage.json"));
    const auto counts = first["pose"]["counts"].get<std::vector<std::uint64_t>>();
    EXPECT_EQ(std::accumulate(counts.begin(), counts.end(), std::uint64_t{0}) + first["pose"]["without_pose"].get<std::uint64_t>(),
              6u);
    EXPECT_EQ(nlohmann::json::parse(readTextFile(out / "coverage_2.json"))["samples"], 4);
    // yaw_pitch.csv: a header and one row per bin, a count column per dataset.
    std::istringstream csv(readTextFile(out / "yaw_pitch.csv"));
    std::string line;
    std::getline(csv, line);
    EXPECT_EQ(line, "yaw_deg,pitch_deg,count,count_2");
    int rows = 0;
    while (std::getline(csv, line)) ++rows;
    EXPECT_EQ(rows, first["pose"]["yaw_bins"].get<int>() * first["pose"]["pitch_bins"].get<int>());
    EXPECT_EQ(run({"explore", "coverage", (dir.path / "missing").string(), "--out", out.string()}, err), 1);
}

TEST(ExploreCli, CoverageDetectsABenchmarkLayoutAndNamesWhatItLookedFor) {
    synthforge::testutil::TempDir dir;
    const fs::path err = dir.path / "err.txt", ours = dir.path / "ours", celeb = dir.path / "celeb", out = dir.path / "cov";
    ASSERT_EQ(run({"generate", "--count", "2", "--size", "32", "--out", ours.string(), "--progress", "none"}, err), 0);
    // Two CelebAMask-HQ faces: skin, and an earring (no class of ours).
    for (int i : {0, 1}) {
        fs::create_directories(celeb / "CelebA-HQ-img");
        fs::create_directories(celeb / "CelebAMask-HQ-mask-anno" / "0");
        ASSERT_TRUE(cv::imwrite((celeb / "CelebA-HQ-img" / (std::to_string(i) + ".jpg")).string(),
                                cv::Mat(64, 64, CV_8UC3, cv::Scalar(90, 120, 200))));
        cv::Mat skin = cv::Mat::zeros(512, 512, CV_8UC1), earring = skin.clone();
        skin(cv::Rect(100, 100, 256, 300)).setTo(255);
        earring(cv::Rect(20, 200, 10, 10)).setTo(255);
        const std::string stem = (celeb / "CelebAMask-HQ-mask-anno" / "0" / ("0000" + std::to_string(i))).string();
        ASSERT_TRUE(cv::imwrite(stem + "_skin.png", skin));
        ASSERT_TRUE(cv::imwrite(stem + "_ear_r.png", earring));
    }
    ASSERT_EQ(run({"explore", "coverage", celeb.string(), ours.string(), "--out", out.string(), "--progress", "none"}, err), 0)
        << readTextFile(err);
    const auto first = nlohmann::json::parse(readTextFile(out / "coverage.json"));
    EXPECT_EQ(first["samples"], 2);
    EXPECT_EQ(first["pose"]["without_pose"], 2);
    EXPECT_EQ(first["class_pixels"]["1"], 2 * 256 * 300) << "CelebAMask-HQ's skin under our skin id";
    EXPECT_EQ(first["class_pixels"]["255"], 2 * 10 * 10) << "earrings under 255";
    const std::string classes = readTextFile(out / "classes.csv");
    EXPECT_NE(classes.find("\n1,skin,"), std::string::npos) << classes;
    EXPECT_NE(classes.find("\n255,ignore,"), std::string::npos) << classes;
    const fs::path other = dir.path / "other";
    fs::create_directories(other);
    EXPECT_EQ(run({"explore", "coverage", other.string(), "--out", out.string()}, err), 1);
    EXPECT_NE(readTextFile(err).find("manifest.json"), std::string::npos) << readTextFile(err);
}

}  // namespace
