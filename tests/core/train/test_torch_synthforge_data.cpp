// Training batches from both layouts, augmentation inside the loader, and the
// multi-threaded loader: identical tensors for any worker count, worker
// errors reaching the caller unchanged, prompt destruction mid-epoch.

#include <gtest/gtest.h>

#include <torch/torch.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "core/annotate/class_table.h"
#include "core/train/torch_synthforge_data.h"
#include "tests/support/fixtures.h"
#include "tests/support/tiny_dataset.h"

using namespace synthforge;
using namespace synthforge::train;
namespace fs = std::filesystem;

namespace {

/// A 6-sample 64 x 64 dataset in our layout plus its FaceSynthetics export,
/// written once per test process.
const fs::path& exportedDataset() {
    struct Holder {
        fs::path dir = fs::temp_directory_path() / ("synthforge_torch_data_" + std::to_string(::getpid()));
        Holder() {
            fs::remove_all(dir);
            generate::DatasetOptions o;
            o.outDir = dir.string();
            o.count = 6;
            o.seed = 21;
            o.workers = 2;
            o.headSource = "default";
            o.formats.faceSynthetics = true;
            generate::writeDataset(testutil::tinyPipeline(64), o);
        }
        ~Holder() {
            std::error_code ec;
            fs::remove_all(dir, ec);
        }
    };
    static Holder h;
    return h.dir;
}

void expectSameBatch(const SynthForgeBatch& a, const SynthForgeBatch& b) {
    EXPECT_TRUE(torch::equal(a.images, b.images));
    EXPECT_TRUE(torch::equal(a.segmentation, b.segmentation));
    EXPECT_TRUE(torch::equal(a.depth, b.depth));
    EXPECT_TRUE(torch::equal(a.faceMask, b.faceMask));
    EXPECT_TRUE(torch::equal(a.landmarks, b.landmarks));
    EXPECT_TRUE(torch::equal(a.visibility, b.visibility));
    EXPECT_TRUE(torch::equal(a.hasDepth, b.hasDepth));
}

AugmentConfig flipOnly() {
    AugmentConfig c = AugmentConfig::none();
    c.enabled = true;
    c.flipProbability = 1.0;
    return c;
}

}  // namespace

TEST(SynthForgeDataLayouts, FaceSyntheticsExportLoadsLikeOurLayout) {
    const SynthForgeDataset ours(exportedDataset().string(), 64);
    const SynthForgeDataset fsx((exportedDataset() / "facesynthetics").string(), 64);
    EXPECT_EQ(ours.layout(), DatasetLayout::SynthForge);
    EXPECT_EQ(fsx.layout(), DatasetLayout::FaceSynthetics);
    EXPECT_TRUE(ours.hasDepth());
    EXPECT_FALSE(fsx.hasDepth());
    EXPECT_EQ(fsx.size(), 6);
    EXPECT_EQ(fsx.numClasses(), 19);
    EXPECT_EQ(ours.numClasses(), 19);

    const SynthForgeBatch a = ours.load({0, 4}), b = fsx.load({0, 4});
    EXPECT_TRUE(torch::equal(a.images, b.images));
    EXPECT_TRUE(torch::equal(a.segmentation, b.segmentation));
    EXPECT_TRUE(torch::equal(a.faceMask, b.faceMask));
    // The export writes 3 decimals: 5e-4 px is 1.6e-5 in normalised units at 64 px.
    EXPECT_LT((a.landmarks - b.landmarks).abs().max().item<float>(), 3e-5f);
    EXPECT_TRUE(torch::equal(a.hasDepth, torch::ones({2})));
    EXPECT_TRUE(torch::equal(b.hasDepth, torch::zeros({2})));
    EXPECT_EQ(b.depth.abs().sum().item<float>(), 0.0f);
    EXPECT_EQ(b.visibility.sum().item<float>(), 2 * 68.0f);  // FaceSynthetics has no visibility: all visible
    EXPECT_EQ(b.landmarks.sizes(), (std::vector<int64_t>{2, 68, 2}));
}

TEST(SynthForgeDataLayouts, RefusesFoldersThatAreNeither) {
    testutil::TempDir tmp;
    try {
        SynthForgeDataset(tmp.path.string(), 64);
        FAIL() << "no error";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("manifest.json: missing"), std::string::npos) << e.what();
    }
    EXPECT_THROW(SynthForgeDataset(exportedDataset().string(), 8), std::invalid_argument);
}

TEST(SynthForgeDataAugment, FlipMirrorsEveryTargetConsistently) {
    for (const fs::path& root : {exportedDataset(), exportedDataset() / "facesynthetics"}) {
        const SynthForgeDataset d(root.string(), 64);
        const SynthForgeBatch a = d.load({1}), f = d.load({1}, flipOnly(), 3, 0);
        // Images and depth mirror exactly; class ids mirror through their flip partners.
        EXPECT_TRUE(torch::equal(f.images, a.images.flip({3})));
        EXPECT_TRUE(torch::equal(f.depth, a.depth.flip({3})));
        const auto map = annotate::ClassTable::defaultTable().flipMap();
        torch::Tensor lut = torch::empty({256}, torch::kInt64);
        for (int i = 0; i < 256; ++i) lut[i] = static_cast<int64_t>(map[static_cast<size_t>(i)]);
        EXPECT_TRUE(torch::equal(f.segmentation, lut.index({a.segmentation.flip({2})})));
        // Landmark 36 (right eye corner) of the flipped sample is 45 mirrored: x -> -x normalised.
        EXPECT_NEAR(f.landmarks[0][36][0].item<float>(), -a.landmarks[0][45][0].item<float>(), 1e-5);
        EXPECT_NEAR(f.landmarks[0][36][1].item<float>(), a.landmarks[0][45][1].item<float>(), 1e-5);
        EXPECT_NEAR(f.landmarks[0][8][0].item<float>(), -a.landmarks[0][8][0].item<float>(), 1e-5);
    }
}

