// Realism transfer's torch-free parts: how images enter and leave the
// translator, the target folder listing, and the run settings.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "core/transfer/transfer.h"
#include "core/transfer/transfer_images.h"
#include "tests/support/fixtures.h"

namespace synthforge::transfer {
namespace {

namespace fs = std::filesystem;

TEST(TranslatorInput, MapsBytesToMinusOneToOneInRgbOrder) {
    const cv::Mat bgr(8, 8, CV_8UC3, cv::Scalar(0, 255, 51));  // B 0, G 255, R 51
    const cv::Mat x = translatorInput(bgr, 8, 8, nullptr);
    ASSERT_EQ(x.type(), CV_32FC3);
    const cv::Vec3f p = x.at<cv::Vec3f>(3, 4);
    EXPECT_NEAR(p[0], 51 / 127.5 - 1, 1e-6);  // R first
    EXPECT_NEAR(p[1], 1.0, 1e-6);
    EXPECT_NEAR(p[2], -1.0, 1e-6);
}

TEST(TranslatorInput, TrainingCropsAWindowOfTheLoadSizedImageAndMayMirrorIt) {
    // A ramp along x: a crop of the unresized image shows its offset and any flip.
    cv::Mat ramp(16, 16, CV_8UC3);
    for (int y = 0; y < 16; ++y)
        for (int x = 0; x < 16; ++x) ramp.at<cv::Vec3b>(y, x) = cv::Vec3b(0, 0, static_cast<uchar>(x * 10));
    int flipped = 0, plain = 0;
    for (int seed = 0; seed < 40; ++seed) {
        std::mt19937_64 rng(seed);
        const cv::Mat x = translatorInput(ramp, 8, 16, &rng);
        ASSERT_EQ(x.rows, 8);
        const float left = x.at<cv::Vec3f>(0, 0)[0], right = x.at<cv::Vec3f>(0, 7)[0];
        // Seven columns apart either way: a contiguous window of the ramp.
        EXPECT_NEAR(std::abs(right - left), 70 / 127.5, 1e-5);
        (right < left ? flipped : plain) += 1;
        std::mt19937_64 again(seed);
        EXPECT_EQ(cv::norm(x, translatorInput(ramp, 8, 16, &again), cv::NORM_INF), 0.0);
    }
    // The caller's image is never written to (a crop is a view of it).
    EXPECT_EQ(ramp.at<cv::Vec3b>(0, 15)[2], 150);
    EXPECT_GT(flipped, 5);
    EXPECT_GT(plain, 5);
}

TEST(TranslatorInput, RefusesWhatItCannotUse) {
    EXPECT_THROW(translatorInput(cv::Mat(), 8, 8, nullptr), std::invalid_argument);
    EXPECT_THROW(translatorInput(cv::Mat(8, 8, CV_8UC1, cv::Scalar(3)), 8, 8, nullptr), std::invalid_argument);
    EXPECT_THROW(translatorInput(cv::Mat(8, 8, CV_8UC3), 16, 8, nullptr), std::invalid_argument);
}

TEST(TranslatorOutput, RoundTripsBytesAndResizesBack) {
    cv::Mat bgr(12, 12, CV_8UC3);
    cv::randu(bgr, 0, 256);
    const cv::Mat back = translatorOutputToBgr(translatorInput(bgr, 12, 12, nullptr), 12, 12);
    EXPECT_EQ(cv::norm(back, bgr, cv::NORM_INF), 0.0);
    const cv::Mat big = translatorOutputToBgr(cv::Mat(4, 4, CV_32FC3, cv::Scalar(1, -1, 0)), 10, 10);
    ASSERT_EQ(big.size(), cv::Size(10, 10));
    const cv::Vec3b p = big.at<cv::Vec3b>(5, 5);
    EXPECT_EQ(p[2], 255);  // R = 1
    EXPECT_EQ(p[0], 128);  // B = 0 -> 127.5 rounds to 128
    EXPECT_THROW(translatorOutputToBgr(cv::Mat(4, 4, CV_8UC3), 4, 4), std::invalid_argument);
}

TEST(TargetImages, ListsImagesInNameOrderThroughSubFolders) {
    const testutil::TempDir dir;
    fs::create_directories(dir.path / "00000");
    fs::create_directories(dir.path / "01000");
    const cv::Mat img(4, 4, CV_8UC3, cv::Scalar(1, 2, 3));
    cv::imwrite((dir.path / "01000" / "01001.png").string(), img);
    cv::imwrite((dir.path / "00000" / "00002.JPG").string(), img);
    cv::imwrite((dir.path / "00000" / "00001.png").string(), img);
    std::ofstream(dir.path / "00000" / "LICENSE.txt") << "not an image";
    const std::vector<std::string> found = listTargetImages(dir.path.string());
    ASSERT_EQ(found.size(), 3u);
    EXPECT_EQ(fs::path(found[0]).filename(), "00001.png");
    EXPECT_EQ(fs::path(found[1]).filename(), "00002.JPG");
    EXPECT_EQ(fs::path(found[2]).filename(), "01001.png");
}

TEST(TargetImages, AFolderWithoutImagesIsAnErrorNamingIt) {
    const testutil::TempDir dir;
    std::ofstream(dir.path / "notes.txt") << "x";
    try {
        listTargetImages(dir.path.string());
        FAIL() << "expected an error";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find(dir.path.string()), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("no images"), std::string::npos) << e.what();
    }
    EXPECT_THROW(listTargetImages((dir.path / "missing").string()), std::runtime_error);
}

TEST(TransferConfig, DefaultsAreCycleGansRecipe) {
    TransferTrainConfig c;
    EXPECT_DOUBLE_EQ(c.lr, 2e-4);
    EXPECT_DOUBLE_EQ(c.beta1, 0.5);
    EXPECT_DOUBLE_EQ(c.beta2, 0.999);
    EXPECT_DOUBLE_EQ(c.weightDecay, 0);
    EXPECT_EQ(c.schedule, "hold-linear");
    EXPECT_DOUBLE_EQ(c.lambdaCycle, 10);
    EXPECT_DOUBLE_EQ(c.lambdaIdentity, 0.5);
    EXPECT_EQ(c.poolSize, 50);
    EXPECT_EQ(c.blocks(), 9);  // at 256
    EXPECT_EQ(c.loadSize(), 286);
    c.size = 128;
    EXPECT_EQ(c.blocks(), 6);
    c.residualBlocks = 2;
    EXPECT_EQ(c.blocks(), 2);
}

TEST(TransferImages, TheSharedAugmentationActsOnTranslatorInputs) {
    cv::Mat bgr(32, 48, CV_8UC3);
    cv::randu(bgr, 0, 256);
    const cv::Mat x = translatorInput(bgr, 32, 32, nullptr);
    // Only a certain mirror: the known answer is the mirrored input (8-bit steps).
    train::AugmentConfig flip = train::AugmentConfig::none();
    flip.enabled = true;
    flip.flipProbability = 1;
    cv::Mat mirrored;
    cv::flip(x, mirrored, 1);
    EXPECT_LT(cv::norm(augmentTranslatorInput(x, flip, 3), mirrored, cv::NORM_INF), 1.0 / 127.5 + 1e-6);
    // The default recipe: same seed, same image; another seed, another; range kept.
    const train::AugmentConfig def = train::resolveAugment("default");
    const cv::Mat a = augmentTranslatorInput(x, def, 5), b = augmentTranslatorInput(x, def, 5), c = augmentTranslatorInput(x, def, 6);
    EXPECT_EQ(cv::norm(a, b, cv::NORM_INF), 0.0);
    EXPECT_GT(cv::norm(a, c, cv::NORM_INF), 0.0);
    double lo = 0, hi = 0;
    cv::minMaxLoc(a.reshape(1), &lo, &hi);
    EXPECT_GE(lo, -1.0);
    EXPECT_LE(hi, 1.0);
    EXPECT_EQ(a.size(), x.size());
    EXPECT_THROW(augmentTranslatorInput(bgr, def, 1), std::invalid_argument);
}

TEST(TransferConfig, BadFieldsAreNamed) {
    const auto message = [](const std::function<void(TransferTrainConfig&)>& edit) {
        TransferTrainConfig c;
        c.data = "/src";
        c.target = "/real";
        c.out = "/run";
        edit(c);
        try {
            validateTransferTrainConfig(c);
        } catch (const std::invalid_argument& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    EXPECT_EQ(message([](TransferTrainConfig&) {}), "accepted");
    EXPECT_EQ(message([](TransferTrainConfig& c) { c.method = "unsb"; }).rfind("method:", 0), 0u);
    EXPECT_EQ(message([](TransferTrainConfig& c) { c.target.clear(); }).rfind("target:", 0), 0u);
    EXPECT_EQ(message([](TransferTrainConfig& c) { c.size = 66; }).rfind("size:", 0), 0u);
    EXPECT_EQ(message([](TransferTrainConfig& c) { c.poolSize = -1; }).rfind("pool_size:", 0), 0u);
    EXPECT_EQ(message([](TransferTrainConfig& c) { c.loadScale = 0.5; }).rfind("load_scale:", 0), 0u);
    EXPECT_EQ(message([](TransferTrainConfig& c) { c.lambdaCycle = -1; }).rfind("lambda_cycle:", 0), 0u);
    EXPECT_EQ(message([](TransferTrainConfig& c) { c.augment = "default"; }), "accepted");
    EXPECT_EQ(message([](TransferTrainConfig& c) { c.method = "vsait"; }).rfind("vgg19: VSAIT needs", 0), 0u);
    EXPECT_EQ(message([](TransferTrainConfig& c) {
                  c.method = "vsait";
                  c.vgg19 = "/no/such/vgg19.safetensors";
              }).rfind("vgg19: /no/such", 0),
              0u);
    EXPECT_EQ(message([](TransferTrainConfig& c) { c.lambdaStructure = 10; }).rfind("structure_run:", 0), 0u);
    EXPECT_EQ(message([](TransferTrainConfig& c) { c.structureRun = "/s1"; }).rfind("structure_run:", 0), 0u);
    EXPECT_EQ(message([](TransferTrainConfig& c) {
                  c.structureRun = "/s1";
                  c.lambdaStructure = 10;
              }),
              "accepted");
}

TEST(TransferConfig, CutAndFastCutDefaultsAreTheAuthors) {
    TransferTrainConfig c;
    c.data = "/src";
    c.target = "/real";
    c.out = "/run";
    c.size = 64;
    c.method = "cut";
    EXPECT_EQ(c.blocks(), 9);  // resnet_9blocks at every size
    EXPECT_DOUBLE_EQ(c.nceWeight(), 1.0);
    EXPECT_TRUE(c.usesNceIdentity());
    EXPECT_FALSE(c.usesFlipEquivariance());
    c.method = "fastcut";
    EXPECT_DOUBLE_EQ(c.nceWeight(), 10.0);
    EXPECT_FALSE(c.usesNceIdentity());
    EXPECT_TRUE(c.usesFlipEquivariance());
    c.lambdaNce = 2;
    c.nceIdentity = 1;
    EXPECT_DOUBLE_EQ(c.nceWeight(), 2.0);
    EXPECT_TRUE(c.usesNceIdentity());
    validateTransferTrainConfig(c);
    const nlohmann::json j = nlohmann::json::parse(c.toJson());
    EXPECT_EQ(j["losses"]["nce_layers"], nlohmann::json::array({0, 4, 8, 12, 16}));
    EXPECT_DOUBLE_EQ(j["losses"]["nce_temperature"].get<double>(), 0.07);
    EXPECT_FALSE(j.contains("pool_size"));
    c.nceLayers = {0, 8, 4};
    EXPECT_THROW(validateTransferTrainConfig(c), std::invalid_argument);
    c.nceLayers = {0, 40};  // past the 32 layers of a 9-block generator
    try {
        validateTransferTrainConfig(c);
        FAIL();
    } catch (const std::invalid_argument& e) {
        EXPECT_EQ(std::string(e.what()).rfind("nce_layers:", 0), 0u) << e.what();
    }
}

TEST(TransferConfig, ConfigJsonRecordsTheRecipe) {
    TransferTrainConfig c;
    c.data = "/src";
    c.target = "/real";
    c.out = "/run";
    c.size = 64;
    const nlohmann::json j = nlohmann::json::parse(c.toJson());
    EXPECT_EQ(j["stage"], "transfer");
    EXPECT_EQ(j["method"], "cyclegan");
    EXPECT_EQ(j["target"], "/real");
    EXPECT_EQ(j["networks"]["residual_blocks"], 6);
    EXPECT_EQ(j["load_size"], 72);
    EXPECT_EQ(j["optimizer"]["name"], "adam");
    EXPECT_DOUBLE_EQ(j["optimizer"]["betas"][0].get<double>(), 0.5);
    EXPECT_EQ(j["schedule"]["name"], "hold-linear");
    EXPECT_DOUBLE_EQ(j["schedule"]["milestones"][0].get<double>(), 0.5);
    EXPECT_DOUBLE_EQ(j["losses"]["lambda_cycle"].get<double>(), 10.0);
}

}  // namespace
}  // namespace synthforge::transfer
