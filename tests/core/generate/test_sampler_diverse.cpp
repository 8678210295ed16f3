// The diverse sampler: farthest-point selection in blocks spreads samples
// further apart than i.i.d. draws, and stays a function of (seed, index):
// the order in which indices are drawn, and by which sampler object, does
// not matter.

#include <algorithm>
#include <limits>
#include <thread>

#include <gtest/gtest.h>

#include "core/generate/samplers/diverse_sampler.h"
#include "tests/core/generate/sampler_test_util.h"

namespace synthforge::generate {
namespace {

using testing::tinyConfig;
using testing::tinyModel;

double minPairwise(const std::vector<Eigen::VectorXd>& f) {
    double best = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < f.size(); ++i)
        for (std::size_t j = i + 1; j < f.size(); ++j) best = std::min(best, (f[i] - f[j]).norm());
    return best;
}

std::vector<Eigen::VectorXd> features(const Sampler& s, const SamplerConfig& c, const head::HeadModel& m, int n,
                                      std::uint64_t seed) {
    std::vector<Eigen::VectorXd> f;
    for (int i = 0; i < n; ++i) f.push_back(diverseFeatures(s.draw(seed, static_cast<std::uint64_t>(i)), c, m));
    return f;
}

TEST(DiverseSampler, LargerMinimumDistanceThanIid) {
    auto model = tinyModel();
    for (DiverseFeatures feat : {DiverseFeatures::Params, DiverseFeatures::Landmarks}) {
        SamplerConfig c = tinyConfig(SamplerKind::Diverse);
        c.sampling.features = feat;
        c.sampling.block = 16;
        c.sampling.pool = 256;
        SamplerConfig iid = c;
        iid.sampling.kind = SamplerKind::Iid;
        const auto d = makeSampler(c, model), r = makeSampler(iid, model);
        for (int n : {16, 48, 96})
            for (std::uint64_t seed : {1u, 2u, 3u}) {
                const double md = minPairwise(features(*d, c, *model, n, seed));
                const double mi = minPairwise(features(*r, c, *model, n, seed));
                EXPECT_GT(md, mi) << (feat == DiverseFeatures::Params ? "params" : "landmarks") << ", n " << n
                                  << ", seed " << seed << ": diverse " << md << ", iid " << mi;
            }
    }
}

TEST(DiverseSampler, WithinABlockEverySampleIsFarFromTheOthers) {
    // Greedy farthest-point: the k-th pick is at least as far from the
    // earlier picks as any candidate left, so the block's minimum distance
    // beats that of the first B candidates of the pool (an i.i.d. block).
    auto model = tinyModel();
    SamplerConfig c = tinyConfig(SamplerKind::Diverse);
    c.sampling.block = 24;
    c.sampling.pool = 240;
    c.sampling.window = 0;  // the block alone
    const auto d = makeSampler(c, model);
    SamplerConfig iid = c;
    iid.sampling.kind = SamplerKind::Iid;
    const auto r = makeSampler(iid, model);
    EXPECT_GT(minPairwise(features(*d, c, *model, 24, 4)), 1.5 * minPairwise(features(*r, c, *model, 24, 4)));
}

TEST(DiverseSampler, DependsOnlyOnSeedAndIndex) {
    auto model = tinyModel();
    SamplerConfig c = tinyConfig(SamplerKind::Diverse);
    c.sampling.block = 8;
    c.sampling.pool = 40;
    c.sampling.window = 2;  // blocks 3 and 4 depend on blocks up to two before them
    const auto forward = makeSampler(c, model);
    std::vector<SampleSpec> expected;
    for (std::uint64_t i = 0; i < 40; ++i) expected.push_back(forward->draw(6, i));
    // Backwards, from a fresh sampler, on several threads at once (the block
    // cache is shared), and interleaved like two shards.
    const auto other = makeSampler(c, model);
    std::vector<SampleSpec> got(40);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int i = 39 - t; i >= 0; i -= 4) got[i] = other->draw(6, static_cast<std::uint64_t>(i));
        });
    for (auto& th : threads) th.join();
    for (std::uint64_t i = 0; i < 40; ++i) {
        EXPECT_TRUE(testing::sameSpec(expected[i], got[i])) << i;
        EXPECT_EQ(got[i].index, i);
    }
    // Samples of one block are distinct candidates.
    for (int i = 0; i < 8; ++i)
        for (int j = i + 1; j < 8; ++j) EXPECT_FALSE(expected[i].z == expected[j].z);
    EXPECT_FALSE(testing::sameSpec(forward->draw(7, 0), expected[0]));
}

}  // namespace
}  // namespace synthforge::generate

