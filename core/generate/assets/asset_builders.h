#pragma once
// The procedural asset builders: each turns an AssetSpec into a mesh in the
// head's rest frame, fitted to the template (eyes, scalp, neck) and bound
// to it (asset_mesh.h). Throws std::invalid_argument when the model lacks
// what an asset needs (clothing needs a "neck" region).

#include "core/generate/assets/asset_mesh.h"
#include "core/generate/assets/head_frame.h"

namespace synthforge::generate {

AssetMesh buildGlasses(const GlassesShape& shape, const head::HeadModel& model, const AssetHeadFrame& frame);
AssetMesh buildHeadwear(const HeadwearShape& shape, const head::HeadModel& model, const AssetHeadFrame& frame);
AssetMesh buildClothing(const ClothingShape& shape, const head::HeadModel& model, const AssetHeadFrame& frame);
AssetMesh buildHair(const HairShape& shape, const head::HeadModel& model, const AssetHeadFrame& frame);
/// Needs the model's 68 landmarks (std::invalid_argument without).
AssetMesh buildBeard(const BeardShape& shape, const head::HeadModel& model, const AssetHeadFrame& frame);
/// Needs the model's 68 landmarks (std::invalid_argument without).
AssetMesh buildFacewear(const FacewearShape& shape, const head::HeadModel& model, const AssetHeadFrame& frame);

/// Needs the model's 68 landmarks (std::invalid_argument without).
AssetMesh buildEyebrows(const EyebrowsShape& shape, const head::HeadModel& model, const AssetHeadFrame& frame);
/// Needs the model's 68 landmarks (std::invalid_argument without).
AssetMesh buildEyelashes(const EyelashesShape& shape, const head::HeadModel& model, const AssetHeadFrame& frame);

/// Per template vertex: 1 where a beard of `style` grows (lips excluded),
/// from the template's landmarks (std::invalid_argument without them).
std::vector<std::uint8_t> beardZone(BeardStyle style, const head::HeadModel& model, const AssetHeadFrame& frame);

/// Dispatches on spec.type. Stubble is a texture, not geometry: its mesh is
/// empty (asset_composite.h paints it).
AssetMesh buildAsset(const AssetSpec& spec, const head::HeadModel& model, const AssetHeadFrame& frame);

}  // namespace synthforge::generate
