// `synthforge predict` as a user runs it: a run trained by the CLI on a few
// renders predicts a folder that also holds an unreadable file, a uniform
// grey image and a tiny one (each reported, the others predicted, exit 0),
// a folder of only bad images (exit 1), a corrupt box file (exit 1, named),
// a Stage II LaPa run (106 points, 11 classes, the template from the
// benchmark's crops) and a CelebAMask-HQ run (no landmarks: no cascade).

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "tests/support/benchmark_fixtures.h"
#include "tests/support/child_process.h"
#include "tests/support/fixtures.h"

namespace fs = std::filesystem;

namespace {

using synthforge::testutil::readTextFile;

int runCli(const std::vector<std::string>& args, const fs::path& outFile) {
    return synthforge::testutil::waitForExit(synthforge::testutil::startCli(args, outFile, outFile));
}

const std::vector<std::string> kCpu = {"--device", "cpu", "--threads", "1", "--progress", "none"};

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more = kCpu) {
    args.insert(args.end(), more.begin(), more.end());
    return args;
}

TEST(PredictCli, BadImagesAreReportedAndTheRestPredicted) {
    synthforge::testutil::TempDir dir;
    const fs::path log = dir.path / "log.txt", data = dir.path / "ds", run = dir.path / "run", in = dir.path / "in",
                   out = dir.path / "out";
    ASSERT_EQ(runCli({"generate", "--count", "6", "--size", "64", "--seed", "2", "--out", data.string(), "--progress",
                      "none", "--workers", "2"},
                     log),
              0)
        << readTextFile(log);
    ASSERT_EQ(runCli(with({"train", "--data", data.string(), "--preset", "small", "--out", run.string(), "--epochs",
                           "1", "--batch", "2", "--size", "64"}),
                     log),
              0)
        << readTextFile(log);

    fs::create_directories(in);
    fs::copy_file(data / "images" / "000000.png", in / "a.png");
    // A wider photo-like input: the render in a 96 x 64 frame.
    cv::Mat wide(64, 96, CV_8UC3, cv::Scalar(30, 40, 50));
    cv::imread((data / "images" / "000001.png").string()).copyTo(wide(cv::Rect(16, 0, 64, 64)));
    cv::imwrite((in / "b.png").string(), wide);
    synthforge::testutil::writeFile(in / "broken.png", "\x89PNG\r\n\x1a\n this is not a PNG");
    cv::imwrite((in / "grey.png").string(), cv::Mat(40, 40, CV_8UC3, cv::Scalar(128, 128, 128)));
    cv::Mat tiny(8, 8, CV_8UC3);
    cv::randu(tiny, 0, 255);
    cv::imwrite((in / "tiny.png").string(), tiny);
    synthforge::testutil::writeFile(in / "notes.txt", "not an image, not listed");

    ASSERT_EQ(runCli(with({"predict", "--model", run.string(), "--images", in.string(), (dir.path / "gone.jpg").string(),
                           "--out", out.string(), "--batch", "2"}),
                     log),
              0)
        << readTextFile(log);
    const std::string printed = readTextFile(log);
    for (const char* expect : {"ok     " , "broken.png", "grey.png: uniform image", "tiny.png: too small: 8x8",
                               "gone.jpg: no such file", "2 of 6 images predicted"})
        EXPECT_NE(printed.find(expect), std::string::npos) << expect << "\n" << printed;

    const auto j = nlohmann::json::parse(readTextFile(out / "predictions.json"));
    EXPECT_EQ(j["succeeded"], 2);
    EXPECT_EQ(j["failed"], 4);
    EXPECT_EQ(j["cascade"], 3);
    ASSERT_EQ(j["images"].size(), 6u);
    std::map<std::string, nlohmann::json> byName;
    for (const auto& e : j["images"]) byName[e["name"].get<std::string>()] = e;
    EXPECT_EQ(byName["a"]["status"], "ok");
    EXPECT_EQ(byName["a"]["framing"], "cascade");
    EXPECT_TRUE(byName["a"]["crop"].contains("corners"));
    EXPECT_TRUE(byName["a"]["cascade_iterations"].is_number());
    EXPECT_EQ(byName["b"]["status"], "ok");
    EXPECT_EQ(byName["b"]["width"], 96);
    for (const char* bad : {"broken", "grey", "tiny", "gone"}) {
        EXPECT_EQ(byName[bad]["status"], "error") << bad;
        EXPECT_FALSE(byName[bad]["error"].get<std::string>().empty()) << bad;
    }
    EXPECT_EQ(byName["grey"]["width"], 40);

    // Outputs at the input's resolution.
    const auto lm = nlohmann::json::parse(readTextFile(out / "b_landmarks.json"));
    EXPECT_EQ(lm["width"], 96);
    EXPECT_EQ(lm["landmarks"].size(), 68u);
    const cv::Mat seg = cv::imread((out / "b_seg.png").string(), cv::IMREAD_UNCHANGED);
    EXPECT_EQ(seg.size(), cv::Size(96, 64));
    EXPECT_EQ(seg.type(), CV_8UC1);
    const cv::Mat depth = cv::imread((out / "b_depth.png").string(), cv::IMREAD_UNCHANGED);
    EXPECT_EQ(depth.type(), CV_16UC1);
    EXPECT_EQ(depth.size(), cv::Size(96, 64));
    for (const char* f : {"b_overlay.png", "b_seg_overlay.png", "b_depth.npy", "a_landmarks.json"})
        EXPECT_TRUE(fs::is_regular_file(out / f)) << f;
    EXPECT_FALSE(fs::exists(out / "grey_overlay.png"));
    // The cascade's template was computed from the run's data and saved with the run.
    EXPECT_TRUE(fs::is_regular_file(run / "landmark_template.json"));

    // Only bad images: exit 1, still a predictions.json saying why.
    const fs::path onlyBad = dir.path / "bad";
    fs::create_directories(onlyBad);
    fs::copy_file(in / "grey.png", onlyBad / "grey.png");
    fs::copy_file(in / "broken.png", onlyBad / "broken.png");
    EXPECT_EQ(runCli(with({"predict", "--model", run.string(), "--images", onlyBad.string(), "--out",
                           (dir.path / "out_bad").string()}),
                     log),
              1);
    EXPECT_NE(readTextFile(log).find("no image could be predicted"), std::string::npos) << readTextFile(log);
    EXPECT_EQ(nlohmann::json::parse(readTextFile(dir.path / "out_bad" / "predictions.json"))["succeeded"], 0);

    // A truncated box file: exit 1 naming it, nothing predicted.
    synthforge::testutil::writeFile(dir.path / "boxes.json", "{\"a.png\": [1, 2, 3");
    EXPECT_EQ(runCli(with({"predict", "--model", run.string(), "--images", in.string(), "--boxes",
                           (dir.path / "boxes.json").string(), "--out", (dir.path / "out_box").string()}),
                     log),
              1);
    EXPECT_NE(readTextFile(log).find("boxes.json"), std::string::npos) << readTextFile(log);
    EXPECT_FALSE(fs::exists(dir.path / "out_box" / "predictions.json"));
    // A good one frames a.png by its box.
    synthforge::testutil::writeFile(dir.path / "boxes.json", "{\"a.png\": [12, 14, 40, 40]}");
    ASSERT_EQ(runCli(with({"predict", "--model", run.string(), "--images", (in / "a.png").string(), "--boxes",
                           (dir.path / "boxes.json").string(), "--out", (dir.path / "out_box").string()}),
                     log),
              0)
        << readTextFile(log);
    EXPECT_EQ(nlohmann::json::parse(readTextFile(dir.path / "out_box" / "predictions.json"))["images"][0]["framing"],
              "box");
    // Missing options are usage errors.
    EXPECT_EQ(runCli({"predict", "--model", run.string(), "--images", in.string()}, log), 2);
}

