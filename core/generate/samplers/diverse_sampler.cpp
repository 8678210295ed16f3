#include "core/generate/samplers/diverse_sampler.h"

#include <cmath>
#include <deque>
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

void addUnit(std::vector<double>& f, double v, const Range& r) {
    if (r.hi > r.lo) f.push_back((v - r.lo) / (r.hi - r.lo));
}

class DiverseSampler : public Sampler {
public:
    DiverseSampler(SamplerConfig c, std::shared_ptr<const head::HeadModel> m, std::shared_ptr<const CandidateFeatures> e)
        : config_(std::move(c)), model_(std::move(m)), extractor_(std::move(e)) {}

    SampleSpec draw(std::uint64_t seed, std::uint64_t index) const override {
        const std::uint64_t B = static_cast<std::uint64_t>(config_.sampling.block);
        const std::uint64_t block = index / B;
        const std::uint64_t c = static_cast<std::uint64_t>(pick(seed, block, static_cast<std::size_t>(index % B)));
        SampleSpec s = drawSample(config_, *model_, candidateSeed(seed),
                                  block * static_cast<std::uint64_t>(config_.sampling.pool) + c);
        s.index = index;
        return s;
    }

private:
    /// The chain of one seed: every block's picks so far, and the features
    /// of the last `window` blocks' picks.
    struct Chain {
        std::vector<std::vector<int>> picks;
        std::deque<std::vector<Eigen::VectorXd>> recent;
    };

    static std::uint64_t candidateSeed(std::uint64_t seed) { return SampleRng::mix(seed ^ kCandidateSalt); }

    int pick(std::uint64_t seed, std::uint64_t block, std::size_t k) const {
        // One lock for the chain: a block needs the ones before it, so
        // workers asking for a new block would wait for each other anyway.
        std::lock_guard<std::mutex> lock(mu_);
        Chain& chain = chains_[seed];
        while (chain.picks.size() <= block) extend(seed, chain);
        return chain.picks[block][k];
    }

    void extend(std::uint64_t seed, Chain& chain) const {
        const int P = config_.sampling.pool, B = config_.sampling.block;
        const std::uint64_t block = chain.picks.size();
        std::vector<Eigen::VectorXd> cand(P);
        if (extractor_) {
            // Rendered candidates: the latent code (appearance) matters.
            std::vector<SampleSpec> specs;
            for (int c = 0; c < P; ++c)
                specs.push_back(drawSample(config_, *model_, candidateSeed(seed), block * static_cast<std::uint64_t>(P) + c));
            cand = extractor_->features(specs);
            if (cand.size() != static_cast<std::size_t>(P))
                throw std::logic_error("diverse sampler: the feature extractor returned another count");
        } else {
            // Features only: the latent code is not a feature, so skip drawing it.
            SamplerConfig lean = config_;
            lean.latentDim = 1;
            for (int c = 0; c < P; ++c)
                cand[c] = diverseFeatures(
                    drawSample(lean, *model_, candidateSeed(seed), block * static_cast<std::uint64_t>(P) + c), config_,
                    *model_);
        }
        std::vector<double> nearest(P, std::numeric_limits<double>::infinity());
        for (const auto& earlier : chain.recent)
            for (const Eigen::VectorXd& f : earlier)
                for (int c = 0; c < P; ++c) nearest[c] = std::min(nearest[c], (cand[c] - f).squaredNorm());
        std::vector<int> picks;
        std::vector<Eigen::VectorXd> features;
        std::vector<bool> taken(P, false);
        for (int k = 0; k < B; ++k) {
            int best = -1;
            for (int c = 0; c < P; ++c)  // strict '>': ties go to the lower index, deterministically
                if (!taken[c] && (best < 0 || nearest[c] > nearest[best])) best = c;
            picks.push_back(best);
            features.push_back(cand[best]);
            taken[best] = true;
            for (int c = 0; c < P; ++c) nearest[c] = std::min(nearest[c], (cand[c] - cand[best]).squaredNorm());
        }
        chain.picks.push_back(std::move(picks));
        chain.recent.push_back(std::move(features));
        while (chain.recent.size() > static_cast<std::size_t>(config_.sampling.window)) chain.recent.pop_front();
    }

    SamplerConfig config_;
    std::shared_ptr<const head::HeadModel> model_;
    std::shared_ptr<const CandidateFeatures> extractor_;  ///< set for "backbone" features
    mutable std::mutex mu_;
    mutable std::map<std::uint64_t, Chain> chains_;
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
    } else if (c.sampling.features == DiverseFeatures::Landmarks) {
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
    } else {
        throw std::invalid_argument("diverseFeatures: \"backbone\" features come from a network (CandidateFeatures)");
    }
    return Eigen::Map<const Eigen::VectorXd>(f.data(), static_cast<Eigen::Index>(f.size()));
}

std::shared_ptr<const Sampler> makeDiverseSampler(const SamplerConfig& config,
                                                  std::shared_ptr<const head::HeadModel> model,
                                                  std::shared_ptr<const CandidateFeatures> extractor) {
    if (config.sampling.features == DiverseFeatures::Landmarks && model->landmarks.staticFaces.empty())
        throw std::invalid_argument("sampler.features: \"landmarks\" needs a head model with landmarks");
    if (config.sampling.features == DiverseFeatures::Backbone && !extractor)
        throw std::invalid_argument("sampler.features: \"backbone\" runs a trained network, which only "
                                    "synthforge-torch links");
    return std::make_shared<DiverseSampler>(config, std::move(model), std::move(extractor));
}

}  // namespace synthforge::generate
