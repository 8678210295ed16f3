// `synthforge finetune` as a user runs it: a Stage I run made by the CLI
// (generate + train), then Stage II on a tiny LaPa fixture in a child
// process; a child killed after its first checkpoint resumes from its newest
// checkpoint (it says so; metrics.csv holds each step once) to the bytes of
// an uninterrupted run; bad input exits 1 with a message naming the problem.

#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/benchmark_fixtures.h"
#include "tests/support/child_process.h"
#include "tests/support/fixtures.h"
#include "tests/support/run_dir_files.h"

namespace fs = std::filesystem;

namespace {

using synthforge::testutil::readTextFile;

int run(const std::vector<std::string>& args, const fs::path& err) {
    return synthforge::testutil::waitForExit(synthforge::testutil::startCli(args, err, err));
}

std::vector<std::string> finetuneArgs(const fs::path& data, const fs::path& stage1, const fs::path& out) {
    // 4 training faces, batch 2: 2 steps per epoch, 6 steps.
    return {"finetune", "--data", data.string(), "--format", "lapa", "--stage1", stage1.string(), "--out",
            out.string(), "--epochs", "3", "--batch", "2", "--size", "64", "--seed", "3", "--device", "cpu",
            "--threads", "1", "--checkpoint-every", "1", "--progress", "none", "--augment", "default",
            "--workers", "2", "--prefetch", "2", "--image-every", "3"};
}

TEST(FinetuneCli, RunsResumesAfterAKillAndRefusesBadInput) {
    synthforge::testutil::TempDir dir;
    const fs::path err = dir.path / "err.txt", ds = dir.path / "ds", stage1 = dir.path / "stage1";
    ASSERT_EQ(run({"generate", "--count", "6", "--size", "64", "--seed", "4", "--out", ds.string(), "--progress",
                   "none", "--workers", "2"},
                  err),
              0)
        << readTextFile(err);
    ASSERT_EQ(run({"train", "--data", ds.string(), "--preset", "small", "--out", stage1.string(), "--epochs", "1",
                   "--batch", "2", "--size", "64", "--device", "cpu", "--threads", "1", "--progress", "none"},
                  err),
              0)
        << readTextFile(err);
    const fs::path lapa = dir.path / "LaPa";
    synthforge::testutil::writeLapaFixture(lapa, 4, 1);
    const std::string stage1Bytes = readTextFile(stage1 / "final.safetensors");

    const fs::path whole = dir.path / "whole";
    ASSERT_EQ(run(finetuneArgs(lapa, stage1, whole), err), 0) << readTextFile(err);
    EXPECT_NE(readTextFile(err).find("fine-tuned 6 steps on 4 samples (1 validate"), std::string::npos)
        << readTextFile(err);
    for (const char* f : {"config.json", "metrics.csv", "final.safetensors", "checkpoints/best.pt"})
        EXPECT_TRUE(fs::exists(whole / f)) << f;
    EXPECT_NE(readTextFile(whole / "config.json").find("synthforge-augment"), std::string::npos);

    const fs::path killed = dir.path / "killed";
    int code = 0;
    const std::int64_t checkpointStep =
        synthforge::testutil::killAfterFirstCheckpoint(finetuneArgs(lapa, stage1, killed), killed, err, &code);
    EXPECT_EQ(code, -SIGKILL) << "the run ended before the kill";
    ASSERT_GE(checkpointStep, 1);
    ASSERT_LT(checkpointStep, 6) << "the killed run had finished training";
    auto resume = finetuneArgs(lapa, stage1, killed);
    resume.push_back("--resume");
    ASSERT_EQ(run(resume, err), 0) << readTextFile(err);
    // The resumed process started from the newest checkpoint, not from step 0.
    EXPECT_NE(readTextFile(err).find("fine-tuned 6 steps on 4 samples (1 validate"), std::string::npos)
        << readTextFile(err);
    EXPECT_NE(readTextFile(err).find(", resumed from step " + std::to_string(checkpointStep) + ","), std::string::npos)
        << readTextFile(err);
    EXPECT_EQ(synthforge::testutil::metricsSteps(killed / "metrics.csv"), synthforge::testutil::stepsUpTo(6));
    EXPECT_EQ(readTextFile(killed / "metrics.csv"), readTextFile(whole / "metrics.csv"));
    EXPECT_TRUE(readTextFile(killed / "final.safetensors") == readTextFile(whole / "final.safetensors"))
        << "final weights differ";
    EXPECT_TRUE(readTextFile(stage1 / "final.safetensors") == stage1Bytes) << "Stage I weights changed";

    // Bad input: exit 1 and a message that names the problem.
    const auto expectFailure = [&](std::vector<std::string> args, const std::string& words) {
        EXPECT_EQ(run(args, err), 1) << readTextFile(err);
        EXPECT_NE(readTextFile(err).find(words), std::string::npos) << readTextFile(err);
    };
    expectFailure(finetuneArgs(lapa, dir.path / "no_stage1", dir.path / "a"), "missing Stage I weights");
    auto classes = finetuneArgs(lapa, stage1, dir.path / "b");
    classes.insert(classes.end(), {"--classes", "19"});
    expectFailure(classes, "lapa has 11 classes");
    auto format = finetuneArgs(lapa, stage1, dir.path / "c");
    format[4] = "lapa2";
    expectFailure(format, "is not one of 300w, lapa, celebamask-hq");
    fs::create_directories(dir.path / "empty");
    expectFailure(finetuneArgs(dir.path / "empty", stage1, dir.path / "d"), "no LaPa split");
    auto other = finetuneArgs(lapa, stage1, whole);
    other.insert(other.end(), {"--resume", "--lr", "0.5"});
    expectFailure(other, "other settings (optimizer)");
    expectFailure(finetuneArgs(lapa, stage1, whole), "--resume");
    EXPECT_FALSE(fs::exists(dir.path / "a") || fs::exists(dir.path / "b") || fs::exists(dir.path / "d"));
    EXPECT_EQ(run({"finetune", "--data", lapa.string()}, err), 2) << "missing required options are usage errors";
}

}  // namespace
