// `synthforge fr train|embed|eval` as a user runs them: an identity dataset
// made by the CLI, a run in a child process killed after its first
// checkpoint and resumed to the bytes of an uninterrupted run, embeddings
// (one L2-normalised row per image, in file-name order), verification on
// identity folders with the JSON and ROC files, and bad input exiting 1
// with a message naming the problem.

#include <gtest/gtest.h>

#include <signal.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/io/npy.h"
#include "tests/support/child_process.h"
#include "tests/support/fixtures.h"
#include "tests/support/run_dir_files.h"

namespace fs = std::filesystem;

namespace {

using synthforge::testutil::readTextFile;

int run(const std::vector<std::string>& args, const fs::path& err) {
    return synthforge::testutil::waitForExit(synthforge::testutil::startCli(args, err, err));
}

std::vector<std::string> trainArgs(const fs::path& data, const fs::path& out) {
    // 6 identities x 4 images; the last 2 identities validate (val 0.3):
    // 16 training images, batch 4: 4 steps an epoch, 8 steps.
    return {"fr", "train", "--data", data.string(), "--out", out.string(), "--preset", "tiny", "--epochs", "2",
            "--batch", "4", "--scale", "16", "--val-fraction", "0.3", "--checkpoint-every", "1", "--device", "cpu",
            "--threads", "1", "--progress", "none"};
}

TEST(FrCli, TrainsResumesAfterAKillEmbedsEvaluatesAndRefusesBadInput) {
    synthforge::testutil::TempDir dir;
    const fs::path err = dir.path / "err.txt", ds = dir.path / "ds";
    ASSERT_EQ(run({"generate", "--count", "24", "--size", "64", "--seed", "8", "--out", ds.string(), "--sampler",
                   "identity", "--identities", "6", "--per-identity", "4", "--progress", "none", "--workers", "2"},
                  err),
              0)
        << readTextFile(err);
    const fs::path faces = ds / "fr";

    const fs::path whole = dir.path / "whole";
    ASSERT_EQ(run(trainArgs(faces, whole), err), 0) << readTextFile(err);
    EXPECT_NE(readTextFile(err).find("trained 8 steps on 16 images of 4 identities"), std::string::npos)
        << readTextFile(err);

    const fs::path killed = dir.path / "killed";
    int code = 0;
    const std::int64_t checkpointStep =
        synthforge::testutil::killAfterFirstCheckpoint(trainArgs(faces, killed), killed, err, &code);
    EXPECT_EQ(code, -SIGKILL) << "the run ended before the kill";
    ASSERT_GE(checkpointStep, 1);
    ASSERT_LT(checkpointStep, 8) << "the killed run had finished training";
    auto resume = trainArgs(faces, killed);
    resume.push_back("--resume");
    ASSERT_EQ(run(resume, err), 0) << readTextFile(err);
    EXPECT_NE(readTextFile(err).find("(resumed from step " + std::to_string(checkpointStep) + ")"), std::string::npos)
        << readTextFile(err);
    EXPECT_EQ(synthforge::testutil::metricsSteps(killed / "metrics.csv"), synthforge::testutil::stepsUpTo(8));
    EXPECT_EQ(readTextFile(killed / "metrics.csv"), readTextFile(whole / "metrics.csv"));
    EXPECT_TRUE(readTextFile(killed / "final.safetensors") == readTextFile(whole / "final.safetensors"))
        << "final weights differ";

    // Embeddings of one identity's folder: a unit row per image.
    std::vector<fs::path> ids;
    for (const auto& e : fs::directory_iterator(faces)) ids.push_back(e.path());
    std::sort(ids.begin(), ids.end());
    const fs::path npy = dir.path / "emb.npy";
    ASSERT_EQ(run({"fr", "embed", "--model", whole.string(), "--images", ids[0].string(), "--out", npy.string(),
                   "--threads", "1", "--progress", "none"},
                  err),
              0)
        << readTextFile(err);
    const auto e = synthforge::io::loadNpyFile(npy.string());
    ASSERT_EQ(e.array.shape, (std::vector<int64_t>{4, 128}));
    const std::vector<float> v = e.array.toFloat();
    for (int r = 0; r < 4; ++r) {
        double n = 0;
        for (int k = 0; k < 128; ++k) n += double(v[r * 128 + k]) * v[r * 128 + k];
        EXPECT_NEAR(std::sqrt(n), 1.0, 1e-4) << "row " << r;
    }

    // Verification on pairs built from the identity folders.
    ASSERT_EQ(run({"fr", "eval", "--model", whole.string(), "--identities", faces.string(), "--threads", "1",
                   "--progress", "none"},
                  err),
              0)
        << readTextFile(err);
    const nlohmann::json j = nlohmann::json::parse(readTextFile(whole / "fr_eval.json"));
    EXPECT_EQ(j["format"], "synthforge-fr-eval");
    ASSERT_EQ(j["benchmarks"].size(), 1u);
    const double accuracy = j["benchmarks"][0]["accuracy"]["mean"].get<double>();
    EXPECT_GE(accuracy, 0.0);
    EXPECT_LE(accuracy, 1.0);
    EXPECT_TRUE(fs::exists(whole / "roc.png"));

    // Bad input: exit 1 and a message that names the problem.
    const auto expectFailure = [&](std::vector<std::string> args, const std::string& words) {
        EXPECT_EQ(run(args, err), 1) << readTextFile(err);
        EXPECT_NE(readTextFile(err).find(words), std::string::npos) << readTextFile(err);
    };
    expectFailure(trainArgs(ids[0], dir.path / "a"), "no identity folder holds an image");
    expectFailure(trainArgs(faces, whole), "--resume");
    expectFailure({"fr", "embed", "--model", ds.string(), "--images", ids[0].string(), "--out",
                   (dir.path / "x.npy").string(), "--progress", "none"},
                  "final.safetensors");
    EXPECT_EQ(run({"fr", "train", "--data", faces.string()}, err), 2) << "missing required options are usage errors";
}

}  // namespace
