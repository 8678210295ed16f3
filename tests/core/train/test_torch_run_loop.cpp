// The run loop shared by Stage I and Stage II on a toy model (a linear
// regression): metrics.csv columns and TensorBoard tags from the spec, the
// cosine rate scaled per parameter group, validation and checkpoints at
// their cadence, prediction grids every imageEvery steps, and a cancelled
// run resumed to the same metrics and weights as an uninterrupted one.

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
    std::string savedTo;

    ToyRun() {
        torch::manual_seed(7);
        net = torch::nn::Linear(1, 1);
        std::vector<torch::optim::OptimizerParamGroup> groups;
        groups.emplace_back(std::vector<torch::Tensor>{net->weight},
                            std::make_unique<torch::optim::AdamWOptions>(0.1));
        groups.emplace_back(std::vector<torch::Tensor>{net->bias}, std::make_unique<torch::optim::AdamWOptions>(0.1));
        optimizer = std::make_unique<torch::optim::AdamW>(groups, torch::optim::AdamWOptions(0.1));
    }

    RunLoopResult run(const RunDirectory& dir, const ToyConfig& c, jobs::ProgressSink* sink = nullptr,
                      const jobs::CancelToken* cancel = nullptr) {
        RunLoopSpec spec;
        spec.job = "toy";
        spec.totalSteps = 6;
        spec.metrics = {{"total", "loss/total"}, {"noise", "loss/noise"}, {"lr", "lr/heads"}};
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
        hooks.validate = [&] {
            ++validations;
            torch::NoGradGuard noGrad;
            const torch::Tensor x = torch::linspace(0, 1, 5).view({5, 1});
            return (net->forward(x) - (2 * x - 1)).pow(2).mean().item<double>();
        };
        hooks.preview = [&] {
            ++previews;
            return cv::Mat(4, 4, CV_8UC3, cv::Scalar(10, 20, 30));
        };
        hooks.saveFinal = [&](const std::string& path) {
            savedTo = path;
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
    EXPECT_EQ(toy.savedTo, r.finalWeights);
    EXPECT_TRUE(fs::exists(r.finalWeights));
    ASSERT_EQ(toy.seenLr.size(), 6u);
    for (int s = 0; s < 6; ++s) {
        EXPECT_EQ(toy.seenLr[s], cosineLr(0.1, 0.01, s, 6)) << s;
        EXPECT_EQ(toy.groupLr[s], 0.5 * toy.seenLr[s]) << s;
    }

    const std::string csv = readTextFile(tmp.path / "run" / "metrics.csv");
    EXPECT_EQ(csv.substr(0, csv.find('\n') + 1), "step,epoch,total,noise,lr,val_total\n");
    EXPECT_EQ(testutil::metricsColumn(tmp.path / "run" / "metrics.csv", 0), (std::vector<double>{1, 2, 3, 4, 5, 6}));
    EXPECT_EQ(testutil::metricsColumn(tmp.path / "run" / "metrics.csv", 1), (std::vector<double>{0, 0, 0, 1, 1, 1}));
    const auto lastTotal = testutil::metricsColumn(tmp.path / "run" / "metrics.csv", 2).back();
    EXPECT_EQ(formatMetric(lastTotal), formatMetric(r.lastLoss));
    // val_total only on checkpoint steps (2, 4, 6)
    std::istringstream lines(csv);
    std::string line;
    std::getline(lines, line);
    std::vector<bool> hasVal;
    while (std::getline(lines, line)) hasVal.push_back(line.back() != ',');
    EXPECT_EQ(hasVal, (std::vector<bool>{false, true, false, true, false, true})) << csv;
    EXPECT_TRUE(std::isfinite(r.bestValLoss) && r.bestValLoss > 0);

    std::set<std::string> tags;
    for (const auto& f : fs::directory_iterator(tmp.path / "run"))
        if (f.path().filename().string().find("tfevents") != std::string::npos)
            for (const auto& s : io::readTensorBoardScalars(f.path().string())) tags.insert(s.tag);
    EXPECT_EQ(tags, (std::set<std::string>{"loss/total", "loss/noise", "lr/heads", "val/total"}));
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

}  // namespace
}  // namespace synthforge::train
