// Torch-free parts of predict (core/train/predictor.h): options, the input
// list, output stems, bad-image reasons, the run's config.json facts and
// the predictions.json summary.

#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/io/file_util.h"
#include "core/train/predictor.h"
#include "tests/support/fixtures.h"

namespace synthforge::train {
namespace {

namespace fs = std::filesystem;

TEST(PredictInputs, ListsFoldersSortedAndKeepsFilesAsGiven) {
    testutil::TempDir dir;
    fs::create_directories(dir.path / "in" / "sub");
    for (const char* f : {"b.png", "a.JPG", "c.txt", "d.jpeg", "sub/e.png"}) io::writeFileAtomic((dir.path / "in" / f).string(), std::string("x"));
    const std::vector<std::string> got =
        listInputImages({(dir.path / "in").string(), dir.file("missing.png"), (dir.path / "in" / "c.txt").string()});
    const std::vector<std::string> want = {(dir.path / "in" / "a.JPG").string(), (dir.path / "in" / "b.png").string(),
                                           (dir.path / "in" / "d.jpeg").string(), dir.file("missing.png"),
                                           (dir.path / "in" / "c.txt").string()};
    EXPECT_EQ(got, want);
    EXPECT_EQ(uniqueOutputStems({"x/a.png", "y/a.jpg", "a.png", "b.png", "/"}),
              (std::vector<std::string>{"a", "a_2", "a_3", "b", "image"}));
}

TEST(PredictInputs, ImageProblems) {
    EXPECT_EQ(imageProblem(cv::Mat(20, 20, CV_8UC3, cv::Scalar(1, 2, 3)).clone()).find("uniform"), 0u);
    EXPECT_NE(imageProblem(cv::Mat(20, 20, CV_8UC3, cv::Scalar(128, 128, 128))).find("128, 128, 128"), std::string::npos);
    EXPECT_EQ(imageProblem(cv::Mat(15, 200, CV_8UC3, cv::Scalar(0))).find("too small: 200x15"), 0u);
    cv::Mat ok(16, 16, CV_8UC3, cv::Scalar(9, 9, 9));
    ok.at<cv::Vec3b>(3, 4)[2] = 10;
    EXPECT_EQ(imageProblem(ok), "");
}

TEST(PredictInputs, OptionsAndRunFacts) {
    PredictConfig c;
    c.model = "run";
    c.images = {"x.png"};
    c.out = "out";
    EXPECT_NO_THROW(validatePredictConfig(c));
    auto bad = [&](auto change, const char* field) {
        PredictConfig b = c;
        change(b);
        try {
            validatePredictConfig(b);
            ADD_FAILURE() << field << ": no error";
        } catch (const std::invalid_argument& e) {
            EXPECT_EQ(std::string(e.what()).rfind(field, 0), 0u) << e.what();
        }
    };
    bad([](PredictConfig& b) { b.size = 32; }, "size");
    bad([](PredictConfig& b) { b.cascade = -1; }, "cascade");
    bad([](PredictConfig& b) { b.batch = 0; }, "batch");
    bad([](PredictConfig& b) { b.device = "tpu"; }, "device");
    bad([](PredictConfig& b) { b.images.clear(); }, "images");
    bad([](PredictConfig& b) { b.tolerance = -0.1; }, "cascade-tolerance");

    testutil::TempDir dir;
    // No config.json: eval's defaults.
    const PredictRunFacts none = readPredictRunFacts(dir.path.string());
    EXPECT_FALSE(none.stageTwo);
    EXPECT_EQ(none.size, 256);
    io::writeFileAtomic(dir.file("config.json"), std::string(R"({"stage": "I", "size": 128, "data": "/d", "val_fraction": 0.2})"));
    const PredictRunFacts one = readPredictRunFacts(dir.path.string());
    EXPECT_EQ(one.size, 128);
    EXPECT_EQ(one.data, "/d");
    io::writeFileAtomic(dir.file("config.json"),
                        std::string(R"({"stage": "II", "size": 64, "data": "/l", "val_fraction": 0.1,
                                        "dataset_format": "lapa", "margin": 0.3})"));
    const PredictRunFacts two = readPredictRunFacts(dir.path.string());
    EXPECT_TRUE(two.stageTwo);
    EXPECT_EQ(two.format, "lapa");
    EXPECT_DOUBLE_EQ(two.margin, 0.3);
    for (const char* text : {R"({"stage": "III"})", R"({"size": "big"})", R"({"size": 8})", "{", "[]",
                             R"({"stage": "II", "size": 64, "data": "/l", "val_fraction": 0.1, "dataset_format": "x", "margin": 0.3})",
                             R"({"stage": "II", "size": 64, "data": "/l", "val_fraction": 0.1, "margin": 0.3})"}) {
        io::writeFileAtomic(dir.file("config.json"), std::string(text));
        try {
            readPredictRunFacts(dir.path.string());
            ADD_FAILURE() << text << ": no error";
        } catch (const std::runtime_error& e) {
            EXPECT_NE(std::string(e.what()).find("config.json"), std::string::npos) << e.what();
        }
    }
}

TEST(PredictInputs, PredictionsJsonListsEveryImage) {
    PredictResult r;
    r.model = "run";
    r.size = 64;
    r.cascade = 3;
    ImagePrediction ok;
    ok.input = "a.png";
    ok.name = "a";
    ok.ok = true;
    ok.width = 128;
    ok.height = 100;
    ok.framing = "cascade";
    ok.crop = squareCrop(10, 0, 100, 64);
    ok.iterations = 2;
    ok.converged = true;
    ok.motion = {0.1, 0.001};
    ok.outputs = {"a_overlay.png"};
    ImagePrediction bad;
    bad.input = "b.png";
    bad.name = "b";
    bad.error = "b.png: too small";
    r.images = {ok, bad};
    EXPECT_EQ(r.succeeded(), 1);
    const auto j = nlohmann::json::parse(predictionsJson(r));
    EXPECT_EQ(j["format"], "synthforge-predictions");
    EXPECT_EQ(j["succeeded"], 1);
    EXPECT_EQ(j["failed"], 1);
    ASSERT_EQ(j["images"].size(), 2u);
    EXPECT_EQ(j["images"][0]["status"], "ok");
    EXPECT_EQ(j["images"][0]["cascade_iterations"], 2);
    EXPECT_NEAR(j["images"][0]["crop"]["side"].get<double>(), 100, 1e-9);
    EXPECT_NEAR(j["images"][0]["crop"]["centre"][0].get<double>(), 60, 1e-9);
    EXPECT_NEAR(j["images"][0]["crop"]["corners"][2][1].get<double>(), 100, 1e-9);
    EXPECT_EQ(j["images"][1]["status"], "error");
    EXPECT_EQ(j["images"][1]["error"], "b.png: too small");
    EXPECT_FALSE(j["images"][1].contains("crop"));
}

}  // namespace
}  // namespace synthforge::train
