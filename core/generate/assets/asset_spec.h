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

// New types go at the end: drawAssets draws them in this order from one
// stream, so appending keeps every earlier type's draws (and datasets) as
// they were.
enum class AssetType : int {
    Glasses = 0,
    Headwear = 1,
    Clothing = 2,
    Hair = 3,
    Beard = 4,
    Facewear = 5,
    Eyebrows = 6,
    Eyelashes = 7,
    Stubble = 8
};
constexpr int kNumAssetTypes = 9;

/// "glasses", "headwear", "clothing", "hair", "beard", "facewear",
/// "eyebrows", "eyelashes", "stubble" (the names in configs and annotation
/// JSON).
const char* assetTypeName(AssetType type);
/// The default class table's id for the type (docs/design.md): for eyebrows
/// and eyelashes the subject's right side (right_brow, right_eye); stubble,
/// a texture on the skin, reports skin.
std::uint8_t assetDefaultClass(AssetType type);
/// Whether the type belongs to the person rather than to what they wear:
/// hair, beard, eyebrows, eyelashes and stubble. The identity sampler keeps
/// these per identity and redraws the rest per image.
bool isPersonAsset(AssetType type);

/// Segmentation slots: one per type, then the subject's left side of
/// eyebrows and eyelashes (their right side is the type's own slot), so
/// that a table can give each side its own id.
constexpr int kNumAssetClassSlots = kNumAssetTypes + 2;
/// The slot of a face of `type` on the subject's left (`left`) or right side.
int assetClassSlot(AssetType type, bool left);
/// The class table name a slot is looked up by ("glasses", ..., "right_brow",
/// "right_eye", "skin", "left_brow", "left_eye").
const char* assetClassSlotName(int slot);
/// The default table's id of a slot.
std::uint8_t assetClassSlotDefault(int slot);
/// Whether the type's geometry can hide a landmark. Eyebrows and eyelashes
/// cannot: brow landmarks are annotated on the brow hair, and lashes are
/// thin hairs the eyelid margin is seen through (like lenses).
bool assetHidesLandmarks(AssetType type);

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

enum class HairStyle : int { Cropped = 0, Short = 1, Medium = 2, Long = 3, TiedBack = 4, Curly = 5 };
constexpr int kNumHairStyles = 6;
/// "cropped", "short", "medium", "long", "tied_back", "curly".
const char* hairStyleName(HairStyle style);

struct HairShape {
    HairStyle style = HairStyle::Short;
    float hairline = 0.065f;   ///< front hairline, metres above the eye centres
    float recession = 0.01f;   ///< how much higher the hairline sits at the temples
    float thickness = 0.01f;   ///< shell offset from the scalp at the crown
    float length = 0.0f;       ///< Long: how far the hair falls below the nape
    bool parted = false;       ///< a parting line runs back from the hairline
    float parting = 0.02f;     ///< its x (metres, FLAME +x = the head's left)
    float curl = 0.0f;         ///< Curly: amplitude of the curls' relief (metres)
    float strandSeed = 0.0f;   ///< phase of the strand texture
};

enum class BeardStyle : int { Moustache = 0, Goatee = 1, Full = 2 };
constexpr int kNumBeardStyles = 3;
/// "moustache", "goatee", "full".
const char* beardStyleName(BeardStyle style);

struct BeardShape {
    BeardStyle style = BeardStyle::Full;
    float thickness = 0.006f;  ///< offset from the skin at its fullest
    float strandSeed = 0.0f;
};

struct FacewearShape {
    bool pleated = true;       ///< a surgical mask's horizontal pleats, else a smooth cloth mask
    float standoff = 0.004f;   ///< how far the fabric stands off the cheeks
    float top = 0.55f;         ///< upper edge between the nose tip (0) and the eyes (1)
};

/// Brows as a thin hair shell over each brow, along the template's brow
/// landmarks (iBUG 17-21 and 22-26).
struct EyebrowsShape {
    float width = 1.0f;         ///< length relative to the landmarks' inner-to-outer span
    float height = 0.008f;      ///< full height at the inner end (metres); the tail is thinner
    float arch = 0.001f;        ///< how far the middle is raised above the landmarks (metres)
    float thickness = 0.001f;   ///< shell offset from the skin at its fullest (metres)
    float strandSeed = 0.0f;
};

/// Lashes as a fringe along the eyelid margins (iBUG 36-41 and 42-47).
struct EyelashesShape {
    float length = 0.008f;  ///< upper lashes at their longest (metres); lower ones are shorter
    float curl = 1.0f;      ///< how far they curl up from the lid, radians over their length
    int count = 26;         ///< lashes along each upper lid
};

/// Stubble: a texture of short dark hairs on the beard zone of the skin.
struct StubbleShape {
    float density = 0.6f;     ///< fraction of the zone's hair sites that show a hair, 0..1
    float length = 0.0006f;   ///< visible length of a hair (metres)
    float darkness = 0.6f;    ///< how much a hair darkens the skin under it, 0..1
    float seed = 0.0f;        ///< phase of the hair pattern
};

struct AssetSpec {
    AssetType type = AssetType::Glasses;
    std::uint64_t id = 0;  ///< stable for (seed, index, type)
    AssetMaterial material;
    GlassesShape glasses;    ///< read when type == Glasses
    HeadwearShape headwear;  ///< read when type == Headwear
    ClothingShape clothing;  ///< read when type == Clothing
    HairShape hair;          ///< read when type == Hair
    BeardShape beard;        ///< read when type == Beard
    FacewearShape facewear;  ///< read when type == Facewear
    EyebrowsShape eyebrows;  ///< read when type == Eyebrows
    EyelashesShape eyelashes;  ///< read when type == Eyelashes
    StubbleShape stubble;    ///< read when type == Stubble
};

/// Hair worn under headwear is pressed flat: its volume (and curl) is capped
/// at half the hat's thickness so that it never pokes through. drawAssets
/// applies it (the annotation records the flattened hair) and so does
/// rendering (assets combined by hand in the studio).
void fitHairUnderHeadwear(std::vector<AssetSpec>& assets);

}  // namespace synthforge::generate
