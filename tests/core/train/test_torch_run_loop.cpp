// The run loop shared by Stage I and Stage II on a toy model (a linear
// regression): metrics.csv columns and TensorBoard tags from the spec, the
// scheduled rate (warm-up, cosine, linear, constant) scaled per parameter
// group, gradient clipping, validation and checkpoints at their cadence, the
// best checkpoint on a chosen metric, early stopping, prediction grids every
// imageEvery steps, and a cancelled run resumed to the same metrics and
// weights as an uninterrupted one.

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/train/torch_run_loop.h"
#include "tests/support/fixtures.h"
#include "tests/support/run_fixtures.h"

namespace synthforge::train {
namespace {

namespace fs = std::filesystem;
using testutil::readTextFile;

struct ToyConfig : RunConfigCommon {
    ToyConfig() : RunConfigCommon(0.1) {}
};

/// A toy run: y = 2x - 1 learned by a Linear(1, 1) whose weight and bias
/// are separate parameter groups (the bias at half the rate).
struct ToyRun {
    torch::nn::Linear net{1, 1};
    std::unique_ptr<torch::optim::AdamW> optimizer;
    std::vector<double> seenLr;        ///< the rate each step was handed
    std::vector<double> groupLr;       ///< group 1's rate during each step
    int validations = 0, previews = 0;
    std::vector<std::string> savedTo;  ///< every saveFinal path, in order
    /// Validation values by validation number (1-based); empty: the toy's
    /// real validation loss, with a second metric of 1 - loss.
    std::vector<double> plantedScores;
    int64_t totalSteps = 6;

    ToyRun() {
        torch::manual_seed(7);
        net = torch::nn::Linear(1, 1);
        std::vector<torch::optim::OptimizerParamGroup> groups;
        groups.emplace_back(std::vector<torch::Tensor>{net->weight},
                            std::make_unique<torch::optim::AdamWOptions>(0.1));
        groups.emplace_back(std::vector<torch::Tensor>{net->bias}, std::make_unique<torch::optim::AdamWOptions>(0.1));
        optimizer = std::make_unique<torch::optim::AdamW>(groups, torch::optim::AdamWOptions(0.1));
    }

    size_t bestMetric = 0;
    bool bestHigherIsBetter = false;

