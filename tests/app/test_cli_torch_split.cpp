// The CLI is two executables: `synthforge` (no LibTorch) and
// `synthforge-torch` (train, finetune, eval, predict), which the front end execs. A
// user must not see the seam: help lists every command, torch commands keep
// their help, usage errors and exit codes, and a missing torch executable is
// a clear error that names where it was looked for.

#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/child_process.h"
#include "tests/support/fixtures.h"

namespace fs = std::filesystem;

namespace {

using synthforge::testutil::readTextFile;
using synthforge::testutil::TempDir;

struct Outcome {
    int code = -1;
    std::string out, err;
};

/// Runs `exe` with `args` (argv[0] = exe); stdout and stderr are captured.
Outcome runProgram(const std::string& exe, const std::vector<std::string>& args, const TempDir& dir) {
    const fs::path outFile = dir.path / "stdout", errFile = dir.path / "stderr";
    const pid_t pid = fork();
    if (pid == 0) {
        const int out = ::open(outFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int err = ::open(errFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (out < 0 || err < 0) _exit(126);
        dup2(out, 1);
        dup2(err, 2);
        std::vector<char*> argv{const_cast<char*>(exe.c_str())};
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        execv(exe.c_str(), argv.data());
        _exit(127);
    }
    Outcome r;
    r.code = synthforge::testutil::waitForExit(pid);
    r.out = readTextFile(outFile);
    r.err = readTextFile(errFile);
    return r;
}

Outcome cli(const std::vector<std::string>& args, const TempDir& dir) { return runProgram(SYNTHFORGE_CLI, args, dir); }

std::string torchExecutable() { return (fs::path(SYNTHFORGE_CLI).parent_path() / "synthforge-torch").string(); }

std::string ldd(const std::string& exe, const TempDir& dir) {
    const Outcome r = runProgram("/usr/bin/ldd", {exe}, dir);
    EXPECT_EQ(r.code, 0) << r.err;
    return r.out;
}

TEST(CliTorchSplit, OnlyTheTorchExecutableLinksLibTorch) {
    TempDir dir;
    const std::string front = ldd(SYNTHFORGE_CLI, dir);
    EXPECT_NE(front.find("libopencv_core"), std::string::npos) << "ldd lists the front end's libraries:\n" << front;
    EXPECT_EQ(front.find("libtorch"), std::string::npos) << front;
    EXPECT_EQ(front.find("libc10"), std::string::npos) << front;
    EXPECT_NE(ldd(torchExecutable(), dir).find("libtorch_cpu"), std::string::npos);
}

TEST(CliTorchSplit, HelpListsEveryCommand) {
    TempDir dir;
    const Outcome r = cli({"--help"}, dir);
    ASSERT_EQ(r.code, 0) << r.err;
    for (const char* text : {"head", "generate", "render", "train", "finetune", "eval", "predict",
                             "Train the Stage I multi-task network on a generated dataset",
                             "Stage II: train label heads on a real benchmark over a frozen Stage I network",
                             "Evaluate a trained run (NME, per-class F1/IoU, depth L1) on a dataset",
                             "Run a trained network on your own images"})
        EXPECT_NE(r.out.find(text), std::string::npos) << text << " missing from:\n" << r.out;
}

TEST(CliTorchSplit, TorchCommandsKeepTheirHelpAndUsage) {
    TempDir dir;
    const Outcome train = cli({"train", "--help"}, dir);
    ASSERT_EQ(train.code, 0) << train.err;
    EXPECT_NE(train.out.find("--preset"), std::string::npos) << train.out;
    EXPECT_NE(train.out.find("--resume"), std::string::npos) << train.out;
    // Usage lines name the command the user typed, not the torch executable.
    EXPECT_NE(train.out.find(std::string(SYNTHFORGE_CLI) + " train"), std::string::npos) << train.out;
    EXPECT_EQ(train.out.find("synthforge-torch"), std::string::npos) << train.out;

    const Outcome predict = cli({"predict", "--help"}, dir);
    ASSERT_EQ(predict.code, 0) << predict.err;
    EXPECT_NE(predict.out.find("--cascade"), std::string::npos) << predict.out;
    EXPECT_NE(predict.out.find(std::string(SYNTHFORGE_CLI) + " predict"), std::string::npos) << predict.out;
    const Outcome eval = cli({"eval", "--help"}, dir);
    ASSERT_EQ(eval.code, 0) << eval.err;
    EXPECT_NE(eval.out.find("--split"), std::string::npos) << eval.out;

    const Outcome missing = cli({"train", "--data", dir.file("none")}, dir);
    EXPECT_EQ(missing.code, 2) << "a missing required option is a usage error:\n" << missing.err;
    EXPECT_NE(missing.err.find("--out"), std::string::npos) << missing.err;
    const Outcome badValue = cli({"finetune", "--data", "d", "--format", "lapa", "--stage1", "s", "--out", "o",
                              "--epochs", "0"}, dir);
    EXPECT_EQ(badValue.code, 2) << badValue.err;
    const Outcome unknown = cli({"eval", "--no-such-option"}, dir);
    EXPECT_EQ(unknown.code, 2) << unknown.err;
}

TEST(CliTorchSplit, FailuresInTheTorchExecutableExitWithOne) {
    TempDir dir;
    const Outcome r = cli({"eval", "--model", dir.file("no_run"), "--data", dir.path.string(), "--progress", "none"}, dir);
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_NE(r.err.find("no_run"), std::string::npos) << r.err;
}

TEST(CliTorchSplit, BothExecutablesReportTheSameVersion) {
    TempDir dir;
    const Outcome front = cli({"--version"}, dir);
    const Outcome torch = runProgram(torchExecutable(), {"--version"}, dir);
    ASSERT_EQ(front.code, 0);
    ASSERT_EQ(torch.code, 0);
    EXPECT_EQ(front.out, torch.out);
    EXPECT_EQ(front.out.rfind("synthforge ", 0), 0u) << front.out;
}

TEST(CliTorchSplit, CtrlCStopsATrainingRunWithACheckpoint) {
    // The front end execs in place (same pid), so the signal the terminal
    // sends to `synthforge` reaches the training loop.
    TempDir dir;
    const fs::path err = dir.path / "err.txt", data = dir.path / "ds", run = dir.path / "run";
    using synthforge::testutil::startCli;
    using synthforge::testutil::waitForExit;
    ASSERT_EQ(waitForExit(startCli({"generate", "--count", "6", "--size", "64", "--seed", "4", "--out", data.string(),
                                    "--progress", "none"},
                                   err)),
              0)
        << readTextFile(err);
    const pid_t pid = startCli({"train", "--data", data.string(), "--preset", "small", "--out", run.string(),
                                "--epochs", "1000", "--batch", "2", "--size", "64", "--device", "cpu", "--threads", "1",
                                "--checkpoint-every", "1", "--progress", "none"},
                               err);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (!fs::exists(run / "checkpoints" / "step_00000001.pt") && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    kill(pid, SIGINT);
    EXPECT_EQ(waitForExit(pid), 130) << readTextFile(err);
    EXPECT_NE(readTextFile(err).find("stopped: a checkpoint of the current step is in"), std::string::npos)
        << readTextFile(err);
}

TEST(CliTorchSplit, AMissingTorchExecutableIsAClearError) {
    TempDir dir;
    // A front end copied alone: its own commands work, torch ones name the
    // file they need.
    const fs::path lone = dir.path / "bin" / "synthforge";
    fs::create_directories(lone.parent_path());
    fs::copy_file(SYNTHFORGE_CLI, lone);
    const Outcome version = runProgram(lone.string(), {"--version"}, dir);
    EXPECT_EQ(version.code, 0) << version.err;
    const Outcome train = runProgram(lone.string(), {"train", "--help"}, dir);
    EXPECT_EQ(train.code, 1) << train.err;
    const std::string expected = (lone.parent_path() / "synthforge-torch").string();
    EXPECT_NE(train.err.find(expected), std::string::npos) << "the error must name " << expected << ":\n" << train.err;
    EXPECT_EQ(train.out, "");
}

}  // namespace
