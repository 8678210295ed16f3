// predict's cascade with a real trained network (issue 21): renders moved
// away from the training framing (scaled 0.7x / 1.4x about their centre,
// shifted by +-15 % of the image in x and y) are predicted with the
// centred crop only and with the cascade. The cascade must bring them back
// to within a tolerance of what the network does on the unmoved renders,
// and do clearly better than the centred crop where that crop is far off.
//
// A network that has learned to read faces at other scales takes minutes of
// training, more than CI's budget, so it is a committed fixture:
// tests/data/cascade_net (README there says how it was trained; F16 weights,
// 1.8 MB). The renders are generated here, from seeds the network never saw.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/dataset/sample_paths.h"
#include "core/dataset/stored_sample.h"
#include "core/eval/landmark_metrics.h"
#include "core/io/file_util.h"
#include "core/train/predictor.h"
#include "tests/support/fixtures.h"
#include "tests/support/tiny_dataset.h"

namespace synthforge::train {
namespace {

namespace fs = std::filesystem;

constexpr int kRenders = 10;
constexpr int kSize = 128;

struct Move {
    double scale, dx, dy;
};

/// Scales 0.7 and 1.4 unshifted and at the four diagonal shifts, and the
/// training scale at the four diagonal shifts: 14 moves.
std::vector<Move> moves() {
    std::vector<Move> m;
    for (double s : {0.7, 1.4}) m.push_back({s, 0.0, 0.0});
    for (double s : {0.7, 1.0, 1.4})
        for (double dx : {-0.15, 0.15})
            for (double dy : {-0.15, 0.15}) m.push_back({s, dx, dy});
    return m;
}

fs::path netFixture() {
    return fs::path(SYNTHFORGE_TEST_DATA_DIR) / "cascade_net";
}

eval::Landmarks2d readLandmarks(const fs::path& file) {
    const auto j = nlohmann::json::parse(io::readFileText(file.string()));
    eval::Landmarks2d p(static_cast<Eigen::Index>(j["landmarks"].size()), 2);
    for (std::size_t i = 0; i < j["landmarks"].size(); ++i)
        for (int c = 0; c < 2; ++c)
            p(static_cast<Eigen::Index>(i), c) = j["landmarks"][i][static_cast<std::size_t>(c)].get<float>();
    return p;
}

struct Scores {
    std::vector<double> nme;
    std::vector<int> iterations;
    std::vector<bool> converged;
    double mean() const {
        double s = 0;
        for (double v : nme) s += v;
        return nme.empty() ? 0.0 : s / static_cast<double>(nme.size());
    }
};

/// Runs predict on every image of `images` and scores each against `truth` (by output name).
Scores predictAndScore(const fs::path& images, const std::map<std::string, eval::Landmarks2d>& truth,
                       const fs::path& out, int cascade) {
    PredictConfig c;
    c.model = netFixture().string();
    c.images = {images.string()};
    c.out = out.string();
    c.cascade = cascade;
    c.device = "cpu";
    c.threads = 1;
    c.batch = 16;
    const PredictResult r = predictImages(c);
    EXPECT_EQ(r.succeeded(), static_cast<int64_t>(truth.size()));
    Scores s;
    for (const ImagePrediction& p : r.images) {
        const eval::Landmarks2d got = readLandmarks(out / (p.name + "_landmarks.json"));
        s.nme.push_back(eval::nmeSummary({got}, {truth.at(p.name)}, eval::ibug68Nme()).mean);
        s.iterations.push_back(p.iterations);
        s.converged.push_back(p.converged);
    }
    return s;
}

TEST(TorchCascade, ConvergesOnMovedRendersToNearTheCentredResult) {
    torch::set_num_threads(1);
    ASSERT_TRUE(fs::is_regular_file(netFixture() / "final.safetensors")) << netFixture();
    testutil::TempDir dir;
    const fs::path ds = dir.path / "renders";
    {
        generate::DatasetOptions o;
        o.outDir = ds.string();
        o.count = kRenders;
        o.seed = 99;  // the fixture net was trained on seed 11
        o.workers = 2;
        o.headSource = "default";
        generate::writeDataset(testutil::tinyPipeline(kSize), o);
    }
    std::map<std::string, eval::Landmarks2d> unmovedTruth, movedTruth;
    const fs::path unmoved = dir.path / "unmoved", moved = dir.path / "moved";
    fs::create_directories(unmoved);
    fs::create_directories(moved);
    for (int i = 0; i < kRenders; ++i) {
        const std::string stem = dataset::sampleName(static_cast<uint64_t>(i), dataset::indexDigits(kRenders));
        const cv::Mat im = cv::imread((ds / "images" / (stem + ".png")).string());
        ASSERT_FALSE(im.empty()) << stem;
        const eval::Landmarks2d gt = dataset::readStoredSample(ds.string(), stem).landmarks;
        cv::imwrite((unmoved / (stem + ".png")).string(), im);
        unmovedTruth[stem] = gt;
        int k = 0;
        for (const Move& mv : moves()) {
            // q = s (p - c) + c + d W in continuous pixels; OpenCV's matrix
            // works on pixel indices (centres at +0.5).
            const double tx = (1 - mv.scale) * kSize / 2 + mv.dx * kSize, ty = (1 - mv.scale) * kSize / 2 + mv.dy * kSize;
            const cv::Mat m = (cv::Mat_<double>(2, 3) << mv.scale, 0, tx + mv.scale / 2 - 0.5, 0, mv.scale,
                               ty + mv.scale / 2 - 0.5);
            cv::Mat out;
            cv::warpAffine(im, out, m, im.size(), mv.scale < 1 ? cv::INTER_AREA : cv::INTER_LINEAR,
                           cv::BORDER_CONSTANT);
            char name[64];
            std::snprintf(name, sizeof name, "%s_m%02d", stem.c_str(), k++);
            cv::imwrite((moved / (std::string(name) + ".png")).string(), out);
            eval::Landmarks2d t = gt;
            t.col(0) = (gt.col(0).array() * static_cast<float>(mv.scale) + static_cast<float>(tx)).matrix();
            t.col(1) = (gt.col(1).array() * static_cast<float>(mv.scale) + static_cast<float>(ty)).matrix();
            movedTruth[name] = t;
        }
    }

    const Scores centred = predictAndScore(unmoved, unmovedTruth, dir.path / "p_centred", 0);
    const Scores movedCentred = predictAndScore(moved, movedTruth, dir.path / "p_moved0", 0);
    const Scores movedCascade = predictAndScore(moved, movedTruth, dir.path / "p_moved3", 3);
    std::printf("NME: unmoved centred %.4f; moved centred crop %.4f, moved cascade %.4f\n", centred.mean(),
                movedCentred.mean(), movedCascade.mean());
    // By scale: outputs are in name order, renders outer, moves inner.
    const std::vector<Move> all = moves();
    Scores small0, small3;
    for (double scale : {0.7, 1.0, 1.4}) {
        Scores a, b;
        for (std::size_t i = 0; i < movedCascade.nme.size(); ++i)
            if (all[i % all.size()].scale == scale) {
                a.nme.push_back(movedCentred.nme[i]);
                b.nme.push_back(movedCascade.nme[i]);
            }
        std::printf("scale %.1f: centred crop %.4f, cascade %.4f (n %zu)\n", scale, a.mean(), b.mean(), a.nme.size());
        if (scale == 0.7) small0 = a, small3 = b;
    }
    int converged = 0, recropped = 0;
    for (std::size_t i = 0; i < movedCascade.nme.size(); ++i) {
        converged += movedCascade.converged[i] ? 1 : 0;
        recropped += movedCascade.iterations[i] >= 1 ? 1 : 0;
    }
    std::printf("converged %d of %zu\n", converged, movedCascade.nme.size());

    // Measured 2026-12-05 (docs/predict.md "Convergence"): unmoved 0.0525;
    // moved: centred crop 0.0815, cascade 0.0756; at 0.7x 0.0834 -> 0.0570.
    // The fixture net still reads our renders in their own framing.
    EXPECT_LT(centred.mean(), 0.07);
    // A face at 0.7x is whole in the image: the cascade brings it back to
    // within 25 % of the unmoved result, and well below the centred crop.
    EXPECT_LT(small3.mean(), 1.25 * centred.mean());
    EXPECT_LT(small3.mean(), 0.8 * small0.mean());
    // Over every move (at 1.4x with a shift part of the face leaves the
    // image, which no framing recovers): better than the centred crop, and
    // within 60 % of the unmoved result.
    EXPECT_LT(movedCascade.mean(), movedCentred.mean());
    EXPECT_LT(movedCascade.mean(), 1.6 * centred.mean());
    // Every moved image was re-cropped at least once.
    EXPECT_EQ(recropped, static_cast<int>(movedCascade.nme.size()));
}

}  // namespace
}  // namespace synthforge::train
