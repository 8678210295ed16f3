#pragma once
// What a training run directory holds, read the way a test of a killed and
// resumed CLI run needs it: the newest step checkpoint (the step a resume
// must start from) and the step column of metrics.csv (each step once, in
// order, when the resume continued instead of starting over). No torch.

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/child_process.h"  // readTextFile

namespace synthforge::testutil {

/// The highest N of `<runDir>/checkpoints/step_NNNNNNNN.pt`; -1 when there is none.
inline std::int64_t latestCheckpointStep(const std::filesystem::path& runDir) {
    std::int64_t latest = -1;
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator(runDir / "checkpoints", ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
        const std::string name = it->path().filename().string();
        // step_ + 8 digits + .pt; anything else (best.pt, temporaries) is not a step checkpoint
        if (name.size() != 16 || name.rfind("step_", 0) != 0 || name.substr(13) != ".pt") continue;
        const std::string digits = name.substr(5, 8);
        if (digits.find_first_not_of("0123456789") != std::string::npos) continue;
        latest = std::max<std::int64_t>(latest, std::stoll(digits));
    }
    return latest;
}

/// The first column (step) of each row of a metrics.csv, header skipped.
inline std::vector<std::int64_t> metricsSteps(const std::filesystem::path& csv) {
    std::istringstream in(readTextFile(csv));
    std::string line;
    std::getline(in, line);  // header
    std::vector<std::int64_t> steps;
    while (std::getline(in, line))
        if (!line.empty()) steps.push_back(std::stoll(line.substr(0, line.find(','))));
    return steps;
}

/// 1, 2, ..., n.
inline std::vector<std::int64_t> stepsUpTo(std::int64_t n) {
    std::vector<std::int64_t> s;
    for (std::int64_t i = 1; i <= n; ++i) s.push_back(i);
    return s;
}

/// Starts the CLI with `args` (stderr to `err`), waits up to a minute for
/// its first step checkpoint in `runDir`, kills it with SIGKILL and returns
/// the newest checkpoint step it left (-1: none). `exitCode` gets what the
/// child ended with (-SIGKILL when the kill, not the run's end, stopped it).
inline std::int64_t killAfterFirstCheckpoint(const std::vector<std::string>& args, const std::filesystem::path& runDir,
                                             const std::filesystem::path& err, int* exitCode) {
    const pid_t pid = startCli(args, err);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!std::filesystem::exists(runDir / "checkpoints" / "step_00000001.pt") &&
           std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    kill(pid, SIGKILL);
    *exitCode = waitForExit(pid);
    return latestCheckpointStep(runDir);
}

}  // namespace synthforge::testutil