TEST(SynthForgeDataAugment, DependsOnSeedEpochAndIndexOnly) {
    const SynthForgeDataset d(exportedDataset().string(), 64);
    AugmentConfig c;
    c.affineProbability = 1.0;
    const SynthForgeBatch a = d.load({2, 3}, c, 7, 1);
    const SynthForgeBatch again = d.load({2, 3}, c, 7, 1);
    expectSameBatch(a, again);
    // Sample 3 gets the same augmentation in another batch and position.
    const SynthForgeBatch alone = d.load({3}, c, 7, 1);
    EXPECT_TRUE(torch::equal(a.images[1], alone.images[0]));
    EXPECT_FALSE(torch::equal(a.images, d.load({2, 3}, c, 7, 2).images));
    EXPECT_FALSE(torch::equal(a.images, d.load({2, 3}, c, 8, 1).images));
    EXPECT_FALSE(torch::equal(a.images, d.load({2, 3}).images));
    EXPECT_LE(a.landmarks.abs().max().item<float>(), 3.0f);
}

TEST(SynthForgeBatchLoader, IdenticalTensorsForAnyWorkerCount) {
    for (const fs::path& root : {exportedDataset(), exportedDataset() / "facesynthetics"}) {
        const SynthForgeDataset d(root.string(), 64);
        const auto order = SynthForgeDataset::epochOrder(0, d.size(), 9, 2);
        AugmentConfig c;  // defaults: a bit of everything
        c.noiseProbability = 0.5;
        std::vector<SynthForgeBatch> ref;
        for (int workers : {0, 1, 3}) {
            SynthForgeBatchLoader loader(d, order, 4, workers, 2, 9, 2, c);
            EXPECT_EQ(loader.numBatches(), 2);
            std::vector<SynthForgeBatch> got;
            while (auto b = loader.next()) got.push_back(*b);
            ASSERT_EQ(got.size(), 2u);
            EXPECT_EQ(got[1].images.size(0), 2);  // 6 samples: 4 + 2
            if (ref.empty()) ref = got;
            for (size_t k = 0; k < got.size(); ++k) expectSameBatch(got[k], ref[k]);
        }
        // The loader's batches are the dataset's augmented loads.
        expectSameBatch(ref[0], d.load(std::vector<int64_t>(order.begin(), order.begin() + 4), c, 9, 2));
        SynthForgeBatchLoader dropping(d, order, 4, 2, 1, 9, 2, c, /*dropLast=*/true);
        EXPECT_EQ(dropping.numBatches(), 1);
        ASSERT_TRUE(dropping.next().has_value());
        EXPECT_FALSE(dropping.next().has_value());
    }
}

TEST(SynthForgeBatchLoader, WorkerErrorsReachTheCallerUnchanged) {
    testutil::TempDir tmp;
    fs::copy(exportedDataset(), tmp.path / "ds", fs::copy_options::recursive);
    fs::remove(tmp.path / "ds" / "depth" / "000003.tiff");
    const SynthForgeDataset d((tmp.path / "ds").string(), 64);
    std::string first;
    for (int workers : {0, 1, 3}) {
        SynthForgeBatchLoader loader(d, {0, 1, 2, 3, 4, 5}, 2, workers, 2, 1, 0);
        EXPECT_TRUE(loader.next().has_value());  // 0, 1
        try {
            loader.next();  // 2, 3
            ADD_FAILURE() << "no error with " << workers << " workers";
        } catch (const std::runtime_error& e) {
            const std::string msg = e.what();
            EXPECT_NE(msg.find("depth/000003.tiff"), std::string::npos) << msg;
            if (first.empty()) first = msg;
            EXPECT_EQ(msg, first);
        }
        EXPECT_TRUE(loader.next().has_value());  // 4, 5: the loader goes on
    }
    SynthForgeBatchLoader bad(d, {0, 99}, 2, 2, 1, 1, 0);
    EXPECT_THROW(bad.next(), std::invalid_argument);
}

TEST(SynthForgeBatchLoader, DestroyingMidEpochReturnsPromptly) {
    const SynthForgeDataset d(exportedDataset().string(), 64);
    std::vector<int64_t> order;
    for (int i = 0; i < 600; ++i) order.push_back(i % d.size());
    const auto t0 = std::chrono::steady_clock::now();
    {
        SynthForgeBatchLoader loader(d, order, 2, 3, 4, 1, 0, AugmentConfig());
        ASSERT_TRUE(loader.next().has_value());
    }
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 5.0);
    EXPECT_THROW(SynthForgeBatchLoader(d, order, 0, 1, 1, 1, 0), std::invalid_argument);
    EXPECT_THROW(SynthForgeBatchLoader(d, order, 2, -1, 1, 1, 0), std::invalid_argument);
    EXPECT_THROW(SynthForgeBatchLoader(d, order, 2, 1, 0, 1, 0), std::invalid_argument);
}
