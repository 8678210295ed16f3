// Data-parallel `synthforge train` with real processes on 127.0.0.1 (Gloo),
// as torchrun or `synthforge launch` start them (docs/distributed.md):
//  - two ranks with batch b and synchronised BatchNorm end with the weights
//    of one process with batch 2b after 2 steps, to 1e-5, and rank 1 writes
//    nothing (fr train the same after 8 SGD steps);
//  - a rank killed with SIGKILL makes the other exit with a clear error
//    well within the timeout, and the run resumed with `synthforge launch`
//    ends identical to an uninterrupted two-rank run;
//  - a rank that hangs makes the other fail at --dist-timeout;
//  - a bad environment is refused naming the variable.
// The losses are the ones that are means over samples (segmentation
// cross-entropy, landmarks, heatmaps): dice, class balance and the depth
// mask's mean are batch-level, so ranks averaging their own means equals
// the global batch only in expectation (as with DistributedDataParallel);
// the equivariance term draws per rank. Adam's eps is 1e-3 and the rate
// 1e-4: Adam's first steps are lr x sign(g), so parameters whose exact
// gradient is zero (the heatmap logits' per-landmark bias: a softmax is
// shift invariant) would otherwise step by +-lr on rounding noise, and
// this network amplifies rounding step by step (one process with 1 and
// with 2 threads differs by 1e-3 after 4 steps at 3e-4).

#include <gtest/gtest.h>

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/io/safetensors.h"
#include "tests/support/benchmark_fixtures.h"
#include "tests/support/child_process.h"
#include "tests/support/fixtures.h"
#include "tests/support/rank_process.h"
#include "tests/support/run_dir_files.h"

namespace fs = std::filesystem;
using synthforge::testutil::readTextFile;
using Clock = std::chrono::steady_clock;

namespace {

/// 12 samples: 2 validate, 10 train.
fs::path makeDataset(const fs::path& dir) {
    const fs::path data = dir / "ds", err = dir / "generate.err";
    const int rc = synthforge::testutil::waitForExit(synthforge::testutil::startCli(
        {"generate", "--count", "12", "--size", "64", "--seed", "4", "--out", data.string(), "--progress", "none",
         "--workers", "2"},
        err));
    EXPECT_EQ(rc, 0) << readTextFile(err);
    return data;
}

std::vector<std::string> trainArgs(const fs::path& data, const fs::path& out, int batch, int epochs,
                                   std::vector<std::string> extra = {}, const std::string& timeout = "30") {
    std::vector<std::string> a{SYNTHFORGE_CLI, "train", "--data", data.string(), "--out", out.string(),
                               "--preset", "small", "--size", "64", "--epochs", std::to_string(epochs),
                               "--batch", std::to_string(batch), "--seed", "9", "--lr", "0.0001", "--eps", "0.001",
                               "--warmup", "0", "--schedule", "constant",
                               "--w-dice", "0", "--seg-class-balance", "0", "--w-depth", "0",
                               "--w-equivariance", "0", "--augment", "none", "--device", "cpu", "--threads", "1",
                               "--progress", "none", "--dist-timeout", timeout};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
}

/// Starts the ranks (rank r runs argvOf(r)) and returns their pids.
std::vector<pid_t> startRanks(int world, const std::function<std::vector<std::string>(int)>& argvOf,
                              const fs::path& dir, const std::string& tag) {
    const int port = synthforge::testutil::freeLoopbackPort();
    std::vector<pid_t> pids;
    for (int r = 0; r < world; ++r)
        pids.push_back(synthforge::testutil::startRankProcess(r, world, port, argvOf(r),
                                                              dir / (tag + std::to_string(r) + ".err")));
    return pids;
}

int waitRank(pid_t pid) { return synthforge::testutil::waitAtMost(pid, std::chrono::minutes(5)); }

/// The largest difference over every tensor of two weight files (which
/// must hold the same names and shapes), absolute for values up to 1 and
/// relative above (BatchNorm's running variances reach the hundreds).
double maxDifference(const fs::path& a, const fs::path& b) {
    const auto fa = synthforge::io::loadSafetensorsFile(a.string());
    const auto fb = synthforge::io::loadSafetensorsFile(b.string());
    EXPECT_EQ(fa.tensors.size(), fb.tensors.size());
    double worst = 0;
    for (const auto& [name, t] : fa.tensors) {
        const auto it = fb.tensors.find(name);
        if (it == fb.tensors.end() || it->second.shape != t.shape) {
            ADD_FAILURE() << name << " missing or reshaped in " << b;
            return INFINITY;
        }
        const std::vector<double> x = t.toDouble(), y = it->second.toDouble();
        for (size_t i = 0; i < x.size(); ++i)
            worst = std::max(worst, std::abs(x[i] - y[i]) / std::max(1.0, std::abs(x[i])));
    }
    return worst;
}

}  // namespace

