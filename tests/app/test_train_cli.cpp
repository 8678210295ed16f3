// `synthforge train` as a user runs it: a real child killed with SIGKILL
// once its first checkpoint exists, then continued with --resume, must
// continue from its newest checkpoint (it says so, and metrics.csv holds
// each step once) and end with the metrics.csv and final weights of an
// uninterrupted run.

#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/child_process.h"
#include "tests/support/fixtures.h"
#include "tests/support/run_dir_files.h"

namespace fs = std::filesystem;

namespace {

using synthforge::testutil::readTextFile;

pid_t start(const std::vector<std::string>& args, const fs::path& errFile) { return synthforge::testutil::startCli(args, errFile); }
int finish(pid_t pid) { return synthforge::testutil::waitForExit(pid); }

std::vector<std::string> trainArgs(const fs::path& data, const fs::path& out) {
    // 12 samples: 2 validate, 10 train; batch 2 -> 5 steps per epoch, 10 steps.
    return {"train", "--data", data.string(), "--preset", "small", "--out", out.string(), "--epochs", "2",
            "--batch", "2", "--size", "64", "--seed", "9", "--device", "cpu", "--threads", "1",
            "--checkpoint-every", "1", "--progress", "none"};
}

TEST(TrainCli, KilledAfterACheckpointAndResumedEndsIdentical) {
    synthforge::testutil::TempDir dir;
    const fs::path err = dir.path / "err.txt", data = dir.path / "ds";
    ASSERT_EQ(finish(start({"generate", "--count", "12", "--size", "64", "--seed", "4", "--out", data.string(),
                            "--progress", "none", "--workers", "2"},
                           err)),
              0)
        << readTextFile(err);

    ASSERT_EQ(finish(start(trainArgs(data, dir.path / "whole"), err)), 0) << readTextFile(err);

    const fs::path killed = dir.path / "killed";
    int code = 0;
    const std::int64_t checkpointStep =
        synthforge::testutil::killAfterFirstCheckpoint(trainArgs(data, killed), killed, err, &code);
    EXPECT_EQ(code, -SIGKILL) << "the run ended before the kill; the test proved nothing";
    EXPECT_FALSE(fs::exists(killed / "final.safetensors"));

    ASSERT_GE(checkpointStep, 1);
    ASSERT_LT(checkpointStep, 10) << "the killed run had finished training";

    std::vector<std::string> resume = trainArgs(data, killed);
    resume.push_back("--resume");
    const fs::path said = dir.path / "resumed_stdout.txt";
    ASSERT_EQ(finish(synthforge::testutil::startCli(resume, err, said)), 0) << readTextFile(err);
    // The resumed process started from the newest checkpoint, not from step 0.
    EXPECT_NE(readTextFile(said).find("trained 10 steps (resumed from step " + std::to_string(checkpointStep) + ")"),
              std::string::npos)
        << readTextFile(said);
    EXPECT_EQ(synthforge::testutil::metricsSteps(killed / "metrics.csv"), synthforge::testutil::stepsUpTo(10));
    EXPECT_EQ(readTextFile(killed / "metrics.csv"), readTextFile(dir.path / "whole" / "metrics.csv"));
    EXPECT_TRUE(readTextFile(killed / "final.safetensors") == readTextFile(dir.path / "whole" / "final.safetensors"))
        << "final weights differ";

    // Without --resume the finished run is refused, and nothing changes.
    EXPECT_EQ(finish(start(trainArgs(data, killed), err)), 1);
    EXPECT_NE(readTextFile(err).find("--resume"), std::string::npos) << readTextFile(err);
}

}  // namespace
