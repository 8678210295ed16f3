// The i.i.d., Sobol, stratified and identity samplers; diverse is in
// diverse_sampler.cpp.

#include "core/generate/samplers/samplers.h"

#include <algorithm>
#include <stdexcept>

#include "core/generate/appearance.h"
#include "core/generate/sample_rng.h"
#include "core/generate/samplers/diverse_sampler.h"
#include "core/generate/samplers/sobol_sequence.h"

namespace synthforge::generate {

namespace {

/// A stream of its own for the samplers' extra draws (within-cell offsets),
/// far from the enum's values so that new streams there cannot collide.
constexpr auto kSamplerStream = static_cast<RngStream>(0x5341);

/// Salts: sample indices, identity indices and cell orders each live in
/// their own key space, so that identity 3 does not share values with sample 3.
constexpr std::uint64_t kIdentitySalt = 0x4964656E74697479ull;
constexpr std::uint64_t kCellOrderSalt = 0x43656C6C4F726465ull;

const Range& rangeOf(const SamplerConfig& c, const SamplingAxis& a) {
    if (!c.sampling.ranges.empty()) {
        const std::vector<SamplingAxis> axes = c.sampling.effectiveAxes();
        const auto it = std::find(axes.begin(), axes.end(), a);
        if (it != axes.end()) return c.sampling.ranges[static_cast<std::size_t>(it - axes.begin())];
    }
    switch (a.kind) {
        case SamplingAxis::Kind::Yaw: return c.camera.yaw;
        case SamplingAxis::Kind::Pitch: return c.camera.pitch;
        case SamplingAxis::Kind::Fov: return c.camera.eg3dFovDeg;
        case SamplingAxis::Kind::Jaw: return c.head.jawOpen;
        case SamplingAxis::Kind::Shape: return c.head.shapeRange;
        case SamplingAxis::Kind::Expr: return c.head.exprRange;
    }
    throw std::logic_error("rangeOf: unknown axis");
}

float& valueOf(SampleSpec& s, const SamplingAxis& a) {
    switch (a.kind) {
        case SamplingAxis::Kind::Yaw: return s.camera.yaw;
        case SamplingAxis::Kind::Pitch: return s.camera.pitch;
        case SamplingAxis::Kind::Fov: return s.camera.eg3dFovDeg;
        case SamplingAxis::Kind::Jaw: return s.params.pose[3 * head::kJaw];
        case SamplingAxis::Kind::Shape: return s.params.shape[a.component];
        case SamplingAxis::Kind::Expr: return s.params.expr[a.component];
    }
    throw std::logic_error("valueOf: unknown axis");
}

/// Axes must exist in the model too (validate() checked the config's counts).
void checkAxesFit(const std::vector<SamplingAxis>& axes, const head::HeadModel& m) {
    for (const SamplingAxis& a : axes) {
        if (a.kind == SamplingAxis::Kind::Shape && a.component >= m.numShape())
            throw std::invalid_argument("sampler.axes: \"" + a.name() + "\": the head model has " +
                                        std::to_string(m.numShape()) + " shape components");
        if (a.kind == SamplingAxis::Kind::Expr && a.component >= m.numExpr())
            throw std::invalid_argument("sampler.axes: \"" + a.name() + "\": the head model has " +
                                        std::to_string(m.numExpr()) + " expression components");
    }
}

class IidSampler : public Sampler {
public:
    IidSampler(SamplerConfig c, std::shared_ptr<const head::HeadModel> m) : config_(std::move(c)), model_(std::move(m)) {}
    SampleSpec draw(std::uint64_t seed, std::uint64_t index) const override {
        return drawSample(config_, *model_, seed, index);
    }

protected:
    SamplerConfig config_;
    std::shared_ptr<const head::HeadModel> model_;
};

/// Point `index` of the scrambled Sobol sequence on the chosen axes; the
/// other parameters as the i.i.d. sampler draws them.
class SobolSampler : public IidSampler {
public:
    using IidSampler::IidSampler;
    SampleSpec draw(std::uint64_t seed, std::uint64_t index) const override {
        SampleSpec s = drawSample(config_, *model_, seed, index);
        const auto axes = config_.sampling.effectiveAxes();
        for (std::size_t d = 0; d < axes.size(); ++d)
            setAxisUnit(s, config_, axes[d], scrambledSobol(index, static_cast<int>(d), seed));
        return s;
    }
};

/// A bijection of [0, n) chosen by `key`: an invertible mix on the smallest
/// power of two >= n, repeated until the value falls below n (cycle walking
/// ends because the mix is a permutation of the power-of-two range).
std::uint64_t permute(std::uint64_t x, std::uint64_t n, std::uint64_t key) {
    int bits = 1;
    while ((1ull << bits) < n) ++bits;
    const std::uint64_t mask = (1ull << bits) - 1;
    const std::uint64_t k1 = SampleRng::mix(key), k2 = SampleRng::mix(key + 1);
    do {
        // Each step is a bijection of bits-wide words: xor, odd multiply,
        // xor-shift, add.
        x = (x ^ k1) & mask;
        x = (x * (k2 | 1u)) & mask;
        x ^= x >> ((bits + 1) / 2);
        x = (x + (k1 >> 17)) & mask;
        x = (x * ((k1 >> 3) | 1u)) & mask;
        x ^= x >> ((bits + 2) / 3);
    } while (x >= n);
    return x;
}

/// Every round of `cells` consecutive samples visits each cell once, in an
/// order that a hash of (seed, round) permutes; within the cell a uniform
/// draw. So any n samples hold floor(n / cells) or that plus one per cell.
class StratifiedSampler : public IidSampler {
public:
    StratifiedSampler(SamplerConfig c, std::shared_ptr<const head::HeadModel> m) : IidSampler(std::move(c), std::move(m)) {
        axes_ = config_.sampling.effectiveAxes();
        bins_ = config_.sampling.effectiveBins();
        cells_ = 1;
        for (int b : bins_) cells_ *= static_cast<std::uint64_t>(b);
    }
    SampleSpec draw(std::uint64_t seed, std::uint64_t index) const override {
        SampleSpec s = drawSample(config_, *model_, seed, index);
        const std::uint64_t round = index / cells_;
        std::uint64_t cell = permute(index % cells_, cells_, SampleRng::mix(seed ^ kCellOrderSalt) + round);
        SampleRng rng(seed, index, kSamplerStream);
        for (std::size_t d = 0; d < axes_.size(); ++d) {
            const std::uint64_t bin = cell % static_cast<std::uint64_t>(bins_[d]);
            cell /= static_cast<std::uint64_t>(bins_[d]);
            setAxisUnit(s, config_, axes_[d], (static_cast<double>(bin) + rng.uniform01()) / bins_[d]);
        }
        return s;
    }

private:
    std::vector<SamplingAxis> axes_;
    std::vector<int> bins_;
    std::uint64_t cells_ = 1;
};

/// Sample i shows identity i / K: head shape, the person's latent
/// dimensions and the person's own hair (isPersonAsset) come from a draw
/// keyed by the identity; pose, expression, gaze, camera, lighting,
/// background and what is worn (glasses, hats, masks, clothes) from the
/// sample's own draw.
class IdentitySampler : public IidSampler {
public:
    IdentitySampler(const SamplerConfig& config, std::shared_ptr<const head::HeadModel> model)
        : IidSampler(config, std::move(model)), personAssets_(config.assets) {
        // Only the person's types: each type draws the same values whether
        // worn or not, so this leaves their draws as they would be.
        for (int k = 0; k < kNumAssetTypes; ++k)
            if (!isPersonAsset(static_cast<AssetType>(k))) personAssets_.of(static_cast<AssetType>(k)).frequency = 0.0;
    }
    SampleSpec draw(std::uint64_t seed, std::uint64_t index) const override {
        SampleSpec s = drawSample(config_, *model_, seed, index);
        const std::uint64_t id = index / config_.sampling.perIdentity;
        const std::uint64_t personSeed = SampleRng::mix(seed ^ kIdentitySalt);
        const SampleSpec person = drawSample(config_, *model_, personSeed, id);
        s.params.shape = person.params.shape;
        for (int k = 0; k < s.z.size(); ++k)
            if (isIdentityLatentDim(k)) s.z[k] = person.z[k];
        std::vector<AssetSpec> assets = drawAssets(personAssets_, personSeed, id);
        for (const AssetSpec& a : s.assets)
            if (!isPersonAsset(a.type)) assets.push_back(a);
        std::sort(assets.begin(), assets.end(), [](const AssetSpec& a, const AssetSpec& b) { return a.type < b.type; });
        fitHairUnderHeadwear(assets);  // the person's hair under this image's hat
        s.assets = std::move(assets);
        s.identity = id;
        return s;
    }

private:
    AssetsSamplerConfig personAssets_;
};

}  // namespace

void checkSampleCount(const SamplingConfig& s, std::uint64_t count) {
    if (s.kind != SamplerKind::Identity) return;
    if (s.identities * s.perIdentity != count || s.identities > count)
        throw std::invalid_argument("--identities " + std::to_string(s.identities) + " x --per-identity " +
                                    std::to_string(s.perIdentity) + " is " +
                                    std::to_string(s.identities * s.perIdentity) + " samples, but --count is " +
                                    std::to_string(count) + " (they must match)");
}

bool isIdentityLatentDim(int k) { return !isSceneLatentDim(k); }

double axisUnit(const SampleSpec& spec, const SamplerConfig& config, const SamplingAxis& axis) {
    const Range& r = rangeOf(config, axis);
    if (r.hi <= r.lo) return 0.5;
    return (static_cast<double>(valueOf(const_cast<SampleSpec&>(spec), axis)) - r.lo) / (r.hi - r.lo);
}

void setAxisUnit(SampleSpec& spec, const SamplerConfig& config, const SamplingAxis& axis, double u) {
    const Range& r = rangeOf(config, axis);
    valueOf(spec, axis) = static_cast<float>(r.lo + (r.hi - r.lo) * u);
}

void setAxisValue(SampleSpec& spec, const SamplingAxis& axis, double value) {
    const auto count = axis.kind == SamplingAxis::Kind::Shape  ? spec.params.shape.size()
                       : axis.kind == SamplingAxis::Kind::Expr ? spec.params.expr.size()
                                                               : Eigen::Index(1);
    if (axis.component >= count)
        throw std::invalid_argument("axis \"" + axis.name() + "\": the sample has " + std::to_string(count) +
                                    " components");
    valueOf(spec, axis) = static_cast<float>(value);
}

std::shared_ptr<const Sampler> makeSampler(const SamplerConfig& config, std::shared_ptr<const head::HeadModel> model) {
    if (!model) throw std::invalid_argument("makeSampler: no head model");
    config.validate();
    if (config.sampling.kind == SamplerKind::Sobol || config.sampling.kind == SamplerKind::Stratified)
        checkAxesFit(config.sampling.effectiveAxes(), *model);
    switch (config.sampling.kind) {
        case SamplerKind::Iid: return std::make_shared<IidSampler>(config, std::move(model));
        case SamplerKind::Sobol: return std::make_shared<SobolSampler>(config, std::move(model));
        case SamplerKind::Stratified: return std::make_shared<StratifiedSampler>(config, std::move(model));
        case SamplerKind::Diverse: return makeDiverseSampler(config, std::move(model));
        case SamplerKind::Identity: return std::make_shared<IdentitySampler>(config, std::move(model));
        case SamplerKind::Guided:
            // Its scorer runs a trained network: built by the LibTorch half
            // (makeGuidedSampler with train::makeRunDifficultyScorer).
            throw std::invalid_argument("sampler: the guided sampler scores candidates with a Stage I run; build it "
                                        "with makeGuidedSampler and a scorer (synthforge generate does)");
    }
    throw std::logic_error("makeSampler: unknown sampler");
}

}  // namespace synthforge::generate
