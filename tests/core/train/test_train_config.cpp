// Stage I settings as a file: the recipes, config.json read back to an equal
// config (a run is re-run from its own config.json), partial files on top of
// a recipe, and every unknown key or bad value refused with the file named.

#include <cmath>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/train/trainer.h"
#include "tests/support/fixtures.h"

namespace synthforge::train {
namespace {

std::string errorOf(const std::string& text) {
    try {
        trainConfigFromJson(text, "cfg.json");
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

TrainConfig everyFieldChanged() {
    TrainConfig c = trainRecipe("paper");
    c.data = "/data/set";
    c.preset = "reference";
    c.epochs = 7;
    c.batch = 3;
    c.size = 128;
    c.accumulate = 2;
    c.seed = 12345678901234ull;
    c.lr = 3e-3;
    c.backboneLrScale = 0.25;
    c.weightDecay = 0.05;
    c.beta1 = 0.8;
    c.beta2 = 0.95;
    c.eps = 1e-6;
    c.schedule = "linear";
    c.minLr = 1e-6;
    c.warmupSteps = 17;
    c.gradClip = 2.5;
    c.losses = {0.5, 0.25, 2.0, 0.75, 0.1, 0.4, 1.5, 0.3, 0.2};
    c.valFraction = 0.2;
    c.valEvery = 9;
    c.bestMetric = "miou";
    c.earlyStopPatience = 4;
    c.earlyStopMinDelta = 0.001;
    c.checkpointEvery = 11;
    c.keepCheckpoints = 5;
    c.imageEvery = 13;
    c.augment = "default";
    return c;
}

TEST(TrainConfig, RecipesDifferWhereTheyShould) {
    TrainConfig fast = trainRecipe("fast"), paper = trainRecipe("paper"), byDefault;
    fast.data = byDefault.data = "d";
    EXPECT_EQ(byDefault.toJson(), fast.toJson()) << "fast is the default";
    EXPECT_EQ(paper.recipe, "paper");
    EXPECT_EQ(paper.lr, 1e-4);
    EXPECT_EQ(paper.backboneLrScale, 0.1);
    EXPECT_EQ(paper.warmupSteps, 0);
    EXPECT_EQ(paper.minLr, 1e-5);
    EXPECT_GT(fast.lr, paper.lr);
    EXPECT_EQ(fast.backboneLrScale, 1.0);
    EXPECT_GT(fast.warmupSteps, 0);
    EXPECT_EQ(fast.bestMetric, "nme");
    EXPECT_THROW(trainRecipe("slow"), std::invalid_argument);
}

TEST(TrainConfig, ConfigJsonRoundTripsEveryField) {
    const TrainConfig c = everyFieldChanged();
    const std::string json = c.toJson();
    const TrainConfig back = trainConfigFromJson(json, "config.json");
    EXPECT_EQ(back.toJson(), json);
    EXPECT_EQ(back.recipe, "paper");
    EXPECT_EQ(back.data, "/data/set");
    EXPECT_EQ(back.seed, 12345678901234ull);
    EXPECT_EQ(back.losses.equivariance, 0.1);
    EXPECT_EQ(back.beta2, 0.95);
    EXPECT_EQ(back.bestMetric, "miou");
    // The resolved augmentation comes back inline and resolves to the same settings.
    EXPECT_EQ(back.augment.front(), '{');
    // And a second generation is identical too.
    EXPECT_EQ(trainConfigFromJson(back.toJson(), "again.json").toJson(), json);
}

TEST(TrainConfig, PartialFileStartsFromItsRecipeOrTheCallers) {
    const TrainConfig a = trainConfigFromJson(R"({"optimizer": {"lr": 0.002}})", "cfg.json");
    EXPECT_EQ(a.recipe, "fast");
    EXPECT_EQ(a.lr, 0.002);
    EXPECT_EQ(a.warmupSteps, trainRecipe("fast").warmupSteps);
    const TrainConfig b = trainConfigFromJson(R"({"recipe": "paper", "epochs": 3})", "cfg.json");
    EXPECT_EQ(b.recipe, "paper");
    EXPECT_EQ(b.lr, 1e-4);
    EXPECT_EQ(b.epochs, 3);
    const TrainConfig c = trainConfigFromJson(R"({"recipe": "paper", "epochs": 3})", "cfg.json", "fast");
    EXPECT_EQ(c.recipe, "fast") << "the caller's recipe wins over the file's";
    EXPECT_EQ(c.lr, trainRecipe("fast").lr);
    EXPECT_EQ(c.epochs, 3);
}

TEST(TrainConfig, UnknownKeysAndBadValuesNameTheFile) {
    EXPECT_EQ(errorOf(R"({"optimizer": {"lr": 0.001, "lrr": 1}})"), "cfg.json: unknown key(s) optimizer.lrr");
    EXPECT_EQ(errorOf(R"({"learning_rate": 0.1})"), "cfg.json: unknown key(s) learning_rate");
    EXPECT_EQ(errorOf(R"({"optimizer": {"lr": -1}})"), "cfg.json: lr: must be positive");
    EXPECT_EQ(errorOf(R"({"optimizer": {"lr": "big"}})"), "cfg.json: optimizer.lr: expected a number, got \"big\"");
    EXPECT_EQ(errorOf(R"({"schedule": {"name": "exponential"}})"),
              "cfg.json: schedule: \"exponential\" is not cosine, linear, constant, step or hold-linear");
    EXPECT_EQ(errorOf(R"({"losses": {"depth": -0.5}})"), "cfg.json: losses.depth: must be a non-negative number");
    EXPECT_EQ(errorOf(R"({"recipe": "slow"})"), "cfg.json: recipe: recipe: \"slow\" is not one of fast, paper");
    EXPECT_EQ(errorOf(R"({"stage": "II"})"), "cfg.json: stage: expected \"I\", got \"II\"");
    EXPECT_EQ(errorOf(R"({"version": 99})"), "cfg.json: version: 99 is not one this build understands (1 to 2)");
    EXPECT_EQ(errorOf(R"({"validation": {"best_metric": "f1"}})"),
              "cfg.json: best_metric: \"f1\" is not loss, nme, miou or depth_l1");
    EXPECT_EQ(errorOf(R"({"augment": {"format": "synthforge-augment", "bogus": 1}})").rfind("cfg.json: augment: ", 0), 0u);
    EXPECT_EQ(errorOf("[1, 2]"), "cfg.json: expected a JSON object, got [1,2]");
    EXPECT_EQ(errorOf("{\"epochs\": 3").rfind("cfg.json: not valid JSON", 0), 0u) << "truncated";
    EXPECT_EQ(errorOf(std::string("{\"epochs\": \x01}")).rfind("cfg.json: not valid JSON", 0), 0u);
}

TEST(TrainConfig, FileReaderNamesAMissingOrHugeFile) {
    testutil::TempDir dir;
    const std::string missing = (dir.path / "none.json").string();
    try {
        readTrainConfigFile(missing);
        FAIL();
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("none.json"), std::string::npos) << e.what();
    }
    const std::string huge = (dir.path / "huge.json").string();
    std::ofstream(huge) << std::string(5u << 20, ' ');
    EXPECT_THROW(readTrainConfigFile(huge), std::runtime_error);
}

TEST(TrainConfig, PrecisionAndClassBalanceRoundTripAndAreWrittenOnlyWhenChosen) {
    TrainConfig c = trainRecipe("paper");
    c.data = "/d";
    c.out = "/o";
    // fp32 and no balance: config.json as before these fields existed, so
    // older runs still resume.
    EXPECT_EQ(c.toJson().find("precision"), std::string::npos);
    EXPECT_EQ(c.toJson().find("class_balance"), std::string::npos);
    EXPECT_DOUBLE_EQ(trainRecipe("fast").losses.classBalance, 0.5);
    c.precision = "bf16";
    c.losses.classBalance = 0.5;
    validateTrainConfig(c);
    const TrainConfig back = trainConfigFromJson(c.toJson(), "config.json");
    EXPECT_EQ(back.precision, "bf16");
    EXPECT_DOUBLE_EQ(back.losses.classBalance, 0.5);
    EXPECT_EQ(back.toJson(), c.toJson());
    TrainConfig bad = c;
    bad.precision = "fp16";
    try {
        validateTrainConfig(bad);
        FAIL() << "accepted precision fp16";
    } catch (const std::invalid_argument& e) {
        EXPECT_EQ(std::string(e.what()).rfind("precision:", 0), 0u) << e.what();
    }
    bad = c;
    bad.losses.classBalance = -1;
    EXPECT_THROW(validateTrainConfig(bad), std::invalid_argument);
    std::string text = c.toJson();
    text.replace(text.find("\"bf16\""), 6, "16");
    try {
        trainConfigFromJson(text, "bad.json");
        FAIL() << "accepted a number for precision";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("bad.json"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("precision"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace synthforge::train

namespace synthforge::train {
namespace {

TEST(StepSchedule, DropsByGammaAtEachMilestoneAfterWarmUp) {
    TrainConfig c;
    c.lr = 1.0;
    c.schedule = "step";
    c.milestones = {0.5, 0.8};
    c.gamma = 0.1;
    c.warmupSteps = 10;
    EXPECT_DOUBLE_EQ(scheduledLr(c, 0, 100), 0.1);   // warm-up: 1/10 of lr
    EXPECT_DOUBLE_EQ(scheduledLr(c, 9, 100), 1.0);
    EXPECT_DOUBLE_EQ(scheduledLr(c, 49, 100), 1.0);
    EXPECT_DOUBLE_EQ(scheduledLr(c, 50, 100), 0.1);  // step 50 = 0.5 of 100
    EXPECT_NEAR(scheduledLr(c, 79, 100), 0.1, 1e-15);
    EXPECT_NEAR(scheduledLr(c, 80, 100), 0.01, 1e-15);
    EXPECT_NEAR(scheduledLr(c, 99, 100), 0.01, 1e-15);
}

TEST(HoldLinearSchedule, HoldsTheRateThenFallsInAStraightLineToMinLr) {
    // CycleGAN's: constant for the first half of the run, then linear to 0.
    TrainConfig c;
    c.lr = 2.0;
    c.minLr = 0;
    c.warmupSteps = 0;
    c.schedule = "hold-linear";
    c.milestones = {0.5};
    validateRunValues(c, "test");
    EXPECT_DOUBLE_EQ(scheduledLr(c, 0, 100), 2.0);
    EXPECT_DOUBLE_EQ(scheduledLr(c, 49, 100), 2.0);
    EXPECT_DOUBLE_EQ(scheduledLr(c, 50, 100), 2.0);
    EXPECT_DOUBLE_EQ(scheduledLr(c, 75, 100), 1.0);
    EXPECT_DOUBLE_EQ(scheduledLr(c, 100, 100), 0.0);
    // It takes exactly one milestone, where the decay starts.
    c.milestones = {0.5, 0.8};
    EXPECT_THROW(validateRunValues(c, "test"), std::invalid_argument);
    c.milestones = {1.0};
    EXPECT_THROW(validateRunValues(c, "test"), std::invalid_argument);
    c.milestones = {0.0};  // decays from the first step: the plain linear schedule
    validateRunValues(c, "test");
    EXPECT_DOUBLE_EQ(scheduledLr(c, 50, 100), 1.0);
}

TEST(StepSchedule, RoundTripsThroughConfigJsonOnlyWhenChosen) {
    TrainConfig c;
    c.data = "/d";
    c.out = "/o";
    // Other schedules write no milestones: their config.json is as before.
    EXPECT_EQ(c.toJson().find("milestones"), std::string::npos);
    c.schedule = "step";
    c.milestones = {0.25, 0.75};
    c.gamma = 0.5;
    validateTrainConfig(c);
    const TrainConfig back = trainConfigFromJson(c.toJson(), "config.json");
    EXPECT_EQ(back.milestones, (std::vector<double>{0.25, 0.75}));
    EXPECT_DOUBLE_EQ(back.gamma, 0.5);
    EXPECT_EQ(back.toJson(), c.toJson());
    const auto refuses = [&](auto edit, const std::string& field) {
        TrainConfig bad = c;
        edit(bad);
        try {
            validateTrainConfig(bad);
            FAIL() << "accepted a bad " << field;
        } catch (const std::invalid_argument& e) {
            EXPECT_EQ(std::string(e.what()).rfind(field + ":", 0), 0u) << e.what();
        }
    };
    refuses([](TrainConfig& b) { b.milestones = {0.8, 0.3}; }, "milestones");
    refuses([](TrainConfig& b) { b.milestones = {1.5}; }, "milestones");
    refuses([](TrainConfig& b) { b.milestones.clear(); }, "milestones");
    refuses([](TrainConfig& b) { b.gamma = 0; }, "gamma");
    refuses([](TrainConfig& b) { b.schedule = "exponential"; }, "schedule");
    std::string text = c.toJson();
    text.replace(text.find("\"milestones\": ["), 15, "\"milestones\": [\"x\", ");
    EXPECT_THROW(trainConfigFromJson(text, "bad.json"), std::runtime_error);
}

}  // namespace
}  // namespace synthforge::train