    RunLoopResult run(const RunDirectory& dir, const ToyConfig& c, jobs::ProgressSink* sink = nullptr,
                      const jobs::CancelToken* cancel = nullptr) {
        RunLoopSpec spec;
        spec.job = "toy";
        spec.totalSteps = totalSteps;
        spec.metrics = {{"total", "loss/total"}, {"noise", "loss/noise"}, {"lr", "lr/heads"}};
        spec.valMetrics = {{"val_total", "val/total"}, {"val_score", "val/score"}};
        spec.bestMetric = bestMetric;
        spec.bestHigherIsBetter = bestHigherIsBetter;
        spec.lrScales = {1.0, 0.5};
        RunLoopHooks hooks;
        hooks.step = [&](int64_t step, double lr) {
            seenLr.push_back(lr);
            groupLr.push_back(optimizer->param_groups()[1].options().get_lr());
            // a random draw per step: reseeded from (seed, step), it must
            // resume identically
            const torch::Tensor x = torch::rand({8, 1});
            const torch::Tensor loss = (net->forward(x) - (2 * x - 1)).pow(2).mean();
            loss.backward();
            return StepReport{step / 3, {loss.item<double>(), x.sum().item<double>(), lr}};
        };
        hooks.validate = [&]() -> std::vector<double> {
            ++validations;
            if (!plantedScores.empty()) {
                const double v = plantedScores.at(static_cast<size_t>(validations - 1));
                return {v, v};
            }
            torch::NoGradGuard noGrad;
            const torch::Tensor x = torch::linspace(0, 1, 5).view({5, 1});
            const double loss = (net->forward(x) - (2 * x - 1)).pow(2).mean().item<double>();
            return {loss, 1.0 - loss};
        };
        hooks.preview = [&] {
            ++previews;
            return cv::Mat(4, 4, CV_8UC3, cv::Scalar(10, 20, 30));
        };
        hooks.saveFinal = [&](const std::string& path) {
            savedTo.push_back(path);
            // the raw values: equal files mean bit-equal weights
            std::ofstream out(path, std::ios::binary);
            for (const torch::Tensor& p : {net->weight, net->bias})
                out.write(static_cast<const char*>(p.contiguous().data_ptr()), p.numel() * sizeof(float));
        };
        return runTrainingLoop(dir, c, spec, *net, *optimizer, hooks, sink, cancel);
    }
};

ToyConfig toyConfig(const fs::path& out) {
    ToyConfig c;
    c.data = "unused";
    c.out = out.string();
    c.minLr = 0.01;
    c.checkpointEvery = 2;
    c.imageEvery = 3;
    c.seed = 11;
    return c;
}

TEST(RunLoop, WritesMetricsTagsCheckpointsAndFinalWeightsAtTheirCadence) {
    testutil::TempDir tmp;
    const ToyConfig c = toyConfig(tmp.path / "run");
    const RunDirectory dir(c.out, "{\"toy\": 1}\n", false, c.keepCheckpoints);
    ToyRun toy;
    const RunLoopResult r = toy.run(dir, c);

    EXPECT_EQ(r.steps, 6);
    EXPECT_EQ(r.resumedFrom, 0);
    EXPECT_EQ(toy.validations, 3) << "steps 2, 4 and 6";
    EXPECT_EQ(toy.previews, 2) << "steps 3 and 6";
    EXPECT_EQ(r.finalWeights, (tmp.path / "run" / "final.safetensors").string());
    EXPECT_EQ(r.bestWeights, (tmp.path / "run" / "best.safetensors").string());
    EXPECT_EQ(toy.savedTo, (std::vector<std::string>{r.finalWeights, r.bestWeights}));
    EXPECT_TRUE(fs::exists(r.finalWeights));
    EXPECT_TRUE(fs::exists(r.bestWeights));
    ASSERT_EQ(toy.seenLr.size(), 6u);
    for (int s = 0; s < 6; ++s) {
        // cosine from 0.1 at step 0 to 0.01 at step 6
        EXPECT_DOUBLE_EQ(toy.seenLr[s], 0.01 + 0.045 * (1 + std::cos(M_PI * s / 6.0))) << s;
        EXPECT_EQ(toy.groupLr[s], 0.5 * toy.seenLr[s]) << s;
    }

    const std::string csv = readTextFile(tmp.path / "run" / "metrics.csv");
    EXPECT_EQ(csv.substr(0, csv.find('\n') + 1), "step,epoch,total,noise,lr,grad_norm,val_total,val_score\n");
    EXPECT_EQ(testutil::metricsColumn(tmp.path / "run" / "metrics.csv", 0), (std::vector<double>{1, 2, 3, 4, 5, 6}));
    EXPECT_EQ(testutil::metricsColumn(tmp.path / "run" / "metrics.csv", 1), (std::vector<double>{0, 0, 0, 1, 1, 1}));
    const auto lastTotal = testutil::metricsColumn(tmp.path / "run" / "metrics.csv", 2).back();
    EXPECT_EQ(formatMetric(lastTotal), formatMetric(r.lastLoss));
    // validation values only on checkpoint steps (2, 4, 6)
    std::istringstream lines(csv);
    std::string line;
    std::getline(lines, line);
    std::vector<bool> hasVal;
    while (std::getline(lines, line)) hasVal.push_back(line.back() != ',');
    EXPECT_EQ(hasVal, (std::vector<bool>{false, true, false, true, false, true})) << csv;
    EXPECT_TRUE(std::isfinite(r.bestValLoss) && r.bestValLoss > 0);
    EXPECT_EQ(r.bestScore, r.bestValLoss);
    EXPECT_FALSE(r.stoppedEarly);
    for (double g : testutil::metricsColumn(tmp.path / "run" / "metrics.csv", 5)) EXPECT_GT(g, 0);

    std::set<std::string> tags;
    for (const auto& f : fs::directory_iterator(tmp.path / "run"))
        if (f.path().filename().string().find("tfevents") != std::string::npos)
            for (const auto& s : io::readTensorBoardScalars(f.path().string())) tags.insert(s.tag);
    EXPECT_EQ(tags, (std::set<std::string>{"loss/total", "loss/noise", "lr/heads", "train/grad_norm", "val/total",
                                           "val/score"}));
    const auto images = testutil::eventImages(tmp.path / "run");
    ASSERT_EQ(images.size(), 2u);
    EXPECT_EQ(images[0].tag, "val/predictions");
    EXPECT_EQ(images[0].step, 3);
    EXPECT_TRUE(fs::exists(dir.checkpoints().pathOf(6)));
    EXPECT_TRUE(fs::exists(dir.checkpoints().bestPath()));
}

TEST(RunLoop, CancelledRunResumesToTheUninterruptedResult) {
    testutil::TempDir tmp;
    ToyConfig split = toyConfig(tmp.path / "split");
    split.checkpointEvery = 100;  // only the cancellation and the end write checkpoints
    ToyConfig splitWhole = split;
    splitWhole.out = (tmp.path / "split_whole").string();
    ToyRun reference;
    reference.run(RunDirectory(splitWhole.out, "{}\n", false, split.keepCheckpoints), splitWhole);
    {
        jobs::CancelToken token;
        testutil::CancelAtFirstUpdate sink(&token);
        ToyRun b;
        EXPECT_THROW(b.run(RunDirectory(split.out, "{}\n", false, split.keepCheckpoints), split, &sink, &token),
                     jobs::Cancelled);
        EXPECT_EQ(RunDirectory(split.out, "{}\n", true, split.keepCheckpoints).checkpoints().latestStep(), 2);
    }
    split.resume = true;
    ToyRun c;  // fresh weights: everything comes from the checkpoint
    const RunLoopResult rc = c.run(RunDirectory(split.out, "{}\n", true, split.keepCheckpoints), split);
    EXPECT_EQ(rc.resumedFrom, 2);
    EXPECT_EQ(rc.steps, 6);
    EXPECT_EQ(readTextFile(tmp.path / "split" / "metrics.csv"), readTextFile(tmp.path / "split_whole" / "metrics.csv"));
    EXPECT_TRUE(readTextFile(tmp.path / "split" / "final.safetensors") ==
                readTextFile(tmp.path / "split_whole" / "final.safetensors"));
    EXPECT_EQ(c.seenLr.size(), 4u) << "the resumed process runs steps 3..6 only";
}


TEST(RunLoop, WarmUpThenEachScheduleFromItsPeak) {
    for (const char* schedule : {"cosine", "linear", "constant"}) {
        testutil::TempDir tmp;
        ToyConfig c = toyConfig(tmp.path / "run");
        c.warmupSteps = 2;
        c.schedule = schedule;
        ToyRun toy;
        toy.run(RunDirectory(c.out, "{}\n", false, c.keepCheckpoints), c);
        ASSERT_EQ(toy.seenLr.size(), 6u);
        EXPECT_DOUBLE_EQ(toy.seenLr[0], 0.05) << schedule << ": warm-up lr/2";
        EXPECT_DOUBLE_EQ(toy.seenLr[1], 0.1) << schedule << ": the peak at the last warm-up step";
        EXPECT_DOUBLE_EQ(toy.seenLr[2], 0.1) << schedule << ": the decay starts from the peak";
        // steps 2..6 decay from 0.1 to 0.01 (t = (s - 2) / 4)
        const double t = 2.0 / 4.0;
        const double expected = std::string(schedule) == "constant" ? 0.1
                                : std::string(schedule) == "linear" ? 0.1 + (0.01 - 0.1) * t
                                                                    : 0.01 + 0.045 * (1 + std::cos(M_PI * t));
        EXPECT_DOUBLE_EQ(toy.seenLr[4], expected) << schedule;
        for (size_t s = 2; s + 1 < toy.seenLr.size(); ++s) EXPECT_LE(toy.seenLr[s + 1], toy.seenLr[s]) << schedule;
    }
}

TEST(RunLoop, StepScheduleDropsAtItsMilestone) {
    testutil::TempDir tmp;
    ToyConfig c = toyConfig(tmp.path / "run");
    c.warmupSteps = 2;
    c.schedule = "step";
    c.milestones = {0.5};  // step 3 of 6
    c.gamma = 0.1;
    ToyRun toy;
    toy.run(RunDirectory(c.out, "{}\n", false, c.keepCheckpoints), c);
    const std::vector<double> want = {0.05, 0.1, 0.1, 0.01, 0.01, 0.01};
    ASSERT_EQ(toy.seenLr.size(), want.size());
    for (size_t s = 0; s < want.size(); ++s) EXPECT_NEAR(toy.seenLr[s], want[s], 1e-12) << s;
}

TEST(RunLoop, ClippingBoundsTheUpdateAndTheNormIsReportedUnclipped) {
    testutil::TempDir tmp;
    ToyConfig clipped = toyConfig(tmp.path / "clipped");
    clipped.gradClip = 1e-6;
    ToyConfig free = toyConfig(tmp.path / "free");
    ToyRun a, b;
    a.optimizer = std::make_unique<torch::optim::AdamW>(a.net->parameters(), torch::optim::AdamWOptions(0.1));
    b.optimizer = std::make_unique<torch::optim::AdamW>(b.net->parameters(), torch::optim::AdamWOptions(0.1));
    // Plain SGD would show the clipping in the step size; AdamW normalises
    // it away, so compare what clip_grad_norm_ left in the gradients.
    RunLoopSpec spec;
    spec.job = "toy";
    spec.totalSteps = 1;
    spec.metrics = {{"total", "loss/total"}};
    for (auto* run : {&a, &b}) {
        ToyConfig& c = run == &a ? clipped : free;
        RunLoopHooks hooks;
        hooks.step = [&](int64_t step, double) {
            const torch::Tensor x = torch::ones({4, 1});
            const torch::Tensor loss = (run->net->forward(x) - 10).pow(2).mean();
            loss.backward();
            return StepReport{step, {loss.item<double>()}};
        };
        hooks.validate = [] { return std::vector<double>{1.0}; };
        hooks.saveFinal = [](const std::string&) {};
        runTrainingLoop(RunDirectory(c.out, "{}\n", false, 3), c, spec, *run->net, *run->optimizer, hooks, nullptr,
                        nullptr);
    }
    double left = 0;
    for (const auto& p : a.net->parameters()) left += p.grad().pow(2).sum().item<double>();
    EXPECT_NEAR(std::sqrt(left), 1e-6, 1e-9) << "gradients rescaled to the clipping norm";
    const double reportedA = testutil::metricsColumn(tmp.path / "clipped" / "metrics.csv", 3).at(0);
    const double reportedB = testutil::metricsColumn(tmp.path / "free" / "metrics.csv", 3).at(0);
    EXPECT_GT(reportedA, 1.0) << "grad_norm is the norm before clipping";
    EXPECT_DOUBLE_EQ(reportedA, reportedB);
}

TEST(RunLoop, ValidatesEveryValEveryStepsAndKeepsTheBestOfAHigherIsBetterMetric) {
    testutil::TempDir tmp;
    ToyConfig c = toyConfig(tmp.path / "run");
    c.valEvery = 1;
    c.checkpointEvery = 100;
    ToyRun toy;
    toy.bestMetric = 1;
    toy.bestHigherIsBetter = true;
    toy.plantedScores = {0.2, 0.5, 0.4, 0.9, 0.3, 0.1};
    const RunLoopResult r = toy.run(RunDirectory(c.out, "{}\n", false, c.keepCheckpoints), c);
    EXPECT_EQ(toy.validations, 6);
    EXPECT_EQ(r.bestStep, 4);
    EXPECT_DOUBLE_EQ(r.bestScore, 0.9);
    EXPECT_EQ(r.bestValLoss, 0) << "the loss did not choose best.pt";
    // best.pt holds step 4, which was checkpointed for it though 4 is no checkpoint step
    RunDirectory dir(c.out, "{}\n", true, c.keepCheckpoints);
    ToyRun probe;
    const TrainState best = dir.checkpoints().loadBest(*probe.net, *probe.optimizer);
    EXPECT_EQ(best.step, 4);
    EXPECT_DOUBLE_EQ(best.bestScore, -0.9) << "stored negated: lower is better";
}

TEST(RunLoop, EarlyStoppingAfterPatienceValidationsWithoutImprovementAndAResumeStaysStopped) {
    testutil::TempDir tmp;
    ToyConfig c = toyConfig(tmp.path / "run");
    c.valEvery = 1;
    c.earlyStopPatience = 2;
    c.earlyStopMinDelta = 0.05;
    ToyRun toy;
    toy.totalSteps = 10;
    // step 2 improves, 3 by less than min_delta (no), 4 worse: stop after step 4
    toy.plantedScores = {1.0, 0.5, 0.48, 0.7, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1};
    const RunLoopResult r = toy.run(RunDirectory(c.out, "{}\n", false, c.keepCheckpoints), c);
    EXPECT_TRUE(r.stoppedEarly);
    EXPECT_EQ(r.steps, 4);
    EXPECT_EQ(r.bestStep, 2);
    EXPECT_DOUBLE_EQ(r.bestScore, 0.5);
    EXPECT_EQ(testutil::metricsColumn(tmp.path / "run" / "metrics.csv", 0), (std::vector<double>{1, 2, 3, 4}));
    EXPECT_TRUE(fs::exists(RunDirectory(c.out, "{}\n", true, 3).checkpoints().pathOf(4)));

    c.resume = true;
    ToyRun again;
    again.totalSteps = 10;
    again.plantedScores = toy.plantedScores;
    const RunLoopResult r2 = again.run(RunDirectory(c.out, "{}\n", true, c.keepCheckpoints), c);
    EXPECT_TRUE(r2.stoppedEarly);
    EXPECT_EQ(r2.steps, 4);
    EXPECT_TRUE(again.seenLr.empty()) << "a stopped run resumed runs no step";
}

}  // namespace
}  // namespace synthforge::train
