// `synthforge generate --sampler ...` as a user runs it: for every sampler,
// two shard processes write exactly the files of one unsharded run, a second
// run repeats it byte for byte, the identity sampler writes its
// face-recognition layout, and bad sampler input fails naming the option or
// key.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/jobs/run_record.h"
#include "core/io/file_util.h"
#include "tests/support/child_process.h"
#include "tests/support/fixtures.h"

namespace fs = std::filesystem;

namespace {

using synthforge::testutil::readTextFile;

struct Result {
    int code = -1;
    std::string err;
};

Result run(const std::vector<std::string>& args, const fs::path& errFile) {
    const pid_t pid = synthforge::testutil::startCli(args, errFile);
    Result r;
    r.code = synthforge::testutil::waitForExit(pid);
    r.err = readTextFile(errFile);
    return r;
}

/// The dataset's files, run record left out (it describes the process).
std::map<std::string, std::string> snapshot(const fs::path& root) {
    std::map<std::string, std::string> files;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
        const std::string name = fs::relative(e.path(), root).string();
        if (e.is_regular_file() && !synthforge::jobs::isRunRecordFile(name)) files[name] = readTextFile(e.path());
    }
    return files;
}

std::vector<std::string> args(const fs::path& out, const std::vector<std::string>& sampler) {
    std::vector<std::string> a{"generate", "--count", "8", "--size", "64", "--seed", "4", "--out", out.string(),
                               "--progress", "none", "--workers", "2"};
    a.insert(a.end(), sampler.begin(), sampler.end());
    return a;
}

TEST(SamplerCli, ShardsConcatenateToTheUnshardedRunForEverySampler) {
    synthforge::testutil::TempDir dir;
    const fs::path err = dir.path / "err.txt";
    { std::ofstream(dir.path / "sobol.json") << R"({"sampler": {"name": "sobol", "axes": ["yaw", "pitch", "jaw", "shape:1"]}})"; }
    { std::ofstream(dir.path / "strat.json") << R"({"sampler": {"name": "stratified", "axes": ["yaw", "pitch"], "bins": [3, 2]}})"; }
    { std::ofstream(dir.path / "div.json") << R"({"sampler": {"name": "diverse", "pool": 24, "block": 3, "window": 1}})"; }
    const std::map<std::string, std::vector<std::string>> samplers{
        {"iid", {"--sampler", "iid"}},
        {"sobol", {"--sampler-config", (dir.path / "sobol.json").string()}},
        {"sobol-default", {"--sampler", "sobol"}},
        {"stratified", {"--sampler-config", (dir.path / "strat.json").string(), "--sampler", "stratified"}},
        {"diverse", {"--sampler-config", (dir.path / "div.json").string()}},
        {"diverse-landmarks", {"--sampler", "diverse"}},
        {"identity", {"--identities", "4", "--per-identity", "2"}},
    };
    std::map<std::string, std::map<std::string, std::string>> whole;
    for (const auto& [name, extra] : samplers) {
        const fs::path one = dir.path / (name + "_whole"), again = dir.path / (name + "_again"),
                       sharded = dir.path / (name + "_sharded");
        Result r = run(args(one, extra), err);
        ASSERT_EQ(r.code, 0) << name << ": " << r.err;
        ASSERT_EQ(run(args(again, extra), err).code, 0) << name;
        for (const char* shard : {"1/2", "0/2"}) {
            auto a = args(sharded, extra);
            a.insert(a.end(), {"--shard", shard});
            r = run(a, err);
            ASSERT_EQ(r.code, 0) << name << " shard " << shard << ": " << r.err;
        }
        whole[name] = snapshot(one);
        EXPECT_TRUE(whole[name] == snapshot(again)) << name << ": a second run differs";
        const auto parts = snapshot(sharded);
        EXPECT_EQ(parts.size(), whole[name].size()) << name;
        for (const auto& [file, bytes] : whole[name]) {
            ASSERT_TRUE(parts.count(file)) << name << ": " << file << " missing from the sharded run";
            EXPECT_TRUE(parts.at(file) == bytes) << name << ": " << file << " differs between sharded and whole";
        }
    }
    // The samplers do differ from one another, and the manifest records them.
    EXPECT_NE(whole["sobol"]["annotations/000003.json"], whole["iid"]["annotations/000003.json"]);
    EXPECT_NE(whole["stratified"]["annotations/000003.json"], whole["iid"]["annotations/000003.json"]);
    EXPECT_NE(whole["diverse"]["annotations/000003.json"], whole["iid"]["annotations/000003.json"]);
    // (An i.i.d. manifest has no section: it reads as before samplers existed.)
    EXPECT_FALSE(nlohmann::json::parse(whole["iid"]["manifest.json"]).at("sampler").contains("sampler"));
    const auto section = nlohmann::json::parse(whole["stratified"]["manifest.json"]).at("sampler").at("sampler");
    EXPECT_EQ(section.at("name"), "stratified");
    EXPECT_EQ(section.at("bins"), nlohmann::json::array({3, 2}));
    EXPECT_EQ(nlohmann::json::parse(whole["identity"]["manifest.json"]).at("sampler").at("sampler").at("identities"), 4);
    // The identity layout: ids in annotations, crops per identity.
    const auto& id = whole["identity"];
    for (int i = 0; i < 8; ++i) {
        const std::string n = "00000" + std::to_string(i);
        EXPECT_EQ(nlohmann::json::parse(id.at("annotations/" + n + ".json")).at("identity"), i / 2);
        EXPECT_TRUE(id.count("fr/00000" + std::to_string(i / 2) + "/" + n + ".png")) << n;
    }
    EXPECT_EQ(whole["iid"].count("fr/000000/000000.png"), 0u);
}

