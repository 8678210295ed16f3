// The learning test: on a tiny generated dataset the `fast` recipe must
// learn landmarks that generalise to held-out samples within a CI budget,
// and clearly better than the `paper` recipe does in the same steps.
//
// Thresholds. The mean-shape baseline predicts the training samples' mean
// landmarks for every held-out image: the best a network that ignores its
// input can do under an L2 landmark loss. Samples differ by up to ±0.8 rad
// in yaw and pitch, so that baseline is far from zero. A network that has
// learned to read the face must beat it clearly on images it never saw: we
// require under 60 % of it (measured in docs/training.md "Recipes"). paper's
// rates (1e-4, backbone at a tenth) leave it near the baseline in this many
// steps, which is the failure this recipe exists to fix: fast must also be
// below 80 % of paper's NME.

#include <cstdio>
#include <filesystem>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/eval/landmark_metrics.h"
#include "core/train/data_split.h"
#include "core/train/evaluator.h"
#include "core/train/torch_evaluator.h"
#include "core/train/torch_synthforge_data.h"
#include "core/train/trainer.h"
#include "tests/support/fixtures.h"
#include "tests/support/tiny_dataset.h"

namespace synthforge::train {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kSamples = 200;  // 160 train, 40 held out
constexpr int64_t kEpochs = 18;    // 20 steps per epoch: 360 steps

double heldOutNme(const fs::path& data, const fs::path& run) {
    EvalConfig e;
    e.model = run.string();
    e.data = data.string();
    e.split = "val";
    e.device = "cpu";
    e.threads = 1;
    const EvalResult r = evaluateRun(e);
    EXPECT_EQ(r.samples, 40);
    return r.nmeMean;
}

double meanShapeBaseline(const fs::path& data) {
    const SynthForgeDataset ds(data.string(), 64);
    const int64_t nVal = validationCount(kSamples, 0.2), nTrain = kSamples - nVal;
    std::vector<int64_t> all(kSamples);
    for (int64_t i = 0; i < kSamples; ++i) all[i] = i;
    const SynthForgeBatch b = ds.load(all);
    eval::Landmarks2d mean = eval::Landmarks2d::Zero(68, 2);
    for (int64_t i = 0; i < nTrain; ++i) mean += landmarksToPixels(b.landmarks[i], 64) / static_cast<float>(nTrain);
    std::vector<eval::Landmarks2d> gt, pred;
    for (int64_t i = nTrain; i < kSamples; ++i) {
        gt.push_back(landmarksToPixels(b.landmarks[i], 64));
        pred.push_back(mean);
    }
    return eval::nmeSummary(pred, gt, eval::ibug68Nme()).mean;
}

TrainConfig runOf(const std::string& recipe, const fs::path& data, const fs::path& out) {
    TrainConfig c = trainRecipe(recipe);
    c.data = data.string();
    c.out = out.string();
    c.size = 64;
    c.batch = 8;
    c.epochs = kEpochs;
    c.valFraction = 0.2;
    c.seed = 3;
    c.device = "cpu";
    // One thread: CTest runs two tests at once on CI's two cores, and two
    // threads each would spin against each other in every parallel region.
    c.threads = 1;
    c.checkpointEvery = 1000;
    return c;
}

TEST(Learning, FastRecipeGeneralisesWithinACiBudgetAndBeatsPaper) {
    testutil::TempDir dir;
    const fs::path data = dir.path / "ds";
    testutil::writeTinyDataset(data, kSamples, 17);

    const TrainResult fast = trainStageOne(runOf("fast", data, dir.path / "fast"));
    const TrainResult paper = trainStageOne(runOf("paper", data, dir.path / "paper"));
    ASSERT_EQ(fast.steps, kEpochs * 20);
    ASSERT_EQ(paper.steps, kEpochs * 20);

    const double baseline = meanShapeBaseline(data);
    const double fastNme = heldOutNme(data, dir.path / "fast");
    const double paperNme = heldOutNme(data, dir.path / "paper");
    std::printf("held-out NME: fast %.4f, paper %.4f, mean-shape baseline %.4f\n", fastNme, paperNme, baseline);
    EXPECT_LT(fastNme, 0.6 * baseline);
    EXPECT_LT(fastNme, 0.8 * paperNme);
    // The best checkpoint was chosen on the validation NME the run computed.
    EXPECT_GE(fast.bestStep, 1);
    EXPECT_TRUE(fs::exists(fast.bestWeights));
    EXPECT_LE(fast.bestScore, fastNme + 1e-6) << "best.pt is at least as good as the last step on val NME";
}

}  // namespace
}  // namespace synthforge::train
