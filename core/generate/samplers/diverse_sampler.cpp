#include "core/generate/samplers/diverse_sampler.h"

#include <cmath>
#include <deque>
#include <future>
#include <limits>
#include <map>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "core/generate/sample_rng.h"
#include "core/head/lbs.h"

namespace synthforge::generate {

namespace {

constexpr std::uint64_t kCandidateSalt = 0x446976436E646964ull;
constexpr std::uint64_t kAnchorSalt = 0x446976416E63686Full;

/// Blocks whose selection is kept: workers move through the indices in
/// order, so a handful covers the blocks in flight.
constexpr std::size_t kCachedBlocks = 16;

void addUnit(std::vector<double>& f, double v, const Range& r) {
    if (r.hi > r.lo) f.push_back((v - r.lo) / (r.hi - r.lo));
}

class DiverseSampler : public Sampler {
public:
    DiverseSampler(SamplerConfig c, std::shared_ptr<const head::HeadModel> m)
        : config_(std::move(c)), model_(std::move(m)) {}

    SampleSpec draw(std::uint64_t seed, std::uint64_t index) const override {
        const std::uint64_t B = static_cast<std::uint64_t>(config_.sampling.block);
        const std::uint64_t block = index / B;
        const std::vector<int> picks = selection(seed, block);
        const std::uint64_t c = static_cast<std::uint64_t>(picks[index % B]);
        SampleSpec s = drawSample(config_, *model_, candidateSeed(seed),
                                  block * static_cast<std::uint64_t>(config_.sampling.pool) + c);
        s.index = index;
        return s;
    }

private:
    static std::uint64_t candidateSeed(std::uint64_t seed) { return SampleRng::mix(seed ^ kCandidateSalt); }

    std::vector<int> selection(std::uint64_t seed, std::uint64_t block) const {
        const std::pair<std::uint64_t, std::uint64_t> key{seed, block};
        std::shared_future<std::vector<int>> future;
        std::promise<std::vector<int>> promise;
        bool mine = false;
        {
            std::lock_guard<std::mutex> lock(mu_);
            auto it = cache_.find(key);
            if (it != cache_.end()) {
                future = it->second;
            } else {
                future = promise.get_future().share();
                cache_.emplace(key, future);
                order_.push_back(key);
                if (order_.size() > kCachedBlocks) {
                    cache_.erase(order_.front());
                    order_.pop_front();
                }
                mine = true;
            }
        }
        // The first worker to need a block selects it; the others wait for
        // that rather than repeating the work.
        if (mine) {
            try {
                promise.set_value(select(seed, block));
            } catch (...) {
                promise.set_exception(std::current_exception());
            }
        }
        return future.get();
    }

    std::vector<int> select(std::uint64_t seed, std::uint64_t block) const {
        const int P = config_.sampling.pool, B = config_.sampling.block, A = config_.sampling.anchors;
        // Features only: the latent code is not a feature, so skip drawing it.
        SamplerConfig lean = config_;
        lean.latentDim = 1;
        std::vector<Eigen::VectorXd> cand(P);
        for (int c = 0; c < P; ++c)
            cand[c] = diverseFeatures(
                drawSample(lean, *model_, candidateSeed(seed), block * static_cast<std::uint64_t>(P) + c), config_,
                *model_);
        std::vector<double> nearest(P, std::numeric_limits<double>::infinity());
        for (int a = 0; a < A; ++a) {
            const Eigen::VectorXd f =
                diverseFeatures(drawSample(lean, *model_, SampleRng::mix(seed ^ kAnchorSalt), a), config_, *model_);
            for (int c = 0; c < P; ++c) nearest[c] = std::min(nearest[c], (cand[c] - f).squaredNorm());
        }
        std::vector<int> picks;
        std::vector<bool> taken(P, false);
        for (int k = 0; k < B; ++k) {
            int best = -1;
            for (int c = 0; c < P; ++c)  // strict '>': ties go to the lower index, deterministically
                if (!taken[c] && (best < 0 || nearest[c] > nearest[best])) best = c;
            picks.push_back(best);
            taken[best] = true;
            for (int c = 0; c < P; ++c) nearest[c] = std::min(nearest[c], (cand[c] - cand[best]).squaredNorm());
        }
        return picks;
    }

    SamplerConfig config_;
    std::shared_ptr<const head::HeadModel> model_;
    mutable std::mutex mu_;
    mutable std::map<std::pair<std::uint64_t, std::uint64_t>, std::shared_future<std::vector<int>>> cache_;
    mutable std::deque<std::pair<std::uint64_t, std::uint64_t>> order_;
};

}  // namespace

Eigen::VectorXd diverseFeatures(const SampleSpec& s, const SamplerConfig& c, const head::HeadModel& model) {
    std::vector<double> f;
    if (c.sampling.features == DiverseFeatures::Params) {
        addUnit(f, s.camera.yaw, c.camera.yaw);
        addUnit(f, s.camera.pitch, c.camera.pitch);
        addUnit(f, s.camera.eg3dFovDeg, c.camera.eg3dFovDeg);
        addUnit(f, s.camera.radius, c.camera.radius);
        const int nShape = std::min(c.head.shapeComponents, model.numShape());
        const int nExpr = std::min(c.head.exprComponents, model.numExpr());
        for (int k = 0; k < nShape; ++k) addUnit(f, s.params.shape[k], c.head.shapeRange);
        for (int k = 0; k < nExpr; ++k) addUnit(f, s.params.expr[k], c.head.exprRange);
        addUnit(f, s.params.pose[3 * head::kJaw], c.head.jawOpen);
        addUnit(f, s.params.pose[3 * head::kLeftEye], c.head.eyePitch);
        addUnit(f, s.params.pose[3 * head::kLeftEye + 1], c.head.eyeYaw);
    } else {
        const head::HeadPose pose = head::forward(model, s.params);
        if (pose.landmarks.rows() == 0)
            throw std::invalid_argument("sampler.features: \"landmarks\" needs a head model with landmarks");
        for (Eigen::Index i = 0; i < pose.landmarks.rows(); ++i) {
            const Eigen::Vector3f p = pose.landmarks.row(i).transpose();
            const camera::Projection pr = s.camera.project(camera::flameToWorld(p), 1, 1);
            // Behind the camera cannot happen for a validated orbit; keep finite anyway.
            f.push_back(std::isfinite(pr.pixel.x()) ? pr.pixel.x() : 0.0);
            f.push_back(std::isfinite(pr.pixel.y()) ? pr.pixel.y() : 0.0);
        }
    }
    return Eigen::Map<const Eigen::VectorXd>(f.data(), static_cast<Eigen::Index>(f.size()));
}

std::shared_ptr<const Sampler> makeDiverseSampler(const SamplerConfig& config,
                                                  std::shared_ptr<const head::HeadModel> model) {
    if (config.sampling.features == DiverseFeatures::Landmarks && model->landmarks.staticFaces.empty())
        throw std::invalid_argument("sampler.features: \"landmarks\" needs a head model with landmarks");
    return std::make_shared<DiverseSampler>(config, std::move(model));
}

}  // namespace synthforge::generate
