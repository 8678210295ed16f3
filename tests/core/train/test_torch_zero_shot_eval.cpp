// Zero-shot evaluation of a Stage I run on benchmarks (core/train/zero_shot.h,
// core/train/torch_zero_shot.h): on a fixture in the 300-W release layout,
// planted predictions (known pixel shifts of the true points) give the
// hand-computed NME, failure rate and AUC per customary subset, and the
// extra NME without the jaw contour; on LaPa and CelebAMask-HQ fixtures,
// planted segmentations in our ids give the hand-computed F1/IoU through the
// class remap (sides swapped, unmapped classes left out); formats are
// detected, an unknown folder is refused, the framing is measured on the
// run's renders, and evaluateRun dispatches a Stage I run on a benchmark here.

#include <cmath>
#include <filesystem>
#include <map>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "core/annotate/class_table.h"
#include "core/dataset/w300_dataset.h"
#include "core/io/file_util.h"
#include "core/train/evaluator.h"
#include "core/train/torch_benchmark_data.h"
#include "core/train/torch_zero_shot.h"
#include "core/train/zero_shot.h"
#include "tests/support/benchmark_fixtures.h"
#include "tests/support/fixtures.h"
#include "tests/support/run_fixtures.h"
#include "tests/support/tiny_dataset.h"

