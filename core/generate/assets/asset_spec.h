#pragma once
// What one procedural asset of a sample is: its type, a seed-stable id, a
// material and the few shape parameters its builder reads. Drawn by
// drawAssets (asset_draw.h) from the sampler config's "assets" section, so
// sample i's assets depend only on (config, seed, i).

#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>

namespace synthforge::generate {

enum class AssetType : int { Glasses = 0, Headwear = 1, Clothing = 2 };
constexpr int kNumAssetTypes = 3;

/// "glasses", "headwear", "clothing" (the names in configs and annotation JSON).
const char* assetTypeName(AssetType type);
/// The default class table's id for the type (docs/design.md).
std::uint8_t assetDefaultClass(AssetType type);

struct AssetMaterial {
    Eigen::Vector3f baseColor{0.1f, 0.1f, 0.1f};  ///< linear RGB, 0..1
    float specular = 0.1f;                          ///< Blinn-Phong highlight strength
};

struct GlassesShape {
    bool rectangular = false;   ///< rounded-rectangle rims instead of ellipses
    float rimHalfWidth = 0.025f, rimHalfHeight = 0.018f;  ///< lens opening, FLAME metres
    float frameWidth = 0.003f;  ///< rim band width seen from the front
    float frameDepth = 0.003f;  ///< rim thickness front to back
    Eigen::Vector3f lensTint{0.6f, 0.7f, 0.75f};  ///< linear RGB
    float lensOpacity = 0.25f;  ///< 0 clear .. 1 opaque tint (colour only: lenses never hide landmarks)
};

struct HeadwearShape {
    bool cap = false;         ///< a thin cap with a visor, else a thick beanie
    float frontEdge = 0.04f;  ///< lower edge at the forehead, metres above the eye centres
    float thickness = 0.006f; ///< shell offset from the skin
};

struct ClothingShape {
    float height = 0.035f;    ///< collar height up the neck from its base
    float flare = 0.25f;      ///< how far the top widens below the neck, relative to the neck radius
    float thickness = 0.004f; ///< offset from the skin
};

struct AssetSpec {
    AssetType type = AssetType::Glasses;
    std::uint64_t id = 0;  ///< stable for (seed, index, type)
    AssetMaterial material;
    GlassesShape glasses;    ///< read when type == Glasses
    HeadwearShape headwear;  ///< read when type == Headwear
    ClothingShape clothing;  ///< read when type == Clothing
};

}  // namespace synthforge::generate