TEST(PredictCli, StageTwoRunPredictsItsBenchmarksLayout) {
    synthforge::testutil::TempDir dir;
    const fs::path log = dir.path / "log.txt", ds = dir.path / "ds", stage1 = dir.path / "stage1",
                   lapa = dir.path / "LaPa", run = dir.path / "run2", out = dir.path / "out";
    ASSERT_EQ(runCli({"generate", "--count", "4", "--size", "64", "--seed", "4", "--out", ds.string(), "--progress",
                      "none", "--workers", "2"},
                     log),
              0)
        << readTextFile(log);
    ASSERT_EQ(runCli(with({"train", "--data", ds.string(), "--preset", "small", "--out", stage1.string(), "--epochs",
                           "1", "--batch", "2", "--size", "64"}),
                     log),
              0)
        << readTextFile(log);
    synthforge::testutil::writeLapaFixture(lapa, 4, 1);
    ASSERT_EQ(runCli(with({"finetune", "--data", lapa.string(), "--format", "lapa", "--stage1", stage1.string(),
                           "--out", run.string(), "--epochs", "1", "--batch", "2", "--size", "64"}),
                     log),
              0)
        << readTextFile(log);

    ASSERT_EQ(runCli(with({"predict", "--model", run.string(), "--images", (lapa / "test" / "images").string(),
                           "--out", out.string(), "--cascade", "1"}),
                     log),
              0)
        << readTextFile(log);
    const auto j = nlohmann::json::parse(readTextFile(out / "predictions.json"));
    EXPECT_EQ(j["stage"], "II");
    EXPECT_EQ(j["dataset_format"], "lapa");
    EXPECT_EQ(j["num_landmarks"], 106);
    EXPECT_EQ(j["num_classes"], 11);
    EXPECT_NE(j["landmark_template"].get<std::string>().find("computed from"), std::string::npos);
    ASSERT_EQ(j["images"].size(), 1u);
    EXPECT_EQ(j["images"][0]["status"], "ok");
    EXPECT_EQ(j["images"][0]["framing"], "cascade");
    const auto lm = nlohmann::json::parse(readTextFile(out / "test_0_landmarks.json"));
    EXPECT_EQ(lm["landmarks"].size(), 106u);
    EXPECT_EQ(lm["width"], 80);
    EXPECT_EQ(cv::imread((out / "test_0_seg.png").string(), cv::IMREAD_UNCHANGED).size(), cv::Size(80, 72));
    // The template of 106 normalised points was saved with the run.
    const auto t = nlohmann::json::parse(readTextFile(run / "landmark_template.json"));
    EXPECT_EQ(t["num_landmarks"], 106);

    // CelebAMask-HQ heads have no landmarks: no cascade (said once), the centred crop, no landmark file.
    const fs::path celeba = dir.path / "CelebAMask-HQ", run3 = dir.path / "run3", out3 = dir.path / "out3";
    synthforge::testutil::writeCelebAFixture(celeba, 4, {}, 64);
    ASSERT_EQ(runCli(with({"finetune", "--data", celeba.string(), "--format", "celebamask-hq", "--stage1",
                           stage1.string(), "--out", run3.string(), "--epochs", "1", "--batch", "2", "--size", "64"}),
                     log),
              0)
        << readTextFile(log);
    ASSERT_EQ(runCli(with({"predict", "--model", run3.string(), "--images", (celeba / "CelebA-HQ-img" / "0.jpg").string(),
                           "--out", out3.string()}),
                     log),
              0)
        << readTextFile(log);
    EXPECT_NE(readTextFile(log).find("predicts no landmarks, so it cannot cascade"), std::string::npos)
        << readTextFile(log);
    const auto j3 = nlohmann::json::parse(readTextFile(out3 / "predictions.json"));
    EXPECT_EQ(j3["num_landmarks"], 0);
    EXPECT_EQ(j3["num_classes"], 19);
    EXPECT_EQ(j3["cascade"], 0);
    EXPECT_EQ(j3["images"][0]["framing"], "centred");
    EXPECT_FALSE(fs::exists(out3 / "0_landmarks.json"));
    EXPECT_TRUE(fs::is_regular_file(out3 / "0_seg.png"));
    EXPECT_FALSE(fs::exists(run3 / "landmark_template.json"));
}

}  // namespace
