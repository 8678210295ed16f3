#include <cmath>

#include <gtest/gtest.h>

#include "core/generate/sample_rng.h"
#include "core/generate/sampler.h"
#include "tests/support/tiny_head.h"

namespace synthforge::generate {
namespace {

TEST(SampleRng, KnownSplitMixValues) {
    // SplitMix64's reference output for state 0 after one increment:
    // 0xE220A8397B1DCDAF (the first value of splitmix64 seeded with 0).
    EXPECT_EQ(SampleRng::mix(0x9E3779B97F4A7C15ull), 0xE220A8397B1DCDAFull);
}

TEST(SampleRng, DependsOnlyOnSeedIndexAndStream) {
    SampleRng a(5, 17, RngStream::Camera), b(5, 17, RngStream::Camera);
    for (int i = 0; i < 100; ++i) EXPECT_EQ(a.nextU64(), b.nextU64());
    SampleRng c(5, 18, RngStream::Camera), d(6, 17, RngStream::Camera), e(5, 17, RngStream::Head);
    SampleRng ref(5, 17, RngStream::Camera);
    const auto r = ref.nextU64();
    EXPECT_NE(c.nextU64(), r);
    EXPECT_NE(d.nextU64(), r);
    EXPECT_NE(e.nextU64(), r);
}

TEST(SampleRng, UniformAndNormalStatistics) {
    SampleRng rng(1, 2, RngStream::Latent);
    const int n = 200000;
    double su = 0, sn = 0, sn2 = 0;
    double lo = 1, hi = 0;
    for (int i = 0; i < n; ++i) {
        const double u = rng.uniform01();
        lo = std::min(lo, u), hi = std::max(hi, u);
        su += u;
        const double g = rng.normal();
        ASSERT_TRUE(std::isfinite(g));
        sn += g, sn2 += g * g;
    }
    EXPECT_GE(lo, 0.0);
    EXPECT_LT(hi, 1.0);
    EXPECT_NEAR(su / n, 0.5, 0.005);
    EXPECT_NEAR(sn / n, 0.0, 0.01);
    EXPECT_NEAR(sn2 / n, 1.0, 0.015);
}

TEST(Sampler, DrawsInsideConfiguredRanges) {
    const head::HeadModel m = testutil::makeTinyHead();
    SamplerConfig c;
    c.camera.yaw = {-0.3, 0.1};
    c.camera.eg3dFovDeg = {20, 20};
    c.head.shapeRange = {-1, 1};
    for (std::uint64_t i = 0; i < 500; ++i) {
        const SampleSpec s = drawSample(c, m, 42, i);
        EXPECT_GE(s.camera.yaw, -0.3f);
        EXPECT_LE(s.camera.yaw, 0.1f);
        EXPECT_GE(s.camera.pitch, -0.8f);
        EXPECT_LE(s.camera.pitch, 0.8f);
        EXPECT_EQ(s.camera.eg3dFovDeg, 20.0f);
        EXPECT_FLOAT_EQ(s.camera.radius, 2.7f);
        EXPECT_EQ(s.params.shape.size(), m.numShape());
        EXPECT_LE(s.params.shape.cwiseAbs().maxCoeff(), 1.0f);
        EXPECT_LE(s.params.expr.cwiseAbs().maxCoeff(), 2.0f);
        EXPECT_GE(s.params.pose(3 * head::kJaw), 0.0f);
        EXPECT_LE(s.params.pose(3 * head::kJaw), 0.25f);
        EXPECT_EQ(s.params.pose.segment<3>(3 * head::kLeftEye), s.params.pose.segment<3>(3 * head::kRightEye));
        EXPECT_EQ(s.z.size(), 512);
    }
}

TEST(Sampler, SampleDependsOnlyOnSeedAndIndex) {
    const head::HeadModel m = testutil::makeTinyHead();
    const SamplerConfig c;
    const SampleSpec a = drawSample(c, m, 7, 123);
    drawSample(c, m, 7, 5);  // drawing others in between changes nothing
    const SampleSpec b = drawSample(c, m, 7, 123);
    EXPECT_EQ(a.z, b.z);
    EXPECT_EQ(a.params.shape, b.params.shape);
    EXPECT_EQ(a.camera.yaw, b.camera.yaw);
    EXPECT_NE(drawSample(c, m, 8, 123).z, a.z);
    // Streams are independent: fewer shape components keep the camera and z.
    SamplerConfig fewer = c;
    fewer.head.shapeComponents = 1;
    const SampleSpec f = drawSample(fewer, m, 7, 123);
    EXPECT_EQ(f.camera.yaw, a.camera.yaw);
    EXPECT_EQ(f.z, a.z);
    EXPECT_EQ(f.params.shape[1], 0.0f);
}

TEST(SamplerConfig, JsonRoundTripAndPartialFiles) {
    SamplerConfig c;
    c.camera.yaw = {-0.5, 0.25};
    c.camera.pivot = {0.0f, 0.05f, 0.2f};
    c.head.exprComponents = 7;
    c.latentDim = 64;
    const SamplerConfig back = parseSamplerConfigJson(samplerConfigToJson(c), "rt");
    EXPECT_EQ(back.camera.yaw, c.camera.yaw);
    EXPECT_EQ(back.camera.pivot, c.camera.pivot);
    EXPECT_EQ(back.head.exprComponents, 7);
    EXPECT_EQ(back.latentDim, 64);
    EXPECT_EQ(samplerConfigToJson(back), samplerConfigToJson(c));

    const SamplerConfig partial = parseSamplerConfigJson(R"({"camera": {"fov_deg": 22}})", "p");
    EXPECT_EQ(partial.camera.eg3dFovDeg, (Range{22, 22}));
    EXPECT_EQ(partial.camera.yaw, (Range{-0.8, 0.8}));
}

void expectConfigError(const std::string& text, const std::string& needle) {
    try {
        parseSamplerConfigJson(text, "cfg.json");
        FAIL() << "accepted: " << text;
    } catch (const std::runtime_error& e) {
        const std::string msg = e.what();
        EXPECT_EQ(msg.rfind("cfg.json: ", 0), 0u) << msg;
        EXPECT_NE(msg.find(needle), std::string::npos) << msg;
    }
}

TEST(SamplerConfig, RefusesBadConfigs) {
    expectConfigError(R"({"camera": {"yaw": [0.5, -0.5]}})", "camera.yaw: inverted range");
    expectConfigError(R"({"camera": {"yaw": [NaN, 1]}})", "JSON");
    expectConfigError(R"({"camera": {"yaw": [1e400, 1]}})", "JSON");
    expectConfigError(R"({"camera": {"fov_deg": [0, 20]}})", "camera.fov_deg");
    expectConfigError(R"({"camera": {"fov_deg": [10, 190]}})", "camera.fov_deg");
    expectConfigError(R"({"camera": {"radius": 0.1}})", "camera.radius");
    expectConfigError(R"({"camera": {"yaww": [0, 1]}})", "camera.yaww: unknown key");
    expectConfigError(R"({"camera": {"yaw": "wide"}})", "camera.yaw");
    expectConfigError(R"({"camera": {"yaw": [0, 1, 2]}})", "camera.yaw");
    expectConfigError(R"({"camera": {"pivot": [0, 0]}})", "camera.pivot");
    expectConfigError(R"({"head": {"shape_components": -1}})", "head.shape_components");
    expectConfigError(R"({"head": {"shape_components": 2.5}})", "head.shape_components");
    expectConfigError(R"({"latent": {"dim": 0}})", "latent.dim");
    expectConfigError(R"({"version": 2})", "version");
    expectConfigError(R"({"format": "other"})", "format");
    expectConfigError(R"([1, 2])", "must be an object");
    expectConfigError(R"({"camera": )", "JSON");
}

}  // namespace
}  // namespace synthforge::generate
