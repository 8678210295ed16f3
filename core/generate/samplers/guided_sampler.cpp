#include "core/generate/samplers/guided_sampler.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <future>
#include <map>
#include <mutex>
#include <numeric>
#include <stdexcept>
#include <string>

#include "core/generate/sample_rng.h"

namespace synthforge::generate {

namespace {

constexpr std::uint64_t kCandidateSalt = 0x477569644361646Eull;
constexpr std::uint64_t kGumbelSalt = 0x4775696447756D62ull;
/// Blocks kept for workers asking for the same block; older ones are
/// recomputed if asked again (they depend on (seed, block) only).
constexpr std::size_t kCachedBlocks = 64;

class GuidedSampler : public Sampler {
public:
    GuidedSampler(SamplerConfig c, std::shared_ptr<const head::HeadModel> m,
                  std::shared_ptr<const DifficultyScorer> scorer)
        : config_(std::move(c)), model_(std::move(m)), scorer_(std::move(scorer)) {}

    SampleSpec draw(std::uint64_t seed, std::uint64_t index) const override {
        const auto P = static_cast<std::uint64_t>(config_.sampling.pool);
        const auto B = static_cast<std::uint64_t>(config_.sampling.block);
        const std::uint64_t block = index / B;
        const std::vector<int> picks = picksOf(seed, block);
        SampleSpec s = drawSample(config_, *model_, SampleRng::mix(seed ^ kCandidateSalt),
                                  block * P + static_cast<std::uint64_t>(picks[index % B]));
        s.index = index;
        return s;
    }

private:
    std::vector<int> picksOf(std::uint64_t seed, std::uint64_t block) const {
        // The first worker to ask for a block scores it; workers asking for
        // the same block meanwhile wait for that result instead of scoring
        // the pool again. Different blocks are scored in parallel.
        std::promise<std::vector<int>> promise;
        std::shared_future<std::vector<int>> picks;
        bool mine = false;
        {
            std::lock_guard<std::mutex> lock(mu_);
            const auto it = cache_.find({seed, block});
            if (it != cache_.end()) {
                picks = it->second;
            } else {
                // Blocks are asked for in increasing order, so the smallest
                // key is the oldest; an evicted block is recomputed if asked again.
                if (cache_.size() >= kCachedBlocks) cache_.erase(cache_.begin());
                picks = promise.get_future().share();
                cache_.emplace(std::make_pair(seed, block), picks);
                mine = true;
            }
        }
        if (mine) {
            try {
                promise.set_value(choose(seed, block));
            } catch (...) {
                promise.set_exception(std::current_exception());
            }
        }
        return picks.get();
    }

    std::vector<int> choose(std::uint64_t seed, std::uint64_t block) const {
        const int P = config_.sampling.pool, B = config_.sampling.block;
        const std::uint64_t candidateSeed = SampleRng::mix(seed ^ kCandidateSalt);
        std::vector<SampleSpec> pool;
        pool.reserve(static_cast<std::size_t>(P));
        for (int c = 0; c < P; ++c)
            pool.push_back(drawSample(config_, *model_, candidateSeed, block * static_cast<std::uint64_t>(P) + c));
        const std::vector<double> s = scorer_->score(pool);
        if (s.size() != pool.size())
            throw std::logic_error("guided sampler: the scorer returned " + std::to_string(s.size()) + " scores for " +
                                   std::to_string(pool.size()) + " candidates");
        double mean = 0, var = 0;
        for (double v : s) {
            if (!std::isfinite(v)) throw std::runtime_error("guided sampler: the scorer returned a non-finite score");
            mean += v;
        }
        mean /= P;
        for (double v : s) var += (v - mean) * (v - mean);
        const double sd = std::sqrt(var / P);
        std::vector<double> keys(static_cast<std::size_t>(P));
        for (int c = 0; c < P; ++c) {
            SampleRng rng(SampleRng::mix(seed ^ kGumbelSalt), block * static_cast<std::uint64_t>(P) + c,
                          RngStream::Camera);
            const double u = 1.0 - rng.uniform01();  // (0, 1]
            const double gumbel = -std::log(-std::log(u) + 1e-300);
            const double z = sd > 0 ? (s[static_cast<std::size_t>(c)] - mean) / sd : 0.0;
            keys[static_cast<std::size_t>(c)] = z / config_.sampling.temperature + gumbel;
        }
        std::vector<int> order(static_cast<std::size_t>(P));
        std::iota(order.begin(), order.end(), 0);
        // Ties (equal keys) go to the lower index, so the order is total.
        std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return keys[a] > keys[b]; });
        order.resize(static_cast<std::size_t>(B));
        return order;
    }

    SamplerConfig config_;
    std::shared_ptr<const head::HeadModel> model_;
    std::shared_ptr<const DifficultyScorer> scorer_;
    mutable std::mutex mu_;
    mutable std::map<std::pair<std::uint64_t, std::uint64_t>, std::shared_future<std::vector<int>>> cache_;
};

}  // namespace

std::shared_ptr<const Sampler> makeGuidedSampler(const SamplerConfig& config,
                                                 std::shared_ptr<const head::HeadModel> model,
                                                 std::shared_ptr<const DifficultyScorer> scorer) {
    if (!model) throw std::invalid_argument("makeGuidedSampler: no head model");
    if (!scorer) throw std::invalid_argument("makeGuidedSampler: no scorer");
    if (config.sampling.kind != SamplerKind::Guided)
        throw std::invalid_argument("makeGuidedSampler: the config's sampler is " + samplerKindName(config.sampling.kind));
    config.validate();
    return std::make_shared<GuidedSampler>(config, std::move(model), std::move(scorer));
}

}  // namespace synthforge::generate
