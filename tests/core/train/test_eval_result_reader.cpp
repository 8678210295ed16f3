// eval.json read back: a Stage I result and a zero-shot one survive
// evalResultToJson -> evalResultFromJson field by field (NaN as null
// included), and bad files fail naming the file and the field.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "core/train/eval_result_reader.h"
#include "core/train/evaluator.h"

using namespace synthforge::train;

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

EvalResult stageOne() {
    EvalResult r;
    r.weights = "runs/a/final.safetensors";
    r.data = "data/synth";
    r.preset = "small";
    r.size = 128;
    r.split = "val";
    r.firstSample = 90;
    r.samples = 3;
    r.nmePerImage = {0.03, 0.05, 0.11};
    r.nmeMean = (0.03 + 0.05 + 0.11) / 3;
    r.failureRate = 1.0 / 3;
    r.auc = 0.4;
    r.classes = {{0, "background", 0.9, 0.95, 0.92, 0.85, 1000, 1010},
                 {1, "skin", 0.8, 0.7, 0.75, 0.6, 500, 450},
                 {2, "hat", kNaN, kNaN, kNaN, kNaN, 0, 0}};
    r.meanF1 = 0.75;
    r.meanIoU = 0.6;
    r.foregroundCounted = 1;
    r.depthL1 = 0.0123;
    r.facePixels = 480;
    return r;
}

EvalResult zeroShot() {
    EvalResult r = stageOne();
    r.zeroShot = true;
    r.datasetFormat = "300w";
    r.split = "test";
    r.depthL1 = kNaN;
    r.nmeSubsets = {{"common", 2, 0.04, 0.0, 0.5}, {"full", 3, 0.0633, 0.3333, 0.4}};
    ZeroShotReport& z = r.zeroShotReport;
    z.framing = {"landmarks", "training_data", "data/synth", 200, 0.55, 0.01, -0.02};
    z.landmarks.scored = true;
    z.landmarks.to = "ibug-68";
    for (int k = 0; k < 68; ++k) z.landmarks.ourIndex.push_back(k);
    z.landmarks.groups = {{"jaw", 0, 16, false, "contour differs"}, {"brows", 17, 26, true, ""}};
    z.landmarks.note = "points compared one to one";
    z.landmarks.agreeingFirst = 17;
    z.landmarks.agreeingLast = 67;
    z.landmarks.agreeingLabel = "51 inner points";
    z.agreeingNmePerImage = {0.02, 0.04, 0.09};
    z.agreeingNmeMean = 0.05;
    z.agreeingFailureRate = 1.0 / 3;
    z.agreeingAuc = 0.45;
    z.agreeingSubsets = {{"common", 2, 0.03, 0.0, 0.6}};
    z.classes.scored = false;
    z.classes.note = "300-W has no labels";
    z.classes.unmapped = {{3, "hair", "no class of ours"}};
    z.classes.entries = {{1, "skin", 1, "skin", ""}};
    return r;
}

