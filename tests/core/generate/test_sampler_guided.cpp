// The guided sampler: with a planted scorer (hard = yaw in the upper half of
// its range) it keeps hard candidates in the proportion its softmax over the
// pool's standardised scores predicts; temperature moves that proportion
// between i.i.d. and "hardest only"; it is a function of (seed, index); and
// bad scorers and configs are refused with the field named.

#include <cmath>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/generate/samplers/guided_sampler.h"
#include "core/generate/samplers/sampling_config.h"
#include "tests/core/generate/sampler_test_util.h"

namespace synthforge::generate {
namespace {

using testing::sameSpec;
using testing::tinyConfig;
using testing::tinyModel;

/// 1 for a yaw in the upper half of the configured range, else 0; records
/// every pool it scores.
class UpperYawScorer : public DifficultyScorer {
public:
    explicit UpperYawScorer(const SamplerConfig& c) : mid_(0.5 * (c.camera.yaw.lo + c.camera.yaw.hi)) {}
    std::vector<double> score(const std::vector<SampleSpec>& candidates) const override {
        std::vector<double> s;
        for (const SampleSpec& c : candidates) s.push_back(hard(c) ? 1.0 : 0.0);
        std::lock_guard<std::mutex> lock(mu_);
        pools_.push_back(s);
        return s;
    }
    bool hard(const SampleSpec& s) const { return s.camera.yaw > mid_; }
    /// The probability of keeping a hard candidate when one is picked from
    /// `pool`: softmax of the standardised scores at temperature t.
    static double hardProbability(const std::vector<double>& pool, double t) {
        double n1 = 0;
        for (double v : pool) n1 += v;
        const double n = static_cast<double>(pool.size()), p = n1 / n;
        if (n1 == 0) return 0;
        if (n1 == n) return 1;
        const double sd = std::sqrt(p * (1 - p));
        const double w1 = std::exp((1 - p) / sd / t), w0 = std::exp(-p / sd / t);
        return n1 * w1 / (n1 * w1 + (n - n1) * w0);
    }
    std::vector<std::vector<double>> pools() const {
        std::lock_guard<std::mutex> lock(mu_);
        return pools_;
    }

private:
    double mid_;
    mutable std::mutex mu_;
    mutable std::vector<std::vector<double>> pools_;
};

SamplerConfig guidedConfig(int pool, int block, double temperature) {
    SamplerConfig c = tinyConfig(SamplerKind::Guided);
    c.sampling.run = "/runs/stage1";
    c.sampling.pool = pool;
    c.sampling.block = block;
    c.sampling.temperature = temperature;
    return c;
}

TEST(GuidedSampler, KeepsHardCandidatesInTheSoftmaxProportion) {
    const int n = 1500;
    for (double t : {0.5, 1.0, 2.0}) {
        const SamplerConfig c = guidedConfig(16, 1, t);
        auto scorer = std::make_shared<UpperYawScorer>(c);
        const auto s = makeGuidedSampler(c, tinyModel(), scorer);
        int hard = 0;
        for (int i = 0; i < n; ++i) hard += scorer->hard(s->draw(7, static_cast<std::uint64_t>(i))) ? 1 : 0;
        // With one pick per pool the choice is exactly the softmax over the
        // pool (Gumbel-max): the expected count is the sum over the pools.
        double expected = 0, variance = 0;
        const auto pools = scorer->pools();
        ASSERT_EQ(pools.size(), static_cast<size_t>(n));
        for (const auto& pool : pools) {
            const double q = UpperYawScorer::hardProbability(pool, t);
            expected += q;
            variance += q * (1 - q);
        }
        EXPECT_NEAR(hard, expected, 4 * std::sqrt(variance)) << "temperature " << t;
        // And far above the i.i.d. half: at T = 1 a balanced pool gives e^2 / (1 + e^2) = 0.88.
        EXPECT_GT(hard, 0.6 * n) << "temperature " << t;
    }
}

TEST(GuidedSampler, TemperatureMovesBetweenIidAndHardestOnly) {
    const auto fraction = [](double t, int block) {
        const SamplerConfig c = guidedConfig(32, block, t);
        auto scorer = std::make_shared<UpperYawScorer>(c);
        const auto s = makeGuidedSampler(c, tinyModel(), scorer);
        int hard = 0;
        const int n = 640;
        for (int i = 0; i < n; ++i) hard += scorer->hard(s->draw(3, static_cast<std::uint64_t>(i))) ? 1 : 0;
        return static_cast<double>(hard) / n;
    };
    const double cold = fraction(0.05, 8), warm = fraction(1.0, 8), hot = fraction(100.0, 8);
    EXPECT_GT(cold, 0.97);          // a block of 8 from 32 holds ~16 hard ones: all hard
    EXPECT_GT(cold, warm);
    EXPECT_GT(warm, hot);
    EXPECT_NEAR(hot, 0.5, 0.08);    // scores barely matter: i.i.d. yaw halves
}

TEST(GuidedSampler, IsAFunctionOfSeedAndIndex) {
    const SamplerConfig c = guidedConfig(12, 4, 1.0);
    const auto a = makeGuidedSampler(c, tinyModel(), std::make_shared<UpperYawScorer>(c));
    const auto b = makeGuidedSampler(c, tinyModel(), std::make_shared<UpperYawScorer>(c));
    std::vector<SampleSpec> forward;
    for (std::uint64_t i = 0; i < 40; ++i) forward.push_back(a->draw(5, i));
    for (std::uint64_t i = 40; i-- > 0;) {
        const SampleSpec back = b->draw(5, i);
        EXPECT_TRUE(sameSpec(back, forward[i])) << "index " << i;
        EXPECT_EQ(back.index, i);
    }
    // Another seed draws other samples; within a block the picks differ.
    EXPECT_FALSE(sameSpec(a->draw(6, 0), forward[0]));
    EXPECT_FALSE(sameSpec(forward[0], forward[1]));
}

TEST(GuidedSampler, WorkersOnOneBlockScoreItsPoolOnce) {
    const SamplerConfig c = guidedConfig(32, 16, 1.0);
    auto scorer = std::make_shared<UpperYawScorer>(c);
    const auto s = makeGuidedSampler(c, tinyModel(), scorer);
    std::vector<std::thread> workers;
    std::vector<SampleSpec> got(32);
    for (int t = 0; t < 4; ++t)
        workers.emplace_back([&, t] {
            for (int i = t; i < 32; i += 4) got[static_cast<size_t>(i)] = s->draw(9, static_cast<std::uint64_t>(i));
        });
    for (auto& w : workers) w.join();
    EXPECT_EQ(scorer->pools().size(), 2u);  // blocks 0 and 1, each scored once
    const auto fresh = makeGuidedSampler(c, tinyModel(), std::make_shared<UpperYawScorer>(c));
    for (std::uint64_t i = 0; i < 32; ++i) EXPECT_TRUE(sameSpec(got[i], fresh->draw(9, i))) << i;
}

TEST(GuidedSampler, RefusesBadScorersAndConfigs) {
    SamplerConfig c = guidedConfig(8, 4, 1.0);
    EXPECT_THROW(makeGuidedSampler(c, tinyModel(), nullptr), std::invalid_argument);
    // makeSampler alone cannot build it: the scorer is a network.
    EXPECT_THROW(makeSampler(c, tinyModel()), std::invalid_argument);

    struct Fixed : DifficultyScorer {
        std::vector<double> values;
        std::vector<double> score(const std::vector<SampleSpec>& s) const override {
            return values.empty() ? std::vector<double>(s.size() + 1, 0.0) : values;
        }
    };
    auto wrongCount = std::make_shared<Fixed>();
    EXPECT_THROW(makeGuidedSampler(c, tinyModel(), wrongCount)->draw(0, 0), std::logic_error);
    auto nan = std::make_shared<Fixed>();
    nan->values = std::vector<double>(8, 0.0);
    nan->values[3] = NAN;
    EXPECT_THROW(makeGuidedSampler(c, tinyModel(), nan)->draw(0, 0), std::runtime_error);
    // Equal scores: keys are the Gumbel draws alone, i.e. i.i.d. picks from the pool.
    auto flat = std::make_shared<Fixed>();
    flat->values = std::vector<double>(8, 0.25);
    EXPECT_NO_THROW(makeGuidedSampler(c, tinyModel(), flat)->draw(0, 0));

    const auto refuses = [&](SamplerConfig bad, const std::string& field) {
        try {
            makeGuidedSampler(bad, tinyModel(), flat);
            ADD_FAILURE() << "accepted a bad " << field;
        } catch (const std::invalid_argument& e) {
            EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
        }
    };
    SamplerConfig noRun = c;
    noRun.sampling.run.clear();
    refuses(noRun, "sampler.run");
    SamplerConfig cold = c;
    cold.sampling.temperature = 0;
    refuses(cold, "sampler.temperature");
    SamplerConfig tooFew = c;
    tooFew.sampling.pool = 2;
    refuses(tooFew, "sampler.pool");
}

TEST(GuidedSamplerConfig, ParsesItsKeysWithItsOwnDefaultsAndRefusesOthers) {
    const nlohmann::json section = nlohmann::json::parse(R"({"name": "guided", "run": "/r", "temperature": 0.5})");
    const SamplingConfig c = parseSamplingSection(section, "s.json");
    EXPECT_EQ(c.kind, SamplerKind::Guided);
    EXPECT_EQ(c.run, "/r");
    EXPECT_EQ(c.score, "nme");
    EXPECT_DOUBLE_EQ(c.temperature, 0.5);
    EXPECT_EQ(c.pool, kGuidedPool);
    EXPECT_EQ(c.block, kGuidedBlock);
    EXPECT_EQ(parseSamplingSection(nlohmann::json::parse(samplingSectionJson(c)), "s.json"), c);
    // Scored by the run's loss instead of its NME: kept through the JSON.
    const SamplingConfig byLoss =
        parseSamplingSection(nlohmann::json::parse(R"({"name": "guided", "run": "/r", "score": "loss"})"), "s.json");
    EXPECT_EQ(byLoss.score, "loss");
    EXPECT_EQ(parseSamplingSection(nlohmann::json::parse(samplingSectionJson(byLoss)), "s.json"), byLoss);
    const std::pair<const char*, const char*> bad[] = {
        {R"({"name": "guided", "temperature": 0})", "sampler.temperature"},
        {R"({"name": "guided", "run": 3})", "sampler.run"},
        {R"({"name": "guided", "score": "accuracy"})", "sampler.score"},
        {R"({"name": "guided", "window": 2})", "not read by the guided sampler"},
        {R"({"name": "iid", "run": "/r"})", "not read by the iid sampler"},
    };
    for (const auto& [text, what] : bad) {
        try {
            parseSamplingSection(nlohmann::json::parse(text), "s.json");
            ADD_FAILURE() << "accepted " << text;
        } catch (const std::runtime_error& e) {
            EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << text << " -> " << e.what();
        }
    }
}

}  // namespace
}  // namespace synthforge::generate
