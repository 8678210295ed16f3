// `synthforge train` as a user runs it: a real child killed with SIGKILL
// once its first checkpoint exists, then continued with --resume, must end
// with the metrics.csv and final weights of an uninterrupted run.

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

#include "tests/support/fixtures.h"

namespace fs = std::filesystem;

namespace {

pid_t start(const std::vector<std::string>& args, const fs::path& errFile) {
    const pid_t pid = fork();
    if (pid == 0) {
        const int fd = ::open(errFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) dup2(fd, 2);
        const int devnull = ::open("/dev/null", O_WRONLY);
        if (devnull >= 0) dup2(devnull, 1);
        std::vector<char*> argv{const_cast<char*>(SYNTHFORGE_CLI)};
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        execv(SYNTHFORGE_CLI, argv.data());
        _exit(127);
    }
    return pid;
}

std::string readText(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

/// Exit code, or -signal.
int finish(pid_t pid) {
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

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
        << readText(err);

    ASSERT_EQ(finish(start(trainArgs(data, dir.path / "whole"), err)), 0) << readText(err);

    const fs::path killed = dir.path / "killed";
    const pid_t pid = start(trainArgs(data, killed), err);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!fs::exists(killed / "checkpoints" / "step_00000001.pt") && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    kill(pid, SIGKILL);
    const int code = finish(pid);
    EXPECT_EQ(code, -SIGKILL) << "the run ended before the kill; the test proved nothing";
    EXPECT_FALSE(fs::exists(killed / "final.safetensors"));

    std::vector<std::string> resume = trainArgs(data, killed);
    resume.push_back("--resume");
    ASSERT_EQ(finish(start(resume, err)), 0) << readText(err);
    EXPECT_EQ(readText(killed / "metrics.csv"), readText(dir.path / "whole" / "metrics.csv"));
    EXPECT_TRUE(readText(killed / "final.safetensors") == readText(dir.path / "whole" / "final.safetensors"))
        << "final weights differ";

    // Without --resume the finished run is refused, and nothing changes.
    EXPECT_EQ(finish(start(trainArgs(data, killed), err)), 1);
    EXPECT_NE(readText(err).find("--resume"), std::string::npos) << readText(err);
}

}  // namespace
