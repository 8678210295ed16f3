// The "sampler" section of a sampler config: every sampler's keys parse and
// round-trip, bad values fail naming the key, and i.i.d. configs serialise
// as they did before samplers existed.

#include <gtest/gtest.h>

#include "core/generate/samplers/samplers.h"
#include "tests/core/generate/sampler_test_util.h"

namespace synthforge::generate {
namespace {

SamplerConfig parse(const std::string& section) {
    return parseSamplerConfigJson("{\"sampler\": " + section + "}", "cfg.json");
}

/// The message of the error parsing `section` throws (empty if none).
std::string errorOf(const std::string& section) {
    try {
        parse(section);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

TEST(SamplerSection, ParsesEverySamplerAndRoundTrips) {
    for (const std::string& section :
         {std::string(R"({"name": "sobol", "axes": ["yaw", "pitch", "fov", "jaw", "shape:3", "expr:0"]})"),
          std::string(R"({"name": "stratified", "axes": ["yaw", "pitch"], "bins": [5, 3]})"),
          std::string(R"({"name": "diverse", "features": "landmarks", "pool": 100, "block": 10, "window": 2})"),
          std::string(R"({"name": "identity", "identities": 7, "per_identity": 4})")}) {
        const SamplerConfig c = parse(section);
        const SamplerConfig back = parseSamplerConfigJson(samplerConfigToJson(c), "round trip");
        EXPECT_TRUE(back.sampling == c.sampling) << section;
    }
    const SamplerConfig s = parse(R"({"name": "stratified", "axes": ["jaw", "expr:2"], "bins": [4, 2]})");
    EXPECT_EQ(s.sampling.kind, SamplerKind::Stratified);
    ASSERT_EQ(s.sampling.axes.size(), 2u);
    EXPECT_EQ(s.sampling.axes[1].kind, SamplingAxis::Kind::Expr);
    EXPECT_EQ(s.sampling.axes[1].component, 2);
    EXPECT_EQ(s.sampling.bins, (std::vector<int>{4, 2}));
    // Defaults: stratified over yaw x pitch in 5 x 3.
    const SamplerConfig d = parse(R"({"name": "stratified"})");
    EXPECT_EQ(d.sampling.effectiveBins(), (std::vector<int>{5, 3}));
}

TEST(SamplerSection, IidConfigsSerialiseWithoutTheSection) {
    EXPECT_EQ(samplerConfigToJson(SamplerConfig{}).find("\"sampler\""), std::string::npos);
    EXPECT_EQ(parse(R"({"name": "iid"})").sampling, SamplingConfig{});
}

TEST(SamplerSection, BadValuesNameTheKey) {
    const std::vector<std::pair<std::string, std::string>> cases{
        {R"({"name": "sobol", "axes": ["roll"]})", "sampler.axes[0]: unknown axis \"roll\""},
        {R"({"name": "sobol", "axes": ["shape:x"]})", "sampler.axes[0]: unknown axis"},
        {R"({"name": "sobol", "axes": ["yaw", "yaw"]})", "sampler.axes[1]: axis \"yaw\" given twice"},
        {R"({"name": "sobol", "axes": ["shape:20"]})", "sampler.axes[0]: \"shape:20\" is not sampled"},
        {R"({"name": "sobol", "axes": []})", "sampler.axes: must be a non-empty list"},
        {R"({"name": "stratified", "bins": [5, 0]})", "sampler.bins[1]: out of range"},
        {R"({"name": "stratified", "bins": [5]})", "sampler.bins: 1 values for 2 axes"},
        {R"({"name": "stratified", "bins": [2.5, 3]})", "sampler.bins[0]: must be an integer"},
        {R"({"name": "sobol", "bins": [5, 3]})", "sampler.bins: not read by the sobol sampler"},
        {R"({"name": "diverse", "pool": 10, "block": 20})", "sampler.pool: 10 candidates cannot yield a block of 20"},
        {R"({"name": "diverse", "features": "pixels"})", "sampler.features: must be \"params\", \"landmarks\" or \"backbone\""},
        {R"({"name": "identity"})", "sampler.identities (--identities): must be at least 1"},
        {R"({"name": "identity", "identities": 0, "per_identity": 2})", "sampler.identities: out of range"},
        {R"({"name": "weighted"})", "sampler.name: unknown sampler \"weighted\""},
        {R"({"name": "guided"})", "sampler.run (--guide-run): the guided sampler needs a trained Stage I run"},
        {R"({"name": "iid", "axis": ["yaw"]})", "sampler.axis: unknown key"},
        {R"(["sobol"])", "sampler.: must be an object"},
    };
    for (const auto& [section, needle] : cases) {
        const std::string e = errorOf(section);
        EXPECT_NE(e.find("cfg.json"), std::string::npos) << section << " -> " << e;
        EXPECT_NE(e.find(needle), std::string::npos) << section << " -> " << e;
    }
    // More Sobol axes than direction numbers.
    std::string many = R"({"name": "sobol", "axes": ["yaw", "pitch", "fov", "jaw")";
    for (int k = 0; k < 18; ++k) many += ", \"shape:" + std::to_string(k) + "\"";
    EXPECT_NE(errorOf(many + "]}").find("at most 21 Sobol axes"), std::string::npos) << errorOf(many + "]}");
}

TEST(SamplerSection, AxesBeyondTheModelAreRefusedWhenTheSamplerIsBuilt) {
    SamplerConfig c = testing::tinyConfig(SamplerKind::Sobol);
    c.head.shapeComponents = 20;  // the config allows it, the tiny model has 4
    c.sampling.axes = {SamplingAxis::parse("shape:6", "t")};
    try {
        makeSampler(c, testing::tinyModel());
        FAIL() << "expected an error";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("the head model has 4 shape components"), std::string::npos) << e.what();
    }
}

TEST(SamplerSection, SampleCountMustMatchTheIdentities) {
    SamplingConfig s;
    s.kind = SamplerKind::Identity;
    s.identities = 3;
    s.perIdentity = 4;
    EXPECT_NO_THROW(checkSampleCount(s, 12));
    try {
        checkSampleCount(s, 10);
        FAIL() << "expected an error";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("--identities 3 x --per-identity 4 is 12 samples, but --count is 10"),
                  std::string::npos)
            << e.what();
    }
    s.kind = SamplerKind::Iid;
    EXPECT_NO_THROW(checkSampleCount(s, 10));
}

TEST(Samplers, EverySamplerIsAFunctionOfSeedAndIndex) {
    auto model = testing::tinyModel();
    for (SamplerKind kind : {SamplerKind::Iid, SamplerKind::Sobol, SamplerKind::Stratified, SamplerKind::Diverse,
                             SamplerKind::Identity}) {
        SamplerConfig c = testing::tinyConfig(kind);
        c.sampling.identities = 5;
        c.sampling.perIdentity = 4;
        c.sampling.pool = 32;
        c.sampling.block = 4;
        const auto a = makeSampler(c, model), b = makeSampler(c, model);
        // b draws in another order (like the other shard of an interleaved run).
        std::vector<SampleSpec> fromB(20);
        for (int i = 19; i >= 0; i -= 2) fromB[i] = b->draw(8, static_cast<std::uint64_t>(i));
        for (int i = 18; i >= 0; i -= 2) fromB[i] = b->draw(8, static_cast<std::uint64_t>(i));
        for (std::uint64_t i = 0; i < 20; ++i) {
            const SampleSpec x = a->draw(8, i);
            EXPECT_EQ(x.index, i);
            EXPECT_TRUE(testing::sameSpec(x, fromB[i])) << samplerKindName(kind) << " sample " << i;
        }
        if (kind == SamplerKind::Iid) {
            EXPECT_TRUE(testing::sameSpec(a->draw(8, 3), drawSample(c, *model, 8, 3))) << "iid is drawSample";
        }
    }
}

}  // namespace
}  // namespace synthforge::generate
