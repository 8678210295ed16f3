#include "core/generate/assets/asset_json.h"

#include <cstdio>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>

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
                j["strand_seed"] = a.hair.strandSeed;
                break;
            case AssetType::Beard:
                j["style"] = beardStyleName(a.beard.style);
                j["thickness"] = a.beard.thickness;
                j["strand_seed"] = a.beard.strandSeed;
                break;
            case AssetType::Facewear:
                j["style"] = a.facewear.pleated ? "surgical" : "cloth";
                j["standoff"] = a.facewear.standoff;
                j["top"] = a.facewear.top;
                break;
            case AssetType::Eyebrows:
                j["width"] = a.eyebrows.width;
                j["height"] = a.eyebrows.height;
                j["arch"] = a.eyebrows.arch;
                j["thickness"] = a.eyebrows.thickness;
                j["strand_seed"] = a.eyebrows.strandSeed;
                break;
            case AssetType::Eyelashes:
                j["length"] = a.eyelashes.length;
                j["curl"] = a.eyelashes.curl;
                j["count"] = a.eyelashes.count;
                break;
            case AssetType::Stubble:
                j["density"] = a.stubble.density;
                j["length"] = a.stubble.length;
                j["darkness"] = a.stubble.darkness;
                j["seed"] = a.stubble.seed;
                break;
        }
        out.push_back(j);
    }
    return out;
}

namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string& source, const std::string& field, const std::string& what) {
    throw std::runtime_error(source + ": " + field + ": " + what);
}

/// One asset object's fields, each read at most once; unknown keys refused at the end.
class Fields {
public:
    Fields(const json& obj, std::string source, std::string field)
        : obj_(obj), source_(std::move(source)), field_(std::move(field)) {
        if (!obj_.is_object()) fail(source_, field_, "expected an object");
    }
    bool has(const char* key) const { return obj_.contains(key); }
    const json& at(const char* key) {
        if (!obj_.contains(key)) fail(source_, field_ + "." + key, "missing");
        used_.insert(key);
        return obj_.at(key);
    }
    float number(const char* key, float lo, float hi) {
        const json& v = at(key);
        if (!v.is_number()) fail(source_, field_ + "." + key, "expected a number");
        const double d = v.get<double>();
        if (!(d >= lo && d <= hi))
            fail(source_, field_ + "." + key, "outside " + std::to_string(lo) + ".." + std::to_string(hi));
        return static_cast<float>(d);
    }
    std::string text(const char* key) {
        const json& v = at(key);
        if (!v.is_string()) fail(source_, field_ + "." + key, "expected a string");
        return v.get<std::string>();
    }
    Eigen::Vector3f rgb(const char* key) {
        const json& v = at(key);
        if (!v.is_array() || v.size() != 3) fail(source_, field_ + "." + key, "expected [r, g, b]");
        Eigen::Vector3f c;
        for (int k = 0; k < 3; ++k) {
            if (!v[static_cast<std::size_t>(k)].is_number()) fail(source_, field_ + "." + key, "expected numbers");
            const double d = v[static_cast<std::size_t>(k)].get<double>();
            if (!(d >= 0.0 && d <= 1.0)) fail(source_, field_ + "." + key, "channels must lie in 0..1");
            c[k] = static_cast<float>(d);
        }
        return c;
    }
    /// The index of `key`'s value among `names`.
    template <class Name>
    int choice(const char* key, int count, Name name) {
        const std::string v = text(key);
        for (int k = 0; k < count; ++k)
            if (v == name(k)) return k;
        fail(source_, field_ + "." + key, "unknown value '" + v + "'");
    }
    void finish() const {
        for (const auto& item : obj_.items())
            if (!used_.count(item.key())) fail(source_, field_ + "." + item.key(), "unknown key");
    }
    const std::string& source() const { return source_; }
    const std::string& field() const { return field_; }

private:
    const json& obj_;
    std::string source_, field_;
    std::set<std::string> used_;
};

constexpr float kMaxLength = 0.5f;  // metres: no asset dimension comes near it

