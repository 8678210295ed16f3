// TorchScript generators from the CLI, on the planted-answer module
// (tools/planted_generator.py): `align` recovers the planted map and writes
// its fit directory; `generate --generator model.pt` writes datasets with
// the procedural generator's layout, determinism, sharding and resume, whose labels
// follow `--alignment`; `--reject-landmark-px` redraws exactly the planted
// bad samples.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/align/alignment_fit.h"
#include "core/generate/dataset_writer.h"
#include "core/generate/samplers/samplers.h"
#include "core/head/default_head/model_source.h"
#include "tests/support/child_process.h"
#include "tests/support/fixtures.h"
#include "tests/support/planted_generator.h"

namespace fs = std::filesystem;

namespace synthforge {
namespace {

using testutil::readTextFile;

int run(const std::vector<std::string>& args, const fs::path& err, const fs::path& out = {}) {
    return testutil::waitForExit(testutil::startCli(args, err, out));
}

const head::HeadModel& defaultHead() {
    static const head::HeadModel m = head::loadHeadModel("default");
    return m;
}

std::string fileBytes(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

nlohmann::json annotation(const fs::path& ds, int i) {
    char name[32];
    std::snprintf(name, sizeof name, "%06d.json", i);
    return nlohmann::json::parse(readTextFile(ds / "annotations" / name));
}

/// The planted module with a 4 mm shift and a small stretch, shared by the suite.
struct Module {
    testutil::TempDir dir;
    std::string path;
    Eigen::Matrix<float, 3, 4> affine;
    Module() {
        testutil::PlantedGeneratorSpec s;
        s.imageSize = 32;
        s.affine << 1.01f, 0.0f, 0.0f, 0.0f,  //
            0.0f, 1.0f, 0.0f, 0.004f,          //
            0.0f, 0.0f, 1.0f, 0.0f;
        affine = s.affine;
        path = testutil::makePlantedGenerator(defaultHead(), s, dir.path);
    }
};
Module& module() {
    static Module m;
    return m;
}

TEST(AlignCli, FitsThePlantedMapAndGenerateAppliesIt) {
    testutil::TempDir dir;
    const fs::path err = dir.path / "err.txt", log = dir.path / "log.txt", fit = dir.path / "fit";
    ASSERT_EQ(run({"align", "--generator", module().path, "--samples", "2", "--steps", "150", "--grid", "40",
                   "--progress", "none", "--out", fit.string()},
                  err, log),
              0)
        << readTextFile(err);
    EXPECT_NE(readTextFile(log).find("fitted torchscript:planted-test-field"), std::string::npos) << readTextFile(log);
    const align::AlignmentFit f = align::loadAlignmentFit(fit.string());
    EXPECT_LT((f.correction.block<3, 1>(0, 3) - module().affine.col(3)).norm(), 1.5e-3f) << f.correction;
    EXPECT_NEAR(f.correction(0, 0), 1.01f, 0.015f);
    // One losses.csv row per step, after the header.
    std::ifstream losses(fit / align::kAlignmentLosses);
    std::string line;
    int rows = -1;
    while (std::getline(losses, line)) ++rows;
    EXPECT_EQ(rows, 150);

    // Datasets: with and without the fit, and the same run in two shards.
    // Bare heads: assets follow the fitted head, so they would move in the image.
    const fs::path bare = dir.path / "bare.json";
    std::ofstream(bare) << R"({"assets": {"glasses": {"frequency": 0}, "headwear": {"frequency": 0},
        "clothing": {"frequency": 0}, "hair": {"frequency": 0}, "beard": {"frequency": 0}, "facewear": {"frequency": 0},
        "eyebrows": {"frequency": 0}, "eyelashes": {"frequency": 0}, "stubble": {"frequency": 0}}})";
    const fs::path a = dir.path / "a", b = dir.path / "b", c = dir.path / "c";
    const std::vector<std::string> common{"generate", "--generator", module().path, "--count", "3", "--size", "64",
                                          "--seed", "5", "--progress", "none", "--sampler-config", bare.string()};
    auto gen = [&](const fs::path& out, std::vector<std::string> extra) {
        std::vector<std::string> args = common;
        args.insert(args.end(), extra.begin(), extra.end());
        args.push_back("--out");
        args.push_back(out.string());
        return run(args, err, log);
    };
    ASSERT_EQ(gen(a, {"--alignment", fit.string()}), 0) << readTextFile(err);
    ASSERT_EQ(gen(b, {}), 0) << readTextFile(err);
    ASSERT_EQ(gen(c, {"--alignment", fit.string(), "--shard", "0/2"}), 0) << readTextFile(err);
    ASSERT_EQ(gen(c, {"--alignment", fit.string(), "--shard", "1/2"}), 0) << readTextFile(err);
    // Resume: a run that wrote only sample 0 (a killed run leaves the same),
    // continued without the shard, ends as the single run did.
    const fs::path r = dir.path / "r";
    ASSERT_EQ(gen(r, {"--alignment", fit.string(), "--shard", "0/3"}), 0) << readTextFile(err);
    ASSERT_EQ(gen(r, {"--alignment", fit.string(), "--resume"}), 0) << readTextFile(err);
    EXPECT_NE(readTextFile(log).find("1 already complete"), std::string::npos) << readTextFile(log);