bool sameNumber(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

void expectSameCore(const EvalResult& a, const EvalResult& b) {
    EXPECT_EQ(a.weights, b.weights);
    EXPECT_EQ(a.data, b.data);
    EXPECT_EQ(a.preset, b.preset);
    EXPECT_EQ(a.stage, b.stage);
    EXPECT_EQ(a.datasetFormat, b.datasetFormat);
    EXPECT_EQ(a.size, b.size);
    EXPECT_EQ(a.split, b.split);
    EXPECT_EQ(a.firstSample, b.firstSample);
    EXPECT_EQ(a.samples, b.samples);
    EXPECT_EQ(a.numLandmarks, b.numLandmarks);
    EXPECT_EQ(a.nmeNormalizer, b.nmeNormalizer);
    EXPECT_TRUE(sameNumber(a.nmeMean, b.nmeMean));
    EXPECT_EQ(a.failureThreshold, b.failureThreshold);
    EXPECT_TRUE(sameNumber(a.failureRate, b.failureRate));
    EXPECT_TRUE(sameNumber(a.auc, b.auc));
    EXPECT_EQ(a.nmePerImage, b.nmePerImage);
    ASSERT_EQ(a.classes.size(), b.classes.size());
    for (std::size_t k = 0; k < a.classes.size(); ++k) {
        const ClassEval &x = a.classes[k], &y = b.classes[k];
        EXPECT_EQ(x.id, y.id);
        EXPECT_EQ(x.name, y.name);
        EXPECT_TRUE(sameNumber(x.f1, y.f1) && sameNumber(x.iou, y.iou) && sameNumber(x.precision, y.precision) &&
                    sameNumber(x.recall, y.recall))
            << "class " << k;
        EXPECT_EQ(x.gtPixels, y.gtPixels);
        EXPECT_EQ(x.predPixels, y.predPixels);
    }
    EXPECT_TRUE(sameNumber(a.meanF1, b.meanF1));
    EXPECT_TRUE(sameNumber(a.meanIoU, b.meanIoU));
    EXPECT_EQ(a.foregroundCounted, b.foregroundCounted);
    EXPECT_TRUE(sameNumber(a.depthL1, b.depthL1));
    EXPECT_EQ(a.facePixels, b.facePixels);
    EXPECT_EQ(a.zeroShot, b.zeroShot);
    ASSERT_EQ(a.nmeSubsets.size(), b.nmeSubsets.size());
    for (std::size_t k = 0; k < a.nmeSubsets.size(); ++k) {
        EXPECT_EQ(a.nmeSubsets[k].name, b.nmeSubsets[k].name);
        EXPECT_EQ(a.nmeSubsets[k].samples, b.nmeSubsets[k].samples);
        EXPECT_EQ(a.nmeSubsets[k].nmeMean, b.nmeSubsets[k].nmeMean);
        EXPECT_EQ(a.nmeSubsets[k].failureRate, b.nmeSubsets[k].failureRate);
        EXPECT_EQ(a.nmeSubsets[k].auc, b.nmeSubsets[k].auc);
    }
}

std::string errorOf(const std::string& text) {
    try {
        evalResultFromJson(text, "x/eval.json");
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "no error";
}

std::string withKey(const EvalResult& r, const std::string& key, const nlohmann::json& value) {
    nlohmann::json j = nlohmann::json::parse(evalResultToJson(r));
    if (value.is_discarded())
        j.erase(key);
    else
        j[key] = value;
    return j.dump();
}

}  // namespace

TEST(EvalResultReader, StageOneRoundTrip) {
    const EvalResult r = stageOne();
    const EvalResult back = evalResultFromJson(evalResultToJson(r), "eval.json");
    expectSameCore(r, back);
    EXPECT_TRUE(std::isnan(back.classes[2].f1));
}

TEST(EvalResultReader, ZeroShotRoundTrip) {
    const EvalResult r = zeroShot();
    const EvalResult back = evalResultFromJson(evalResultToJson(r), "eval.json");
    expectSameCore(r, back);
    const ZeroShotReport &z = r.zeroShotReport, &y = back.zeroShotReport;
    EXPECT_EQ(y.framing.box, z.framing.box);
    EXPECT_EQ(y.framing.source, z.framing.source);
    EXPECT_EQ(y.framing.trainingData, z.framing.trainingData);
    EXPECT_EQ(y.framing.samplesMeasured, z.framing.samplesMeasured);
    EXPECT_EQ(y.framing.faceFraction, z.framing.faceFraction);
    EXPECT_EQ(y.framing.offsetX, z.framing.offsetX);
    EXPECT_EQ(y.framing.offsetY, z.framing.offsetY);
    EXPECT_EQ(y.landmarks.scored, true);
    EXPECT_EQ(y.landmarks.to, "ibug-68");
    EXPECT_EQ(y.landmarks.ourIndex, z.landmarks.ourIndex);  // written as "identity"
    ASSERT_EQ(y.landmarks.groups.size(), 2u);
    EXPECT_EQ(y.landmarks.groups[0].name, "jaw");
    EXPECT_EQ(y.landmarks.groups[0].last, 16);
    EXPECT_FALSE(y.landmarks.groups[0].agrees);
    EXPECT_EQ(y.landmarks.note, z.landmarks.note);
    EXPECT_EQ(y.landmarks.agreeingFirst, 17);
    EXPECT_EQ(y.landmarks.agreeingLast, 67);
    EXPECT_EQ(y.landmarks.agreeingLabel, z.landmarks.agreeingLabel);
    EXPECT_EQ(y.agreeingNmePerImage, z.agreeingNmePerImage);
    EXPECT_EQ(y.agreeingNmeMean, z.agreeingNmeMean);
    EXPECT_EQ(y.agreeingFailureRate, z.agreeingFailureRate);
    EXPECT_EQ(y.agreeingAuc, z.agreeingAuc);
    ASSERT_EQ(y.agreeingSubsets.size(), 1u);
    EXPECT_EQ(y.agreeingSubsets[0].auc, 0.6);
    EXPECT_FALSE(y.classes.scored);
    EXPECT_EQ(y.classes.note, z.classes.note);
    ASSERT_EQ(y.classes.unmapped.size(), 1u);
    EXPECT_EQ(y.classes.unmapped[0].name, "hair");
    EXPECT_EQ(y.classes.unmapped[0].reason, "no class of ours");
    ASSERT_EQ(y.classes.entries.size(), 1u);
    EXPECT_EQ(y.classes.entries[0].targetName, "skin");
}

TEST(EvalResultReader, UnknownKeysAreIgnored) {
    const EvalResult back = evalResultFromJson(withKey(stageOne(), "added_later", 5), "eval.json");
    EXPECT_EQ(back.samples, 3);
}

TEST(EvalResultReader, BadFilesNameFileAndField) {
    const EvalResult r = stageOne();
    EXPECT_NE(errorOf("{ not json").find("x/eval.json: not valid JSON"), std::string::npos) << errorOf("{ not json");
    EXPECT_EQ(errorOf(withKey(r, "version", 2)),
              "x/eval.json: version: 2 is newer than this build reads (1); a newer SynthForge wrote it");
    EXPECT_EQ(errorOf(withKey(r, "format", "synthforge-predict")),
              "x/eval.json: format: 'synthforge-predict' is not synthforge-eval");
    EXPECT_EQ(errorOf(withKey(r, "nme_per_image", nlohmann::json::value_t::discarded)),
              "x/eval.json: nme_per_image: missing");
    EXPECT_EQ(errorOf(withKey(r, "nme_mean", "small")), "x/eval.json: nme_mean: expected a number or null");
    nlohmann::json j = nlohmann::json::parse(evalResultToJson(r));
    j["classes"][1]["f1"] = "high";
    EXPECT_EQ(errorOf(j.dump()), "x/eval.json: classes[1].f1: expected a number or null");
    EXPECT_EQ(errorOf("[1, 2]"), "x/eval.json: top level: expected an object");
}

TEST(EvalResultReader, MissingFileIsNamed) {
    const std::string path = (std::filesystem::temp_directory_path() / "synthforge_no_such_eval.json").string();
    try {
        readEvalResultFile(path);
        FAIL() << "no error";
    } catch (const std::runtime_error& e) {
        EXPECT_EQ(std::string(e.what()).rfind(path, 0), 0u) << e.what();
    }
}