TEST(DataParallelCli, TwoRanksWithSyncBatchNormMatchOneProcessAtTheGlobalBatch) {
    synthforge::testutil::TempDir dir;
    const fs::path data = makeDataset(dir.path);
    // One process, batch 4: 10 training samples -> 2 steps. Both sides run
    // synchronised BatchNorm's arithmetic (a group of one for the single
    // process): torch's fused kernel rounds differently, and this network's
    // gradients amplify rounding (docs/distributed.md, "Equivalence").
    const fs::path one = dir.path / "one";
    {
        const auto pids =
            startRanks(1, [&](int) { return trainArgs(data, one, 4, 1, {"--sync-batchnorm"}); }, dir.path, "one");
        ASSERT_EQ(waitRank(pids[0]), 0) << readTextFile(dir.path / "one0.err");
    }
    // Two ranks, batch 2 each. Rank 1 is given another --out: it must
    // write nothing there.
    const fs::path two = dir.path / "two", elsewhere = dir.path / "rank1_out";
    {
        const auto pids = startRanks(
            2,
            [&](int r) { return trainArgs(data, r == 0 ? two : elsewhere, 2, 1, {"--sync-batchnorm"}); },
            dir.path, "two");
        for (size_t r = 0; r < 2; ++r)
            ASSERT_EQ(waitRank(pids[r]), 0) << readTextFile(dir.path / ("two" + std::to_string(r) + ".err"));
    }
    EXPECT_FALSE(fs::exists(elsewhere)) << "rank 1 wrote files";
    EXPECT_EQ(synthforge::testutil::metricsSteps(two / "metrics.csv"), synthforge::testutil::stepsUpTo(2));
    EXPECT_LT(maxDifference(one / "final.safetensors", two / "final.safetensors"), 1e-5);
    EXPECT_NE(readTextFile(two / "config.json").find("\"sync_batchnorm\": true"), std::string::npos);

    // Per-rank BatchNorm (the default) normalises each half on its own, so
    // it does not match: the comparison above can fail.
    const fs::path perRank = dir.path / "per_rank";
    {
        const auto pids = startRanks(2, [&](int) { return trainArgs(data, perRank, 2, 1); }, dir.path, "per");
        for (size_t r = 0; r < 2; ++r)
            ASSERT_EQ(waitRank(pids[r]), 0) << readTextFile(dir.path / ("per" + std::to_string(r) + ".err"));
    }
    EXPECT_GT(maxDifference(one / "final.safetensors", perRank / "final.safetensors"), 1e-4);
}

