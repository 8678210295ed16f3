#include "core/generate/assets/asset_json.h"

#include <cstdio>

namespace synthforge::generate {

using nlohmann::ordered_json;

namespace {

ordered_json rgb(const Eigen::Vector3f& c) { return ordered_json::array({c.x(), c.y(), c.z()}); }

}  // namespace

ordered_json assetsJson(const std::vector<AssetSpec>& assets) {
    ordered_json out = ordered_json::array();
    for (const AssetSpec& a : assets) {
        char id[17];
        std::snprintf(id, sizeof id, "%016llx", static_cast<unsigned long long>(a.id));
        ordered_json j;
        j["id"] = id;
        j["type"] = assetTypeName(a.type);
        j["class"] = assetDefaultClass(a.type);
        j["color"] = rgb(a.material.baseColor);
        j["specular"] = a.material.specular;
        switch (a.type) {
            case AssetType::Glasses:
                j["rim"] = a.glasses.rectangular ? "rectangular" : "round";
                j["rim_half_width"] = a.glasses.rimHalfWidth;
                j["rim_half_height"] = a.glasses.rimHalfHeight;
                j["frame_width"] = a.glasses.frameWidth;
                j["frame_depth"] = a.glasses.frameDepth;
                j["lens_tint"] = rgb(a.glasses.lensTint);
                j["lens_opacity"] = a.glasses.lensOpacity;
                break;
            case AssetType::Headwear:
                j["style"] = a.headwear.cap ? "cap" : "beanie";
                j["front_edge"] = a.headwear.frontEdge;
                j["thickness"] = a.headwear.thickness;
                break;
            case AssetType::Clothing:
                j["style"] = "collar";
                j["height"] = a.clothing.height;
                j["flare"] = a.clothing.flare;
                j["thickness"] = a.clothing.thickness;
                break;
            case AssetType::Hair:
                j["style"] = hairStyleName(a.hair.style);
                j["hairline"] = a.hair.hairline;
                j["recession"] = a.hair.recession;
                j["thickness"] = a.hair.thickness;
                if (a.hair.style == HairStyle::Long) j["length"] = a.hair.length;
                if (a.hair.parted) j["parting"] = a.hair.parting;
                if (a.hair.curl > 0.0f) j["curl"] = a.hair.curl;
                break;
            case AssetType::Beard:
                j["style"] = beardStyleName(a.beard.style);
                j["thickness"] = a.beard.thickness;
                break;
            case AssetType::Facewear:
                j["style"] = a.facewear.pleated ? "surgical" : "cloth";
                j["standoff"] = a.facewear.standoff;
                j["top"] = a.facewear.top;
                break;
        }
        out.push_back(j);
    }
    return out;
}

}  // namespace synthforge::generate