    const nlohmann::json manifest = nlohmann::json::parse(readTextFile(a / "manifest.json"));
    EXPECT_EQ(manifest.at("generator").at("name"), "torchscript:planted-test-field");
    EXPECT_TRUE(manifest.at("complete").get<bool>());
    EXPECT_TRUE(manifest.contains("alignment_correction"));
    for (int i = 0; i < 3; ++i) {
        char name[32];
        std::snprintf(name, sizeof name, "%06d", i);
        // The image is the generator's: the fit changes only the labels.
        EXPECT_TRUE(fileBytes(a / "images" / (std::string(name) + ".png")) ==
                    fileBytes(b / "images" / (std::string(name) + ".png")))
            << name;
        // Sharded and single runs write the same bytes.
        for (const char* sub : {"images", "annotations", "depth"}) {
            const std::string ext = std::string(sub) == "images" ? ".png" : std::string(sub) == "depth" ? ".tiff" : ".json";
            EXPECT_TRUE(fileBytes(a / sub / (std::string(name) + ext)) == fileBytes(c / sub / (std::string(name) + ext)))
                << sub << " " << name;
            EXPECT_TRUE(fileBytes(a / sub / (std::string(name) + ext)) == fileBytes(r / sub / (std::string(name) + ext)))
                << "resumed " << sub << " " << name;
        }
        // The fitted 4 mm moves the landmarks down the image (y grows downward).
        const auto la = annotation(a, i).at("2d_kps"), lb = annotation(b, i).at("2d_kps");
        double dy = 0;
        for (std::size_t k = 17; k < la.size(); ++k) dy += la[k][1].get<double>() - lb[k][1].get<double>();
        EXPECT_LT(dy / 51.0, -0.1) << "sample " << i;
    }
    // A fit for another generator is refused, naming the field.
    testutil::TempDir other;
    align::AlignmentFit wrong = f;
    wrong.generatorName = "procedural";
    align::saveAlignmentFit(other.path.string(), wrong);
    EXPECT_NE(gen(dir.path / "d", {"--alignment", other.path.string()}), 0);
    EXPECT_NE(readTextFile(err).find("generator: the fit is for procedural"), std::string::npos) << readTextFile(err);
}

