// The settings Stage I and Stage II runs share: their defaults per stage,
// the checks that name the bad field, and the shared config.json fields in
// the order both stages store them.

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/train/finetune.h"
#include "core/train/run_config_common.h"
#include "core/train/trainer.h"

namespace synthforge::train {
namespace {

std::string errorOf(const RunConfigCommon& c) {
    try {
        validateRunCommon(c, "the net pools H/4 four times");
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "";
}

TrainConfig valid() {
    TrainConfig c;
    c.data = "data";
    c.out = "out";
    return c;
}

TEST(RunConfigCommon, EachStageKeepsItsOwnLearningRateDefault) {
    EXPECT_EQ(TrainConfig().lr, 2e-3) << "the fast recipe";
    EXPECT_EQ(trainRecipe("paper").lr, 1e-4);
    EXPECT_EQ(FinetuneConfig().lr, 1e-3);
    const TrainConfig t;
    const FinetuneConfig f;
    EXPECT_EQ(t.minLr, 1e-5);
    EXPECT_EQ(f.minLr, 1e-5);
    EXPECT_EQ(t.checkpointEvery, 100);
    EXPECT_EQ(f.keepCheckpoints, 3);
    EXPECT_EQ(t.augment, "none");
    EXPECT_EQ(f.device, "auto");
}

TEST(RunConfigCommon, ValidationNamesTheBadField) {
    EXPECT_EQ(errorOf(valid()), "");
    struct Case {
        const char* field;
        void (*spoil)(TrainConfig&);
    };
    const Case cases[] = {
        {"data: required", [](TrainConfig& c) { c.data.clear(); }},
        {"out: required", [](TrainConfig& c) { c.out.clear(); }},
        {"epochs: must be at least 1", [](TrainConfig& c) { c.epochs = 0; }},
        {"batch: must be at least 1", [](TrainConfig& c) { c.batch = 0; }},
        {"size: must be at least 64 (the net pools H/4 four times)", [](TrainConfig& c) { c.size = 32; }},
        {"lr: must be positive", [](TrainConfig& c) { c.lr = 0; }},
        {"min_lr: must be in [0, lr]", [](TrainConfig& c) { c.minLr = 1.0; }},
        {"weight_decay: must be non-negative", [](TrainConfig& c) { c.weightDecay = -0.1; }},
        {"val_fraction: must be in [0, 1)", [](TrainConfig& c) { c.valFraction = 1.0; }},
        {"augment: none, default or a JSON file", [](TrainConfig& c) { c.augment.clear(); }},
        {"workers: must be at least 0", [](TrainConfig& c) { c.workers = -1; }},
        {"prefetch: must be at least 1", [](TrainConfig& c) { c.prefetch = 0; }},
        {"checkpoint_every: must be at least 1", [](TrainConfig& c) { c.checkpointEvery = 0; }},
        {"image_every: must be at least 0", [](TrainConfig& c) { c.imageEvery = -1; }},
        {"keep_checkpoints: must be at least 1", [](TrainConfig& c) { c.keepCheckpoints = 0; }},
        {"device: auto, cpu or cuda", [](TrainConfig& c) { c.device = "tpu"; }},
        {"betas: each must be in [0, 1)", [](TrainConfig& c) { c.beta2 = 1.0; }},
        {"eps: must be positive", [](TrainConfig& c) { c.eps = 0; }},
        {"schedule: \"exponential\" is not cosine, linear, constant, step or hold-linear", [](TrainConfig& c) { c.schedule = "exponential"; }},
        {"warmup_steps: must be at least 0", [](TrainConfig& c) { c.warmupSteps = -1; }},
        {"grad_clip: must be non-negative (0: off)", [](TrainConfig& c) { c.gradClip = -1; }},
        {"val_every: must be at least 0 (0: at every checkpoint)", [](TrainConfig& c) { c.valEvery = -2; }},
        {"early_stop_patience: must be at least 0 (0: off)", [](TrainConfig& c) { c.earlyStopPatience = -1; }},
        {"early_stop_min_delta: must be non-negative", [](TrainConfig& c) { c.earlyStopMinDelta = -0.1; }},
        {"dist_timeout: must be in (0, 86400] seconds", [](TrainConfig& c) { c.distTimeout = 0; }},
    };
    for (const Case& k : cases) {
        TrainConfig c = valid();
        k.spoil(c);
        EXPECT_EQ(errorOf(c), k.field);
    }
}

TEST(RunConfigCommon, SharedConfigJsonFieldsInStageOrder) {
    FinetuneConfig c;
    c.data = "some/../bench";
    c.epochs = 4;
    c.batch = 2;
    c.size = 64;
    c.minLr = 2e-5;
    c.valFraction = 0.25;
    c.checkpointEvery = 7;
    c.keepCheckpoints = 2;
    c.imageEvery = 5;
    nlohmann::ordered_json j;
    putRunIdentity(j, "II", c);
    putRunBatching(j, c);
    putRunSchedule(j, c);
    putRunTail(j, c);
    std::string keys;
    for (auto it = j.begin(); it != j.end(); ++it) keys += it.key() + " ";
    EXPECT_EQ(keys,
              "format version stage data epochs batch size schedule grad_clip val_fraction validation checkpoint_every "
              "keep_checkpoints image_every augment ");
    EXPECT_EQ(j["format"], "synthforge-train-config");
    EXPECT_EQ(j["version"], 2);
    EXPECT_EQ(j["stage"], "II");
    EXPECT_EQ(j["data"], (std::filesystem::absolute("bench")).lexically_normal().string());
    EXPECT_EQ(j["epochs"], 4);
    EXPECT_EQ(j["batch"], 2);
    EXPECT_EQ(j["size"], 64);
    EXPECT_EQ(j["schedule"].dump(), R"({"name":"cosine","min_lr":2e-05,"warmup_steps":0})");
    EXPECT_EQ(j["grad_clip"], 0.0);
    EXPECT_EQ(j["validation"].dump(),
              R"({"every":0,"best_metric":"loss","early_stop_patience":0,"early_stop_min_delta":0.0})");
    EXPECT_EQ(j["val_fraction"], 0.25);
    EXPECT_EQ(j["checkpoint_every"], 7);
    EXPECT_EQ(j["keep_checkpoints"], 2);
    EXPECT_EQ(j["image_every"], 5);
    EXPECT_EQ(j["augment"]["format"], "synthforge-augment");
}

TEST(RunConfigCommon, BadAugmentationFileIsNamed) {
    TrainConfig c = valid();
    c.augment = "no_such_augment.json";
    nlohmann::ordered_json j;
    try {
        putRunTail(j, c);
        FAIL() << "a missing augmentation file was accepted";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("no_such_augment.json"), std::string::npos) << e.what();
    }
}

}  // namespace
TEST(RunConfigCommon, SyncBatchNormIsStoredWhenSetAndReadBackOrRefusedByName) {
    const std::filesystem::path dir = std::filesystem::temp_directory_path() / "synthforge_sync_bn_config";
    std::filesystem::create_directories(dir);
    const std::string path = (dir / "config.json").string();
    TrainConfig c = valid();
    EXPECT_EQ(c.toJson().find("sync_batchnorm"), std::string::npos);  // absent unless set
    c.syncBatchNorm = true;
    const std::string text = c.toJson();
    ASSERT_NE(text.find("\"sync_batchnorm\": true"), std::string::npos) << text;
    std::ofstream(path) << text;
    EXPECT_TRUE(readTrainConfigFile(path).syncBatchNorm);
    std::string bad = text;
    bad.replace(bad.find("\"sync_batchnorm\": true"), 22, "\"sync_batchnorm\": \"yes\"");
    std::ofstream(path) << bad;
    try {
        readTrainConfigFile(path);
        ADD_FAILURE() << "a string sync_batchnorm was accepted";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("sync_batchnorm"), std::string::npos) << e.what();
    }
    std::filesystem::remove_all(dir);
}

}  // namespace synthforge::train