namespace synthforge::generate {
namespace {

/// A planted "network": the feature of a candidate is its latent code's
/// first two values (what only a renderer-and-network would see: the
/// parameters do not hold it).
class LatentFeatures : public CandidateFeatures {
public:
    std::vector<Eigen::VectorXd> features(const std::vector<SampleSpec>& specs) const override {
        ++calls;
        std::vector<Eigen::VectorXd> out;
        for (const SampleSpec& s : specs) out.push_back(Eigen::Vector2d(s.z[0], s.z[1]));
        return out;
    }
    mutable int calls = 0;
};

TEST(DiverseSampler, BackboneFeaturesSpreadWhatTheExtractorSees) {
    auto model = testing::tinyModel();
    SamplerConfig c = testing::tinyConfig(SamplerKind::Diverse);
    c.sampling.features = DiverseFeatures::Backbone;
    c.sampling.run = "runs/stage1";
    c.sampling.pool = 64;
    c.sampling.block = 8;
    EXPECT_THROW(makeDiverseSampler(c, model), std::invalid_argument) << "backbone needs an extractor";
    auto extractor = std::make_shared<LatentFeatures>();
    const auto diverse = makeDiverseSampler(c, model, extractor);
    SamplerConfig iidConfig = testing::tinyConfig(SamplerKind::Iid);
    const auto iid = makeSampler(iidConfig, model);
    const auto latent = [](const Sampler& s) {
        std::vector<Eigen::VectorXd> f;
        for (std::uint64_t i = 0; i < 8; ++i) {
            const SampleSpec spec = s.draw(3, i);
            f.push_back(Eigen::Vector2d(spec.z[0], spec.z[1]));
        }
        return f;
    };
    EXPECT_GT(minPairwise(latent(*diverse)), 2 * minPairwise(latent(*iid)));
    EXPECT_EQ(extractor->calls, 1) << "one batch per block";
    // Deterministic per (seed, index), like every sampler.
    const auto again = makeDiverseSampler(c, model, std::make_shared<LatentFeatures>());
    EXPECT_TRUE(testing::sameSpec(again->draw(3, 5), diverse->draw(3, 5)));
}

TEST(DiverseSampler, TheBackboneConfigNeedsItsRunAndRoundTrips) {
    const auto error = [](const std::string& section) {
        try {
            parseSamplerConfigJson(R"({"sampler": )" + section + "}", "cfg.json");
        } catch (const std::runtime_error& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    EXPECT_NE(error(R"({"name": "diverse", "features": "backbone"})").find("sampler.run"), std::string::npos);
    EXPECT_NE(error(R"({"name": "diverse", "features": "params", "run": "r"})").find("sampler.run"), std::string::npos);
    EXPECT_NE(error(R"({"name": "diverse", "features": "pixels"})").find("backbone"), std::string::npos);
    EXPECT_EQ(error(R"({"name": "diverse", "features": "backbone", "run": "runs/s1"})"), "accepted");
    const SamplerConfig c = parseSamplerConfigJson(R"({"sampler": {"name": "diverse", "features": "backbone", "run": "runs/s1"}})", "c");
    EXPECT_EQ(parseSamplerConfigJson(samplerConfigToJson(c), "again").sampling, c.sampling);
}

}  // namespace
}  // namespace synthforge::generate
