// `synthforge eval` as a user runs it: a 4-step run trained by the CLI is
// evaluated on its dataset (table on stdout, JSON written), and a missing
// run directory is exit code 1 naming it.

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

#include "tests/support/fixtures.h"

namespace fs = std::filesystem;

namespace {

/// Runs the CLI with stdout and stderr in `outFile`; returns the exit code (-1 if not exited).
int runCli(const std::vector<std::string>& args, const fs::path& outFile) {
    const pid_t pid = fork();
    if (pid == 0) {
        const int fd = ::open(outFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) dup2(fd, 1), dup2(fd, 2);
        std::vector<char*> argv{const_cast<char*>(SYNTHFORGE_CLI)};
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        execv(SYNTHFORGE_CLI, argv.data());
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string readText(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

TEST(EvalCli, EvaluatesATrainedRunAndWritesJson) {
    synthforge::testutil::TempDir dir;
    const fs::path log = dir.path / "log.txt", data = dir.path / "ds", run = dir.path / "run";
    ASSERT_EQ(runCli({"generate", "--count", "10", "--size", "64", "--seed", "2", "--out", data.string(),
                      "--progress", "none", "--workers", "2"},
                     log),
              0)
        << readText(log);
    // 10 samples: 1 validates, 9 train; batch 2 -> 4 steps.
    ASSERT_EQ(runCli({"train", "--data", data.string(), "--preset", "small", "--out", run.string(), "--epochs", "1",
                      "--batch", "2", "--size", "64", "--seed", "1", "--device", "cpu", "--threads", "1",
                      "--progress", "none"},
                     log),
              0)
        << readText(log);

    ASSERT_EQ(runCli({"eval", "--model", run.string(), "--data", data.string(), "--device", "cpu", "--threads", "1",
                      "--progress", "none"},
                     log),
              0)
        << readText(log);
    const std::string printed = readText(log);
    EXPECT_NE(printed.find("NME"), std::string::npos) << printed;
    EXPECT_NE(printed.find("background"), std::string::npos) << "class names from the manifest\n" << printed;

    const auto j = nlohmann::json::parse(readText(run / "eval.json"));
    ASSERT_TRUE(j.contains("nme_mean"));
    EXPECT_TRUE(j["nme_mean"].is_number());
    EXPECT_EQ(j["size"], 64);  // from the run's config.json
    EXPECT_EQ(j["samples"], 10);
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
        << readText(log);
    EXPECT_EQ(nlohmann::json::parse(readText(other))["size"], 128);
}

TEST(EvalCli, MissingRunOrDataIsExitOne) {
    synthforge::testutil::TempDir dir;
    const fs::path log = dir.path / "log.txt";
    EXPECT_EQ(runCli({"eval", "--model", (dir.path / "nope").string(), "--data", dir.path.string(), "--progress",
                      "none"},
                     log),
              1);
    EXPECT_NE(readText(log).find("nope"), std::string::npos) << readText(log);

    fs::create_directories(dir.path / "emptyrun");
    EXPECT_EQ(runCli({"eval", "--model", (dir.path / "emptyrun").string(), "--data", dir.path.string(),
                      "--progress", "none"},
                     log),
              1);
    EXPECT_NE(readText(log).find("final.safetensors"), std::string::npos) << readText(log);
}

}  // namespace
