// Face-recognition settings and the verification pairs built from a
// folder-per-identity set (torch-free).

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/fr/face_recognition.h"

namespace synthforge::fr {
namespace {

TEST(FrConfig, DefaultsAreTheAdaFaceRecipeAndInvalidValuesNameTheField) {
    FrTrainConfig c;
    EXPECT_DOUBLE_EQ(c.lr, 0.1);
    EXPECT_DOUBLE_EQ(c.weightDecay, 5e-4);
    EXPECT_DOUBLE_EQ(c.momentum, 0.9);
    EXPECT_EQ(c.size, 112);
    c.data = "/data";
    c.out = "/run";
    validateFrTrainConfig(c);
    const auto j = nlohmann::json::parse(c.toJson());
    EXPECT_EQ(j["stage"], "fr");
    EXPECT_EQ(j["optimizer"]["name"], "sgd");
    EXPECT_EQ(j["head"]["name"], "adaface");
    EXPECT_EQ(j["head"]["scale"], 64.0);
    const auto refuses = [&](auto edit, const std::string& field) {
        FrTrainConfig bad = c;
        edit(bad);
        try {
            validateFrTrainConfig(bad);
            FAIL() << "accepted a bad " << field;
        } catch (const std::invalid_argument& e) {
            EXPECT_EQ(std::string(e.what()).rfind(field + ":", 0), 0u) << e.what();
        }
    };
    refuses([](FrTrainConfig& b) { b.size = 128; }, "size");
    refuses([](FrTrainConfig& b) { b.preset = "ir34"; }, "preset");
    refuses([](FrTrainConfig& b) { b.head = "sphereface"; }, "head");
    refuses([](FrTrainConfig& b) { b.momentum = 1.5; }, "momentum");
    refuses([](FrTrainConfig& b) { b.bestMetric = "nme"; }, "best_metric");
}

TEST(FrConfig, IdentityPairsBalanceSameAndDifferent) {
    // Identities of 3, 2 and 4 images.
    const IdentityPairs p = identityPairs({{"a0", "a1", "a2"}, {"b0", "b1"}, {"c0", "c1", "c2", "c3"}});
    ASSERT_EQ(p.images.size(), 9u);
    // Same pairs: a (0,1); b (3,4); c (5,6), (7,8); each followed by a different pair
    // with image k of the next identity (wrapping around).
    const std::vector<std::pair<int64_t, int64_t>> want = {{0, 1}, {0, 3}, {3, 4}, {3, 5}, {5, 6}, {5, 0}, {7, 8}, {7, 2}};
    EXPECT_EQ(p.pairs, want);
    EXPECT_EQ(p.same, (std::vector<bool>{true, false, true, false, true, false, true, false}));
    // One identity: same pairs only.
    EXPECT_EQ(identityPairs({{"x", "y"}}).same, std::vector<bool>{true});
}

}  // namespace
}  // namespace synthforge::fr
