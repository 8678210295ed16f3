// `synthforge eval` on Stage II runs (core/train/evaluator.h,
// evaluateFinetunedRun through evaluateRun): a short fine-tune on a tiny
// LaPa set over a fresh `small` Stage I net is scored on the benchmark with
// NME by LaPa's eye corners (66/79; equal to core/eval's nmeSummary on the
// same arrays), LaPa's 11 class names, no depth, and the split recorded; a
// 300-W run gives landmarks only; a folder of another format is refused.

#include <cmath>
#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "core/annotate/class_presets.h"
#include "core/eval/landmark_metrics.h"
#include "core/train/evaluator.h"
#include "core/train/finetune.h"
#include "core/train/torch_benchmark_data.h"
#include "core/train/torch_evaluator.h"
#include "core/train/torch_finetune_net.h"
#include "core/train/torch_multitask_net.h"
#include "core/train/torch_weights.h"
#include "tests/support/benchmark_fixtures.h"
#include "tests/support/run_fixtures.h"
#include "tests/support/fixtures.h"

namespace synthforge::train {
namespace {

namespace fs = std::filesystem;

FinetuneConfig config(const fs::path& data, const std::string& format, const fs::path& stage1, const fs::path& out) {
    FinetuneConfig c;
    c.data = data.string();
    c.format = format;
    c.stage1 = stage1.string();
    c.out = out.string();
    c.size = 64;
    c.batch = 2;
    c.epochs = 1;
    c.seed = 4;
    c.device = "cpu";
    c.threads = 1;
    return c;
}

EvalConfig evalConfig(const fs::path& run, const fs::path& data, const std::string& split = "auto") {
    EvalConfig e;
    e.model = run.string();
    e.data = data.string();
    e.device = "cpu";
    e.threads = 1;
    e.batch = 3;
    e.split = split;
    return e;
}

TEST(FinetuneEval, LapaRunIsScoredWithLapaEyeCornersAndClasses) {
    testutil::TempDir dir;
    const fs::path lapa = dir.path / "LaPa", stage1 = dir.path / "stage1.safetensors", run = dir.path / "run";
    testutil::writeLapaFixture(lapa, 4, 2);
    testutil::writeFreshStageOne(stage1);
    finetuneStageTwo(config(lapa, "lapa", stage1, run));
    ASSERT_TRUE(isStageTwoRun(run.string()));

    // auto on the run's own folder: LaPa's val/ (ids 4, 5), not test/.
    const EvalResult r = evaluateRun(evalConfig(run, lapa));
    EXPECT_EQ(r.stage, "II");
    EXPECT_EQ(r.datasetFormat, "lapa");
    EXPECT_EQ(r.split, "val");
    EXPECT_EQ(r.samples, 2);
    EXPECT_EQ(r.firstSample, 4);
    EXPECT_EQ(r.size, 64);  // the run's crop size
    EXPECT_EQ(r.numLandmarks, 106);
    EXPECT_EQ(r.nmeNormalizer, "outer_eye_corners_66_79");
    ASSERT_EQ(r.nmePerImage.size(), 2u);
    EXPECT_TRUE(std::isfinite(r.nmeMean));
    EXPECT_TRUE(std::isfinite(r.auc));
    EXPECT_TRUE(std::isnan(r.depthL1));

    // The same numbers from the model and batches directly, through core/eval.
    {
        FinetunedModel m = loadFinetunedModel((run / "final.safetensors").string());
        const BenchmarkDataset d(lapa.string(), "lapa", 64, 0.25, 0.1);
        const BenchmarkBatch b = d.load({4, 5});
        const FinetuneOutput y = m.forward(b.images);
        std::vector<eval::Landmarks2d> pred, gt;
        for (int64_t k = 0; k < 2; ++k) {
            pred.push_back(landmarksToPixels(y.landmarks[k], 64));
            gt.push_back(landmarksToPixels(b.landmarks[k], 64));
        }
        const eval::NmeSummary expected = eval::nmeSummary(pred, gt, eval::lapa106Nme());
        EXPECT_NEAR(r.nmeMean, expected.mean, 1e-6);
        for (size_t k = 0; k < 2; ++k) EXPECT_NEAR(r.nmePerImage[k], expected.perImage[k], 1e-6);
        // iBUG's 36/45 would give another number on 106 points.
        EXPECT_GT(std::abs(eval::nmeSummary(pred, gt, eval::ibug68Nme()).mean - expected.mean), 1e-6);
        EXPECT_NEAR(r.failureRate, eval::failureRate(expected.perImage, 0.08), 1e-12);
        EXPECT_NEAR(r.auc, eval::cedAuc(expected.perImage, 0.08), 1e-5);
    }

    ASSERT_EQ(r.classes.size(), 11u);
    const annotate::ClassTable& lapaClasses = annotate::lapaTable();
    for (int k = 0; k < 11; ++k) EXPECT_EQ(r.classes[k].name, lapaClasses.findById(k)->name);
    EXPECT_GT(r.classes[1].gtPixels, 0u);  // skin
    EXPECT_GT(r.foregroundCounted, 0);
    EXPECT_TRUE(std::isfinite(r.meanF1));
    EXPECT_TRUE(std::isfinite(r.meanIoU));

    const auto j = nlohmann::json::parse(evalResultToJson(r));
    EXPECT_EQ(j["stage"], "II");
    EXPECT_EQ(j["dataset_format"], "lapa");
    EXPECT_EQ(j["split"], "val");
    EXPECT_EQ(j["split_rule"], "official LaPa train/, val/ and test/ folders");
    EXPECT_EQ(j["num_landmarks"], 106);
    EXPECT_EQ(j["nme_normalizer"], "outer_eye_corners_66_79");
    EXPECT_TRUE(j["depth_l1_face"].is_null());
    EXPECT_EQ(j["classes"].size(), 11u);
    EXPECT_NE(evalResultTable(r).find("no depth"), std::string::npos);

    // Other splits: train/ (4), both (6), and test/ (1) only when asked for.
    EXPECT_EQ(evaluateRun(evalConfig(run, lapa, "train")).samples, 4);
    const EvalResult testSplit = evaluateRun(evalConfig(run, lapa, "test"));
    EXPECT_EQ(testSplit.samples, 1);
    EXPECT_TRUE(testSplit.nmeSubsets.empty());
    const EvalResult all = evaluateRun(evalConfig(run, lapa, "all"));
    EXPECT_EQ(all.split, "all");
    EXPECT_EQ(all.samples, 6);
    EXPECT_EQ(all.firstSample, 0);
    // A split folder elsewhere (test/ itself): auto scores all of it.
    const EvalResult test = evaluateRun(evalConfig(run, lapa / "test"));
    EXPECT_EQ(test.split, "all");
    EXPECT_EQ(test.samples, 1);

    // A folder of another format is refused naming the expected format.
    testutil::write300WFixture(dir.path / "w300", 3);
    try {
        evaluateRun(evalConfig(run, dir.path / "w300"));
        ADD_FAILURE() << "a 300-W folder was accepted for a LaPa run";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("not a lapa dataset"), std::string::npos) << e.what();
    }
}

TEST(FinetuneEval, W300RunGivesLandmarksOnly) {
    testutil::TempDir dir;
    const fs::path w300 = dir.path / "w300", stage1 = dir.path / "stage1.safetensors", run = dir.path / "run";
    testutil::write300WFixture(w300, 5);
    testutil::writeFreshStageOne(stage1);
    finetuneStageTwo(config(w300, "300w", stage1, run));

    const EvalResult r = evaluateRun(evalConfig(run, w300));
    EXPECT_EQ(r.datasetFormat, "300w");
    EXPECT_EQ(r.split, "val");  // the last ceil(0.1 * 5) = 1
    EXPECT_EQ(r.samples, 1);
    EXPECT_EQ(r.firstSample, 4);
    EXPECT_EQ(r.numLandmarks, 68);
    EXPECT_EQ(r.nmeNormalizer, "outer_eye_corners_36_45");
    EXPECT_TRUE(std::isfinite(r.nmeMean));
    EXPECT_TRUE(r.classes.empty());
    EXPECT_TRUE(std::isnan(r.meanF1));
    const auto j = nlohmann::json::parse(evalResultToJson(r));
    EXPECT_TRUE(j["classes"].empty());
    EXPECT_TRUE(j["mean_foreground"]["f1"].is_null());
    EXPECT_NE(evalResultTable(r).find("no segmentation head"), std::string::npos);
}

TEST(FinetuneEval, W300TestSplitIsScoredPerCustomarySubset) {
    testutil::TempDir dir;
    const fs::path w300 = dir.path / "300W_release", stage1 = dir.path / "stage1.safetensors", run = dir.path / "run";
    testutil::write300WReleaseFixture(w300);
    testutil::writeFreshStageOne(stage1);
    finetuneStageTwo(config(w300, "300w", stage1, run));

    const EvalResult r = evaluateRun(evalConfig(run, w300, "test"));
    EXPECT_EQ(r.split, "test");
    EXPECT_EQ(r.samples, 5);  // helen/lfpw test 2, ibug 2, 300W 1
    ASSERT_EQ(r.nmeSubsets.size(), 4u);
    const std::vector<std::pair<std::string, int64_t>> expected = {
        {"common", 2}, {"challenging", 2}, {"full", 4}, {"private", 1}};
    for (size_t k = 0; k < expected.size(); ++k) {
        EXPECT_EQ(r.nmeSubsets[k].name, expected[k].first);
        EXPECT_EQ(r.nmeSubsets[k].samples, expected[k].second);
    }
    // Test ids in path order: 300W (private), helen/testset (common), ibug x2, lfpw/testset (common).
    ASSERT_EQ(r.nmePerImage.size(), 5u);
    const auto& v = r.nmePerImage;
    EXPECT_NEAR(r.nmeSubsets[0].nmeMean, (v[1] + v[4]) / 2, 1e-12);
    EXPECT_NEAR(r.nmeSubsets[1].nmeMean, (v[2] + v[3]) / 2, 1e-12);
    EXPECT_NEAR(r.nmeSubsets[2].nmeMean, (v[1] + v[2] + v[3] + v[4]) / 4, 1e-12);
    EXPECT_NEAR(r.nmeSubsets[3].nmeMean, v[0], 1e-12);
    const auto j = nlohmann::json::parse(evalResultToJson(r));
    EXPECT_EQ(j["nme_subsets"][2]["name"], "full");
    EXPECT_EQ(j["nme_subsets"][2]["samples"], 4);
    EXPECT_NE(evalResultTable(r).find("challenging"), std::string::npos);

    // A Stage II benchmark without a test split says so.
    const fs::path plain = dir.path / "w300_plain", run2 = dir.path / "run2";
    testutil::write300WFixture(plain, 5);
    finetuneStageTwo(config(plain, "300w", stage1, run2));
    try {
        evaluateRun(evalConfig(run2, plain, "test"));
        ADD_FAILURE() << "no error";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("'test' split holds no sample"), std::string::npos) << e.what();
    }
}

TEST(FinetuneEval, MissingRunIsAnError) {
    testutil::TempDir dir;
    try {
        evaluateRun(evalConfig(dir.path / "nope", dir.path));
        ADD_FAILURE() << "no error";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("nope"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace synthforge::train
