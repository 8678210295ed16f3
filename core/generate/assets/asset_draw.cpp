// Drawing a sample's assets from the sampler config. Only the "assets"
// random stream is read, in a fixed order per type, so presence and shape
// of one type never depend on another's frequency.

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/generate/sample_rng.h"
#include "core/generate/sampler.h"

namespace synthforge::generate {

const char* assetTypeName(AssetType type) {
    switch (type) {
        case AssetType::Glasses: return "glasses";
        case AssetType::Headwear: return "headwear";
        case AssetType::Clothing: return "clothing";
        case AssetType::Hair: return "hair";
        case AssetType::Beard: return "beard";
        case AssetType::Facewear: return "facewear";
        case AssetType::Eyebrows: return "eyebrows";
        case AssetType::Eyelashes: return "eyelashes";
        case AssetType::Stubble: return "stubble";
    }
    throw std::invalid_argument("assetTypeName: unknown asset type");
}

bool isPersonAsset(AssetType type) {
    return type == AssetType::Hair || type == AssetType::Beard || type == AssetType::Eyebrows ||
           type == AssetType::Eyelashes || type == AssetType::Stubble;
}

const char* hairStyleName(HairStyle style) {
    switch (style) {
        case HairStyle::Cropped: return "cropped";
        case HairStyle::Short: return "short";
        case HairStyle::Medium: return "medium";
        case HairStyle::Long: return "long";
        case HairStyle::TiedBack: return "tied_back";
        case HairStyle::Curly: return "curly";
    }
    throw std::invalid_argument("hairStyleName: unknown hair style");
}

const char* beardStyleName(BeardStyle style) {
    switch (style) {
        case BeardStyle::Moustache: return "moustache";
        case BeardStyle::Goatee: return "goatee";
        case BeardStyle::Full: return "full";
    }
    throw std::invalid_argument("beardStyleName: unknown beard style");
}

void fitHairUnderHeadwear(std::vector<AssetSpec>& assets) {
    const AssetSpec* hat = nullptr;
    for (const AssetSpec& a : assets)
        if (a.type == AssetType::Headwear) hat = &a;
    if (!hat) return;
    for (AssetSpec& a : assets)
        if (a.type == AssetType::Hair) {
            a.hair.thickness = std::min(a.hair.thickness, 0.5f * hat->headwear.thickness);
            a.hair.curl = std::min(a.hair.curl, 0.25f * hat->headwear.thickness);
        }
}

Eigen::Vector3f hairColorFromMelanin(double eumelanin, double pheomelanin) {
    const Eigen::Vector3d eu(0.419, 0.697, 1.37), pheo(0.187, 0.4, 1.05);
    const Eigen::Vector3d sigma = eumelanin * eu + pheomelanin * pheo;
    return (-2.0 * sigma).array().exp().cast<float>().matrix();
}

std::uint8_t assetDefaultClass(AssetType type) {
    switch (type) {
        case AssetType::Glasses: return 16;
        case AssetType::Headwear: return 17;
        case AssetType::Clothing: return 15;
        case AssetType::Hair: return 13;
        case AssetType::Beard: return 14;
        case AssetType::Facewear: return 18;
        case AssetType::Eyebrows: return 5;   // right_brow
        case AssetType::Eyelashes: return 3;  // right_eye
        case AssetType::Stubble: return 1;    // skin
    }
    throw std::invalid_argument("assetDefaultClass: unknown asset type");
}

int assetClassSlot(AssetType type, bool left) {
    if (left && type == AssetType::Eyebrows) return kNumAssetTypes;
    if (left && type == AssetType::Eyelashes) return kNumAssetTypes + 1;
    return static_cast<int>(type);
}

const char* assetClassSlotName(int slot) {
    switch (slot) {
        case static_cast<int>(AssetType::Eyebrows): return "right_brow";
        case static_cast<int>(AssetType::Eyelashes): return "right_eye";
        case static_cast<int>(AssetType::Stubble): return "skin";
        case kNumAssetTypes: return "left_brow";
        case kNumAssetTypes + 1: return "left_eye";
        default: break;
    }
    if (slot < 0 || slot >= kNumAssetTypes) throw std::invalid_argument("assetClassSlotName: unknown slot");
    return assetTypeName(static_cast<AssetType>(slot));
}

std::uint8_t assetClassSlotDefault(int slot) {
    if (slot == kNumAssetTypes) return 6;      // left_brow
    if (slot == kNumAssetTypes + 1) return 4;  // left_eye
    if (slot < 0 || slot >= kNumAssetTypes) throw std::invalid_argument("assetClassSlotDefault: unknown slot");
    return assetDefaultClass(static_cast<AssetType>(slot));
}

bool assetHidesLandmarks(AssetType type) { return type != AssetType::Eyebrows && type != AssetType::Eyelashes; }

namespace {

float lerp(SampleRng& rng, float lo, float hi) { return static_cast<float>(rng.uniform(lo, hi)); }

float within(const Range& r, float u) { return static_cast<float>(r.lo + (r.hi - r.lo) * static_cast<double>(u)); }

/// The allowed style (bit set in `allowed`) that `u` in [0, 1) picks, allowed ones equally likely.
int pickStyle(std::uint32_t allowed, int count, float u) {
    int n = 0;
    for (int k = 0; k < count; ++k) n += (allowed >> k) & 1u;
    int want = std::min(n - 1, static_cast<int>(u * static_cast<float>(n)));
    for (int k = 0; k < count; ++k)
        if ((allowed >> k) & 1u && want-- == 0) return k;
    return 0;
}

Eigen::Vector3f melaninColor(const AssetsSamplerConfig& c, float u, float v) {
    const double e = c.eumelanin.lo * std::pow(c.eumelanin.hi / c.eumelanin.lo, static_cast<double>(u));
    const double p = c.pheomelanin.lo + (c.pheomelanin.hi - c.pheomelanin.lo) * static_cast<double>(v);
    return hairColorFromMelanin(e, p);
}

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
        // Types added later draw their extra values here, as many whether worn or not.
        case AssetType::Hair: {
            const float u6 = static_cast<float>(rng.uniform01()), u7 = static_cast<float>(rng.uniform01());
            const float u8 = static_cast<float>(rng.uniform01()), u9 = static_cast<float>(rng.uniform01());
            const float u10 = static_cast<float>(rng.uniform01());
            HairShape& h = a.hair;
            h.style = static_cast<HairStyle>(pickStyle(c.hairStyles, kNumHairStyles, u0));
            h.hairline = 0.05f + 0.025f * u1;
            h.recession = 0.02f * u2 * u2;
            switch (h.style) {
                case HairStyle::Cropped: h.thickness = 0.0015f + 0.0015f * u3; break;
                case HairStyle::Short: h.thickness = 0.005f + 0.005f * u3; break;
                case HairStyle::Medium: h.thickness = 0.01f + 0.008f * u3; break;
                case HairStyle::Long: h.thickness = 0.008f + 0.008f * u3; break;
                case HairStyle::TiedBack: h.thickness = 0.003f + 0.003f * u3; break;
                case HairStyle::Curly: h.thickness = 0.012f + 0.01f * u3; break;
            }
            h.length = h.style == HairStyle::Long ? 0.08f + 0.12f * u4 : 0.0f;
            h.parted = u5 < 0.5f && h.style != HairStyle::Curly && h.style != HairStyle::Cropped;
            h.parting = (u6 - 0.5f) * 0.07f;
            h.curl = h.style == HairStyle::Curly ? 0.004f + 0.006f * u7 : 0.0f;
            h.strandSeed = std::floor(u8 * 1000.0f);
            a.material.baseColor = melaninColor(c, u9, u10);
            a.material.specular = 0.12f;
            break;
        }
        case AssetType::Beard: {
            const float u6 = static_cast<float>(rng.uniform01());
            BeardShape& b = a.beard;
            b.style = static_cast<BeardStyle>(pickStyle(c.beardStyles, kNumBeardStyles, u0));
            b.thickness = b.style == BeardStyle::Moustache ? 0.002f + 0.003f * u1 : 0.002f + 0.01f * u1;
            b.strandSeed = std::floor(u6 * 1000.0f);
            a.material.baseColor = melaninColor(c, u2, u3);
            a.material.specular = 0.06f;
            break;
        }
        case AssetType::Facewear: {
            FacewearShape& f = a.facewear;
            f.pleated = u0 < 0.5f;
            f.standoff = 0.002f + 0.004f * u1;
            f.top = 0.45f + 0.2f * u2;
            if (f.pleated)  // surgical masks: pale blue to white
                a.material.baseColor = Eigen::Vector3f(0.32f, 0.52f, 0.72f) * (1.0f - u3) + Eigen::Vector3f(0.8f, 0.82f, 0.85f) * u3;
            a.material.specular = 0.02f;
            break;
        }
        case AssetType::Eyebrows: {
            const float u6 = static_cast<float>(rng.uniform01());
            EyebrowsShape& b = a.eyebrows;
            b.width = 0.85f + 0.25f * u0;
            b.height = 0.007f + 0.005f * u1;
            b.arch = -0.0005f + 0.003f * u2;
            b.thickness = within(c.browThickness, u3);
            b.strandSeed = std::floor(u4 * 1000.0f);
            // Brows are usually a little darker than the scalp hair.
            a.material.baseColor = 0.8f * melaninColor(c, u5, u6);
            a.material.specular = 0.015f;
            break;
        }
        case AssetType::Eyelashes: {
            EyelashesShape& l = a.eyelashes;
            l.length = within(c.lashLength, u0);
            l.curl = 0.7f + 0.8f * u1;
            l.count = 22 + static_cast<int>(10.0f * u2);
            a.material.specular = 0.1f;
            break;
        }
        case AssetType::Stubble: {
            StubbleShape& s = a.stubble;
            s.density = within(c.stubbleDensity, u0);
            s.length = within(c.stubbleLength, u1);
            s.darkness = within(c.stubbleDarkness, u2);
            s.seed = std::floor(u3 * 1000.0f);
            a.material.baseColor = melaninColor(c, u4, u5);
            a.material.specular = 0.0f;
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
    fitHairUnderHeadwear(out);
    // A beard takes the colour of the hair it is worn with, brows a darker
    // shade of it, stubble that of the beard or hair.
    const AssetSpec* hair = nullptr;
    for (const AssetSpec& a : out)
        if (a.type == AssetType::Hair) hair = &a;
    if (hair)
        for (AssetSpec& a : out) {
            if (a.type == AssetType::Beard || a.type == AssetType::Stubble) a.material.baseColor = hair->material.baseColor;
            if (a.type == AssetType::Eyebrows) a.material.baseColor = 0.8f * hair->material.baseColor;
        }
    if (!hair)
        for (const AssetSpec& beard : out)
            if (beard.type == AssetType::Beard)
                for (AssetSpec& a : out)
                    if (a.type == AssetType::Stubble) a.material.baseColor = beard.material.baseColor;
    return out;
}

}  // namespace synthforge::generate
