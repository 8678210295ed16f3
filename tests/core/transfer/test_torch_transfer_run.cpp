// Realism transfer end to end on our own renders: a translation with a
// known answer, exact resume, and `apply` writing a dataset whose
// annotations are the source's bytes.
//
// The known answer: the target domain is the same renders under a fixed
// colour change and a blur, written shuffled under other names, so nothing
// pairs them. A translator that learns the domains should map a held-out
// render x close to T(x), closer than x itself is and far closer than the
// untrained generator.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <functional>
#include <random>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/dataset/dataset_manifest.h"
#include "core/dataset/image_files.h"
#include "core/dataset/sample_paths.h"
#include "core/io/file_util.h"
#include "core/io/safetensors.h"
#include "core/train/torch_weights.h"
#include "core/transfer/torch_cut_nets.h"
#include "core/transfer/torch_structure_term.h"
#include "core/transfer/torch_cyclegan_model.h"
#include "core/transfer/torch_translator_file.h"
#include "core/transfer/torch_vsait_nets.h"
#include "core/transfer/transfer.h"
#include "core/transfer/transfer_images.h"
#include "tests/support/child_process.h"
#include "tests/support/fixtures.h"
#include "tests/support/run_fixtures.h"
#include "tests/support/tiny_dataset.h"

