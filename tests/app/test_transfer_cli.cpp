// `synthforge transfer train|apply` as a user runs them: a dataset made by
// the CLI, a folder of "photos" (renders of another seed, mirrored), a
// CycleGAN run in a child process killed after its first checkpoint and
// resumed to the bytes of an uninterrupted run, apply writing a translated
// dataset, and bad input exiting 1 with a message naming the problem.

#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/core.hpp>

#include "tests/support/child_process.h"
#include "tests/support/fixtures.h"
#include "tests/support/run_dir_files.h"

namespace fs = std::filesystem;

namespace {

using synthforge::testutil::readTextFile;

int run(const std::vector<std::string>& args, const fs::path& err) {
    return synthforge::testutil::waitForExit(synthforge::testutil::startCli(args, err, err));
}

std::vector<std::string> trainArgs(const fs::path& source, const fs::path& target, const fs::path& out) {
    // 5 training renders (6, one validates), 6 photos, batch 2: 3 steps an epoch, 6 steps.
    return {"transfer", "train", "--source", source.string(), "--target", target.string(), "--out", out.string(),
            "--size", "64", "--ngf", "8", "--ndf", "8", "--blocks", "1", "--batch", "2", "--epochs", "2",
            "--val-fraction", "0.1", "--checkpoint-every", "1", "--image-every", "3", "--device", "cpu",
            "--threads", "1", "--progress", "none"};
}

TEST(TransferCli, TrainsResumesAfterAKillAppliesAndRefusesBadInput) {
    synthforge::testutil::TempDir dir;
    const fs::path err = dir.path / "err.txt", ds = dir.path / "ds", other = dir.path / "other",
                   photos = dir.path / "photos";
    for (const auto& [path, seed] : {std::pair{ds, "4"}, std::pair{other, "9"}})
        ASSERT_EQ(run({"generate", "--count", "6", "--size", "64", "--seed", seed, "--out", path.string(), "--progress",
                       "none", "--workers", "2"},
                      err),
                  0)
            << readTextFile(err);
    fs::create_directories(photos / "00000");
    for (const auto& e : fs::directory_iterator(other / "images")) {
        cv::Mat img = cv::imread(e.path().string());
        cv::flip(img, img, 1);
        cv::imwrite((photos / "00000" / ("p" + e.path().stem().string() + ".jpg")).string(), img);
    }

    const fs::path whole = dir.path / "whole";
    ASSERT_EQ(run(trainArgs(ds, photos, whole), err), 0) << readTextFile(err);
    EXPECT_NE(readTextFile(err).find("trained 6 steps on 5 rendered and 6 real images"), std::string::npos)
        << readTextFile(err);
    for (const char* f : {"config.json", "metrics.csv", "final.safetensors", "best.safetensors", "run.json"})
        EXPECT_TRUE(fs::exists(whole / f)) << f;

    const fs::path killed = dir.path / "killed";
    int code = 0;
    const std::int64_t checkpointStep =
        synthforge::testutil::killAfterFirstCheckpoint(trainArgs(ds, photos, killed), killed, err, &code);
    EXPECT_EQ(code, -SIGKILL) << "the run ended before the kill";
    ASSERT_GE(checkpointStep, 1);
    ASSERT_LT(checkpointStep, 6) << "the killed run had finished training";
    auto resume = trainArgs(ds, photos, killed);
    resume.push_back("--resume");
    ASSERT_EQ(run(resume, err), 0) << readTextFile(err);
    EXPECT_NE(readTextFile(err).find("(resumed from step " + std::to_string(checkpointStep) + ")"), std::string::npos)
        << readTextFile(err);
    EXPECT_EQ(readTextFile(killed / "metrics.csv"), readTextFile(whole / "metrics.csv"));
    EXPECT_TRUE(readTextFile(killed / "final.safetensors") == readTextFile(whole / "final.safetensors"))
        << "final weights differ";

    const fs::path translated = dir.path / "translated";
    ASSERT_EQ(run({"transfer", "apply", "--model", whole.string(), "--data", ds.string(), "--out", translated.string(),
                   "--threads", "1", "--progress", "none"},
                  err),
              0)
        << readTextFile(err);
    EXPECT_NE(readTextFile(err).find("translated 6 samples of 6"), std::string::npos) << readTextFile(err);
    EXPECT_NE(readTextFile(err).find("the dataset is complete"), std::string::npos) << readTextFile(err);
    EXPECT_EQ(readTextFile(translated / "annotations" / "000003.json"), readTextFile(ds / "annotations" / "000003.json"));

    // CUT through the same commands: its translator applies like CycleGAN's.
    auto cut = trainArgs(ds, photos, dir.path / "cut");
    cut.insert(cut.end(), {"--method", "cut", "--num-patches", "16"});
    ASSERT_EQ(run(cut, err), 0) << readTextFile(err);
    EXPECT_NE(readTextFile(dir.path / "cut" / "config.json").find("\"nce_layers\""), std::string::npos);
    ASSERT_EQ(run({"transfer", "apply", "--model", (dir.path / "cut").string(), "--data", ds.string(), "--out",
                   (dir.path / "cut_translated").string(), "--threads", "1", "--progress", "none"},
                  err),
              0)
        << readTextFile(err);

    // VSAIT through the same commands, on seeded random VGG19 weights written
    // by the export tool (ImageNet's are not available offline): its recipe's
    // optimiser lands in config.json and its translator applies.
    const fs::path vgg = dir.path / "vgg19.safetensors";
    const std::string python = fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
    const std::string tool = (fs::path(SYNTHFORGE_TEST_DATA_DIR).parent_path().parent_path() / "tools" / "export_vgg19.py").string();
    ASSERT_EQ(std::system((python + " " + tool + " --random 2 --out " + vgg.string() + " > " + err.string() + " 2>&1").c_str()), 0)
        << readTextFile(err);
    auto vsait = trainArgs(ds, photos, dir.path / "vsait");
    vsait.insert(vsait.end(), {"--method", "vsait", "--vgg19", vgg.string(), "--vsa-dims", "64"});
    ASSERT_EQ(run(vsait, err), 0) << readTextFile(err);
    const auto vsaitConfig = nlohmann::json::parse(readTextFile(dir.path / "vsait" / "config.json"));
    EXPECT_EQ(vsaitConfig["losses"]["gan"], "hinge");
    EXPECT_EQ(vsaitConfig["optimizer"]["lr"], 1e-4);
    EXPECT_EQ(vsaitConfig["optimizer"]["betas"], nlohmann::json::array({0.0, 0.9}));
    EXPECT_EQ(vsaitConfig["optimizer"]["d_lr_scale"], 4.0);
    ASSERT_EQ(run({"transfer", "apply", "--model", (dir.path / "vsait").string(), "--data", ds.string(), "--out",
                   (dir.path / "vsait_translated").string(), "--threads", "1", "--progress", "none"},
                  err),
              0)
        << readTextFile(err);

    // Measured with the committed trained Stage I net; the report lands in the translated dataset.
    ASSERT_EQ(run({"transfer", "eval", "--source", ds.string(), "--translated", translated.string(), "--stage1",
                   (fs::path(SYNTHFORGE_TEST_DATA_DIR) / "cascade_net").string(), "--threads", "1", "--progress",
                   "none"},
                  err),
              0)
        << readTextFile(err);
    EXPECT_NE(readTextFile(err).find("structure (6 samples): NME"), std::string::npos) << readTextFile(err);
    EXPECT_TRUE(fs::exists(translated / "transfer_eval.json"));
    {
        // The run's landmarks on each translation, for the studio to draw: inside the 64-pixel image.
        const auto report = nlohmann::json::parse(readTextFile(translated / "transfer_eval.json"));
        const auto& points = report["structure"]["per_sample"][2]["translated_landmarks"];
        ASSERT_EQ(points.size(), 136u);
        for (const auto& v : points) {
            EXPECT_GE(v.get<double>(), -16.0);
            EXPECT_LE(v.get<double>(), 80.0);
        }
    }
    EXPECT_EQ(run({"transfer", "apply", "--model", whole.string(), "--data", ds.string(), "--out",
                   (dir.path / "e").string(), "--check"},
                  err),
              0)
        << readTextFile(err);
    EXPECT_FALSE(fs::exists(dir.path / "e")) << "--check writes nothing";

    // Bad input: exit 1 and a message that names the problem.
    const auto expectFailure = [&](std::vector<std::string> args, const std::string& words) {
        EXPECT_EQ(run(args, err), 1) << readTextFile(err);
        EXPECT_NE(readTextFile(err).find(words), std::string::npos) << readTextFile(err);
    };
    fs::create_directories(dir.path / "no_photos");
    expectFailure(trainArgs(ds, dir.path / "no_photos", dir.path / "a"), "no images");
    expectFailure(trainArgs(photos, photos, dir.path / "b"), "complete samples");
    auto size = trainArgs(ds, photos, dir.path / "c");
    size[9] = "66";
    expectFailure(size, "not a multiple of 4");
    expectFailure(trainArgs(ds, photos, whole), "--resume");
    auto noVgg = trainArgs(ds, photos, dir.path / "no_vgg");
    noVgg.insert(noVgg.end(), {"--method", "vsait"});
    expectFailure(noVgg, "vgg19: VSAIT needs VGG19 weights");
    expectFailure({"transfer", "apply", "--model", ds.string(), "--data", ds.string(), "--out",
                   (dir.path / "d").string(), "--progress", "none"},
                  "final.safetensors");
    expectFailure({"transfer", "apply", "--model", whole.string(), "--data", ds.string(), "--out",
                   translated.string(), "--progress", "none"},
                  "--resume");
    const std::string generateRecord = readTextFile(ds / "run.json");
    expectFailure({"transfer", "apply", "--model", whole.string(), "--data", ds.string(), "--out", ds.string(),
                   "--progress", "none"},
                  "is the source dataset");
    EXPECT_EQ(readTextFile(ds / "run.json"), generateRecord) << "nothing is written into the source";
    EXPECT_FALSE(fs::exists(dir.path / "a") || fs::exists(dir.path / "b") || fs::exists(dir.path / "c"));
    EXPECT_EQ(run({"transfer", "train", "--source", ds.string()}, err), 2) << "missing required options are usage errors";
}

}  // namespace
