#pragma once
// The "assets" entry of a sample's annotation JSON: one object per worn
// asset with its seed-stable id (16 hex digits: JSON numbers lose 64-bit
// integers in most readers), type, class id in the default table, colour and
// shape parameters.

#include <vector>

#include <nlohmann/json.hpp>

#include "core/generate/assets/asset_spec.h"

namespace synthforge::generate {

nlohmann::ordered_json assetsJson(const std::vector<AssetSpec>& assets);

}  // namespace synthforge::generate
