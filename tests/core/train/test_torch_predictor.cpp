// predict (core/train/predictor.h) on our own renders with a fresh seeded
// `small` net: with the centred framing its landmarks, segmentation and
// depth are the network's outputs on exactly the samples eval scores (same
// weights, same size), mapped to input pixels; the NME computed from the
// written landmarks is eval's; the cascade uses (and otherwise computes and
// saves) the run's landmark template.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <filesystem>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "core/dataset/sample_paths.h"
#include "core/dataset/stored_sample.h"
#include "core/eval/landmark_metrics.h"
#include "core/io/file_util.h"
#include "core/io/npy.h"
#include "core/train/evaluator.h"
#include "core/train/landmark_template.h"
#include "core/train/predictor.h"
#include "core/train/torch_evaluator.h"
#include "core/train/torch_weights.h"
#include "tests/support/fixtures.h"
#include "tests/support/tiny_dataset.h"

namespace synthforge::train {
namespace {

namespace fs = std::filesystem;

/// A dataset of 6 renders at 64² and a run over it: a fresh `small` net
/// whose BN statistics come from one batch, config.json naming the data.
struct RunFixture {
    testutil::TempDir dir;
    fs::path ds, run;
    MultiTaskNet net{nullptr};
    RunFixture() {
        ds = dir.path / "ds";
        run = dir.path / "run";
        testutil::writeTinyDataset(ds, 6, 9);
        fs::create_directories(run);
        torch::manual_seed(4);
        net = MultiTaskNet(MultiTaskNetOptions(19).preset("small"));
        for (const auto& m : net->modules(false))
            if (auto* bn = dynamic_cast<torch::nn::BatchNorm2dImpl*>(m.get())) bn->options.momentum(1.0);
        net->train();
        {
            torch::NoGradGuard noGrad;
            net->forward(SynthForgeDataset(ds.string(), 64).load({0, 1, 2, 3}).images);
        }
        net->eval();
        saveMultiTaskNet(net, (run / "final.safetensors").string());
        io::writeFileAtomic((run / "config.json").string(),
                            nlohmann::json{{"stage", "I"}, {"size", 64}, {"data", ds.string()}, {"val_fraction", 0.1}}.dump());
    }
    PredictConfig config(const std::string& out) const {
        PredictConfig c;
        c.model = run.string();
        c.images = {(ds / "images").string()};
        c.out = (dir.path / out).string();
        c.device = "cpu";
        c.threads = 1;
        c.batch = 4;
        return c;
    }
};

eval::Landmarks2d readLandmarks(const fs::path& file) {
    const auto j = nlohmann::json::parse(io::readFileText(file.string()));
    eval::Landmarks2d p(j["landmarks"].size(), 2);
    for (std::size_t i = 0; i < j["landmarks"].size(); ++i)
        for (int c = 0; c < 2; ++c) p(static_cast<Eigen::Index>(i), c) = j["landmarks"][i][static_cast<std::size_t>(c)].get<float>();
    return p;
}

TEST(TorchPredictor, CentredFramingEqualsTheNetworkOnEvalsSamples) {
    torch::set_num_threads(1);
    RunFixture f;
    for (const int64_t size : {64, 128}) {
        PredictConfig c = f.config("out" + std::to_string(size));
        c.cascade = 0;
        c.size = size;
        const PredictResult r = predictImages(c);
        ASSERT_EQ(r.images.size(), 6u);
        ASSERT_EQ(r.succeeded(), 6);
        EXPECT_EQ(r.size, size);
        EXPECT_EQ(r.numLandmarks, 68);
        EXPECT_TRUE(r.templateSource.empty()) << "no cascade, no template needed";

        // What eval feeds the net: the dataset loader at `size`.
        const SynthForgeDataset data(f.ds.string(), size);
        const SynthForgeBatch b = data.load({0, 1, 2, 3, 4, 5});
        MultiTaskOutput y;
        {
            torch::NoGradGuard noGrad;
            y = f.net->forward(b.images);
        }
        const double scale = 64.0 / static_cast<double>(size);  // crop pixels -> input pixels
        std::vector<eval::Landmarks2d> mine, gt;
        for (int64_t k = 0; k < 6; ++k) {
            const ImagePrediction& p = r.images[static_cast<std::size_t>(k)];
            const std::string name = dataset::sampleName(static_cast<uint64_t>(k), 6);
            EXPECT_EQ(p.name, name);
            EXPECT_EQ(p.framing, "centred");
            EXPECT_EQ(p.iterations, 0);
            const eval::Landmarks2d got = readLandmarks(fs::path(c.out) / (name + "_landmarks.json"));
            const eval::Landmarks2d want = landmarksToPixels(y.landmarks[k], size) * static_cast<float>(scale);
            ASSERT_EQ(got.rows(), 68);
            EXPECT_LT((got - want).cwiseAbs().maxCoeff(), 1e-4 * scale) << name << " at " << size;
            mine.push_back(got);
            gt.push_back(dataset::readStoredSample(f.ds.string(), name).landmarks);

            if (size != 64) continue;
            // At the input's own size the maps are the net's, pixel for pixel.
            const cv::Mat ids = cv::imread((fs::path(c.out) / (name + "_seg.png")).string(), cv::IMREAD_UNCHANGED);
            ASSERT_EQ(ids.size(), cv::Size(64, 64));
            const torch::Tensor argmax = y.segmentation[k].argmax(0).to(torch::kUInt8).contiguous();
            const cv::Mat netIds(64, 64, CV_8UC1, argmax.data_ptr<uint8_t>());
            EXPECT_EQ(cv::countNonZero(ids != netIds), 0) << name;
            const io::NdArray depth = io::loadNpyFile((fs::path(c.out) / (name + "_depth.npy")).string()).array;
            ASSERT_EQ(depth.shape, (std::vector<int64_t>{64, 64}));
            const std::vector<float> d = depth.toFloat();
            const torch::Tensor netDepth = y.depth[k][0].contiguous();
            for (int i = 0; i < 64 * 64; ++i) {
                const float want = netIds.data[i] == 0 ? 0.0f : netDepth.data_ptr<float>()[i];
                ASSERT_NEAR(d[static_cast<std::size_t>(i)], want, 1e-5) << name << " pixel " << i;
            }
            // The 16-bit PNG is the same depth in units of 1e-4, rounded (in
            // float: at a tie, d * 1e4 in double can sit 3e-4 past the half
            // the float product rounded from, hence 0.501 and not 0.5).
            const cv::Mat d16 = cv::imread((fs::path(c.out) / (name + "_depth.png")).string(), cv::IMREAD_UNCHANGED);
            ASSERT_EQ(d16.type(), CV_16UC1);
            for (int i = 0; i < 64 * 64; ++i)
                ASSERT_NEAR(d16.ptr<uint16_t>()[i], std::clamp(d[static_cast<std::size_t>(i)] * 1e4, 0.0, 65535.0), 0.501)
                    << name << " pixel " << i;
            for (const char* suffix : {"_overlay.png", "_seg_overlay.png"})
                EXPECT_TRUE(fs::is_regular_file(fs::path(c.out) / (name + suffix))) << name << suffix;
        }

        // eval's NME on the same weights, samples and size equals the NME of the written landmarks.
        EvalConfig e;
        e.model = f.run.string();
        e.data = f.ds.string();
        e.size = size;
        e.split = "all";
        e.device = "cpu";
        const EvalResult er = evaluateRun(e);
        const eval::NmeSummary nme = eval::nmeSummary(mine, gt, eval::ibug68Nme());
        ASSERT_EQ(er.nmePerImage.size(), 6u);
        for (std::size_t i = 0; i < 6; ++i) EXPECT_NEAR(nme.perImage[i], er.nmePerImage[i], 1e-5) << i;

        const auto j = nlohmann::json::parse(io::readFileText((fs::path(c.out) / "predictions.json").string()));
        EXPECT_EQ(j["succeeded"], 6);
        EXPECT_EQ(j["images"].size(), 6u);
    }
}

TEST(TorchPredictor, CascadeComputesSavesAndUsesTheLandmarkTemplate) {
    torch::set_num_threads(1);
    RunFixture f;
    ASSERT_FALSE(fs::exists(landmarkTemplatePath(f.run.string())));
    PredictConfig c = f.config("out");
    c.cascade = 2;
    c.tolerance = 0;  // never converges early: two re-crops each
    const PredictResult r = predictImages(c);
    ASSERT_EQ(r.succeeded(), 6);
    EXPECT_EQ(r.cascade, 2);
    EXPECT_EQ(r.templateSource, "computed from " + f.ds.string());
    // Saved for next time, equal to computing it afresh.
    const LandmarkTemplate saved = readLandmarkTemplate(f.run.string());
    EXPECT_LT((saved.points - computeLandmarkTemplate(f.ds.string()).points).cwiseAbs().maxCoeff(), 1e-12);
    for (const ImagePrediction& p : r.images) {
        EXPECT_EQ(p.framing, "cascade");
        EXPECT_EQ(p.iterations, 2) << p.name;
        EXPECT_EQ(p.motion.size(), 2u) << p.name;
        // The final crop is the last fitted one, not the centred crop.
        EXPECT_GT(cropMotion(centredCrop(64, 64, 64), p.crop, 64), 0) << p.name;
    }

    // Present, the file is used as is: a template shifted right by 0.2 moves every first re-crop.
    LandmarkTemplate moved = saved;
    moved.points.col(0).array() += 0.2;
    writeLandmarkTemplate(f.run.string(), moved);
    c.out = (f.dir.path / "out2").string();
    c.cascade = 1;
    const PredictResult r2 = predictImages(c);
    EXPECT_EQ(r2.templateSource, landmarkTemplatePath(f.run.string()));
    for (std::size_t i = 0; i < 6; ++i) EXPECT_NE(r2.images[i].crop.tx, r.images[i].crop.tx);

    // A corrupt template is an error naming it, before any image.
    io::writeFileAtomic(landmarkTemplatePath(f.run.string()), std::string("{\"format\": \"synthforge-landmark-tem"));
    try {
        predictImages(c);
        FAIL() << "no error";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("landmark_template.json"), std::string::npos) << e.what();
    }
    // Missing and nothing to compute it from: the error says what to do.
    fs::remove(landmarkTemplatePath(f.run.string()));
    io::writeFileAtomic((f.run / "config.json").string(), std::string(R"({"stage": "I", "size": 64, "data": "/nonexistent"})"));
    try {
        predictImages(c);
        FAIL() << "no error";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("--boxes"), std::string::npos) << e.what();
    }
    // --cascade 0 needs no template.
    c.cascade = 0;
    EXPECT_EQ(predictImages(c).succeeded(), 6);
}

