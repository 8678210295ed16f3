#include <stdexcept>

#include "core/generate/assets/asset_builders.h"

namespace synthforge::generate {

AssetMesh buildAsset(const AssetSpec& spec, const head::HeadModel& model, const AssetHeadFrame& frame) {
    switch (spec.type) {
        case AssetType::Glasses: return buildGlasses(spec.glasses, model, frame);
        case AssetType::Headwear: return buildHeadwear(spec.headwear, model, frame);
        case AssetType::Clothing: return buildClothing(spec.clothing, model, frame);
    }
    throw std::invalid_argument("buildAsset: unknown asset type");
}

}  // namespace synthforge::generate
