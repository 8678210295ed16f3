// Drawing a sample's assets from the sampler config. Only the "assets"
// random stream is read, in a fixed order per type, so presence and shape
// of one type never depend on another's frequency.

#include <stdexcept>

#include "core/generate/sample_rng.h"
#include "core/generate/sampler.h"

namespace synthforge::generate {

const char* assetTypeName(AssetType type) {
    switch (type) {
        case AssetType::Glasses: return "glasses";
        case AssetType::Headwear: return "headwear";
        case AssetType::Clothing: return "clothing";
    }
    throw std::invalid_argument("assetTypeName: unknown asset type");
}

std::uint8_t assetDefaultClass(AssetType type) {
    switch (type) {
        case AssetType::Glasses: return 16;
        case AssetType::Headwear: return 17;
        case AssetType::Clothing: return 15;
    }
    throw std::invalid_argument("assetDefaultClass: unknown asset type");
}

namespace {

float lerp(SampleRng& rng, float lo, float hi) { return static_cast<float>(rng.uniform(lo, hi)); }

/// Exactly kDrawsPerType values per type (the id and presence included).
AssetSpec drawOne(AssetType type, const AssetsSamplerConfig& c, SampleRng& rng, bool& present) {
    const AssetTypeConfig& t = c.of(type);
    AssetSpec a;
    a.type = type;
    a.id = rng.nextU64();
    present = rng.uniform01() < t.frequency;
    for (int k = 0; k < 3; ++k) a.material.baseColor[k] = lerp(rng, t.colorMin[k], t.colorMax[k]);
    const float u0 = static_cast<float>(rng.uniform01()), u1 = static_cast<float>(rng.uniform01());
    const float u2 = static_cast<float>(rng.uniform01()), u3 = static_cast<float>(rng.uniform01());
    const float u4 = static_cast<float>(rng.uniform01()), u5 = static_cast<float>(rng.uniform01());
    switch (type) {
        case AssetType::Glasses: {
            GlassesShape& g = a.glasses;
            g.rectangular = u0 < 0.5f;
            g.rimHalfWidth = 0.022f + 0.005f * u1;
            g.rimHalfHeight = 0.015f + 0.006f * u2;
            g.frameWidth = 0.002f + 0.003f * u3;
            g.frameDepth = 0.003f;
            g.lensOpacity = static_cast<float>(c.lensOpacity.lo + (c.lensOpacity.hi - c.lensOpacity.lo) * u4);
            // Lenses range from clear grey-blue to a brownish sun tint.
            g.lensTint = Eigen::Vector3f(0.55f, 0.65f, 0.7f) * (1.0f - u5) + Eigen::Vector3f(0.25f, 0.18f, 0.1f) * u5;
            a.material.specular = 0.25f;
            break;
        }
        case AssetType::Headwear: {
            HeadwearShape& h = a.headwear;
            h.cap = u0 < 0.5f;
            h.frontEdge = 0.035f + 0.015f * u1;
            h.thickness = h.cap ? 0.003f + 0.002f * u2 : 0.005f + 0.004f * u2;
            a.material.specular = h.cap ? 0.08f : 0.02f;
            break;
        }
        case AssetType::Clothing: {
            ClothingShape& s = a.clothing;
            s.height = 0.02f + 0.03f * u1;
            s.flare = 0.15f + 0.35f * u2;
            s.thickness = 0.003f + 0.003f * u3;
            a.material.specular = 0.03f;
            break;
        }
    }
    return a;
}

}  // namespace

std::vector<AssetSpec> drawAssets(const AssetsSamplerConfig& config, std::uint64_t seed, std::uint64_t index) {
    SampleRng rng(seed, index, RngStream::Assets);
    std::vector<AssetSpec> out;
    for (int k = 0; k < kNumAssetTypes; ++k) {
        bool present = false;
        AssetSpec a = drawOne(static_cast<AssetType>(k), config, rng, present);
        if (present) out.push_back(a);
    }
    return out;
}

}  // namespace synthforge::generate