TEST(SamplerCli, GuidedSamplerScoresWithARunAndItsShardsEqualTheWholeRun) {
    synthforge::testutil::TempDir dir;
    const fs::path err = dir.path / "err.txt";
    const fs::path ds = dir.path / "ds", runDir = dir.path / "run";
    // A Stage I run to guide with: one optimiser step on 16 renders is enough
    // for a network whose errors differ between candidates.
    Result r = run({"generate", "--count", "16", "--size", "64", "--out", ds.string(), "--progress", "none"}, err);
    ASSERT_EQ(r.code, 0) << r.err;
    r = run({"train", "--data", ds.string(), "--out", runDir.string(), "--size", "64", "--batch", "8", "--epochs", "1",
             "--threads", "1", "--workers", "0", "--progress", "none"},
            err);
    ASSERT_EQ(r.code, 0) << r.err;

    // The front end hands the command to synthforge-torch, which scores.
    const fs::path whole = dir.path / "whole", sharded = dir.path / "sharded";
    const std::vector<std::string> guide{"--guide-run", runDir.string(), "--guide-device", "cpu"};
    r = run(args(whole, guide), err);
    ASSERT_EQ(r.code, 0) << r.err;
    for (const char* shard : {"1/2", "0/2"}) {
        auto a = args(sharded, guide);
        a.insert(a.end(), {"--shard", shard});
        r = run(a, err);
        ASSERT_EQ(r.code, 0) << "shard " << shard << ": " << r.err;
    }
    const auto all = snapshot(whole), parts = snapshot(sharded);
    EXPECT_EQ(all.size(), parts.size());
    for (const auto& [file, bytes] : all) {
        ASSERT_TRUE(parts.count(file)) << file;
        EXPECT_TRUE(parts.at(file) == bytes) << file << " differs between sharded and whole";
    }
    const auto manifest = nlohmann::json::parse(readTextFile(whole / "manifest.json"));
    const auto section = manifest["sampler"]["sampler"];
    EXPECT_EQ(section["name"], "guided") << manifest.dump();
    EXPECT_EQ(section["run"], fs::absolute(runDir).lexically_normal().string());
    EXPECT_EQ(section["pool"], 64);
    EXPECT_EQ(section["block"], 16);

    // Scored by the run's loss instead: recorded, and another choice of samples.
    const fs::path byLoss = dir.path / "by_loss";
    auto lossArgs = guide;
    lossArgs.insert(lossArgs.end(), {"--guide-score", "loss"});
    r = run(args(byLoss, lossArgs), err);
    ASSERT_EQ(r.code, 0) << r.err;
    const auto lossManifest = nlohmann::json::parse(readTextFile(byLoss / "manifest.json"));
    EXPECT_EQ(lossManifest["sampler"]["sampler"]["score"], "loss");
    EXPECT_EQ(section["score"], "nme");
    const auto lossFiles = snapshot(byLoss);
    int differing = 0;
    for (int i = 0; i < 8; ++i) {
        const std::string f = "annotations/00000" + std::to_string(i) + ".json";
        differing += lossFiles.at(f) != all.at(f);
    }
    EXPECT_GT(differing, 0) << "the loss chose exactly the NME's samples";

    // The diverse sampler on that run's backbone features, from a sampler
    // config: the front end hands it to synthforge-torch too, and a rerun
    // writes the same bytes.
    const fs::path cfg = dir.path / "diverse.json";
    synthforge::io::writeFileAtomic(cfg.string(), R"({"sampler": {"name": "diverse", "features": "backbone", "run": ")" +
                                                      runDir.string() + R"(", "pool": 16, "block": 4}})");
    for (const char* out : {"diverse_a", "diverse_b"}) {
        r = run(args(dir.path / out, {"--sampler-config", cfg.string(), "--guide-device", "cpu"}), err);
        ASSERT_EQ(r.code, 0) << r.err;
    }
    EXPECT_TRUE(snapshot(dir.path / "diverse_a") == snapshot(dir.path / "diverse_b"));
    EXPECT_EQ(nlohmann::json::parse(readTextFile(dir.path / "diverse_a" / "manifest.json"))["sampler"]["sampler"]["features"],
              "backbone");

    // Guided samples differ from the i.i.d. ones of the same seed.
    const fs::path iid = dir.path / "iid";
    ASSERT_EQ(run(args(iid, {}), err).code, 0);
    EXPECT_NE(snapshot(iid).at("images/000000.png"), all.at("images/000000.png"));

    // A run that is not there is named before anything is written.
    const fs::path bad = dir.path / "bad";
    r = run(args(bad, {"--guide-run", (dir.path / "nope").string(), "--check"}), err);
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_NE(r.err.find("nope: no such run directory"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(bad / "manifest.json"));
}