namespace synthforge::train {
namespace {

namespace fs = std::filesystem;

constexpr int kW = 80, kH = 72;  // the fixtures' image size

/// The release fixture's drawFace variant of each image (write300WReleaseFixture
/// numbers them in the order of its subset table).
int releaseVariant(const std::string& name) {
    static const std::map<std::string, int> v = {
        {"afw/image_0.png", 0},           {"afw/image_1.png", 1},          {"helen/trainset/image_0.png", 2},
        {"helen/trainset/image_1.png", 3}, {"helen/testset/image_0.png", 4}, {"lfpw/trainset/image_0.png", 5},
        {"lfpw/trainset/image_1.png", 6},  {"lfpw/testset/image_0.png", 7}, {"ibug/image_0.png", 8},
        {"ibug/image_1.png", 9},           {"300W/01_Indoor/image_0.png", 10}};
    return v.at(name);
}

double interocular(const io::Points2f& p) { return (p.row(36) - p.row(45)).cast<double>().norm(); }

/// Original-image pixels -> normalised coordinates of `crop`.
torch::Tensor toCrop(const io::Points2f& p, const FaceCrop& crop) {
    torch::Tensor t = torch::empty({p.rows(), 2});
    for (int64_t k = 0; k < p.rows(); ++k) {
        t[k][0] = 2.0 * (p(k, 0) - crop.x) / crop.side - 1.0;
        t[k][1] = 2.0 * (p(k, 1) - crop.y) / crop.side - 1.0;
    }
    return t;
}

ZeroShotSetup setupFor(const std::string& format, int64_t batch = 2) {
    ZeroShotSetup s;
    s.format = format;
    s.landmarks = zeroShotLandmarkMapping(format);
    s.classes = zeroShotClassMapping(format, 19);
    s.framing = defaultZeroShotFraming(framingBoxOf(format));
    s.batch = batch;
    return s;
}

/// Predicts the true points of each image (drawn by the fixture, not read
/// back) moved by `shift(subset, iod)` pixels in x and y, on the points
/// [first, last] only.
ZeroShotPredictor plantedW300(const dataset::W300Dataset& files, const BenchmarkDataset& data,
                              std::function<std::pair<double, double>(const std::string&, double)> shift, int first = 0,
                              int last = 67) {
    return [&files, &data, shift, first, last](const BenchmarkBatch& batch, const std::vector<int64_t>& ids) {
        std::vector<ZeroShotPrediction> out;
        for (size_t k = 0; k < ids.size(); ++k) {
            io::Points2f p = testutil::drawFace(kW, kH, releaseVariant(files.name(ids[k])), 68).landmarks;
            const auto [dx, dy] = shift(data.subsetOf(ids[k]), interocular(p));
            for (int i = first; i <= last; ++i) p(i, 0) += static_cast<float>(dx), p(i, 1) += static_cast<float>(dy);
            out.push_back({toCrop(p, batch.crops[k]), torch::Tensor()});
        }
        return out;
    };
}

TEST(ZeroShotEval, PlantedLandmarksGiveTheHandComputedNmePerSubset) {
    testutil::TempDir dir;
    const fs::path root = dir.path / "300W_release";
    testutil::write300WReleaseFixture(root);
    ASSERT_EQ(detectDatasetFormat(root.string()), "300w");
    const dataset::W300Dataset files = dataset::W300Dataset::open(root.string());
    BenchmarkDataset data(root.string(), "300w", 64, 0.0, 0.1);
    const ZeroShotSetup setup = setupFor("300w");
    data.setFraming({setup.framing.faceFraction, setup.framing.offsetX, setup.framing.offsetY});
    const std::vector<int64_t> test = data.testIds();
    ASSERT_EQ(test.size(), 5u);  // 300W (private), helen/testset, ibug x2, lfpw/testset

    // Shift each point by e * IOD along (3, 4) / 5: NME = e exactly. Common
    // 0.02, challenging 0.10 (a failure at 0.08), private 0.05.
    const std::map<std::string, double> e = {{"common", 0.02}, {"challenging", 0.10}, {"private", 0.05}};
    const auto shift = [&e](const std::string& subset, double iod) {
        const double d = e.at(subset) * iod;
        return std::pair{0.6 * d, 0.8 * d};
    };
    const EvalResult r = scoreZeroShot(data, test, setup, plantedW300(files, data, shift));
    EXPECT_TRUE(r.zeroShot);
    EXPECT_EQ(r.stage, "I");
    EXPECT_EQ(r.datasetFormat, "300w");
    EXPECT_EQ(r.samples, 5);
    EXPECT_EQ(r.size, 64);
    EXPECT_EQ(r.numLandmarks, 68);
    // The .pts files hold three decimals: NME agrees to ~1e-5.
    const double tol = 1e-4;
    ASSERT_EQ(r.nmePerImage.size(), 5u);
    EXPECT_NEAR(r.nmePerImage[0], 0.05, tol);  // 300W/01_Indoor
    EXPECT_NEAR(r.nmePerImage[1], 0.02, tol);  // helen/testset
    EXPECT_NEAR(r.nmeMean, (0.05 + 0.02 + 0.10 + 0.10 + 0.02) / 5, tol);
    EXPECT_DOUBLE_EQ(r.failureRate, 2.0 / 5);
    // AUC at 0.08 = mean of max(0, 1 - NME / 0.08).
    EXPECT_NEAR(r.auc, (0.375 + 0.75 + 0 + 0 + 0.75) / 5, tol);
    ASSERT_EQ(r.nmeSubsets.size(), 4u);
    const struct { const char* name; int64_t n; double nme, failure, auc; } expected[] = {
        {"common", 2, 0.02, 0.0, 0.75},
        {"challenging", 2, 0.10, 1.0, 0.0},
        {"full", 4, 0.06, 0.5, 0.375},
        {"private", 1, 0.05, 0.0, 0.375}};
    for (size_t k = 0; k < 4; ++k) {
        SCOPED_TRACE(expected[k].name);
        EXPECT_EQ(r.nmeSubsets[k].name, expected[k].name);
        EXPECT_EQ(r.nmeSubsets[k].samples, expected[k].n);
        EXPECT_NEAR(r.nmeSubsets[k].nmeMean, expected[k].nme, tol);
        EXPECT_DOUBLE_EQ(r.nmeSubsets[k].failureRate, expected[k].failure);
        EXPECT_NEAR(r.nmeSubsets[k].auc, expected[k].auc, tol);
    }
    // A uniform shift moves the 51 points without the contour just as much.
    const ZeroShotReport& z = r.zeroShotReport;
    ASSERT_EQ(z.agreeingNmePerImage.size(), 5u);
    EXPECT_NEAR(z.agreeingNmeMean, r.nmeMean, tol);
    ASSERT_EQ(z.agreeingSubsets.size(), 4u);
    EXPECT_NEAR(z.agreeingSubsets[1].nmeMean, 0.10, tol);

    // JSON: the existing keys, plus what says it is zero-shot.
    const auto j = nlohmann::json::parse(evalResultToJson(r));
    for (const char* key : {"format", "weights", "data", "preset", "size", "split", "samples", "nme_mean", "auc",
                            "failure_rate", "nme_subsets", "nme_per_image", "classes", "mean_foreground",
                            "depth_l1_face", "face_pixels"})
        EXPECT_TRUE(j.contains(key)) << key;
    EXPECT_EQ(j["stage"], "I");
    EXPECT_EQ(j["dataset_format"], "300w");
    EXPECT_EQ(j["zero_shot"], true);
    EXPECT_EQ(j["landmark_mapping"]["to"], "ibug-68");
    EXPECT_EQ(j["landmark_mapping"]["indices"], "identity");
    EXPECT_EQ(j["landmark_mapping"]["groups"][0]["name"], "jaw_contour");
    EXPECT_EQ(j["landmark_mapping"]["groups"][0]["agrees"], false);
    EXPECT_EQ(j["nme_without_contour"]["count"], 51);
    EXPECT_NEAR(j["nme_without_contour"]["nme_subsets"][0]["nme_mean"].get<double>(), 0.02, tol);
    EXPECT_EQ(j["class_mapping"]["scored"], false);
    EXPECT_EQ(j["framing"]["source"], "default");
    EXPECT_EQ(j["framing"]["box"], "landmarks");
    EXPECT_TRUE(j["depth_l1_face"].is_null());
    const std::string table = evalResultTable(r);
    EXPECT_NE(table.find("zero-shot on 300w"), std::string::npos) << table;
    EXPECT_NE(table.find("without the jaw contour"), std::string::npos) << table;

    // Only the contour wrong, by 2 px in x: NME = (17 / 68) * 2 / IOD per
    // image, and 0 without the contour.
    const EvalResult jaw =
        scoreZeroShot(data, test, setup, plantedW300(files, data, [](const std::string&, double) {
                          return std::pair{2.0, 0.0};
                      }, 0, 16));
    for (size_t k = 0; k < test.size(); ++k) {
        const double iod = interocular(testutil::drawFace(kW, kH, releaseVariant(files.name(test[k])), 68).landmarks);
        EXPECT_NEAR(jaw.nmePerImage[k], 17.0 / 68.0 * 2.0 / iod, tol) << k;
        EXPECT_NEAR(jaw.zeroShotReport.agreeingNmePerImage[k], 0.0, tol) << k;
    }
}

TEST(ZeroShotEval, CropsFrameTheFaceAsTheRendersDo) {
    // The box's longer side is faceFraction of the crop, its centre offset by (ox, oy) sides.
    const FaceCrop c = framedCrop(100, 50, 160, 130, {0.5, 0.0, 0.1});
    EXPECT_EQ(c.side, 160);              // 80 / 0.5
    EXPECT_EQ(c.x, 130 - 80);            // centre x 130
    EXPECT_EQ(c.y, 90 - 96);             // centre y 90 - (0.5 + 0.1) * 160
    EXPECT_THROW(framedCrop(0, 0, 1, 1, {0.0, 0, 0}), std::invalid_argument);

    // Measured on renders: the medians of the 68 points' box, computed here from the annotations.
    testutil::TempDir dir;
    const fs::path ds = dir.path / "renders";
    testutil::writeTinyDataset(ds, 5, 3);
    const ZeroShotFraming f = measureFraming(ds.string(), "landmarks", 64);
    EXPECT_EQ(f.source, "training_data");
    EXPECT_EQ(f.samplesMeasured, 5);
    std::vector<double> fraction, offY;
    for (int i = 0; i < 5; ++i) {
        char name[32];
        std::snprintf(name, sizeof name, "annotations/%06d.json", i);
        const auto a = nlohmann::json::parse(io::readFileText((ds / name).string()));
        double x0 = 1e9, x1 = -1e9, y0 = 1e9, y1 = -1e9;
        for (const auto& p : a["2d_kps"]) {
            x0 = std::min(x0, p[0].get<double>()), x1 = std::max(x1, p[0].get<double>());
            y0 = std::min(y0, p[1].get<double>()), y1 = std::max(y1, p[1].get<double>());
        }
        const double w = a["width"].get<double>(), h = a["height"].get<double>();
        fraction.push_back(std::max((x1 - x0) / w, (y1 - y0) / h));
        offY.push_back(0.5 * (y0 + y1) / h - 0.5);
    }
    std::sort(fraction.begin(), fraction.end());
    std::sort(offY.begin(), offY.end());
    EXPECT_NEAR(f.faceFraction, fraction[2], 1e-5);
    EXPECT_NEAR(f.offsetY, offY[2], 1e-5);
    const ZeroShotFraming parts = measureFraming(ds.string(), "face_parts", 64);
    EXPECT_EQ(parts.source, "training_data");
    EXPECT_GT(parts.faceFraction, 0.1);
    // Without the renders: the documented constants.
    const ZeroShotFraming none = measureFraming((dir.path / "gone").string(), "landmarks", 64);
    EXPECT_EQ(none.source, "default");
    EXPECT_DOUBLE_EQ(none.faceFraction, defaultZeroShotFraming("landmarks").faceFraction);
}

/// Our id predicting each LaPa id (docs/classes.md's remap read backwards; LaPa names sides by the image).
torch::Tensor oursFromLapa(const torch::Tensor& lapa) {
    const std::vector<int64_t> inv = {0, 1, 5, 6, 3, 4, 2, 10, 9, 11, 13};
    torch::Tensor lut = torch::zeros({256}, torch::kInt64);
    for (size_t k = 0; k < inv.size(); ++k) lut[static_cast<int64_t>(k)] = inv[k];
    return lut.index({lapa.clamp(0, 255)});
}

TEST(ZeroShotEval, LapaClassesAreRemappedAndItsLandmarksAreNotScored) {
    testutil::TempDir dir;
    const fs::path root = dir.path / "LaPa";
    testutil::writeLapaFixture(root, 2, 1);
    ASSERT_EQ(detectDatasetFormat(root.string()), "lapa");
    ASSERT_EQ(detectDatasetFormat((root / "test").string()), "lapa");
    BenchmarkDataset data(root.string(), "lapa", 64, 0.0, 0.1);
    const ZeroShotSetup setup = setupFor("lapa");
    data.setFraming({setup.framing.faceFraction, setup.framing.offsetX, setup.framing.offsetY});
    std::vector<int64_t> all = data.trainIds();
    all.insert(all.end(), data.valIds().begin(), data.valIds().end());
    all.insert(all.end(), data.testIds().begin(), data.testIds().end());
    ASSERT_EQ(all.size(), 4u);

    // Planted: the truth in our ids, except that hair is predicted as our
    // neck (-> LaPa background). Count what that does by hand.
    std::uint64_t background = 0, hair = 0;
    const ZeroShotPredictor planted = [&](const BenchmarkBatch& batch, const std::vector<int64_t>& ids) {
        std::vector<ZeroShotPrediction> out;
        for (size_t k = 0; k < ids.size(); ++k) {
            const torch::Tensor gt = batch.segmentation[static_cast<int64_t>(k)];
            torch::Tensor ours = oursFromLapa(gt);
            ours = torch::where(gt == 10, torch::full_like(ours, annotate::kNeck), ours);
            background += static_cast<std::uint64_t>((gt == 0).sum().item<int64_t>());
            hair += static_cast<std::uint64_t>((gt == 10).sum().item<int64_t>());
            out.push_back({torch::Tensor(), ours});
        }
        return out;
    };
    const EvalResult r = scoreZeroShot(data, all, setup, planted);
    ASSERT_GT(hair, 0u);
    ASSERT_EQ(r.classes.size(), 11u);
    EXPECT_EQ(r.classes[4].name, "left_eye");
    for (int c : {1, 2, 3, 4, 5, 6, 7, 8, 9}) {
        SCOPED_TRACE(r.classes[c].name);
        EXPECT_GT(r.classes[c].gtPixels, 0u);
        EXPECT_DOUBLE_EQ(r.classes[c].f1, 1.0);  // sides swapped right: LaPa's left eye is our right_eye
        EXPECT_DOUBLE_EQ(r.classes[c].iou, 1.0);
    }
    EXPECT_EQ(r.classes[10].gtPixels, hair);
    EXPECT_EQ(r.classes[10].predPixels, 0u);
    EXPECT_DOUBLE_EQ(r.classes[10].f1, 0.0);
    const double b = static_cast<double>(background), h = static_cast<double>(hair);
    EXPECT_DOUBLE_EQ(r.classes[0].f1, 2 * b / (2 * b + h));
    EXPECT_DOUBLE_EQ(r.classes[0].iou, b / (b + h));
    EXPECT_EQ(r.foregroundCounted, 10);
    EXPECT_DOUBLE_EQ(r.meanF1, 9.0 / 10.0);
    // No landmark mapping to LaPa's 106: null with a note.
    EXPECT_EQ(r.numLandmarks, 0);
    EXPECT_TRUE(std::isnan(r.nmeMean));
    const auto j = nlohmann::json::parse(evalResultToJson(r));
    EXPECT_TRUE(j["nme_mean"].is_null());
    EXPECT_EQ(j["landmark_mapping"]["scored"], false);
    EXPECT_NE(j["landmark_mapping"]["note"].get<std::string>().find("106"), std::string::npos);
    EXPECT_TRUE(j["nme_without_contour"].is_null());
    EXPECT_EQ(j["class_mapping"]["to"], "lapa");
    EXPECT_TRUE(j["class_mapping"]["unmapped"].empty());  // every LaPa class has a source
    EXPECT_EQ(j["class_mapping"]["map"][3]["ours_name"], "right_eye");
    EXPECT_EQ(j["class_mapping"]["map"][3]["to_name"], "left_eye");
}

TEST(ZeroShotEval, CelebAMaskHqEarringsAndNecklacesAreLeftOut) {
    testutil::TempDir dir;
    const fs::path root = dir.path / "CelebAMask-HQ";
    testutil::writeCelebAFixture(root, 2);
    // An earring on image 0, drawn over skin: no class of ours can predict it.
    cv::Mat earring = cv::Mat::zeros(512, 512, CV_8UC1);
    earring(cv::Rect(200, 260, 40, 40)).setTo(255);
    testutil::writePicture(root / "CelebAMask-HQ-mask-anno" / "0" / "00000_ear_r.png", earring);
    ASSERT_EQ(detectDatasetFormat(root.string()), "celebamask-hq");
    BenchmarkDataset data(root.string(), "celebamask-hq", 64, 0.0, 0.1);
    const ZeroShotSetup setup = setupFor("celebamask-hq");
    EXPECT_EQ(setup.framing.box, "face_parts");
    data.setFraming({setup.framing.faceFraction, setup.framing.offsetX, setup.framing.offsetY});

    // CelebAMask-HQ ids -> ours (image-side names: l_eye is our right_eye);
    // the earring's pixels predicted as skin.
    const std::vector<int64_t> inv = {0, 1, 2, 16, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 17, 1, 1, 12, 15};
    torch::Tensor lut = torch::zeros({256}, torch::kInt64);
    for (size_t k = 0; k < inv.size(); ++k) lut[static_cast<int64_t>(k)] = inv[k];
    std::uint64_t earringPixels = 0;
    const ZeroShotPredictor planted = [&](const BenchmarkBatch& batch, const std::vector<int64_t>& ids) {
        std::vector<ZeroShotPrediction> out;
        for (size_t k = 0; k < ids.size(); ++k) {
            const torch::Tensor gt = batch.segmentation[static_cast<int64_t>(k)];
            earringPixels += static_cast<std::uint64_t>((gt == 15).sum().item<int64_t>());
            out.push_back({torch::Tensor(), lut.index({gt.clamp(0, 255)})});
        }
        return out;
    };
    const EvalResult r = scoreZeroShot(data, {0, 1}, setup, planted);
    ASSERT_GT(earringPixels, 0u);
    ASSERT_EQ(r.classes.size(), 19u);
    int present = 0;
    for (const ClassEval& c : r.classes) {
        if (c.gtPixels == 0 && c.predPixels == 0) {
            EXPECT_TRUE(std::isnan(c.f1)) << c.name;
            continue;
        }
        ++present;
        EXPECT_DOUBLE_EQ(c.f1, 1.0) << c.name;  // had the earring counted, skin would be off and ear_r 0
        EXPECT_DOUBLE_EQ(c.iou, 1.0) << c.name;
    }
    EXPECT_EQ(r.classes[15].name, "ear_r");
    EXPECT_EQ(r.classes[15].gtPixels, 0u);
    EXPECT_EQ(r.foregroundCounted, present - 1);
    EXPECT_DOUBLE_EQ(r.meanF1, 1.0);
    const auto j = nlohmann::json::parse(evalResultToJson(r));
    ASSERT_EQ(j["class_mapping"]["unmapped"].size(), 2u);
    EXPECT_EQ(j["class_mapping"]["unmapped"][0]["name"], "ear_r");
    EXPECT_EQ(j["class_mapping"]["unmapped"][1]["name"], "neck_l");
    EXPECT_NE(j["class_mapping"]["unmapped"][0]["reason"].get<std::string>().find("left out"), std::string::npos);
    EXPECT_TRUE(j["classes"][15]["f1"].is_null());
    EXPECT_EQ(j["landmark_mapping"]["scored"], false);
    EXPECT_NE(evalResultTable(r).find("unmapped  ear_r"), std::string::npos);
}

/// A Stage I run directory: fresh `small` weights and a config.json.
fs::path writeStageOneRun(const fs::path& dir, const std::string& data) {
    fs::create_directories(dir);
    testutil::writeFreshStageOne(dir / "final.safetensors");
    io::writeFileAtomic((dir / "config.json").string(),
                        nlohmann::json{{"size", 64}, {"val_fraction", 0.1}, {"data", data}}.dump());
    return dir;
}

EvalConfig evalConfig(const fs::path& run, const fs::path& data) {
    EvalConfig e;
    e.model = run.string();
    e.data = data.string();
    e.device = "cpu";
    e.threads = 1;
    e.batch = 3;
    return e;
}

TEST(ZeroShotEval, StageOneRunOnABenchmarkIsScoredZeroShot) {
    testutil::TempDir dir;
    const fs::path w300 = dir.path / "300W_release";
    testutil::write300WReleaseFixture(w300);
    const fs::path run = writeStageOneRun(dir.path / "run", (dir.path / "renders_gone").string());

    const EvalResult r = evaluateRun(evalConfig(run, w300));
    EXPECT_TRUE(r.zeroShot);
    EXPECT_EQ(r.stage, "I");
    EXPECT_EQ(r.datasetFormat, "300w");
    EXPECT_EQ(r.split, "test");  // the benchmark's test subsets by default
    EXPECT_EQ(r.samples, 5);
    EXPECT_EQ(r.size, 64);
    EXPECT_EQ(r.preset, "small");
    EXPECT_EQ(r.nmeSubsets.size(), 4u);
    EXPECT_TRUE(std::isfinite(r.nmeMean));
    EXPECT_EQ(r.zeroShotReport.framing.source, "default");
    EvalConfig all = evalConfig(run, w300);
    all.split = "all";
    EXPECT_EQ(evaluateRun(all).samples, 11);

    // LaPa through --format; a folder in no known format, or not in the named one.
    const fs::path lapa = dir.path / "LaPa";
    testutil::writeLapaFixture(lapa, 2, 1);
    EvalConfig named = evalConfig(run, lapa);
    named.format = "lapa";
    const EvalResult l = evaluateRun(named);
    EXPECT_EQ(l.split, "test");
    EXPECT_EQ(l.classes.size(), 11u);
    EXPECT_EQ(l.numLandmarks, 0);
    named.format = "celebamask-hq";
    try {
        evaluateRun(named);
        ADD_FAILURE() << "a LaPa folder was read as CelebAMask-HQ";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("not a celebamask-hq dataset"), std::string::npos) << e.what();
    }
    const fs::path odd = dir.path / "odd";
    testutil::writeFile(odd / "notes.txt", "nothing here\n");
    try {
        evaluateRun(evalConfig(run, odd));
        ADD_FAILURE() << "a folder in no known format was accepted";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("not a dataset in a known format"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find(odd.string()), std::string::npos) << e.what();
    }
    EXPECT_THROW(detectDatasetFormat((dir.path / "missing").string()), std::runtime_error);
    EvalConfig bad = evalConfig(run, w300);
    bad.format = "coco";
    EXPECT_THROW(evaluateRun(bad), std::invalid_argument);
}

}  // namespace
}  // namespace synthforge::train