AssetSpec parseOne(Fields& f) {
    AssetSpec a;
    a.type = static_cast<AssetType>(f.choice("type", kNumAssetTypes, [](int k) { return assetTypeName(static_cast<AssetType>(k)); }));
    const std::string id = f.text("id");
    if (id.size() != 16 || id.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
        fail(f.source(), f.field() + ".id", "expected 16 hex digits");
    a.id = std::stoull(id, nullptr, 16);
    if (f.has("class")) {
        const json& c = f.at("class");
        if (!c.is_number_integer()) fail(f.source(), f.field() + ".class", "expected an integer");
    }
    a.material.baseColor = f.rgb("color");
    a.material.specular = f.number("specular", 0.0f, 1.0f);
    switch (a.type) {
        case AssetType::Glasses: {
            GlassesShape& g = a.glasses;
            g.rectangular = f.choice("rim", 2, [](int k) { return k ? "rectangular" : "round"; }) == 1;
            g.rimHalfWidth = f.number("rim_half_width", 0.0f, kMaxLength);
            g.rimHalfHeight = f.number("rim_half_height", 0.0f, kMaxLength);
            g.frameWidth = f.number("frame_width", 0.0f, kMaxLength);
            g.frameDepth = f.number("frame_depth", 0.0f, kMaxLength);
            g.lensTint = f.rgb("lens_tint");
            g.lensOpacity = f.number("lens_opacity", 0.0f, 1.0f);
            break;
        }
        case AssetType::Headwear:
            a.headwear.cap = f.choice("style", 2, [](int k) { return k ? "cap" : "beanie"; }) == 1;
            a.headwear.frontEdge = f.number("front_edge", -kMaxLength, kMaxLength);
            a.headwear.thickness = f.number("thickness", 0.0f, kMaxLength);
            break;
        case AssetType::Clothing:
            f.choice("style", 1, [](int) { return "collar"; });
            a.clothing.height = f.number("height", 0.0f, kMaxLength);
            a.clothing.flare = f.number("flare", 0.0f, 10.0f);
            a.clothing.thickness = f.number("thickness", 0.0f, kMaxLength);
            break;
        case AssetType::Hair: {
            HairShape& h = a.hair;
            h.style = static_cast<HairStyle>(f.choice("style", kNumHairStyles, [](int k) { return hairStyleName(static_cast<HairStyle>(k)); }));
            h.hairline = f.number("hairline", -kMaxLength, kMaxLength);
            h.recession = f.number("recession", 0.0f, kMaxLength);
            h.thickness = f.number("thickness", 0.0f, kMaxLength);
            h.length = f.has("length") ? f.number("length", 0.0f, kMaxLength) : 0.0f;
            h.parted = f.has("parting");
            if (h.parted) h.parting = f.number("parting", -kMaxLength, kMaxLength);
            h.curl = f.has("curl") ? f.number("curl", 0.0f, kMaxLength) : 0.0f;
            h.strandSeed = f.has("strand_seed") ? f.number("strand_seed", 0.0f, 1e6f) : 0.0f;
            break;
        }
        case AssetType::Beard:
            a.beard.style = static_cast<BeardStyle>(f.choice("style", kNumBeardStyles, [](int k) { return beardStyleName(static_cast<BeardStyle>(k)); }));
            a.beard.thickness = f.number("thickness", 0.0f, kMaxLength);
            a.beard.strandSeed = f.has("strand_seed") ? f.number("strand_seed", 0.0f, 1e6f) : 0.0f;
            break;
        case AssetType::Facewear:
            a.facewear.pleated = f.choice("style", 2, [](int k) { return k ? "surgical" : "cloth"; }) == 1;
            a.facewear.standoff = f.number("standoff", 0.0f, kMaxLength);
            a.facewear.top = f.number("top", 0.0f, 1.0f);
            break;
        case AssetType::Eyebrows:
            a.eyebrows.width = f.number("width", 0.1f, 3.0f);
            a.eyebrows.height = f.number("height", 0.0f, 0.05f);
            a.eyebrows.arch = f.number("arch", -0.02f, 0.02f);
            a.eyebrows.thickness = f.number("thickness", 0.0f, 0.01f);
            a.eyebrows.strandSeed = f.number("strand_seed", 0.0f, 1e6f);
            break;
        case AssetType::Eyelashes: {
            a.eyelashes.length = f.number("length", 0.0f, 0.03f);
            a.eyelashes.curl = f.number("curl", 0.0f, 3.0f);
            const json& n = f.at("count");
            if (!n.is_number_integer() || n.get<long long>() < 1 || n.get<long long>() > 200)
                fail(f.source(), f.field() + ".count", "expected an integer in 1..200");
            a.eyelashes.count = static_cast<int>(n.get<long long>());
            break;
        }
        case AssetType::Stubble:
            a.stubble.density = f.number("density", 0.0f, 1.0f);
            a.stubble.length = f.number("length", 0.0f, 0.005f);
            a.stubble.darkness = f.number("darkness", 0.0f, 1.0f);
            a.stubble.seed = f.number("seed", 0.0f, 1e6f);
            break;
    }
    f.finish();
    return a;
}

}  // namespace

std::vector<AssetSpec> parseAssetsJson(const nlohmann::json& assets, const std::string& source, const std::string& field) {
    if (!assets.is_array()) fail(source, field, "expected an array of assets");
    if (assets.size() > 64) fail(source, field, std::to_string(assets.size()) + " entries, at most 64 allowed");
    std::vector<AssetSpec> out;
    for (std::size_t i = 0; i < assets.size(); ++i) {
        Fields f(assets[i], source, field + "[" + std::to_string(i) + "]");
        out.push_back(parseOne(f));
    }
    return out;
}

bool sameAssets(const std::vector<AssetSpec>& a, const std::vector<AssetSpec>& b) {
    return a.size() == b.size() && assetsJson(a) == assetsJson(b);
}

}  // namespace synthforge::generate
