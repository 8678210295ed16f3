// Stage II label fine-tuning: benchmark batches (crop, landmark convention,
// official splits), the heads, and runs on tiny fixtures in the official
// layouts over a freshly initialised `small` Stage I net (batch-norm
// statistics calibrated on one batch so that its eval-mode outputs carry
// signal): the loss falls, Stage I stays byte-identical, a stopped run
// resumes exactly, and bad input is refused without damage.

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/annotate/overlays.h"
#include "core/io/safetensors.h"
#include "core/io/tensorboard_reader.h"
#include "core/train/augment.h"
#include "core/train/finetune.h"
#include "core/train/torch_benchmark_data.h"
#include "core/train/torch_finetune_net.h"
#include "core/train/torch_multitask_net.h"
#include "core/train/torch_weights.h"
#include "tests/support/benchmark_fixtures.h"
#include "tests/support/child_process.h"
#include "tests/support/fixtures.h"
#include "tests/support/run_fixtures.h"

namespace synthforge::train {
namespace {

namespace fs = std::filesystem;
using testutil::readTextFile;

FinetuneConfig config(const fs::path& data, const std::string& format, const fs::path& stage1, const fs::path& out) {
    FinetuneConfig c;
    c.data = data.string();
    c.format = format;
    c.stage1 = stage1.string();
    c.out = out.string();
    c.size = 64;
    c.batch = 2;
    c.epochs = 3;
    c.seed = 4;
    c.device = "cpu";
    c.threads = 1;
    c.checkpointEvery = 2;
    return c;
}

template <class E, class F>
std::string errorOf(F&& f) {
    try {
        f();
    } catch (const E& e) {
        return e.what();
    }
    return "(no error)";
}

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// ---------------------------------------------------------------- data

TEST(BenchmarkData, SquareCropAndNormalisedLandmarks) {
    // Box 20..60 x 10..30: longer side 40, margin 0.25 -> side 60 around (40, 20).
    const FaceCrop c = squareCrop(20, 10, 60, 30, 0.25);
    EXPECT_EQ(c.side, 60);
    EXPECT_EQ(c.x, 10);
    EXPECT_EQ(c.y, -10);
    io::Points2f p(3, 2);
    p << 10, -10, 40, 20, 70, 50;  // the crop's corner, centre and far corner
    const io::Points2f n = normaliseToCrop(p, c);
    EXPECT_FLOAT_EQ(n(0, 0), -1.0f);
    EXPECT_FLOAT_EQ(n(0, 1), -1.0f);
    EXPECT_FLOAT_EQ(n(1, 0), 0.0f);
    EXPECT_FLOAT_EQ(n(1, 1), 0.0f);
    EXPECT_FLOAT_EQ(n(2, 0), 1.0f);

    // Outside the image: labels 255 (ignored), image 0; a 2x shrink keeps ids.
    cv::Mat labels(40, 80, CV_8UC1, cv::Scalar(3));
    const cv::Mat out = cropAndResize(labels, c, 30, true, cv::Scalar::all(255));
    EXPECT_EQ(out.at<uint8_t>(0, 15), 255);   // rows 0..4 come from y < 0
    EXPECT_EQ(out.at<uint8_t>(10, 15), 3);
    EXPECT_EQ(out.at<uint8_t>(29, 15), 255);  // y >= 40
}

TEST(BenchmarkData, LapaBatchesUseTheOfficialSplitAndTheNormalisedConvention) {
    testutil::TempDir dir;
    testutil::writeLapaFixture(dir.path / "LaPa", 4, 1);
    const BenchmarkDataset d((dir.path / "LaPa").string(), "lapa", 64, 0.25, 0.1);
    EXPECT_EQ(d.trainIds().size(), 4u);
    EXPECT_EQ(d.valIds().size(), 1u);  // val/, not the last 10%; test/ is left out
    EXPECT_EQ(d.numClasses(), 11);
    EXPECT_EQ(d.numLandmarks(), 106);
    const BenchmarkBatch b = d.load({0, 4});
    EXPECT_EQ(b.images.sizes(), (std::vector<int64_t>{2, 3, 64, 64}));
    EXPECT_GE(b.images.min().item<float>(), -1.0f);
    EXPECT_LE(b.images.max().item<float>(), 1.0f);
    EXPECT_EQ(b.segmentation.sizes(), (std::vector<int64_t>{2, 64, 64}));
    EXPECT_EQ(b.landmarks.sizes(), (std::vector<int64_t>{2, 106, 2}));
    // The landmarks' box's longer side fills 1 / (1 + 2 * 0.25) of the crop
    // (2/3 of the normalised span 2), up to the crop's rounding to pixels.
    const auto l0 = b.landmarks[0];
    const auto extent = (std::get<0>(l0.max(0)) - std::get<0>(l0.min(0))).max().item<float>();
    EXPECT_NEAR(extent, 2.0 / 1.5, 0.05);
    // A landmark on the innermost ring sits on the face: its label is not background.
    const auto p = b.landmarks[0][2];  // ring 0.4
    const int px = static_cast<int>((p[0].item<float>() + 1) * 32), py = static_cast<int>((p[1].item<float>() + 1) * 32);
    EXPECT_NE(b.segmentation[0][py][px].item<int64_t>(), 0);

    // train/ + test/ without val/: test/ stays out, train/'s tail validates.
    fs::remove_all(dir.path / "LaPa" / "val");
    const BenchmarkDataset noVal((dir.path / "LaPa").string(), "lapa", 64, 0.25, 0.1);
    EXPECT_EQ(noVal.trainIds().size(), 3u);
    EXPECT_EQ(noVal.valIds().size(), 1u);

    // One split folder alone: the last ceil(10%) validate.
    const BenchmarkDataset one((dir.path / "LaPa" / "train").string(), "lapa", 64, 0.25, 0.1);
    EXPECT_EQ(one.trainIds().size(), 3u);
    EXPECT_EQ(one.valIds(), std::vector<int64_t>{3});
}

TEST(BenchmarkData, CelebAMappingAnd300WSplits) {
    EXPECT_STREQ(celebAPartition(1), "train");
    EXPECT_STREQ(celebAPartition(162770), "train");
    EXPECT_STREQ(celebAPartition(162771), "val");
    EXPECT_STREQ(celebAPartition(182637), "val");
    EXPECT_STREQ(celebAPartition(182638), "test");

    testutil::TempDir dir;
    testutil::writeCelebAFixture(dir.path / "celeba", 4, {1000, 170000, 2000, 190000});
    const BenchmarkDataset c((dir.path / "celeba").string(), "celebamask-hq", 64, 0.1, 0.1);
    EXPECT_EQ(c.trainIds().size(), 2u);
    EXPECT_EQ(c.valIds().size(), 1u);
    const BenchmarkBatch b = c.load({0});
    EXPECT_FALSE(b.landmarks.defined());
    EXPECT_LE(b.segmentation.max().item<int64_t>(), 18);
    EXPECT_TRUE((b.segmentation == 2).any().item<bool>()) << "the nose survives the merge and the crop";

    testutil::write300WFixture(dir.path / "w300", 5);
    const BenchmarkDataset w((dir.path / "w300").string(), "300w", 64, 0.25, 0.1);
    EXPECT_EQ(w.trainIds().size(), 4u);
    EXPECT_EQ(w.valIds(), std::vector<int64_t>{4});
    EXPECT_FALSE(w.load({1}).segmentation.defined());
    EXPECT_THROW(BenchmarkDataset((dir.path / "w300").string(), "ffhq", 64, 0.25, 0.1), std::invalid_argument);
}

TEST(BenchmarkData, W300ReleaseFoldersFollowTheCustomaryProtocol) {
    testutil::TempDir dir;
    testutil::write300WReleaseFixture(dir.path / "300W_release");
    const BenchmarkDataset w((dir.path / "300W_release").string(), "300w", 64, 0.25, 0.1);
    // Path order: 300W/, afw/, helen/testset, helen/trainset, ibug/, lfpw/testset, lfpw/trainset.
    // Training pool: afw 2 + helen train 2 + lfpw train 2; its last ceil(0.6) = 1 validates.
    EXPECT_EQ(w.trainIds(), (std::vector<int64_t>{1, 2, 4, 5, 9}));
    EXPECT_EQ(w.valIds(), std::vector<int64_t>{10});
    EXPECT_EQ(w.testIds(), (std::vector<int64_t>{0, 3, 6, 7, 8}));
    EXPECT_EQ(w.subsetOf(0), "private");
    EXPECT_EQ(w.subsetOf(3), "common");
    EXPECT_EQ(w.subsetOf(6), "challenging");
    EXPECT_EQ(w.subsetOf(8), "common");
    EXPECT_EQ(w.subsetOf(1), "");
    EXPECT_THROW(w.subsetOf(11), std::invalid_argument);
    EXPECT_TRUE(has(w.splitRule(), "customary")) << w.splitRule();

    // One subset folder given directly (helen/): its testset/ still never trains.
    const BenchmarkDataset helen((dir.path / "300W_release" / "helen").string(), "300w", 64, 0.25, 0.1);
    EXPECT_EQ(helen.testIds(), std::vector<int64_t>{0});  // testset/image_0 sorts first
    EXPECT_EQ(helen.subsetOf(0), "common");
    EXPECT_EQ(helen.trainIds().size() + helen.valIds().size(), 2u);
}

TEST(BenchmarkData, Lapa106FlipPermutationPairsTheLayoutsSides) {
    const std::vector<int>& p = lapa106FlipPermutation();
    ASSERT_EQ(p.size(), 106u);
    int fixed = 0;
    for (int i = 0; i < 106; ++i) {
        ASSERT_EQ(p[p[i]], i) << "not an involution at " << i;
        fixed += p[i] == i;
    }
    // Midline: chin 16, nose bridge 51..54, nose tip 60, lips 87, 93, 98, 102.
    EXPECT_EQ(fixed, 10);
    for (int i : {16, 51, 52, 53, 54, 60, 87, 93, 98, 102}) EXPECT_EQ(p[i], i) << i;
    EXPECT_EQ(p[0], 32);
    EXPECT_EQ(p[66], 79);  // outer eye corners, LaPa's NME normaliser
    EXPECT_EQ(p[104], 105);
    EXPECT_EQ(p[84], 90);  // mouth corners
}

TEST(BenchmarkData, FlipAugmentationMirrorsPixelsClassesAndLandmarkOrder) {
    testutil::TempDir dir;
    testutil::writeLapaFixture(dir.path / "LaPa", 2, 1);
    const BenchmarkDataset d((dir.path / "LaPa").string(), "lapa", 64, 0.25, 0.1);
    AugmentConfig flipOnly = AugmentConfig::none();
    flipOnly.enabled = true;
    flipOnly.flipProbability = 1.0;
    const BenchmarkBatch plain = d.load({1}), flipped = d.load({1}, flipOnly, 9, 0);
    EXPECT_TRUE(torch::equal(flipped.images, plain.images.flip({3})));
    auto expectedSeg = plain.segmentation.flip({2}).clone();
    for (auto [a, b] : {std::pair<int, int>{2, 3}, {4, 5}}) {  // brows, eyes swap sides
        const auto wasA = expectedSeg == a, wasB = expectedSeg == b;
        expectedSeg.masked_fill_(wasA, b).masked_fill_(wasB, a);
    }
    EXPECT_TRUE(torch::equal(flipped.segmentation, expectedSeg));
    EXPECT_TRUE((plain.segmentation == 2).any().item<bool>());
    const std::vector<int>& perm = lapa106FlipPermutation();
    for (int i = 0; i < 106; ++i) {
        EXPECT_NEAR(flipped.landmarks[0][i][0].item<float>(), -plain.landmarks[0][perm[i]][0].item<float>(), 1e-5);
        EXPECT_NEAR(flipped.landmarks[0][i][1].item<float>(), plain.landmarks[0][perm[i]][1].item<float>(), 1e-5);
    }
}

TEST(BenchmarkData, AugmentedCropsAreReproducibleAndIgnoreWhatWarpsInFromOutside) {
    testutil::TempDir dir;
    testutil::writeLapaFixture(dir.path / "LaPa", 2, 1);
    const BenchmarkDataset d((dir.path / "LaPa").string(), "lapa", 64, 0.25, 0.1);
    const AugmentConfig def;
    const BenchmarkBatch a = d.load({0, 1}, def, 5, 3), b = d.load({0, 1}, def, 5, 3), c = d.load({0, 1}, def, 5, 4);
    EXPECT_TRUE(torch::equal(a.images, b.images));
    EXPECT_TRUE(torch::equal(a.landmarks, b.landmarks));
    EXPECT_FALSE(torch::equal(a.images, c.images)) << "another epoch draws other augmentations";
    // Sample 1 alone gives sample 1's crop of the pair (seeds are per sample).
    EXPECT_TRUE(torch::equal(d.load({1}, def, 5, 3).images[0], a.images[1]));

    // Zooming out by 2 brings the outside in: ignored (255), never background.
    AugmentConfig zoomOut = AugmentConfig::none();
    zoomOut.enabled = true;
    zoomOut.affineProbability = 1.0;
    zoomOut.scale = {0.5, 0.5};
    zoomOut.rotationDeg = {0, 0};
    zoomOut.shift = {0, 0};
    const BenchmarkBatch z = d.load({0}, zoomOut, 1, 0), p = d.load({0});
    EXPECT_EQ(z.segmentation[0][0][0].item<int64_t>(), 255);
    EXPECT_EQ(z.segmentation[0][63][63].item<int64_t>(), 255);
    EXPECT_EQ(z.segmentation[0][32][32].item<int64_t>(), p.segmentation[0][32][32].item<int64_t>());
    // Landmarks shrink toward the centre by the same factor.
    EXPECT_TRUE(torch::allclose(z.landmarks, p.landmarks * 0.5, 1e-5, 1e-5));
}

// ---------------------------------------------------------------- runs

struct Fixture {
    testutil::TempDir dir;
    fs::path stage1 = dir.path / "stage1.safetensors", lapa = dir.path / "LaPa";
    Fixture() {
        testutil::writeFreshStageOne(stage1);
        testutil::writeLapaFixture(lapa, 4, 1);
    }
};

TEST(Finetune, HeadsOverfitATinySetAndStageOneStaysUntouched) {
    torch::set_num_threads(1);
    Fixture f;
    const std::string before = readTextFile(f.stage1);
    FinetuneConfig c = config(f.lapa, "lapa", f.stage1, f.dir.path / "run");
    c.epochs = 20;  // 2 steps per epoch
    c.lr = 1e-2;
    c.minLr = 1e-3;
    c.checkpointEvery = 10;
    c.keepCheckpoints = 2;
    const FinetuneResult r = finetuneStageTwo(c);
    EXPECT_EQ(r.steps, 40);
    EXPECT_EQ(r.trainSamples, 4);
    EXPECT_EQ(r.valSamples, 1);
    const auto t = testutil::metricsColumn(f.dir.path / "run" / "metrics.csv", 2);
    ASSERT_EQ(t.size(), 40u);
    const double first = (t[0] + t[1] + t[2]) / 3, last = (t[37] + t[38] + t[39]) / 3;
    RecordProperty("first_loss", std::to_string(first));
    RecordProperty("last_loss", std::to_string(last));
    EXPECT_LT(last, 0.5 * first) << "first " << first << " last " << last;
    EXPECT_TRUE(readTextFile(f.stage1) == before) << "Stage I weights changed";
    for (const char* file : {"config.json", "metrics.csv", "final.safetensors", "checkpoints/best.pt",
                             "checkpoints/step_00000040.pt", "checkpoints/step_00000030.pt"})
        EXPECT_TRUE(fs::exists(f.dir.path / "run" / file)) << file;
    EXPECT_FALSE(fs::exists(f.dir.path / "run" / "checkpoints" / "step_00000020.pt")) << "kept more than 2";

    // The heads' file rebuilds the whole model: metadata, Stage I hash, outputs.
    const auto file = io::loadSafetensorsFile((f.dir.path / "run" / "final.safetensors").string());
    EXPECT_EQ(file.metadata.at("format"), "synthforge-finetune-heads");
    EXPECT_EQ(file.metadata.at("dataset_format"), "lapa");
    EXPECT_EQ(file.metadata.at("num_classes"), "11");
    EXPECT_EQ(file.metadata.at("num_landmarks"), "106");
    EXPECT_EQ(file.metadata.at("stage1_hash"), fileHash(f.stage1.string()));
    FinetunedModel m = loadFinetunedModel((f.dir.path / "run" / "final.safetensors").string());
    const auto images = torch::rand({1, 3, 64, 64}) * 2 - 1;
    const FinetuneOutput out = m.forward(images);
    EXPECT_EQ(out.segmentation.sizes(), (std::vector<int64_t>{1, 11, 64, 64}));
    EXPECT_EQ(out.landmarks.sizes(), (std::vector<int64_t>{1, 106, 2}));
    // No depth target: the residual depth head still passes Stage I depth through.
    torch::NoGradGuard noGrad;
    EXPECT_TRUE(torch::equal(out.depth, m.stage1->forward(images).depth));
}

TEST(Finetune, StoppedAndResumedRunEqualsAnUninterruptedOne) {
    torch::set_num_threads(1);
    Fixture f;
    // Augmented, and loaded by other numbers of threads in the two runs:
    // neither may change a bit.
    FinetuneConfig whole = config(f.lapa, "lapa", f.stage1, f.dir.path / "whole");
    whole.augment = "default";
    whole.workers = 0;
    EXPECT_EQ(finetuneStageTwo(whole).steps, 6);
    EXPECT_TRUE(has(readTextFile(f.dir.path / "whole" / "config.json"), "\"synthforge-augment\""));

    FinetuneConfig split = config(f.lapa, "lapa", f.stage1, f.dir.path / "split");
    split.augment = "default";
    split.workers = 3;
    split.prefetch = 1;
    jobs::CancelToken token;
    testutil::CancelAtFirstUpdate sink(&token);
    EXPECT_THROW(finetuneStageTwo(split, &sink, &token), jobs::Cancelled);
    EXPECT_TRUE(fs::exists(f.dir.path / "split" / "checkpoints" / "step_00000002.pt"));
    EXPECT_FALSE(fs::exists(f.dir.path / "split" / "final.safetensors"));

    split.resume = true;
    split.workers = 1;
    const FinetuneResult rest = finetuneStageTwo(split);
    EXPECT_EQ(rest.resumedFrom, 2);
    EXPECT_EQ(rest.steps, 6);
    const std::string a = readTextFile(f.dir.path / "whole" / "metrics.csv");
    EXPECT_EQ(a, readTextFile(f.dir.path / "split" / "metrics.csv"));
    EXPECT_EQ(std::count(a.begin(), a.end(), '\n'), 7);
    EXPECT_TRUE(readTextFile(f.dir.path / "whole" / "final.safetensors") ==
                readTextFile(f.dir.path / "split" / "final.safetensors"))
        << "final weights differ";
}

TEST(Finetune, OtherFormatsBuildTheirHeads) {
    torch::set_num_threads(1);
    Fixture f;
    testutil::writeCelebAFixture(f.dir.path / "celeba", 4);
    FinetuneConfig c = config(f.dir.path / "celeba", "celebamask-hq", f.stage1, f.dir.path / "celeba_run");
    c.epochs = 1;
    c.useFeatures = true;
    EXPECT_EQ(finetuneStageTwo(c).steps, 1);  // 3 train (last 10% = 1 validates), batch 2
    auto meta = io::loadSafetensorsFile((f.dir.path / "celeba_run" / "final.safetensors").string()).metadata;
    EXPECT_EQ(meta.at("num_classes"), "19");
    EXPECT_EQ(meta.at("num_landmarks"), "0");
    EXPECT_EQ(meta.at("feature_channels"), "16");

    testutil::write300WFixture(f.dir.path / "w300", 5);
    c = config(f.dir.path / "w300", "300w", f.stage1, f.dir.path / "w300_run");
    c.epochs = 1;
    EXPECT_EQ(finetuneStageTwo(c).steps, 2);
    meta = io::loadSafetensorsFile((f.dir.path / "w300_run" / "final.safetensors").string()).metadata;
    EXPECT_EQ(meta.at("num_classes"), "0");
    EXPECT_EQ(meta.at("num_landmarks"), "68");
}

TEST(Finetune, ImageEveryWritesPredictionGridsWithTheFormatsColumns) {
    torch::set_num_threads(1);
    Fixture f;
    FinetuneConfig c = config(f.lapa, "lapa", f.stage1, f.dir.path / "lapa_run");
    c.epochs = 1;  // 4 training crops, batch 2: steps 1 and 2
    c.imageEvery = 2;
    finetuneStageTwo(c);
    auto images = testutil::eventImages(c.out);
    ASSERT_EQ(images.size(), 1u);
    EXPECT_EQ(images[0].tag, "val/predictions");
    EXPECT_EQ(images[0].step, 2);
    // One validation crop (val/): input, segmentation, depth.
    EXPECT_EQ(images[0].width, 3 * 64 + 4 * annotate::kContactSheetGap);
    EXPECT_EQ(images[0].height, 64 + 2 * annotate::kContactSheetGap);

    testutil::write300WFixture(f.dir.path / "w300", 5);
    c = config(f.dir.path / "w300", "300w", f.stage1, f.dir.path / "w300_run");
    c.epochs = 1;
    c.imageEvery = 1;
    finetuneStageTwo(c);
    images = testutil::eventImages(c.out);
    ASSERT_EQ(images.size(), 2u);  // 4 training faces, batch 2
    // No segmentation head for 300-W: input with landmarks, depth.
    EXPECT_EQ(images[1].width, 2 * 64 + 3 * annotate::kContactSheetGap);
    EXPECT_EQ(images[1].encoded[1], 'P');  // PNG signature
}

TEST(Finetune, BadInputIsRefusedAndNothingIsCorrupted) {
    torch::set_num_threads(1);
    Fixture f;
    const fs::path out = f.dir.path / "run";
    auto cfg = [&] { return config(f.lapa, "lapa", f.stage1, out); };

    FinetuneConfig c = cfg();
    c.stage1 = (f.dir.path / "nothing").string();
    EXPECT_TRUE(has(errorOf<std::runtime_error>([&] { finetuneStageTwo(c); }), "missing Stage I weights"));
    c = cfg();
    c.augment = (f.dir.path / "missing_augment.json").string();
    EXPECT_TRUE(has(errorOf<std::runtime_error>([&] { finetuneStageTwo(c); }), "missing_augment.json"));
    EXPECT_FALSE(fs::exists(out)) << "a refused augmentation file must not create the run";
    c = cfg();
    c.workers = -1;
    EXPECT_TRUE(has(errorOf<std::invalid_argument>([&] { finetuneStageTwo(c); }), "workers"));
    c = cfg();
    c.numClasses = 19;
    EXPECT_TRUE(has(errorOf<std::invalid_argument>([&] { finetuneStageTwo(c); }), "lapa has 11 classes"));
    c = cfg();
    c.format = "ffhq";
    EXPECT_TRUE(has(errorOf<std::invalid_argument>([&] { finetuneStageTwo(c); }), "format"));
    c = cfg();
    c.format = "celebamask-hq";  // a LaPa folder read as CelebAMask-HQ
    EXPECT_TRUE(has(errorOf<std::runtime_error>([&] { finetuneStageTwo(c); }), "CelebA-HQ-img"));
    fs::create_directories(f.dir.path / "empty" / "train" / "images");
    fs::create_directories(f.dir.path / "empty" / "train" / "labels");
    fs::create_directories(f.dir.path / "empty" / "train" / "landmarks");
    c = cfg();
    c.data = (f.dir.path / "empty").string();
    EXPECT_TRUE(has(errorOf<std::runtime_error>([&] { finetuneStageTwo(c); }), "no .jpg image"));
    fs::copy(f.lapa, f.dir.path / "partial", fs::copy_options::recursive);
    fs::remove(f.dir.path / "partial" / "train" / "landmarks" / "train_1.txt");
    c = cfg();
    c.data = (f.dir.path / "partial").string();
    EXPECT_TRUE(has(errorOf<std::runtime_error>([&] { finetuneStageTwo(c); }), "train_1.txt"));
    c = cfg();
    c.batch = 5;  // 4 training faces
    EXPECT_TRUE(has(errorOf<std::invalid_argument>([&] { finetuneStageTwo(c); }), "exceeds the 4 training samples"));
    fs::copy_file(f.dir.path / "LaPa" / "train" / "labels" / "train_0.png", f.dir.path / "corrupt.safetensors");
    c = cfg();
    c.stage1 = (f.dir.path / "corrupt.safetensors").string();
    EXPECT_TRUE(has(errorOf<std::runtime_error>([&] { finetuneStageTwo(c); }), "corrupt.safetensors"));
    EXPECT_FALSE(fs::exists(out)) << "a refused run created its directory";

    // A stopped run, then: other settings, a fresh run over it, a corrupt checkpoint.
    jobs::CancelToken token;
    testutil::CancelAtFirstUpdate sink(&token);
    EXPECT_THROW(finetuneStageTwo(cfg(), &sink, &token), jobs::Cancelled);
    const std::string metrics = readTextFile(out / "metrics.csv"), configJson = readTextFile(out / "config.json");
    c = cfg();
    c.resume = true;
    c.lr = 0.5;
    c.kpsWeight = 1;
    const std::string differ = errorOf<std::runtime_error>([&] { finetuneStageTwo(c); });
    EXPECT_TRUE(has(differ, "optimizer") && has(differ, "losses")) << differ;
    EXPECT_TRUE(has(errorOf<std::runtime_error>([&] { finetuneStageTwo(cfg()); }), "--resume"));
    {
        std::ofstream bad(out / "checkpoints" / "step_00000002.pt", std::ios::binary | std::ios::trunc);
        bad << "not a checkpoint";
    }
    c = cfg();
    c.resume = true;
    EXPECT_TRUE(has(errorOf<std::runtime_error>([&] { finetuneStageTwo(c); }), "step_00000002.pt"));
    {
        // The same Stage I path with other content (one weight's last byte):
        // the hash in config.json tells them apart.
        std::fstream touch(f.stage1, std::ios::in | std::ios::out | std::ios::binary);
        touch.seekp(-1, std::ios::end);
        touch.put('\x7f');
    }
    const std::string changed = errorOf<std::runtime_error>([&] { finetuneStageTwo(c); });
    EXPECT_TRUE(has(changed, "(stage1)")) << changed;
    EXPECT_EQ(readTextFile(out / "metrics.csv"), metrics);
    EXPECT_EQ(readTextFile(out / "config.json"), configJson);
}

}  // namespace
}  // namespace synthforge::train