TEST(SamplerCli, BadSamplerInputFailsNamingTheOption) {
    synthforge::testutil::TempDir dir;
    const fs::path err = dir.path / "err.txt";
    const fs::path out = dir.path / "out";
    auto expectFailure = [&](std::vector<std::string> extra, const std::string& needle, int code,
                             const std::string& count = "6") {
        std::vector<std::string> a{"generate", "--count", count, "--size", "32", "--out", out.string(),
                                   "--progress", "none"};
        a.insert(a.end(), extra.begin(), extra.end());
        const Result r = run(a, err);
        EXPECT_EQ(r.code, code) << needle << ": " << r.err;
        EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
        EXPECT_FALSE(fs::exists(out / "manifest.json")) << needle;
    };
    expectFailure({"--sampler", "gided"}, "--sampler", 2);
    expectFailure({"--sampler", "guided"}, "sampler.run (--guide-run): the guided sampler needs a trained Stage I run", 1);
    expectFailure({"--sampler", "sobol", "--guide-run", dir.path.string()}, "--guide-run: only with the guided sampler", 1);
    expectFailure({"--sampler", "sobol", "--guide-score", "loss"}, "--guide-score: only with the guided sampler", 1);
    expectFailure({"--guide-score", "accuracy"}, "--guide-score", 2);
    expectFailure({"--identities", "0", "--per-identity", "2"}, "--identities", 2);
    expectFailure({"--identities", "4", "--per-identity", "2"}, "--identities 4 x --per-identity 2 is 8 samples, but --count is 6", 1);
    expectFailure({"--identities", "4"}, "--identities 4: does not divide --count 6", 1);
    expectFailure({"--sampler", "identity"}, "--sampler identity: needs --identities N and --per-identity K", 1);
    expectFailure({"--sampler", "sobol", "--identities", "3"}, "--identities: only with the identity sampler", 1);
    { std::ofstream(dir.path / "axis.json") << R"({"sampler": {"name": "sobol", "axes": ["yaw", "roll"]}})"; }
    expectFailure({"--sampler-config", (dir.path / "axis.json").string()}, "sampler.axes[1]: unknown axis \"roll\"", 1);
    { std::ofstream(dir.path / "bins.json") << R"({"sampler": {"name": "stratified", "bins": [0, 3]}})"; }
    expectFailure({"--sampler-config", (dir.path / "bins.json").string()}, "sampler.bins[0]: out of range 1..", 1);
    { std::ofstream(dir.path / "strat.json") << R"({"sampler": {"name": "stratified"}})"; }
    expectFailure({"--sampler-config", (dir.path / "strat.json").string(), "--sampler", "sobol"},
                  "--sampler sobol: the sampler config's \"sampler\" section is for stratified", 1);
    // --check validates the same way without writing anything.
    expectFailure({"--identities", "4", "--per-identity", "2", "--check"}, "--count is 6", 1);
    // One count may follow from the other: 6 / 2 = 3 identities.
    const Result ok = run({"generate", "--count", "6", "--size", "32", "--out", out.string(), "--progress", "none",
                           "--per-identity", "2"},
                          err);
    EXPECT_EQ(ok.code, 0) << ok.err;
    EXPECT_TRUE(fs::exists(out / "fr/000002/000005.png"));
}

}  // namespace