TEST(TorchPredictor, BoxesFrameWithTheTemplatesBox) {
    torch::set_num_threads(1);
    RunFixture f;
    const LandmarkTemplate t = computeLandmarkTemplate(f.ds.string());
    writeLandmarkTemplate(f.run.string(), t);
    // The true landmark box of sample 0 and 1 (the box a detector would give).
    nlohmann::json boxes;
    std::vector<eval::Landmarks2d> truth;
    for (int k = 0; k < 2; ++k) {
        const std::string name = dataset::sampleName(static_cast<uint64_t>(k), 6);
        const auto lm = dataset::readStoredSample(f.ds.string(), name).landmarks;
        const Eigen::Vector2f lo = lm.colwise().minCoeff(), hi = lm.colwise().maxCoeff();
        boxes[name + ".png"] = {lo.x(), lo.y(), hi.x() - lo.x(), hi.y() - lo.y()};
    }
    io::writeFileAtomic(f.dir.file("boxes.json"), boxes.dump());
    PredictConfig c = f.config("out");
    c.boxes = f.dir.file("boxes.json");
    c.cascade = 0;
    const PredictResult r = predictImages(c);
    ASSERT_EQ(r.succeeded(), 6);
    EXPECT_EQ(r.images[0].framing, "box");
    EXPECT_EQ(r.images[1].framing, "box");
    EXPECT_EQ(r.images[2].framing, "centred");
    // The box's centre lands on the template box's centre.
    const BoxFraming framing = templateBoxFraming(t.points);
    const auto& b0 = boxes["000000.png"];
    const Eigen::Vector2d centre = r.images[0].crop.apply(
        Eigen::Vector2d(b0[0].get<double>() + b0[2].get<double>() / 2, b0[1].get<double>() + b0[3].get<double>() / 2));
    EXPECT_NEAR(centre.x(), (framing.cx + 1) * 32, 1e-6);
    EXPECT_NEAR(centre.y(), (framing.cy + 1) * 32, 1e-6);
}

}  // namespace
}  // namespace synthforge::train
