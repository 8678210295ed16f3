#include <gtest/gtest.h>

#include "core/head/head_params_io.h"

using namespace synthforge::head;

namespace {
std::string errorOf(const std::string& json) {
    try {
        parseHeadParamsJson(json, "p.json");
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}
}  // namespace

TEST(HeadParamsJson, OurKeysRoundTripExactly) {
    HeadParams p;
    p.shape = Eigen::VectorXf::LinSpaced(7, -1.1f, 2.3f);
    p.expr = Eigen::VectorXf::Constant(3, 0.1f);
    p.pose = Eigen::Matrix<float, kNumPoseValues, 1>::LinSpaced(-0.7f, 0.7f);
    p.transl = Eigen::Vector3f(1e-3f, -2.5f, 3.14159f);
    const HeadParams r = parseHeadParamsJson(headParamsToJson(p), "round");
    EXPECT_EQ(r.shape, p.shape);
    EXPECT_EQ(r.expr, p.expr);
    EXPECT_EQ(r.pose, p.pose);
    EXPECT_EQ(r.transl, p.transl);
}

TEST(HeadParamsJson, DatasetKeysAndDecaPose) {
    const HeadParams p = parseHeadParamsJson(
        R"({"flame_shape": [[1, 2]], "flame_exp": [0.5], "flame_pose": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], "z": [1]})", "a.json");
    EXPECT_EQ(p.shape.size(), 2);
    EXPECT_FLOAT_EQ(p.shape[1], 2.0f);
    EXPECT_FLOAT_EQ(p.expr[0], 0.5f);
    EXPECT_FLOAT_EQ(p.pose[0], 0.1f);                 // global
    EXPECT_FLOAT_EQ(p.pose[3 * kJaw + 2], 0.6f);       // jaw
    EXPECT_FLOAT_EQ(p.pose[3 * kNeck], 0.0f);
}

TEST(HeadParamsJson, BadInputNamesFileAndField) {
    EXPECT_NE(errorOf("{").find("p.json: invalid JSON"), std::string::npos);
    EXPECT_NE(errorOf("[1,2]").find("expected a JSON object"), std::string::npos);
    EXPECT_NE(errorOf(R"({"shape": [1, "x"]})").find("shape[1]: expected a number"), std::string::npos);
    EXPECT_NE(errorOf(R"({"shape": 3})").find("shape: expected an array"), std::string::npos);
    EXPECT_NE(errorOf(R"({"pose": [1,2,3]})").find("expected 15 values"), std::string::npos);
    EXPECT_NE(errorOf(R"({"transl": [1,2]})").find("transl: expected 3"), std::string::npos);
    EXPECT_NE(errorOf(R"({"shape": [1e300]})").find("shape[0]: not a finite"), std::string::npos);
    EXPECT_NE(errorOf(R"({"shape": [1], "flame_shape": [2]})").find("both"), std::string::npos);
    std::string many = "{\"shape\": [0";
    for (int i = 0; i < 10001; ++i) many += ",0";
    EXPECT_NE(errorOf(many + "]}").find("is too many"), std::string::npos);
    EXPECT_NE(errorOf("{\"shape\": [NaN]}").find("invalid JSON"), std::string::npos);
    EXPECT_THROW(loadHeadParamsJson("/nonexistent/params.json"), std::runtime_error);
}

TEST(NumberList, ParsesAndRejects) {
    const Eigen::VectorXf v = parseNumberList("1, -2.5,3e-1  4", "--shape");
    ASSERT_EQ(v.size(), 4);
    EXPECT_FLOAT_EQ(v[2], 0.3f);
    EXPECT_EQ(parseNumberList("", "--shape").size(), 0);
    EXPECT_THROW(parseNumberList("1,nan", "--shape"), std::invalid_argument);
    EXPECT_THROW(parseNumberList("1,inf", "--shape"), std::invalid_argument);
    EXPECT_THROW(parseNumberList("1,abc", "--shape"), std::invalid_argument);
    EXPECT_THROW(parseNumberList("1.5x", "--shape"), std::invalid_argument);
    try {
        parseNumberList("1,,zz", "--expr");
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("--expr"), std::string::npos);
    }
}
