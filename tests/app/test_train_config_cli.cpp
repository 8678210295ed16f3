// `synthforge train --config FILE` and `--find-lr` as a user runs them: a
// run re-run from its own config.json gets the same config.json, options on
// the command line override the file, a misspelt key or a bad value is
// exit code 1 naming the file and key, and the range test writes a
// monotone sweep with a suggestion inside it.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/child_process.h"
#include "tests/support/fixtures.h"

namespace fs = std::filesystem;

namespace {

using synthforge::testutil::readTextFile;

int run(const std::vector<std::string>& args, const fs::path& err, const fs::path& out = {}) {
    return synthforge::testutil::waitForExit(synthforge::testutil::startCli(args, err, out));
}

class TrainConfigCli : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new synthforge::testutil::TempDir;
        const fs::path err = dir_->path / "gen_err.txt";
        ASSERT_EQ(run({"generate", "--count", "12", "--size", "64", "--seed", "5", "--out", data().string(),
                       "--progress", "none", "--workers", "2"},
                      err),
                  0)
            << readTextFile(err);
    }
    static void TearDownTestSuite() {
        delete dir_;
        dir_ = nullptr;
    }
    static fs::path data() { return dir_->path / "ds"; }
    static fs::path path(const std::string& name) { return dir_->path / name; }

    static synthforge::testutil::TempDir* dir_;
};

synthforge::testutil::TempDir* TrainConfigCli::dir_ = nullptr;

std::vector<std::string> shortRun(const fs::path& data, const fs::path& out) {
    return {"train", "--data", data.string(), "--out", out.string(), "--epochs", "1", "--batch", "2", "--size", "64",
            "--device", "cpu", "--threads", "1", "--progress", "none", "--lr", "0.002", "--warmup", "2",
            "--w-equivariance", "0.5", "--val-every", "2", "--best-metric", "miou"};
}

TEST_F(TrainConfigCli, ARunReRunFromItsOwnConfigGetsTheSameConfig) {
    const fs::path err = path("err1.txt");
    ASSERT_EQ(run(shortRun(data(), path("first")), err), 0) << readTextFile(err);
    ASSERT_EQ(run({"train", "--config", (path("first") / "config.json").string(), "--out", path("again").string(),
                   "--device", "cpu", "--threads", "1", "--progress", "none"},
                  err),
              0)
        << readTextFile(err);
    EXPECT_EQ(readTextFile(path("again") / "config.json"), readTextFile(path("first") / "config.json"));
    EXPECT_EQ(readTextFile(path("again") / "metrics.csv"), readTextFile(path("first") / "metrics.csv"))
        << "same settings, same seed, same thread count: the same run";
}

TEST_F(TrainConfigCli, CommandLineOptionsOverrideTheFileAndTheRecipeFillsTheRest) {
    const fs::path cfg = path("partial.json"), err = path("err2.txt");
    std::ofstream(cfg) << R"({"recipe": "paper", "epochs": 1, "batch": 2, "size": 64, "optimizer": {"lr": 0.0005}})";
    ASSERT_EQ(run({"train", "--config", cfg.string(), "--data", data().string(), "--out", path("over").string(),
                   "--lr", "0.003", "--device", "cpu", "--threads", "1", "--progress", "none"},
                  err),
              0)
        << readTextFile(err);
    const auto j = nlohmann::json::parse(readTextFile(path("over") / "config.json"));
    EXPECT_EQ(j["recipe"], "paper");
    EXPECT_EQ(j["optimizer"]["lr"], 0.003) << "the command line wins over the file";
    EXPECT_EQ(j["optimizer"]["backbone_lr_scale"], 0.1) << "the file's recipe fills what neither sets";
    EXPECT_EQ(j["epochs"], 1) << "the file wins over the recipe";
    EXPECT_EQ(j["batch"], 2);
}

TEST_F(TrainConfigCli, MisspeltKeysAndBadValuesAreErrorsNamingTheFile) {
    const fs::path cfg = path("bad.json"), err = path("err3.txt");
    std::ofstream(cfg) << R"({"optimizer": {"lr": 0.001, "learning_rate": 0.1}})";
    EXPECT_EQ(run({"train", "--config", cfg.string(), "--data", data().string(), "--out", path("bad").string(),
                   "--progress", "none"},
                  err),
              1);
    EXPECT_NE(readTextFile(err).find("bad.json: unknown key(s) optimizer.learning_rate"), std::string::npos)
        << readTextFile(err);
    EXPECT_FALSE(fs::exists(path("bad")));

    std::ofstream(cfg) << R"({"schedule": {"warmup_steps": -5}})";
    EXPECT_EQ(run({"train", "--config", cfg.string(), "--data", data().string(), "--out", path("bad").string(),
                   "--progress", "none"},
                  err),
              1);
    EXPECT_NE(readTextFile(err).find("bad.json: warmup_steps: must be at least 0"), std::string::npos)
        << readTextFile(err);

    EXPECT_EQ(run({"train", "--out", path("bad").string(), "--progress", "none"}, err), 1);
    EXPECT_NE(readTextFile(err).find("data: required"), std::string::npos) << readTextFile(err);
}

TEST_F(TrainConfigCli, RangeTestWritesAMonotoneSweepAndASuggestionInsideIt) {
    const fs::path out = path("lr"), err = path("err4.txt"), said = path("lr_stdout.txt");
    ASSERT_EQ(run({"train", "--find-lr", "--find-lr-steps", "30", "--find-lr-min", "1e-6", "--find-lr-max", "1",
                   "--data", data().string(), "--out", out.string(), "--batch", "2", "--size", "64", "--device",
                   "cpu", "--threads", "1", "--progress", "none"},
                  err, said),
              0)
        << readTextFile(err);
    std::istringstream csv(readTextFile(out / "lr_find.csv"));
    std::string line;
    std::getline(csv, line);
    EXPECT_EQ(line, "step,lr,loss,smoothed");
    std::vector<double> lr;
    while (std::getline(csv, line)) {
        std::istringstream row(line);
        std::string cell;
        std::getline(row, cell, ',');
        std::getline(row, cell, ',');
        lr.push_back(std::stod(cell));
    }
    ASSERT_GE(lr.size(), 3u);
    EXPECT_DOUBLE_EQ(lr.front(), 1e-6);
    for (size_t i = 1; i < lr.size(); ++i) EXPECT_GT(lr[i], lr[i - 1]) << i;
    const auto j = nlohmann::json::parse(readTextFile(out / "lr_find.json"));
    ASSERT_TRUE(j["suggested_lr"].is_number()) << j.dump();
    const double suggested = j["suggested_lr"];
    EXPECT_GE(suggested, lr.front());
    EXPECT_LE(suggested, lr.back());
    EXPECT_NE(readTextFile(said).find("suggested lr:"), std::string::npos);
    const std::string png = readTextFile(out / "lr_find.png");
    EXPECT_EQ(png.substr(1, 3), "PNG");
    EXPECT_FALSE(fs::exists(out / "config.json")) << "the range test is not a run";
}

}  // namespace
