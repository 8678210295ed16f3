// The guided sampler's scorer (core/train/guided_scorer.h): a candidate's
// score is the run's landmark NME on it, exactly what `eval` computes for
// the same sample stored in a dataset, or the run's validation loss on it,
// exactly what the training loader's targets give; batching changes
// nothing; runs it cannot use are refused naming the run.

#include <gtest/gtest.h>

#include <torch/torch.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/generate/samplers/samplers.h"
#include "core/io/file_util.h"
#include "core/train/guided_scorer.h"
#include "core/train/torch_evaluator.h"
#include "core/train/torch_losses.h"
#include "core/train/torch_stage_one.h"
#include "core/train/torch_weights.h"
#include "tests/support/fixtures.h"
#include "tests/support/run_fixtures.h"
#include "tests/support/tiny_dataset.h"

namespace synthforge::train {
namespace {

namespace fs = std::filesystem;

void writeConfig(const fs::path& run, const fs::path& data, const std::string& stage) {
    nlohmann::json j{{"stage", stage}, {"size", 64}, {"data", data.string()}, {"val_fraction", 0.1}};
    if (stage == "II") j["dataset_format"] = "300w", j["margin"] = 0.25;
    io::writeFileAtomic((run / "config.json").string(), j.dump());
}

/// A dataset of `count` i.i.d. samples of `seed` at 64² and a fresh Stage I
/// run beside it; the scorer options point at the run. The specs are the
/// dataset's samples, drawn again.
struct ScorerSetup {
    testutil::TempDir dir;
    fs::path ds = dir.path / "ds", run = dir.path / "run";
    generate::SamplePipeline pipeline = testutil::tinyPipeline(64);
    GuidedScorerOptions options;
    std::vector<generate::SampleSpec> specs;

