// `synthforge eval` as a user runs it: a 4-step run trained by the CLI is
// evaluated on its dataset (table on stdout, JSON written), a Stage II run on
// its benchmark, a Stage I run zero-shot on a 300-W folder, and a missing run
// directory is exit code 1 naming it.

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/benchmark_fixtures.h"
#include "tests/support/child_process.h"
#include "tests/support/fixtures.h"

namespace fs = std::filesystem;

namespace {

using synthforge::testutil::readTextFile;

/// Runs the CLI with stdout and stderr in `outFile`; returns the exit code.
int runCli(const std::vector<std::string>& args, const fs::path& outFile) {
    return synthforge::testutil::waitForExit(synthforge::testutil::startCli(args, outFile, outFile));
}

TEST(EvalCli, EvaluatesATrainedRunAndWritesJson) {
    synthforge::testutil::TempDir dir;
    const fs::path log = dir.path / "log.txt", data = dir.path / "ds", run = dir.path / "run";
    ASSERT_EQ(runCli({"generate", "--count", "10", "--size", "64", "--seed", "2", "--out", data.string(),
                      "--progress", "none", "--workers", "2"},
                     log),
              0)
        << readTextFile(log);
    // 10 samples: 1 validates, 9 train; batch 2 -> 4 steps.
    ASSERT_EQ(runCli({"train", "--data", data.string(), "--preset", "small", "--out", run.string(), "--epochs", "1",
                      "--batch", "2", "--size", "64", "--seed", "1", "--device", "cpu", "--threads", "1",
                      "--progress", "none"},
                     log),
              0)
        << readTextFile(log);

    ASSERT_EQ(runCli({"eval", "--model", run.string(), "--data", data.string(), "--device", "cpu", "--threads", "1",
                      "--progress", "none"},
                     log),
              0)
        << readTextFile(log);
    const std::string printed = readTextFile(log);
    EXPECT_NE(printed.find("NME"), std::string::npos) << printed;
    EXPECT_NE(printed.find("background"), std::string::npos) << "class names from the manifest\n" << printed;

    const auto j = nlohmann::json::parse(readTextFile(run / "eval.json"));
    ASSERT_TRUE(j.contains("nme_mean"));
    EXPECT_TRUE(j["nme_mean"].is_number());
    EXPECT_EQ(j["size"], 64);  // from the run's config.json
    // The run's own dataset: only its held-out sample (the last) is scored.
    EXPECT_EQ(j["split"], "val");
    EXPECT_EQ(j["samples"], 1);
    EXPECT_EQ(j["first_sample"], 9);
    ASSERT_EQ(j["nme_per_image"].size(), 1u);
    ASSERT_TRUE(j["classes"].is_array());
    ASSERT_GT(j["classes"].size(), 1u);
    EXPECT_EQ(j["classes"][0]["name"], "background");
    EXPECT_TRUE(j["classes"][1].contains("f1") && j["classes"][1].contains("iou"));
    EXPECT_TRUE(j["mean_foreground"].contains("iou"));

    // --json elsewhere, --size overriding the run's.
    const fs::path other = dir.path / "other.json";
    ASSERT_EQ(runCli({"eval", "--model", run.string(), "--data", data.string(), "--size", "128", "--json",
                      other.string(), "--device", "cpu", "--threads", "1", "--progress", "none"},
                     log),
              0)
        << readTextFile(log);
    EXPECT_EQ(nlohmann::json::parse(readTextFile(other))["size"], 128);

    // --split all scores every sample; train the other nine.
    for (const auto& [split, count] : {std::pair{"all", 10}, std::pair{"train", 9}}) {
        ASSERT_EQ(runCli({"eval", "--model", run.string(), "--data", data.string(), "--split", split, "--json",
                          other.string(), "--device", "cpu", "--threads", "1", "--progress", "none"},
                         log),
                  0)
            << readTextFile(log);
        const auto o = nlohmann::json::parse(readTextFile(other));
        EXPECT_EQ(o["split"], split);
        EXPECT_EQ(o["samples"], count);
        EXPECT_EQ(o["first_sample"], 0);
    }
    // Another dataset (a copy elsewhere counts as another): every sample.
    const fs::path copy = dir.path / "copy";
    fs::copy(data, copy, fs::copy_options::recursive);
    ASSERT_EQ(runCli({"eval", "--model", run.string(), "--data", copy.string(), "--json", other.string(), "--device",
                      "cpu", "--threads", "1", "--progress", "none"},
                     log),
              0)
        << readTextFile(log);
    EXPECT_EQ(nlohmann::json::parse(readTextFile(other))["split"], "all");
    EXPECT_EQ(nlohmann::json::parse(readTextFile(other))["samples"], 10);
    // --weights: the best validation checkpoint, or any weights file; bad choices name the field.
    ASSERT_EQ(runCli({"eval", "--model", run.string(), "--data", data.string(), "--weights", "best", "--json",
                      other.string(), "--device", "cpu", "--threads", "1", "--progress", "none"},
                     log),
              0)
        << readTextFile(log);
    EXPECT_EQ(fs::path(nlohmann::json::parse(readTextFile(other))["weights"].get<std::string>()).filename(),
              "best.safetensors");
    EXPECT_EQ(runCli({"eval", "--model", run.string(), "--data", data.string(), "--weights", "latest"}, log), 1);
    EXPECT_NE(readTextFile(log).find("weights: 'latest'"), std::string::npos) << readTextFile(log);
    EXPECT_EQ(runCli({"eval", "--model", run.string(), "--data", data.string(), "--weights",
                      (dir.path / "gone.safetensors").string()},
                     log),
              1);
    EXPECT_NE(readTextFile(log).find("gone.safetensors: no such weights file"), std::string::npos) << readTextFile(log);
    // --run-dir: the evaluation is a run of its own, its eval.json there; the training run's record is untouched.
    const fs::path evalRun = dir.path / "eval_run";
    ASSERT_EQ(runCli({"eval", "--model", run.string(), "--data", data.string(), "--run-dir", evalRun.string(),
                      "--device", "cpu", "--threads", "1", "--progress", "none"},
                     log),
              0)
        << readTextFile(log);
    EXPECT_TRUE(fs::exists(evalRun / "eval.json"));
    EXPECT_EQ(nlohmann::json::parse(readTextFile(evalRun / "run.json"))["kind"], "eval");
    EXPECT_EQ(nlohmann::json::parse(readTextFile(evalRun / "run.json"))["end"]["status"], "finished");
    EXPECT_EQ(nlohmann::json::parse(readTextFile(run / "run.json"))["kind"], "train");
    // A bad split name is a usage error; "test" exists only for Stage II benchmarks.
    EXPECT_EQ(runCli({"eval", "--model", run.string(), "--data", data.string(), "--split", "bogus"}, log), 2);
    EXPECT_EQ(runCli({"eval", "--model", run.string(), "--data", data.string(), "--split", "test"}, log), 1);
    EXPECT_NE(readTextFile(log).find("needs a Stage II run"), std::string::npos) << readTextFile(log);
}

TEST(EvalCli, ScoresAStageTwoRunOnItsBenchmark) {
    synthforge::testutil::TempDir dir;
    const fs::path log = dir.path / "log.txt", ds = dir.path / "ds", stage1 = dir.path / "stage1",
                   lapa = dir.path / "LaPa", run = dir.path / "run2";
    ASSERT_EQ(runCli({"generate", "--count", "6", "--size", "64", "--seed", "4", "--out", ds.string(), "--progress",
                      "none", "--workers", "2"},
                     log),
              0)
        << readTextFile(log);
    ASSERT_EQ(runCli({"train", "--data", ds.string(), "--preset", "small", "--out", stage1.string(), "--epochs", "1",
                      "--batch", "2", "--size", "64", "--device", "cpu", "--threads", "1", "--progress", "none"},
                     log),
              0)
        << readTextFile(log);
    synthforge::testutil::writeLapaFixture(lapa, 4, 1);
    ASSERT_EQ(runCli({"finetune", "--data", lapa.string(), "--format", "lapa", "--stage1", stage1.string(), "--out",
                      run.string(), "--epochs", "1", "--batch", "2", "--size", "64", "--device", "cpu", "--threads",
                      "1", "--progress", "none"},
                     log),
              0)
        << readTextFile(log);

    ASSERT_EQ(runCli({"eval", "--model", run.string(), "--data", lapa.string(), "--device", "cpu", "--threads", "1",
                      "--progress", "none"},
                     log),
              0)
        << readTextFile(log);
    const std::string printed = readTextFile(log);
    EXPECT_NE(printed.find("Stage II lapa"), std::string::npos) << printed;
    EXPECT_NE(printed.find("106 points"), std::string::npos) << printed;
    const auto j = nlohmann::json::parse(readTextFile(run / "eval.json"));
    EXPECT_EQ(j["stage"], "II");
    EXPECT_EQ(j["dataset_format"], "lapa");
    EXPECT_EQ(j["split"], "val");  // LaPa's val/ folder
    EXPECT_EQ(j["samples"], 1);
    EXPECT_EQ(j["num_landmarks"], 106);
    EXPECT_EQ(j["nme_normalizer"], "outer_eye_corners_66_79");
    EXPECT_TRUE(j["nme_mean"].is_number());
    ASSERT_EQ(j["classes"].size(), 11u);
    EXPECT_EQ(j["classes"][0]["name"], "background");
    EXPECT_TRUE(j["depth_l1_face"].is_null());

    // A 300-W folder for a LaPa run: exit 1, the expected format named.
    synthforge::testutil::write300WFixture(dir.path / "w300", 3);
    EXPECT_EQ(runCli({"eval", "--model", run.string(), "--data", (dir.path / "w300").string(), "--device", "cpu",
                      "--progress", "none"},
                     log),
              1);
    EXPECT_NE(readTextFile(log).find("not a lapa dataset"), std::string::npos) << readTextFile(log);
}

TEST(EvalCli, ScoresAStageOneRunZeroShotOnA300WFolder) {
    synthforge::testutil::TempDir dir;
    const fs::path log = dir.path / "log.txt", ds = dir.path / "ds", run = dir.path / "stage1",
                   w300 = dir.path / "300W_release";
    ASSERT_EQ(runCli({"generate", "--count", "6", "--size", "64", "--seed", "5", "--out", ds.string(), "--progress",
                      "none", "--workers", "2"},
                     log),
              0)
        << readTextFile(log);
    ASSERT_EQ(runCli({"train", "--data", ds.string(), "--preset", "small", "--out", run.string(), "--epochs", "1",
                      "--batch", "2", "--size", "64", "--device", "cpu", "--threads", "1", "--progress", "none"},
                     log),
              0)
        << readTextFile(log);
    synthforge::testutil::write300WReleaseFixture(w300);

    // No --format: the folder's .pts files say 300-W, the run is Stage I.
    ASSERT_EQ(runCli({"eval", "--model", run.string(), "--data", w300.string(), "--device", "cpu", "--threads", "1",
                      "--progress", "none"},
                     log),
              0)
        << readTextFile(log);
    const std::string printed = readTextFile(log);
    EXPECT_NE(printed.find("Stage I zero-shot on 300w"), std::string::npos) << printed;
    EXPECT_NE(printed.find("challenging"), std::string::npos) << printed;
    EXPECT_NE(printed.find("without the jaw contour"), std::string::npos) << printed;
    const auto j = nlohmann::json::parse(readTextFile(run / "eval.json"));
    EXPECT_EQ(j["format"], "synthforge-eval");
    EXPECT_EQ(j["stage"], "I");
    EXPECT_EQ(j["zero_shot"], true);
    EXPECT_EQ(j["dataset_format"], "300w");
    EXPECT_EQ(j["split"], "test");
    EXPECT_EQ(j["samples"], 5);
    EXPECT_EQ(j["size"], 64);
    EXPECT_EQ(j["num_landmarks"], 68);
    EXPECT_EQ(j["nme_normalizer"], "outer_eye_corners_36_45");
    EXPECT_TRUE(j["nme_mean"].is_number());
    EXPECT_TRUE(j["auc"].is_number());
    EXPECT_TRUE(j["failure_rate"].is_number());
    ASSERT_EQ(j["nme_subsets"].size(), 4u);
    EXPECT_EQ(j["nme_subsets"][0]["name"], "common");
    EXPECT_EQ(j["nme_subsets"][3]["name"], "private");
    EXPECT_EQ(j["landmark_mapping"]["to"], "ibug-68");
    EXPECT_EQ(j["nme_without_contour"]["count"], 51);
    EXPECT_EQ(j["class_mapping"]["scored"], false);
    // The framing was measured on the run's own renders (config.json's data).
    EXPECT_EQ(j["framing"]["source"], "training_data");
    EXPECT_EQ(j["framing"]["samples_measured"], 6);
    EXPECT_TRUE(j["classes"].empty());
    EXPECT_TRUE(j["depth_l1_face"].is_null());

    // The wrong --format, and a folder in no known format: exit 1, saying why.
    EXPECT_EQ(runCli({"eval", "--model", run.string(), "--data", w300.string(), "--format", "lapa", "--device", "cpu",
                      "--progress", "none"},
                     log),
              1);
    EXPECT_NE(readTextFile(log).find("not a lapa dataset"), std::string::npos) << readTextFile(log);
    fs::create_directories(dir.path / "odd");
    EXPECT_EQ(runCli({"eval", "--model", run.string(), "--data", (dir.path / "odd").string(), "--device", "cpu",
                      "--progress", "none"},
                     log),
              1);
    EXPECT_NE(readTextFile(log).find("not a dataset in a known format"), std::string::npos) << readTextFile(log);
    EXPECT_EQ(runCli({"eval", "--model", run.string(), "--data", w300.string(), "--format", "coco"}, log), 2);
}

TEST(EvalCli, MissingRunOrDataIsExitOne) {
    synthforge::testutil::TempDir dir;
    const fs::path log = dir.path / "log.txt";
    EXPECT_EQ(runCli({"eval", "--model", (dir.path / "nope").string(), "--data", dir.path.string(), "--progress",
                      "none"},
                     log),
              1);
    EXPECT_NE(readTextFile(log).find("nope"), std::string::npos) << readTextFile(log);

    fs::create_directories(dir.path / "emptyrun");
    EXPECT_EQ(runCli({"eval", "--model", (dir.path / "emptyrun").string(), "--data", dir.path.string(),
                      "--progress", "none"},
                     log),
              1);
    EXPECT_NE(readTextFile(log).find("final.safetensors"), std::string::npos) << readTextFile(log);
}

}  // namespace
