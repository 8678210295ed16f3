#include <stdexcept>

#include "core/generate/assets/asset_builders.h"

namespace synthforge::generate {

AssetMesh buildAsset(const AssetSpec& spec, const head::HeadModel& model, const AssetHeadFrame& frame) {
    switch (spec.type) {
        case AssetType::Glasses: return buildGlasses(spec.glasses, model, frame);
        case AssetType::Headwear: return buildHeadwear(spec.headwear, model, frame);
        case AssetType::Clothing: return buildClothing(spec.clothing, model, frame);
        case AssetType::Hair: return buildHair(spec.hair, model, frame);
        case AssetType::Beard: return buildBeard(spec.beard, model, frame);
        case AssetType::Facewear: return buildFacewear(spec.facewear, model, frame);
        case AssetType::Eyebrows: return buildEyebrows(spec.eyebrows, model, frame);
        case AssetType::Eyelashes: return buildEyelashes(spec.eyelashes, model, frame);
        case AssetType::Stubble: return AssetMesh{};
    }
    throw std::invalid_argument("buildAsset: unknown asset type");
}

}  // namespace synthforge::generate