namespace synthforge::transfer {
namespace {

namespace fs = std::filesystem;

/// The target domain's fixed change: a colour matrix, then a Gaussian blur.
cv::Mat knownChange(const cv::Mat& bgr) {
    cv::Mat f;
    bgr.convertTo(f, CV_32FC3, 1.0 / 255);
    // BGR order: blue lifted and compressed, red kept, green dimmed.
    cv::transform(f, f, cv::Matx34f(0.5f, 0, 0, 0.45f,  //
                                    0, 0.6f, 0, 0.1f,   //
                                    0, 0, 0.7f, 0.0f));
    cv::GaussianBlur(f, f, cv::Size(5, 5), 1.0);
    cv::Mat out;
    f.convertTo(out, CV_8UC3, 255);
    return out;
}

/// Writes the target folder: the changed images of `names`, shuffled, under other names.
void writeTarget(const fs::path& ds, const std::vector<std::string>& names, const fs::path& out) {
    fs::create_directories(out);
    std::vector<std::string> order = names;
    std::shuffle(order.begin(), order.end(), std::mt19937(17));
    for (std::size_t i = 0; i < order.size(); ++i)
        cv::imwrite((out / ("photo_" + std::to_string(1000 + i) + ".png")).string(),
                    knownChange(dataset::readBgrImage(dataset::samplePaths(ds.string(), order[i]).image)));
}

torch::Tensor asTensor(const cv::Mat& bgr) {
    const cv::Mat f = translatorInput(bgr, bgr.cols, bgr.cols, nullptr);
    return torch::from_blob(const_cast<float*>(f.ptr<float>()), {f.rows, f.cols, 3}).permute({2, 0, 1}).clone();
}

/// Mean |G(x) - T(x)| over `names` in [-1, 1] units (G null: x itself).
double distanceToKnownAnswer(const std::function<torch::Tensor(const torch::Tensor&)>& g, const fs::path& ds,
                             const std::vector<std::string>& names) {
    torch::NoGradGuard no;
    double sum = 0;
    for (const std::string& n : names) {
        const cv::Mat x = dataset::readBgrImage(dataset::samplePaths(ds.string(), n).image);
        torch::Tensor in = asTensor(x).unsqueeze(0);
        const torch::Tensor y = g ? g(in) : in;
        sum += (y[0] - asTensor(knownChange(x))).abs().mean().item<double>();
    }
    return sum / static_cast<double>(names.size());
}

struct Data {
    testutil::TempDir dir;
    fs::path ds, target;
    std::vector<std::string> names;
    Data(std::uint64_t count, std::uint64_t seed) {
        ds = dir.path / "ds";
        target = dir.path / "real";
        testutil::writeTinyDataset(ds, count, seed);
        names = dataset::listCompleteSamples(ds.string());
        writeTarget(ds, names, target);
    }
};

TransferTrainConfig config(const Data& d, const std::string& run) {
    TransferTrainConfig c;
    c.data = d.ds.string();
    c.target = d.target.string();
    c.out = (d.dir.path / run).string();
    c.size = 64;
    c.generatorFilters = 16;
    c.discriminatorFilters = 16;
    c.residualBlocks = 2;
    c.batch = 4;
    c.poolSize = 8;
    c.valFraction = 0.2;
    c.checkpointEvery = 50;
    c.threads = 2;
    return c;
}

struct KnownAnswer {
    double untrained = 0, unchanged = 0, trained = 0;
};

/// Trains `c` on `d` (40 renders: 32 train, 8 held out) and measures the
/// held-out renders' L1 to the known answer: untranslated, through an
/// untrained generator of the method, and through the trained one.
KnownAnswer knownAnswer(const Data& d, const TransferTrainConfig& c) {
    const TransferTrainResult r = trainTransfer(c, nullptr, nullptr);
    EXPECT_EQ(r.sourceImages, 32);
    EXPECT_EQ(r.targetImages, 40);
    EXPECT_EQ(r.validationImages, 8);
    const std::vector<std::string> held(d.names.end() - 8, d.names.end());
    torch::manual_seed(c.seed);
    std::function<torch::Tensor(const torch::Tensor&)> untrained;
    if (isCutMethod(c.method)) {
        CutGenerator g(c.generatorFilters, c.blocks());
        initCutWeights(*g);
        untrained = [g](const torch::Tensor& x) mutable { return g->forward(x); };
    } else {
        CycleGan g(c);
        untrained = [g](const torch::Tensor& x) mutable { return g->netG_A->forward(x); };
    }
    KnownAnswer k;
    k.untrained = distanceToKnownAnswer(untrained, d.ds, held);
    k.unchanged = distanceToKnownAnswer(nullptr, d.ds, held);
    k.trained = distanceToKnownAnswer(loadTranslator(r.finalWeights).run, d.ds, held);
    std::cout << c.method << ": L1 to the known answer on held-out renders: untrained " << k.untrained
              << ", renders themselves " << k.unchanged << ", trained " << k.trained << "\n";
    return k;
}

TEST(TransferRun, CycleGanLearnsAKnownColourAndBlurChange) {
    Data d(40, 31);
    TransferTrainConfig c = config(d, "run");
    // 32 training renders, 40 targets, batch 1: 40 steps an epoch, 400 in
    // all (about 45 s on two threads). Measured with training seeds 0, 1, 2:
    // L1 to the known answer 0.146, 0.143, 0.140, against 0.326 for the
    // renders themselves and 0.37-0.57 for the untrained generators. The
    // thresholds leave a wide margin: trained below 0.6 x unchanged (0.196)
    // and below 0.5 x untrained.
    c.batch = 1;
    c.epochs = 10;
    c.lr = 5e-4;
    c.milestones = {0.6};
    const KnownAnswer k = knownAnswer(d, c);
    EXPECT_LT(k.trained, 0.6 * k.unchanged);
    EXPECT_LT(k.trained, 0.5 * k.untrained);
}

TEST(TransferRun, CutLearnsAKnownColourAndBlurChange) {
    Data d(40, 31);
    TransferTrainConfig c = config(d, "run");
    // CUT at the authors' settings but for the size, 800 steps of batch 1
    // (about 2 min on two threads). Measured with training seeds 0, 1, 2:
    // L1 to the known answer 0.144, 0.166, 0.177, against 0.326 for the
    // renders themselves and 0.34-0.35 for untrained generators. At 400
    // steps CUT was erratic on this small problem (0.15-0.26 at lr 5e-4,
    // 0.17-0.32 at 2e-3), and FastCUT worse (0.19, 0.29); hence the longer
    // run. The result is deterministic on one machine but not across CPUs:
    // seed 0 gave 0.144 where it was measured and 0.217 on a 2-core AMD
    // EPYC VM (2026-12-06, every run the same), against 0.330 unchanged and
    // 0.351 untrained there. Thresholds: trained below 0.7 x unchanged
    // (about 0.23) and below 0.65 x untrained (about 0.23): a generator
    // that has not learned the change stays near 0.33.
    c.method = "cut";
    c.batch = 1;
    c.epochs = 20;
    c.lr = 5e-4;
    c.milestones = {0.6};
    const KnownAnswer k = knownAnswer(d, c);
    EXPECT_LT(k.trained, 0.7 * k.unchanged);
    EXPECT_LT(k.trained, 0.65 * k.untrained);
}

/// The committed trained Stage I net's mean NME (outer eye corners) on
/// `translate`d held-out renders against their annotations.
double stageOneNme(const std::function<torch::Tensor(const torch::Tensor&)>& translate, const Data& d,
                   const std::vector<std::string>& names) {
    torch::NoGradGuard no;
    train::MultiTaskNet net = train::loadMultiTaskNet(
        (fs::path(SYNTHFORGE_TEST_DATA_DIR) / "cascade_net" / "final.safetensors").string());
    net->eval();
    const StructureBatch truth = loadStructureBatch(d.ds.string(), names, 64);
    const torch::Tensor pred = net->forward(translate(truth.images)).landmarks;
    const torch::Tensor gt = truth.landmarks;
    const torch::Tensor iod = (gt.select(1, 36) - gt.select(1, 45)).norm(2, 1);
    return ((pred - gt).norm(2, 2).mean(1) / iod).mean().item<double>();
}

// The planted case: the target domain (a colour matrix and a blur) pushes
// the translations away from what the Stage I net was trained on, so its
// landmarks on them drift. CycleGAN, 120 steps, with and without the
// structure term (lambda 10, the committed Stage I net). Measured with
// training seeds 0 and 1: NME 0.552 / 0.552 without, 0.229 / 0.254 with
// (the untranslated renders: 0.065). At lambda 1 the term is too weak
// against the GAN and cycle losses (0.536). The test asks for at most 0.7 x.
TEST(TransferRun, TheStructureTermLowersDrift) {
    Data d(40, 31);
    const std::vector<std::string> held(d.names.end() - 8, d.names.end());
    const auto run = [&](const std::string& name, double lambda) {
        TransferTrainConfig c = config(d, name);
        c.batch = 1;
        c.epochs = 3;
        c.lr = 5e-4;
        if (lambda > 0) {
            c.structureRun = (fs::path(SYNTHFORGE_TEST_DATA_DIR) / "cascade_net").string();
            c.lambdaStructure = lambda;
        }
        const LoadedTranslator t = loadTranslator(trainTransfer(c, nullptr, nullptr).finalWeights);
        return stageOneNme(t.run, d, held);
    };
    const double source = stageOneNme([](const torch::Tensor& x) { return x; }, d, held);
    const double without = run("plain", 0), with = run("structure", 10.0);
    std::cout << "Stage I NME on held-out renders: source " << source << ", translated without the term " << without
              << ", with it " << with << "\n";
    EXPECT_LT(with, 0.7 * without);
}

TEST(TransferRun, AStructureRunWithOtherClassesIsRefused) {
    const std::string run = (fs::path(SYNTHFORGE_TEST_DATA_DIR) / "cascade_net").string();
    try {
        StructureTerm t(run, 11, torch::kCPU);  // a LaPa-class dataset against a 19-class net
        FAIL();
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("19 classes, the source dataset 11"), std::string::npos) << e.what();
    }
}

class TransferResume : public ::testing::TestWithParam<const char*> {};

TEST_P(TransferResume, ResumesExactlyAfterAStop) {
    torch::set_num_threads(1);
    Data d(12, 5);
    // VSAIT: seeded random VGG19 weights (ImageNet's are not available
    // offline) and short hypervectors; the mechanics, not the quality.
    const fs::path vgg = d.dir.path / "vgg19.safetensors";
    if (std::string(GetParam()) == "vsait") {
        torch::manual_seed(8);
        io::saveSafetensorsFile(vgg.string(), train::stateDictToSafetensors(*Vgg19Features()));
    }
    const auto settings = [&](const std::string& run) {
        TransferTrainConfig c = config(d, run);
        c.method = GetParam();
        c.vgg19 = vgg.string();
        c.vsaDims = 64;
        // CUT's run also goes through the shared augmentation: its draws are
        // keyed by (seed, step, slot), so a resume repeats them.
        if (c.method == "cut") c.augment = "default";
        c.epochs = 2;  // 9 training renders, 12 targets, batch 4: 3 steps an epoch
        c.checkpointEvery = 2;
        c.threads = 1;
        c.imageEvery = 3;
        c.ncePatches = 16;
        return c;
    };
    trainTransfer(settings("whole"), nullptr, nullptr);
    TransferTrainConfig s = settings("split");
    jobs::CancelToken token;
    testutil::CancelAtFirstUpdate sink(&token);
    EXPECT_THROW(trainTransfer(s, &sink, &token), jobs::Cancelled);
    EXPECT_TRUE(fs::exists(d.dir.path / "split" / "checkpoints" / "step_00000002.pt"));
    s.resume = true;
    const TransferTrainResult rest = trainTransfer(s, nullptr, nullptr);
    EXPECT_EQ(rest.resumedFrom, 2);
    EXPECT_EQ(rest.steps, 6);
    EXPECT_EQ(testutil::readTextFile(d.dir.path / "whole" / "metrics.csv"),
              testutil::readTextFile(d.dir.path / "split" / "metrics.csv"));
    EXPECT_TRUE(testutil::readTextFile(d.dir.path / "whole" / "final.safetensors") ==
                testutil::readTextFile(d.dir.path / "split" / "final.safetensors"))
        << "final weights differ";
    // TensorBoard grids: rows of source | translated (| reconstructed, CycleGAN).
    const std::vector<io::TbImage> grids = testutil::eventImages(d.dir.path / "whole");
    ASSERT_FALSE(grids.empty());
    // The translator loads back as its method's generator.
    const LoadedTranslator t = loadTranslator((d.dir.path / "whole" / "final.safetensors").string());
    EXPECT_EQ(t.method, GetParam());
}

// FastCUT: its flips and patch draws come from torch's reseeded generator too.
INSTANTIATE_TEST_SUITE_P(Methods, TransferResume, ::testing::Values("cyclegan", "cut", "fastcut", "vsait"));

TEST(TransferRun, BadInputIsNamed) {
    Data d(6, 9);
    TransferTrainConfig c = config(d, "bad");
    c.target = (d.dir.path / "empty").string();
    fs::create_directories(c.target);
    try {
        trainTransfer(c, nullptr, nullptr);
        FAIL();
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("no images"), std::string::npos) << e.what();
    }
    c = config(d, "bad2");
    c.data = d.target.string();  // photos, not a SynthForge dataset
    try {
        trainTransfer(c, nullptr, nullptr);
        FAIL();
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("data:"), std::string::npos) << e.what();
    }
}

