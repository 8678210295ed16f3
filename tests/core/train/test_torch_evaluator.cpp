// Evaluation (core/train/evaluator.h) and the trainer's TensorBoard preview
// grid, on a tiny generated dataset (8 samples at 64x64) and a freshly
// initialised `small` net: the metrics are there and finite, the NME is
// exactly core/eval's on the same arrays, and imageEvery writes images.

#include <cmath>
#include <filesystem>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include "core/annotate/overlays.h"
#include "core/generate/dataset_writer.h"
#include "core/generate/procedural_generator.h"
#include "core/annotate/label_map_io.h"
#include "core/head/head_model_io.h"
#include "core/io/tensorboard_reader.h"
#include "core/train/evaluator.h"
#include "core/train/torch_evaluator.h"
#include "core/train/trainer.h"
#include "tests/support/tiny_dataset.h"
#include "tests/support/run_fixtures.h"
#include "tests/support/fixtures.h"

namespace synthforge::train {
namespace {

namespace fs = std::filesystem;

fs::path datasetDir() { return fs::temp_directory_path() / ("synthforge_eval_data_" + std::to_string(::getpid())); }

/// Generated once per test process, as test_torch_trainer.cpp does.
const fs::path& tinyDataset() {
    static const fs::path root = [] {
        const fs::path dir = datasetDir();
        testutil::writeTinyDataset(dir, 8, 5);
        return dir;
    }();
    return root;
}

struct DatasetCleanup : ::testing::Environment {
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(datasetDir(), ec);
    }
};
const auto* const kCleanup = ::testing::AddGlobalTestEnvironment(new DatasetCleanup);

TEST(TorchEvaluator, LandmarksToPixelsInvertsTheNormalisation) {
    // Pixel i's centre i + 0.5 is (2i + 1)/n - 1 (docs/training.md).
    const torch::Tensor v = torch::tensor({-1.0f, 1.0f, 1.0f / 64 - 1, 0.0f}).view({2, 2});
    const eval::Landmarks2d p = landmarksToPixels(v, 64);
    EXPECT_FLOAT_EQ(p(0, 0), 0.0f);
    EXPECT_FLOAT_EQ(p(0, 1), 64.0f);
    EXPECT_FLOAT_EQ(p(1, 0), 0.5f);
    EXPECT_FLOAT_EQ(p(1, 1), 32.0f);
}

TEST(TorchEvaluator, FreshNetGivesFiniteMetricsAndCoreEvalNme) {
    torch::set_num_threads(1);
    torch::manual_seed(1);
    const SynthForgeDataset data(tinyDataset().string(), 64);
    MultiTaskNet net(MultiTaskNetOptions(data.numClasses()).preset("small"));
    const annotate::ClassTable classes = loadDatasetClassTable(tinyDataset().string());
    const EvalResult r = evaluateNet(net, data, classes, 3, torch::kCPU);

    ASSERT_EQ(r.samples, 8);
    ASSERT_EQ(r.nmePerImage.size(), 8u);
    EXPECT_TRUE(std::isfinite(r.nmeMean) && r.nmeMean > 0);
    EXPECT_TRUE(r.failureRate >= 0 && r.failureRate <= 1);
    EXPECT_TRUE(r.auc >= 0 && r.auc <= 1);
    EXPECT_TRUE(std::isfinite(r.depthL1));
    EXPECT_GT(r.facePixels, 0u);
    ASSERT_EQ(static_cast<int64_t>(r.classes.size()), data.numClasses());
    EXPECT_EQ(r.classes[0].name, classes.byId(0).name);
    EXPECT_TRUE(std::isfinite(r.meanF1) && std::isfinite(r.meanIoU));
    EXPECT_GT(r.foregroundCounted, 0);

    // The same arrays through core/eval directly: identical NME.
    std::vector<eval::Landmarks2d> pred, gt;
    {
        torch::NoGradGuard noGrad;
        net->eval();
        const SynthForgeBatch b = data.load({0, 1, 2, 3, 4, 5, 6, 7});
        const torch::Tensor lm = net->forward(b.images).landmarks;
        for (int64_t k = 0; k < 8; ++k) {
            pred.push_back(landmarksToPixels(lm[k], 64));
            gt.push_back(landmarksToPixels(b.landmarks[k], 64));
        }
    }
    const eval::NmeSummary direct = eval::nmeSummary(pred, gt, eval::ibug68Nme());
    for (size_t i = 0; i < 8; ++i) EXPECT_NEAR(r.nmePerImage[i], direct.perImage[i], 1e-6) << i;
    EXPECT_NEAR(r.nmeMean, direct.mean, 1e-6);

    // JSON keys.
    const auto j = nlohmann::json::parse(evalResultToJson(r));
    for (const char* key : {"nme_mean", "nme_per_image", "failure_rate", "auc", "classes", "mean_foreground",
                            "depth_l1_face"})
        EXPECT_TRUE(j.contains(key)) << key;
    EXPECT_EQ(j["classes"].size(), r.classes.size());
    EXPECT_TRUE(j["classes"][1].contains("f1") && j["classes"][1].contains("iou"));
    EXPECT_FALSE(evalResultTable(r).empty());
}

TEST(TorchEvaluator, MissingRunIsAnErrorNamingIt) {
    EvalConfig c;
    c.model = (fs::temp_directory_path() / "synthforge_no_such_run").string();
    c.data = tinyDataset().string();
    try {
        evaluateRun(c);
        FAIL() << "no error";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("synthforge_no_such_run"), std::string::npos) << e.what();
    }
}

TEST(TorchTrainerImages, ImageEveryWritesPredictionGrids) {
    testutil::TempDir dir;
    TrainConfig c;
    c.data = tinyDataset().string();
    c.out = (dir.path / "run").string();
    c.epochs = 1;
    c.batch = 2;
    c.size = 64;
    c.device = "cpu";
    c.threads = 1;
    c.imageEvery = 2;  // 8 samples: 1 validates, 7 train -> 3 steps, an image at step 2
    const TrainResult r = trainStageOne(c);
    ASSERT_EQ(r.steps, 3);

    const std::vector<io::TbImage> images = testutil::eventImages(c.out);
    ASSERT_EQ(images.size(), 1u);
    EXPECT_EQ(images[0].tag, "val/predictions");
    EXPECT_EQ(images[0].step, 2);
    EXPECT_EQ(images[0].colorspace, 3);
    // One validation sample: a row of three 64-pixel tiles with gaps.
    EXPECT_EQ(images[0].width, 3 * 64 + 4 * annotate::kContactSheetGap);
    EXPECT_EQ(images[0].height, 64 + 2 * annotate::kContactSheetGap);
    ASSERT_GE(images[0].encoded.size(), 8u);
    EXPECT_EQ(images[0].encoded[1], 'P');  // PNG signature
}

}  // namespace
}  // namespace synthforge::train