    ScorerSetup(std::uint64_t count, std::uint64_t seed, int batch) {
        torch::set_num_threads(1);
        testutil::writeTinyDataset(ds, count, seed);
        fs::create_directories(run);
        testutil::writeFreshStageOne(run / "final.safetensors");
        writeConfig(run, ds, "I");
        options.run = run.string();
        options.device = "cpu";
        options.batch = batch;
        const auto iid = generate::makeSampler(pipeline.sampler, pipeline.model);
        for (std::uint64_t i = 0; i < count; ++i) specs.push_back(iid->draw(seed, i));
    }
};

TEST(GuidedScorer, ScoresAreEvalsNmeOnTheSameSamples) {
    ScorerSetup t(6, 9, 4);  // i.i.d. samples 0..5 of seed 9 at 64²
    const std::vector<double> scores = makeRunDifficultyScorer(t.pipeline, t.options)->score(t.specs);
    ASSERT_EQ(scores.size(), 6u);

    MultiTaskNet net = loadMultiTaskNet((t.run / "final.safetensors").string());
    const SynthForgeDataset data(t.ds.string(), 64);
    const EvalResult r = evaluateNet(net, data, annotate::ClassTable::defaultTable(), 6, torch::kCPU);
    ASSERT_EQ(r.nmePerImage.size(), 6u);
    for (size_t i = 0; i < 6; ++i) {
        EXPECT_NEAR(scores[i], r.nmePerImage[i], 1e-5) << "sample " << i;
        EXPECT_GT(scores[i], 0.0);
    }
    // The same candidates one at a time.
    t.options.batch = 1;
    const std::vector<double> single = makeRunDifficultyScorer(t.pipeline, t.options)->score(t.specs);
    for (size_t i = 0; i < 6; ++i) EXPECT_NEAR(single[i], scores[i], 1e-6);
}

TEST(GuidedScorer, LossScoresAreTheRunsValidationLossOfTheStoredSamples) {
    ScorerSetup t(5, 4, 3);
    // Weights unlike the defaults, so a scorer that ignored config.json would differ.
    nlohmann::json j{{"stage", "I"}, {"size", 64}, {"data", t.ds.string()}, {"val_fraction", 0.1},
                     {"losses",
                      {{"segmentation", 0.7}, {"dice", 0.5}, {"class_balance", 0.3}, {"depth", 2.0}, {"keypoints", 1.5},
                       {"heatmap", 0.25}, {"heatmap_sigma", 1.5}, {"equivariance", 1.0}}}};
    io::writeFileAtomic((t.run / "config.json").string(), j.dump());
    t.options.score = "loss";
    const std::vector<double> scores = makeRunDifficultyScorer(t.pipeline, t.options)->score(t.specs);
    ASSERT_EQ(scores.size(), 5u);

    // Expected: the stored samples through the training loader, one at a time,
    // the run's weights without the equivariance term.
    const MultiTaskLossOptions options = MultiTaskLossOptions()
                                             .segmentation(0.7)
                                             .dice(0.5)
                                             .classBalance(0.3)
                                             .depth(2.0)
                                             .keypoints(1.5)
                                             .heatmap(0.25)
                                             .heatmapSigma(1.5)
                                             .equivariance(0);
    MultiTaskNet net = loadMultiTaskNet((t.run / "final.safetensors").string());
    net->eval();
    torch::NoGradGuard noGrad;
    const SynthForgeDataset data(t.ds.string(), 64);
    double spread = 0;
    for (int64_t i = 0; i < 5; ++i) {
        const SynthForgeBatch b = data.load({i});
        const double want = supervisedLosses(net->forward(b.images), stageOneTargets(b, torch::kCPU), options).total.item<double>();
        EXPECT_NEAR(scores[static_cast<size_t>(i)], want, 1e-4 * want) << "sample " << i;
        spread = std::max(spread, std::abs(scores[static_cast<size_t>(i)] - scores[0]));
    }
    EXPECT_GT(spread, 0.0) << "every candidate scored the same";

    // Unknown scores are refused.
    t.options.score = "accuracy";
    EXPECT_THROW(makeRunDifficultyScorer(t.pipeline, t.options), std::invalid_argument);
}

TEST(GuidedScorer, BackboneFeaturesAreThePooledUnitFeaturesOfTheStoredSamples) {
    ScorerSetup t(4, 6, 3);
    const std::vector<Eigen::VectorXd> f = makeRunCandidateFeatures(t.pipeline, t.options)->features(t.specs);
    ASSERT_EQ(f.size(), 4u);

    MultiTaskNet net = loadMultiTaskNet((t.run / "final.safetensors").string());
    net->eval();
    torch::NoGradGuard noGrad;
    const SynthForgeDataset data(t.ds.string(), 64);
    for (int64_t i = 0; i < 4; ++i) {
        const torch::Tensor pooled = net->forward(data.load({i}).images).features.mean({2, 3})[0];
        const torch::Tensor unit = pooled / pooled.norm();
        ASSERT_EQ(f[static_cast<size_t>(i)].size(), unit.size(0));
        EXPECT_NEAR(f[static_cast<size_t>(i)].norm(), 1.0, 1e-6);  // normalised in float32
        for (int64_t k = 0; k < unit.size(0); k += 7)
            EXPECT_NEAR(f[static_cast<size_t>(i)][k], unit[k].item<double>(), 1e-5) << "sample " << i << " channel " << k;
    }
    EXPECT_GT((f[0] - f[1]).norm(), 1e-4) << "different renders, different features";
}

TEST(GuidedScorer, RefusesRunsItCannotUse) {
    testutil::TempDir dir;
    const generate::SamplePipeline pipeline = testutil::tinyPipeline(64);
    GuidedScorerOptions o;
    o.device = "cpu";
    const auto refuses = [&](const fs::path& run, const std::string& what) {
        o.run = run.string();
        try {
            makeRunDifficultyScorer(pipeline, o);
            ADD_FAILURE() << "accepted " << run;
        } catch (const std::runtime_error& e) {
            const std::string msg = e.what();
            EXPECT_NE(msg.find(run.string()), std::string::npos) << msg;
            EXPECT_NE(msg.find(what), std::string::npos) << msg;
        }
    };
    refuses(dir.path / "missing", "no such run");

    const fs::path stage2 = dir.path / "stage2";
    fs::create_directories(stage2);
    writeConfig(stage2, dir.path, "II");
    refuses(stage2, "Stage II");

    // A run trained on 5 classes, the pipeline writing the default table's 19.
    const fs::path five = dir.path / "five";
    fs::create_directories(five);
    torch::manual_seed(2);
    saveMultiTaskNet(MultiTaskNet(MultiTaskNetOptions(5).preset("small")), (five / "final.safetensors").string());
    writeConfig(five, dir.path, "I");
    refuses(five, "classes");
}

}  // namespace
}  // namespace synthforge::train