/// A one-epoch run on `d` and apply settings for it (one thread, no output yet).
TransferApplyConfig trainedForApply(const Data& d) {
    torch::set_num_threads(1);
    TransferTrainConfig c = config(d, "run");
    c.epochs = 1;
    c.threads = 1;
    trainTransfer(c, nullptr, nullptr);
    TransferApplyConfig a;
    a.model = c.out;
    a.data = d.ds.string();
    a.threads = 1;
    return a;
}

TEST(TransferApply, KeepsAnnotationsByteIdenticalAndResumesToTheSameBytes) {
    Data d(7, 13);
    TransferApplyConfig a = trainedForApply(d);
    a.out = (d.dir.path / "translated").string();
    a.batch = 3;
    const TransferApplyResult r = applyTransfer(a, nullptr, nullptr);
    EXPECT_EQ(r.written, 7);
    EXPECT_TRUE(r.complete);
    const fs::path out(a.out);
    for (const std::string& n : d.names) {
        const dataset::SamplePaths src = dataset::samplePaths(a.data, n), dst = dataset::samplePaths(a.out, n);
        EXPECT_EQ(testutil::readTextFile(src.annotation), testutil::readTextFile(dst.annotation)) << n;
        EXPECT_EQ(testutil::readTextFile(src.seg), testutil::readTextFile(dst.seg)) << n;
        EXPECT_EQ(testutil::readTextFile(src.depth), testutil::readTextFile(dst.depth)) << n;
        const cv::Mat before = dataset::readBgrImage(src.image), after = dataset::readBgrImage(dst.image);
        ASSERT_EQ(before.size(), after.size());
        EXPECT_GT(cv::norm(before, after, cv::NORM_L1), 0.0) << n << " was not translated";
    }
    const dataset::DatasetManifest m = dataset::readDatasetManifest(a.out);
    EXPECT_TRUE(m.complete);
    EXPECT_EQ(m.count, 7u);
    const nlohmann::json j = nlohmann::json::parse(testutil::readTextFile(out / "manifest.json"));
    EXPECT_EQ(j["transfer"]["method"], "cyclegan");
    EXPECT_EQ(j["transfer"]["weights_hash"].get<std::string>().size(), 16u);
    EXPECT_EQ(j["transfer"]["size"], 72);
    EXPECT_EQ(j["generator"], nlohmann::json::parse(testutil::readTextFile(d.ds / "manifest.json"))["generator"]);

    // A run stopped part-way: samples 2 and 4..6 lost their annotation (a
    // sample is complete only with it), 5 lost its image too. Resumed, every
    // file comes back with the bytes of the uninterrupted run.
    std::map<std::string, std::string> whole;
    for (const auto& e : fs::recursive_directory_iterator(out))
        if (e.is_regular_file()) whole[fs::relative(e.path(), out).string()] = testutil::readTextFile(e.path());
    for (int i : {2, 4, 5, 6}) fs::remove(dataset::samplePaths(a.out, d.names[static_cast<std::size_t>(i)]).annotation);
    fs::remove(dataset::samplePaths(a.out, d.names[5]).image);
    const std::string manifestBefore = whole.at("manifest.json");
    EXPECT_THROW(applyTransfer(a, nullptr, nullptr), std::runtime_error);  // holds samples, no --resume
    a.resume = true;
    const TransferApplyResult again = applyTransfer(a, nullptr, nullptr);
    EXPECT_EQ(again.written, 4);
    EXPECT_EQ(again.skipped, 3);
    std::map<std::string, std::string> resumed;
    for (const auto& e : fs::recursive_directory_iterator(out))
        if (e.is_regular_file()) resumed[fs::relative(e.path(), out).string()] = testutil::readTextFile(e.path());
    EXPECT_EQ(resumed.size(), whole.size());
    for (const auto& [path, bytes] : whole) EXPECT_TRUE(resumed[path] == bytes) << path << " differs after resume";

    // Another translation into the same folder is refused, naming what differs.
    a.size = 64;
    try {
        applyTransfer(a, nullptr, nullptr);
        FAIL();
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("transfer"), std::string::npos) << e.what();
    }
    a.size = 0;
    a.out = a.data;
    EXPECT_THROW(applyTransfer(a, nullptr, nullptr), std::invalid_argument);
}