TEST(DataParallelCli, AKilledRankFailsItsPeerAndTheResumedRunEndsIdentical) {
    synthforge::testutil::TempDir dir;
    const fs::path data = makeDataset(dir.path);
    // 10 training samples, 2 ranks x batch 1 -> 5 steps per epoch, 10 steps.
    const std::vector<std::string> every{"--checkpoint-every", "1", "--sync-batchnorm"};
    const fs::path whole = dir.path / "whole", killed = dir.path / "killed";
    {
        const auto pids = startRanks(2, [&](int) { return trainArgs(data, whole, 1, 2, every); }, dir.path, "whole");
        for (size_t r = 0; r < 2; ++r)
            ASSERT_EQ(waitRank(pids[r]), 0) << readTextFile(dir.path / ("whole" + std::to_string(r) + ".err"));
    }
    const auto pids = startRanks(2, [&](int) { return trainArgs(data, killed, 1, 2, every); }, dir.path, "killed");
    const auto deadline = Clock::now() + std::chrono::seconds(120);
    while (!fs::exists(killed / "checkpoints" / "step_00000001.pt") && Clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    kill(pids[1], SIGKILL);
    const auto killedAt = Clock::now();
    EXPECT_EQ(waitRank(pids[1]), -SIGKILL);
    // Rank 0 notices the closed connection at once (the timeout is 30 s).
    EXPECT_EQ(waitRank(pids[0]), 1);
    EXPECT_LT(Clock::now() - killedAt, std::chrono::seconds(20));
    const std::string err = readTextFile(dir.path / "killed0.err");
    EXPECT_NE(err.find("rank 0 of 2"), std::string::npos) << err;
    EXPECT_NE(err.find("127.0.0.1:"), std::string::npos) << err;
    const int64_t checkpoint = synthforge::testutil::latestCheckpointStep(killed);
    ASSERT_GE(checkpoint, 1);
    ASSERT_LT(checkpoint, 10) << "the run finished before the kill; the test proved nothing";
    EXPECT_FALSE(fs::exists(killed / "final.safetensors"));

    // Resumed with our launcher, as a user would.
    std::vector<std::string> resume{"launch", "--nproc", "2", "--master-port",
                                    std::to_string(synthforge::testutil::freeLoopbackPort()), "--"};
    const std::vector<std::string> args = trainArgs(data, killed, 1, 2, every);
    resume.insert(resume.end(), args.begin() + 1, args.end());
    resume.push_back("--resume");
    const fs::path said = dir.path / "resumed.txt", resumeErr = dir.path / "resumed.err";
    ASSERT_EQ(synthforge::testutil::waitForExit(synthforge::testutil::startCli(resume, resumeErr, said)), 0)
        << readTextFile(resumeErr);
    EXPECT_NE(readTextFile(said).find("resumed from step " + std::to_string(checkpoint)), std::string::npos)
        << readTextFile(said);
    EXPECT_EQ(readTextFile(killed / "metrics.csv"), readTextFile(whole / "metrics.csv"));
    EXPECT_TRUE(readTextFile(killed / "final.safetensors") == readTextFile(whole / "final.safetensors"))
        << "final weights differ";
}

TEST(DataParallelCli, AHungRankFailsItsPeerAtTheTimeout) {
    synthforge::testutil::TempDir dir;
    const fs::path data = makeDataset(dir.path);
    const fs::path out = dir.path / "hung";
    const auto pids = startRanks(
        2,
        [&](int) { return trainArgs(data, out, 1, 2, {"--checkpoint-every", "1", "--sync-batchnorm"}, "4"); },
        dir.path, "hung");
    const auto deadline = Clock::now() + std::chrono::seconds(120);
    while (!fs::exists(out / "checkpoints" / "step_00000001.pt") && Clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    kill(pids[1], SIGSTOP);  // alive, connected, silent
    const auto stoppedAt = Clock::now();
    EXPECT_EQ(synthforge::testutil::waitAtMost(pids[0], std::chrono::seconds(60)), 1);
    const auto waited = Clock::now() - stoppedAt;
    kill(pids[1], SIGKILL);
    synthforge::testutil::waitAtMost(pids[1], std::chrono::seconds(10));
    EXPECT_GE(waited, std::chrono::seconds(3));
    EXPECT_LT(waited, std::chrono::seconds(30));
    const std::string err = readTextFile(dir.path / "hung0.err");
    EXPECT_NE(err.find("4000 ms"), std::string::npos) << err;
}

TEST(DataParallelCli, ABadEnvironmentIsRefusedNamingTheVariable) {
    synthforge::testutil::TempDir dir;
    const fs::path data = dir.path / "missing_data";  // refused before the data is read
    const fs::path err = dir.path / "err.txt";
    // RANK 2 in a world of 2.
    pid_t pid = synthforge::testutil::startRankProcess(2, 2, 29500, trainArgs(data, dir.path / "a", 1, 1), err);
    EXPECT_NE(synthforge::testutil::waitAtMost(pid, std::chrono::seconds(60)), 0);
    EXPECT_NE(readTextFile(err).find("RANK"), std::string::npos) << readTextFile(err);
    // No MASTER_PORT.
    pid = synthforge::testutil::startRankProcess(1, 2, 29500, trainArgs(data, dir.path / "b", 1, 1), err, {},
                                                 {{"MASTER_PORT", ""}});
    EXPECT_NE(synthforge::testutil::waitAtMost(pid, std::chrono::seconds(60)), 0);
    EXPECT_NE(readTextFile(err).find("MASTER_PORT"), std::string::npos) << readTextFile(err);
    EXPECT_FALSE(fs::exists(dir.path / "a"));
    EXPECT_FALSE(fs::exists(dir.path / "b"));
}

namespace {

/// Runs `argsFor(out)` as one process into `dir/one` and, with `perRank`
/// in place of the batch options, as two ranks into `dir/two` (rank 1 is
/// given `dir/rank1_out`, which must stay absent). Returns the two run
/// directories.
std::pair<fs::path, fs::path> oneAndTwoRanks(const fs::path& dir, const std::string& name,
                                             const std::function<std::vector<std::string>(const fs::path&, bool)>& argsFor) {
    const fs::path one = dir / (name + "_one"), two = dir / (name + "_two"), elsewhere = dir / (name + "_rank1_out");
    {
        const auto pids = startRanks(1, [&](int) { return argsFor(one, false); }, dir, name + "_one");
        EXPECT_EQ(waitRank(pids[0]), 0) << readTextFile(dir / (name + "_one0.err"));
    }
    {
        const auto pids = startRanks(2, [&](int r) { return argsFor(r == 0 ? two : elsewhere, true); }, dir, name + "_two");
        for (size_t r = 0; r < 2; ++r)
            EXPECT_EQ(waitRank(pids[r]), 0) << readTextFile(dir / (name + "_two" + std::to_string(r) + ".err"));
    }
    EXPECT_FALSE(fs::exists(elsewhere)) << name << ": rank 1 wrote files";
    return {one, two};
}

}  // namespace

TEST(DataParallelCli, FaceRecognitionTrainsDataParallelAndMatchesOneProcess) {
    synthforge::testutil::TempDir dir;
    const fs::path ds = dir.path / "ids", err = dir.path / "generate.err";
    ASSERT_EQ(synthforge::testutil::waitForExit(synthforge::testutil::startCli(
                  {"generate", "--count", "24", "--size", "64", "--seed", "8", "--out", ds.string(), "--sampler",
                   "identity", "--identities", "6", "--per-identity", "4", "--progress", "none", "--workers", "2"},
                  err)),
              0)
        << readTextFile(err);
    // 16 training images: one process with batch 4, or two ranks with 2
    // each: 4 steps. CosFace (AdaFace's margin uses batch statistics of the
    // feature norms, which are per rank). At SGD's rate 0.1 this network
    // amplifies rounding within 4 steps (one process with 1 and with 2
    // threads differs by 6e-3, as do the ranks), so the rate is 0.01.
    const auto [one, two] = oneAndTwoRanks(dir.path, "fr", [&](const fs::path& out, bool ranks) {
        return std::vector<std::string>{SYNTHFORGE_CLI, "fr", "train", "--data", (ds / "fr").string(), "--out",
                                        out.string(), "--preset", "tiny", "--head", "cosface", "--epochs", "1",
                                        "--lr", "0.01",
                                        "--batch", ranks ? "2" : "4", "--scale", "16", "--val-fraction", "0.3",
                                        "--device", "cpu", "--threads", "1", "--progress", "none", "--sync-batchnorm",
                                        "--dist-timeout", "60"};
    });
    EXPECT_EQ(synthforge::testutil::metricsSteps(two / "metrics.csv"), synthforge::testutil::stepsUpTo(4));
    EXPECT_LT(maxDifference(one / "final.safetensors", two / "final.safetensors"), 1e-5);
}

TEST(DataParallelCli, TransferAndFinetuneRunDataParallelWithRankZeroWriting) {
    synthforge::testutil::TempDir dir;
    const fs::path ds = dir.path / "ds", err = dir.path / "generate.err";
    ASSERT_EQ(synthforge::testutil::waitForExit(synthforge::testutil::startCli(
                  {"generate", "--count", "6", "--size", "64", "--seed", "4", "--out", ds.string(), "--progress",
                   "none", "--workers", "2"},
                  err)),
              0)
        << readTextFile(err);
    // Transfer: 5 renders towards 6 "photos" (another seed's renders), an
    // epoch over the larger domain: batch 2 (or 1 per rank) -> 3 steps.
    const fs::path photos = dir.path / "photos";
    ASSERT_EQ(synthforge::testutil::waitForExit(synthforge::testutil::startCli(
                  {"generate", "--count", "6", "--size", "64", "--seed", "9", "--out", photos.string(), "--progress",
                   "none", "--workers", "2"},
                  err)),
              0)
        << readTextFile(err);
    const auto [tOne, tTwo] = oneAndTwoRanks(dir.path, "transfer", [&](const fs::path& out, bool ranks) {
        return std::vector<std::string>{SYNTHFORGE_CLI, "transfer", "train", "--source", ds.string(), "--target",
                                        (photos / "images").string(), "--out", out.string(), "--size", "64", "--ngf",
                                        "8", "--ndf", "8", "--blocks", "1", "--batch", ranks ? "1" : "2", "--epochs",
                                        "1", "--device", "cpu", "--threads", "1", "--progress", "none",
                                        "--dist-timeout", "60"};
    });
    EXPECT_EQ(synthforge::testutil::metricsSteps(tTwo / "metrics.csv"), synthforge::testutil::stepsUpTo(3));
    EXPECT_TRUE(fs::exists(tTwo / "final.safetensors"));

    // Fine-tuning: a Stage I run, 4 LaPa faces, batch 2 (1 per rank) -> 2 steps.
    const fs::path stage1 = dir.path / "stage1", lapa = dir.path / "LaPa";
    ASSERT_EQ(synthforge::testutil::waitForExit(synthforge::testutil::startCli(
                  {"train", "--data", ds.string(), "--preset", "small", "--out", stage1.string(), "--epochs", "1",
                   "--batch", "2", "--size", "64", "--device", "cpu", "--threads", "1", "--progress", "none"},
                  err)),
              0)
        << readTextFile(err);
    synthforge::testutil::writeLapaFixture(lapa, 4, 1);
    const auto [fOne, fTwo] = oneAndTwoRanks(dir.path, "finetune", [&](const fs::path& out, bool ranks) {
        return std::vector<std::string>{SYNTHFORGE_CLI, "finetune", "--data", lapa.string(), "--format", "lapa",
                                        "--stage1", stage1.string(), "--out", out.string(), "--epochs", "1",
                                        "--batch", ranks ? "1" : "2", "--size", "64", "--seed", "3", "--device",
                                        "cpu", "--threads", "1", "--progress", "none", "--dist-timeout", "60",
                                        // One face per rank: BatchNorm needs more than one value per channel.
                                        "--sync-batchnorm"};
    });
    EXPECT_EQ(synthforge::testutil::metricsSteps(fTwo / "metrics.csv"), synthforge::testutil::stepsUpTo(2));
    EXPECT_TRUE(fs::exists(fTwo / "final.safetensors"));
}

TEST(DataParallelCli, AResumeAtAnotherWorldSizeKeepsTheStepInTheNewWorldsEpochs) {
    synthforge::testutil::TempDir dir;
    const fs::path data = makeDataset(dir.path);
    // Two ranks x batch 2 over 10 training samples: 2 steps in 1 epoch.
    const fs::path out = dir.path / "run";
    const std::vector<std::string> sync{"--sync-batchnorm"};
    {
        const auto pids = startRanks(2, [&](int) { return trainArgs(data, out, 2, 1, sync); }, dir.path, "two");
        for (size_t r = 0; r < 2; ++r)
            ASSERT_EQ(waitRank(pids[r]), 0) << readTextFile(dir.path / ("two" + std::to_string(r) + ".err"));
    }
    ASSERT_EQ(synthforge::testutil::metricsSteps(out / "metrics.csv"), synthforge::testutil::stepsUpTo(2));
    // Resumed as one process: the same epoch is 5 steps of batch 2, so the
    // run continues from step 2, in epoch 0, to step 5.
    std::vector<std::string> resume = trainArgs(data, out, 2, 1, sync);
    resume.erase(resume.begin());  // startCli adds the executable
    resume.push_back("--resume");
    const fs::path said = dir.path / "said.txt", err = dir.path / "resume.err";
    ASSERT_EQ(synthforge::testutil::waitForExit(synthforge::testutil::startCli(resume, err, said)), 0)
        << readTextFile(err);
    EXPECT_NE(readTextFile(said).find("trained 5 steps (resumed from step 2)"), std::string::npos) << readTextFile(said);
    EXPECT_EQ(synthforge::testutil::metricsSteps(out / "metrics.csv"), synthforge::testutil::stepsUpTo(5));
    // Steps 3 to 5 are in epoch 0 of the one-process layout (column 2).
    const std::string csv = readTextFile(out / "metrics.csv");
    for (int step = 3; step <= 5; ++step)
        EXPECT_NE(csv.find("\n" + std::to_string(step) + ",0,"), std::string::npos) << "step " << step << "\n" << csv;
}

TEST(DataParallelCli, CtrlCStopsEveryRankAfterTheSameStepWithACheckpointToResumeFrom) {
    synthforge::testutil::TempDir dir;
    const fs::path data = makeDataset(dir.path);
    const std::vector<std::string> every{"--checkpoint-every", "1000", "--sync-batchnorm"};
    const auto launchArgs = [&](const fs::path& out, std::vector<std::string> more) {
        std::vector<std::string> a{"launch", "--nproc", "2", "--master-port",
                                   std::to_string(synthforge::testutil::freeLoopbackPort()), "--"};
        const std::vector<std::string> t = trainArgs(data, out, 1, 2, every);
        a.insert(a.end(), t.begin() + 1, t.end());
        a.insert(a.end(), more.begin(), more.end());
        return a;
    };
    const fs::path whole = dir.path / "whole", stopped = dir.path / "stopped", err = dir.path / "err.txt";
    ASSERT_EQ(synthforge::testutil::waitForExit(synthforge::testutil::startCli(launchArgs(whole, {}), err)), 0)
        << readTextFile(err);
    // Ctrl+C reaches the launcher, which forwards it to both ranks; a
    // checkpoint of the step they agreed on is written (none is due before
    // the end otherwise) and every rank exits 130.
    const pid_t launcher = synthforge::testutil::startCli(launchArgs(stopped, {}), err);
    const auto deadline = Clock::now() + std::chrono::seconds(120);
    while (synthforge::testutil::metricsSteps(stopped / "metrics.csv").size() < 2 && Clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    kill(launcher, SIGINT);
    EXPECT_EQ(synthforge::testutil::waitAtMost(launcher, std::chrono::seconds(60)), 130) << readTextFile(err);
    const int64_t checkpoint = synthforge::testutil::latestCheckpointStep(stopped);
    ASSERT_GE(checkpoint, 2);
    ASSERT_LT(checkpoint, 10) << "the run finished before the Ctrl+C; the test proved nothing";
    EXPECT_NE(readTextFile(err).find("--resume"), std::string::npos) << readTextFile(err);
    ASSERT_EQ(synthforge::testutil::waitForExit(synthforge::testutil::startCli(launchArgs(stopped, {"--resume"}), err)),
              0)
        << readTextFile(err);
    EXPECT_EQ(readTextFile(stopped / "metrics.csv"), readTextFile(whole / "metrics.csv"));
    EXPECT_TRUE(readTextFile(stopped / "final.safetensors") == readTextFile(whole / "final.safetensors"));
}
