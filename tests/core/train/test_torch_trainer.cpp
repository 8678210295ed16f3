// The Stage I trainer on a tiny generated dataset (12 samples at 64x64):
// the data reader's conventions, the loss going down on the `small` preset,
// and a stopped run resumed in process ending byte-identical (metrics.csv
// and final weights) to an uninterrupted one.

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/generate/dataset_writer.h"
#include "core/generate/procedural_generator.h"
#include "core/annotate/label_map_io.h"
#include "core/head/head_model_io.h"
#include "core/train/torch_synthforge_data.h"
#include "core/train/trainer.h"
#include "tests/support/tiny_dataset.h"
#include "tests/support/run_fixtures.h"
#include "tests/support/fixtures.h"

namespace synthforge::train {
namespace {

namespace fs = std::filesystem;

/// The dataset, generated once per test process (SamplePipeline on the
/// default head, as tests/core/generate/test_dataset_writer.cpp does).
const fs::path& tinyDataset() {
    static const fs::path root = [] {
        const fs::path dir = fs::temp_directory_path() / ("synthforge_train_data_" + std::to_string(::getpid()));
        testutil::writeTinyDataset(dir, 12, 3);
        return dir;
    }();
    return root;
}

struct DatasetCleanup : ::testing::Environment {
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(fs::temp_directory_path() / ("synthforge_train_data_" + std::to_string(::getpid())), ec);
    }
};
const auto* const kCleanup = ::testing::AddGlobalTestEnvironment(new DatasetCleanup);

std::string readText(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

/// The `total` column of metrics.csv.
TrainConfig config(const fs::path& out) {
    TrainConfig c;
    c.data = tinyDataset().string();
    c.out = out.string();
    c.preset = "small";
    c.size = 64;
    c.batch = 4;  // 12 samples: 2 validate, 10 train -> 2 steps per epoch
    c.epochs = 3;
    c.seed = 5;
    c.device = "cpu";
    c.threads = 1;  // a fixed thread count makes CPU reductions reproducible
    c.checkpointEvery = 3;
    return c;
}

TEST(SynthForgeData, ReadsBatchesInTheNetworksConventions) {
    const SynthForgeDataset data(tinyDataset().string(), 64);
    ASSERT_EQ(data.size(), 12);
    EXPECT_EQ(data.numClasses(), 19);
    const SynthForgeBatch b = data.load({0, 5});
    EXPECT_EQ(b.images.sizes(), (std::vector<int64_t>{2, 3, 64, 64}));
    EXPECT_GE(b.images.min().item<float>(), -1.0f);
    EXPECT_LE(b.images.max().item<float>(), 1.0f);
    EXPECT_EQ(b.segmentation.dtype(), torch::kInt64);
    EXPECT_TRUE(b.faceMask.any().item<bool>());
    // Depth is non-zero exactly on the face (seg and depth silhouettes agree).
    EXPECT_TRUE(torch::equal(b.faceMask, b.depth > 0));
    EXPECT_EQ(b.landmarks.sizes(), (std::vector<int64_t>{2, 68, 2}));
    // The face lies in the image; a contour point may poke just past the edge at strong yaw.
    EXPECT_LT(b.landmarks.abs().max().item<float>(), 1.2f);
    EXPECT_GT(b.visibility.sum().item<float>(), 68.0f);

    const auto a = SynthForgeDataset::epochOrder(0, 10, 1, 0), again = SynthForgeDataset::epochOrder(0, 10, 1, 0);
    EXPECT_EQ(a, again);
    EXPECT_NE(a, SynthForgeDataset::epochOrder(0, 10, 1, 1));
}

TEST(SynthForgeData, MissingSampleNamesTheFile) {
    testutil::TempDir dir;
    fs::copy(tinyDataset(), dir.path / "ds", fs::copy_options::recursive);
    fs::remove(dir.path / "ds" / "depth" / "000004.tiff");
    const SynthForgeDataset data((dir.path / "ds").string(), 64);
    try {
        data.load({4});
        FAIL() << "no error";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("depth/000004.tiff"), std::string::npos) << e.what();
    }
    EXPECT_THROW(SynthForgeDataset((dir.path / "nothing").string(), 64), std::runtime_error);
}

TEST(Trainer, SmallNetLowersTheLoss) {
    torch::set_num_threads(1);
    testutil::TempDir dir;
    TrainConfig c = config(dir.path / "run");
    c.batch = 2;    // 5 steps per epoch
    c.epochs = 10;  // 50 steps
    c.lr = 3e-3;    // a few dozen steps need more than the 1e-4 of a long run
    c.minLr = 3e-4;
    c.warmupSteps = 0;  // fast's 100-step warm-up would keep all 50 steps slow
    c.checkpointEvery = 10;
    c.keepCheckpoints = 2;
    const TrainResult r = trainStageOne(c);
    EXPECT_EQ(r.steps, 50);
    const auto t = testutil::metricsColumn(dir.path / "run" / "metrics.csv", 2);
    ASSERT_EQ(t.size(), 50u);
    const double first = (t[0] + t[1] + t[2]) / 3, last = (t[47] + t[48] + t[49]) / 3;
    EXPECT_LT(last, 0.85 * first) << "first " << first << " last " << last;
    for (const char* f : {"config.json", "metrics.csv", "final.safetensors", "checkpoints/best.pt",
                          "checkpoints/step_00000050.pt"})
        EXPECT_TRUE(fs::exists(dir.path / "run" / f)) << f;
    EXPECT_FALSE(fs::exists(dir.path / "run" / "checkpoints" / "step_00000030.pt")) << "kept more than 2";
    bool events = false;
    for (const auto& e : fs::directory_iterator(dir.path / "run"))
        events |= e.path().filename().string().find("tfevents") != std::string::npos;
    EXPECT_TRUE(events);
}

TEST(Trainer, StoppedAndResumedRunEqualsAnUninterruptedOne) {
    torch::set_num_threads(1);
    testutil::TempDir dir;
    const TrainResult whole = trainStageOne(config(dir.path / "whole"));
    EXPECT_EQ(whole.steps, 6);

    jobs::CancelToken token;
    testutil::CancelAtFirstUpdate sink(&token);
    EXPECT_THROW(trainStageOne(config(dir.path / "split"), &sink, &token), jobs::Cancelled);
    EXPECT_TRUE(fs::exists(dir.path / "split" / "checkpoints" / "step_00000002.pt"));
    EXPECT_FALSE(fs::exists(dir.path / "split" / "final.safetensors"));

    EXPECT_THROW(trainStageOne(config(dir.path / "split")), std::runtime_error) << "a fresh run over an existing one";
    TrainConfig other = config(dir.path / "split");
    other.resume = true;
    other.batch = 2;
    EXPECT_THROW(trainStageOne(other), std::runtime_error) << "a resume with other settings";

    TrainConfig resume = config(dir.path / "split");
    resume.resume = true;
    const TrainResult rest = trainStageOne(resume);
    EXPECT_EQ(rest.resumedFrom, 2);
    EXPECT_EQ(rest.steps, 6);
    const std::string a = readText(dir.path / "whole" / "metrics.csv"), b = readText(dir.path / "split" / "metrics.csv");
    EXPECT_EQ(a, b);
    EXPECT_EQ(std::count(a.begin(), a.end(), '\n'), 7);
    EXPECT_TRUE(readText(dir.path / "whole" / "final.safetensors") == readText(dir.path / "split" / "final.safetensors"))
        << "final weights differ";
}

TEST(Trainer, AugmentedRunIsTheSameForAnyWorkerCountAndAcrossAResume) {
    torch::set_num_threads(1);
    testutil::TempDir dir;
    // Batch 2: 5 steps per epoch, so the resume below starts mid-epoch.
    auto augmented = [&](const char* name) {
        TrainConfig c = config(dir.path / name);
        c.batch = 2;
        c.epochs = 1;
        c.augment = "default";
        return c;
    };
    TrainConfig plain = augmented("plain");
    plain.augment = "none";
    trainStageOne(plain);

    TrainConfig whole = augmented("whole");
    whole.workers = 0;  // loaded on the training thread
    trainStageOne(whole);
    const std::string a = readText(dir.path / "whole" / "metrics.csv");
    EXPECT_NE(a, readText(dir.path / "plain" / "metrics.csv")) << "augmentation changed nothing";
    EXPECT_NE(readText(dir.path / "whole" / "config.json").find("\"augment\""), std::string::npos);

    // Three loader threads, stopped after step 2 and resumed mid-epoch.
    TrainConfig split = augmented("split");
    split.workers = 3;
    jobs::CancelToken token;
    testutil::CancelAtFirstUpdate sink(&token);
    EXPECT_THROW(trainStageOne(split, &sink, &token), jobs::Cancelled);
    split.resume = true;
    split.workers = 1;
    trainStageOne(split);
    EXPECT_EQ(a, readText(dir.path / "split" / "metrics.csv"));
    EXPECT_TRUE(readText(dir.path / "whole" / "final.safetensors") == readText(dir.path / "split" / "final.safetensors"))
        << "final weights differ";

    // Augmentation settings are part of the run: resuming without them is refused.
    TrainConfig other = augmented("split");
    other.augment = "none";
    other.resume = true;
    EXPECT_THROW(trainStageOne(other), std::runtime_error);
    // A bad augmentation file names itself before anything is written.
    TrainConfig bad = config(dir.path / "bad");
    bad.augment = (dir.path / "missing.json").string();
    try {
        trainStageOne(bad);
        ADD_FAILURE() << "no error for a missing augmentation file";
    } catch (const std::exception& e) {
        EXPECT_NE(std::string(e.what()).find("missing.json"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(fs::exists(dir.path / "bad" / "config.json"));
}

TEST(Trainer, TrainsOnTheFaceSyntheticsLayoutWithoutDepth) {
    torch::set_num_threads(1);
    testutil::TempDir dir;
    generate::DatasetOptions o;
    o.outDir = (dir.path / "ds").string();
    o.count = 6;
    o.seed = 4;
    o.workers = 2;
    o.headSource = "default";
    o.formats.faceSynthetics = true;
    generate::writeDataset(testutil::tinyPipeline(64), o);

    TrainConfig c = config(dir.path / "run");
    c.data = (dir.path / "ds" / "facesynthetics").string();
    c.batch = 2;  // 6 samples: 1 validates, 5 train -> 2 steps per epoch
    c.epochs = 1;
    const TrainResult r = trainStageOne(c);
    EXPECT_EQ(r.steps, 2);
    // The depth column (6th) is exactly 0: no FaceSynthetics sample has depth.
    std::istringstream in(readText(dir.path / "run" / "metrics.csv"));
    std::string line;
    std::getline(in, line);
    int rows = 0;
    while (std::getline(in, line)) {
        std::istringstream row(line);
        std::string cell;
        for (int i = 0; i < 6; ++i) std::getline(row, cell, ',');
        EXPECT_EQ(std::stod(cell), 0.0) << line;
        ++rows;
    }
    EXPECT_EQ(rows, 2);
}

}  // namespace
}  // namespace synthforge::train