TEST(AlignCli, ALandmarkModelAddsTheLandmarkTerm) {
    // The committed test network (a small Stage I run at 64²) predicts on
    // the generated images; on the planted module's renders its landmarks
    // are not meaningful, so this checks the plumbing: the run loads, the
    // term is on with the documented default weight and has a value.
    testutil::TempDir dir;
    const fs::path err = dir.path / "err.txt", log = dir.path / "log.txt", fit = dir.path / "fit";
    const std::string net = (fs::path(SYNTHFORGE_TEST_DATA_DIR) / "cascade_net").string();
    ASSERT_EQ(run({"align", "--generator", module().path, "--samples", "1", "--steps", "3", "--grid", "24",
                    "--landmark-model", net, "--progress", "none", "--out", fit.string()},
                  err, log),
              0)
        << readTextFile(err);
    const align::AlignmentFit f = align::loadAlignmentFit(fit.string());
    EXPECT_DOUBLE_EQ(f.weights.at("landmarks"), 0.2);
    EXPECT_GT(f.final.at("landmarks"), 0.0);
    // A run directory that is not one is a clear error.
    EXPECT_NE(run({"align", "--generator", module().path, "--samples", "1", "--steps", "1", "--landmark-model",
                    (dir.path / "nope").string(), "--progress", "none", "--out", (dir.path / "f2").string()},
                   err, log),
              0);
    EXPECT_NE(readTextFile(err).find("nope"), std::string::npos) << readTextFile(err);
}

TEST(AlignCli, RejectionRedrawsExactlyThePlantedBadSamples) {
    testutil::TempDir dir;
    // Samples whose ws[0] = 0.7 z[0] exceeds 0.5 are drawn 2 cm off the head.
    testutil::PlantedGeneratorSpec s;
    s.imageSize = 32;
    s.badThreshold = 0.5f;
    s.badShift = Eigen::Vector3f(0.0f, 0.05f, 0.0f);
    const std::string path = testutil::makePlantedGenerator(defaultHead(), s, dir.path / "m");
    const fs::path err = dir.path / "err.txt", log = dir.path / "log.txt", ds = dir.path / "ds";
    ASSERT_EQ(run({"generate", "--generator", path, "--count", "6", "--size", "64", "--seed", "3", "--progress", "none",
                   "--reject-landmark-px", "2.5", "--out", ds.string()},
                  err, log),
              0)
        << readTextFile(err);

    // Which draws are bad, from the sampler the CLI uses.
    generate::SamplerConfig config;
    config.latentDim = 64;
    const auto drawer = generate::makeSampler(config, std::make_shared<head::HeadModel>(defaultHead()));
    std::set<std::string> expected;
    int redrawn = 0;
    for (std::uint64_t i = 0; i < 6; ++i)
        for (int draw = 0; draw < 10; ++draw) {
            const std::uint64_t seed = draw == 0 ? 3 : generate::replacementSeed(3, draw);
            if (0.7f * drawer->draw(seed, i).z[0] <= 0.5f) break;
            char name[32];
            std::snprintf(name, sizeof name, "%06llu_%d.json", static_cast<unsigned long long>(i), draw);
            expected.insert(name);
            ++redrawn;
        }
    ASSERT_GT(redrawn, 0) << "the seed plants no bad sample; pick another";
    std::set<std::string> got;
    for (const auto& e : fs::directory_iterator(ds / "rejected")) got.insert(e.path().filename().string());
    EXPECT_EQ(got, expected);
    const nlohmann::json manifest = nlohmann::json::parse(readTextFile(ds / "manifest.json"));
    EXPECT_EQ(manifest.at("rejected").get<int>(), redrawn);
    EXPECT_EQ(manifest.at("rejection").at("kind"), "landmark_residual_px");
    // Every index is present (redrawn), with the seed of the draw kept.
    for (int i = 0; i < 6; ++i) EXPECT_TRUE(annotation(ds, i).contains("seed"));
    // A rejected record names its residual, above the threshold.
    const nlohmann::json r = nlohmann::json::parse(readTextFile(ds / "rejected" / *got.begin()));
    EXPECT_GT(r.at("residual").get<double>(), 2.5);
}

}  // namespace
}  // namespace synthforge