TEST(TransferApply, LeavesOutTheSamplesAnEvalFoundDrifted) {
    Data d(5, 7);
    TransferApplyConfig a = trainedForApply(d);
    a.out = (d.dir.path / "kept").string();
    // A report of an earlier translation that found samples 1 and 3 drifted.
    const std::string report = (d.dir.path / "transfer_eval.json").string();
    nlohmann::json per = nlohmann::json::array();
    for (const std::string& n : d.names) per.push_back({{"name", n}, {"nme_increase", 0.0}});
    io::writeFileAtomic(report, nlohmann::json{{"format", "synthforge-transfer-eval"},
                                               {"version", 1},
                                               {"structure", {{"nme", {{"source", 0.05}, {"translated", 0.07}}},
                                                              {"max_nme_increase", 0.05},
                                                              {"drifted", {d.names[1], d.names[3]}},
                                                              {"per_sample", per}}}}
                                        .dump());
    a.reject = report;
    const TransferApplyResult r = applyTransfer(a, nullptr, nullptr);
    EXPECT_EQ(r.written, 3);
    EXPECT_EQ(r.rejected, 2);
    EXPECT_TRUE(r.complete);
    for (std::size_t i = 0; i < d.names.size(); ++i)
        EXPECT_EQ(fs::exists(dataset::samplePaths(a.out, d.names[i]).annotation), i != 1 && i != 3) << d.names[i];
    const nlohmann::json m = nlohmann::json::parse(testutil::readTextFile(fs::path(a.out) / "manifest.json"));
    EXPECT_EQ(m["transfer"]["rejected"], (nlohmann::json{d.names[1], d.names[3]}));
    EXPECT_TRUE(m["complete"].get<bool>());
    // A resumed run with the same report writes nothing more; without it the folder is another dataset.
    a.resume = true;
    EXPECT_EQ(applyTransfer(a, nullptr, nullptr).written, 0);
    a.reject.clear();
    EXPECT_THROW(applyTransfer(a, nullptr, nullptr), std::runtime_error);
}

TEST(TransferApply, ShardsTogetherEqualOneRun) {
    Data d(5, 3);
    TransferApplyConfig a = trainedForApply(d);
    a.batch = 1;
    a.out = (d.dir.path / "one").string();
    applyTransfer(a, nullptr, nullptr);
    a.out = (d.dir.path / "sharded").string();
    a.shardCount = 2;
    a.shardIndex = 1;
    EXPECT_FALSE(applyTransfer(a, nullptr, nullptr).complete);
    a.shardIndex = 0;  // the folder holds shard 1's samples: no --resume needed
    EXPECT_TRUE(applyTransfer(a, nullptr, nullptr).complete);
    for (const auto& e : fs::recursive_directory_iterator(d.dir.path / "one")) {
        if (!e.is_regular_file()) continue;
        const fs::path rel = fs::relative(e.path(), d.dir.path / "one");
        EXPECT_TRUE(testutil::readTextFile(e.path()) == testutil::readTextFile(d.dir.path / "sharded" / rel)) << rel;
    }
}

}  // namespace
}  // namespace synthforge::transfer
