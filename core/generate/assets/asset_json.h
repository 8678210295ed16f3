#pragma once
// The "assets" entry of a sample's annotation JSON: one object per worn
// asset with its seed-stable id (16 hex digits: JSON numbers lose 64-bit
// integers in most readers), type, class id in the default table, colour and
// shape parameters.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/generate/assets/asset_spec.h"

namespace synthforge::generate {

nlohmann::ordered_json assetsJson(const std::vector<AssetSpec>& assets);

/// Reads back what assetsJson writes (scenes and annotation files carry it).
/// std::runtime_error "<source>: <field>: <what>" for anything else: not an
/// array of objects, more than 64 entries, an unknown type, style or key, an
/// id that is not 16 hex digits, a colour channel or specular outside 0..1,
/// a length outside 0..0.5 m (tighter for eyebrows, eyelashes and stubble:
/// their sizes are millimetres), or a missing field. `class` is read as written
/// and ignored (it follows from the type).
std::vector<AssetSpec> parseAssetsJson(const nlohmann::json& assets, const std::string& source,
                                       const std::string& field = "assets");

/// Same assets, field for field (compared through their JSON).
bool sameAssets(const std::vector<AssetSpec>& a, const std::vector<AssetSpec>& b);

}  // namespace synthforge::generate
