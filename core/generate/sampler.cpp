#include "core/generate/sampler.h"

#include <cmath>
#include <set>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/generate/sample_rng.h"
#include "core/io/file_util.h"

namespace synthforge::generate {

using nlohmann::json;

namespace {

void checkRange(const Range& r, const std::string& field) {
    if (!std::isfinite(r.lo) || !std::isfinite(r.hi))
        throw std::invalid_argument(field + ": range must be finite");
    if (r.lo > r.hi) {
        std::ostringstream s;
        s << field << ": inverted range [" << r.lo << ", " << r.hi << "] (the first value must not exceed the second)";
        throw std::invalid_argument(s.str());
    }
}

[[noreturn]] void fail(const std::string& source, const std::string& field, const std::string& what) {
    throw std::runtime_error(source + ": " + field + ": " + what);
}

/// Refuses keys a section does not know, so that a typo is an error.
void checkKeys(const json& obj, const std::set<std::string>& known, const std::string& source,
               const std::string& section) {
    if (!obj.is_object()) fail(source, section, "must be an object");
    for (auto it = obj.begin(); it != obj.end(); ++it)
        if (!known.count(it.key())) fail(source, section.empty() ? it.key() : section + "." + it.key(), "unknown key");
}

double number(const json& v, const std::string& source, const std::string& field) {
    if (!v.is_number()) fail(source, field, "must be a number");
    const double d = v.get<double>();
    if (!std::isfinite(d)) fail(source, field, "must be finite");
    return d;
}

void readRange(const json& obj, const char* key, Range& out, const std::string& source, const std::string& section) {
    if (!obj.contains(key)) return;
    const std::string field = section + "." + key;
    const json& v = obj.at(key);
    if (v.is_number()) {  // a single number fixes the value
        out.lo = out.hi = number(v, source, field);
        return;
    }
    if (!v.is_array() || v.size() != 2) fail(source, field, "must be [min, max] or a number");
    out = {number(v[0], source, field + "[0]"), number(v[1], source, field + "[1]")};
}

void readInt(const json& obj, const char* key, int& out, const std::string& source, const std::string& section) {
    if (!obj.contains(key)) return;
    const std::string field = section + "." + key;
    const json& v = obj.at(key);
    if (!v.is_number_integer()) fail(source, field, "must be an integer");
    const auto i = v.get<std::int64_t>();
    if (i < 0 || i > 1000000) fail(source, field, "out of range 0..1000000");
    out = static_cast<int>(i);
}

json rangeJson(const Range& r) { return json::array({r.lo, r.hi}); }

void readColor(const json& obj, const char* key, Eigen::Vector3f& out, const std::string& source,
               const std::string& section) {
    if (!obj.contains(key)) return;
    const std::string field = section + "." + key;
    const json& v = obj.at(key);
    if (!v.is_array() || v.size() != 3) fail(source, field, "must be [r, g, b]");
    for (int k = 0; k < 3; ++k) out[k] = static_cast<float>(number(v[k], source, field + "[" + std::to_string(k) + "]"));
}

/// A "styles" list: names from `names` (count of them), at least one, none twice.
std::uint32_t readStyles(const json& a, const std::string& source, const std::string& section,
                         const char* (*name)(int), int count) {
    const std::string field = section + ".styles";
    const json& v = a.at("styles");
    if (!v.is_array() || v.empty()) fail(source, field, "must be a non-empty list of style names");
    std::uint32_t bits = 0;
    for (const json& e : v) {
        if (!e.is_string()) fail(source, field, "must hold style names (strings)");
        int found = -1;
        std::string known;
        for (int k = 0; k < count; ++k) {
            if (e.get<std::string>() == name(k)) found = k;
            known += std::string(k ? ", " : "") + name(k);
        }
        if (found < 0) fail(source, field, "unknown style '" + e.get<std::string>() + "' (expected " + known + ")");
        if (bits & (1u << found)) fail(source, field, "style '" + e.get<std::string>() + "' is listed twice");
        bits |= 1u << found;
    }
    return bits;
}

const char* hairStyleAt(int k) { return hairStyleName(static_cast<HairStyle>(k)); }
const char* beardStyleAt(int k) { return beardStyleName(static_cast<BeardStyle>(k)); }

/// Hair, beards, brows and stubble take their colour from melanin, not from colour ranges.
bool hasColorRange(AssetType type) {
    return type != AssetType::Hair && type != AssetType::Beard && type != AssetType::Eyebrows &&
           type != AssetType::Stubble;
}

/// A range of a type's own setting, checked to lie within lo..hi.
void checkWithin(const Range& r, double lo, double hi, const std::string& field, const char* unit) {
    checkRange(r, field);
    if (r.lo < lo || r.hi > hi) {
        std::ostringstream s;
        s << field << ": must lie in " << lo << ".." << hi << unit;
        throw std::invalid_argument(s.str());
    }
}

void readAssetType(const json& obj, AssetType type, AssetsSamplerConfig& c, const std::string& source) {
    const char* name = assetTypeName(type);
    if (!obj.contains(name)) return;
    const json& a = obj.at(name);
    const std::string section = std::string("assets.") + name;
    std::set<std::string> known{"frequency"};
    if (hasColorRange(type)) known.insert({"color_min", "color_max"});
    if (type == AssetType::Glasses) known.insert("lens_opacity");
    if (type == AssetType::Hair) known.insert({"eumelanin", "pheomelanin", "styles"});
    if (type == AssetType::Beard) known.insert("styles");
    if (type == AssetType::Eyebrows) known.insert("thickness");
    if (type == AssetType::Eyelashes) known.insert("length");
    if (type == AssetType::Stubble) known.insert({"density", "length", "darkness"});
    checkKeys(a, known, source, section);
    AssetTypeConfig& t = c.of(type);
    if (a.contains("frequency")) t.frequency = number(a["frequency"], source, section + ".frequency");
    if (hasColorRange(type)) {
        readColor(a, "color_min", t.colorMin, source, section);
        readColor(a, "color_max", t.colorMax, source, section);
    }
    if (type == AssetType::Glasses) readRange(a, "lens_opacity", c.lensOpacity, source, section);
    if (type == AssetType::Hair) {
        readRange(a, "eumelanin", c.eumelanin, source, section);
        readRange(a, "pheomelanin", c.pheomelanin, source, section);
        if (a.contains("styles")) c.hairStyles = readStyles(a, source, section, hairStyleAt, kNumHairStyles);
    }
    if (type == AssetType::Beard && a.contains("styles"))
        c.beardStyles = readStyles(a, source, section, beardStyleAt, kNumBeardStyles);
    if (type == AssetType::Eyebrows) readRange(a, "thickness", c.browThickness, source, section);
    if (type == AssetType::Eyelashes) readRange(a, "length", c.lashLength, source, section);
    if (type == AssetType::Stubble) {
        readRange(a, "density", c.stubbleDensity, source, section);
        readRange(a, "length", c.stubbleLength, source, section);
        readRange(a, "darkness", c.stubbleDarkness, source, section);
    }
}

void readEffect(const json& obj, const char* name, const char* amount, CameraEffectRange& out, const std::string& source) {
    if (!obj.contains(name)) return;
    const std::string section = std::string("camera_effects.") + name;
    const json& e = obj.at(name);
    checkKeys(e, {"probability", amount}, source, section);
    if (e.contains("probability")) out.probability = number(e["probability"], source, section + ".probability");
    Range r{out.lo, out.hi};
    readRange(e, amount, r, source, section);
    out.lo = r.lo;
    out.hi = r.hi;
}

json effectJson(const CameraEffectRange& r, const char* amount) {
    return {{"probability", r.probability}, {amount, json::array({r.lo, r.hi})}};
}

json stylesJson(std::uint32_t bits, const char* (*name)(int), int count) {
    json out = json::array();
    for (int k = 0; k < count; ++k)
        if (bits & (1u << k)) out.push_back(name(k));
    return out;
}

json colorJson(const Eigen::Vector3f& c) { return json::array({c.x(), c.y(), c.z()}); }

float uniform(SampleRng& rng, const Range& r) { return static_cast<float>(rng.uniform(r.lo, r.hi)); }

}  // namespace

void SamplerConfig::validate() const {
    checkRange(camera.yaw, "camera.yaw");
    checkRange(camera.pitch, "camera.pitch");
    checkRange(camera.eg3dFovDeg, "camera.fov_deg");
    checkRange(camera.radius, "camera.radius");
    if (!(camera.eg3dFovDeg.lo > 0.0) || !(camera.eg3dFovDeg.hi < 180.0))
        throw std::invalid_argument("camera.fov_deg: must lie inside (0, 180) degrees");
    if (!camera.pivot.allFinite()) throw std::invalid_argument("camera.pivot: must be finite");
    // The camera sits at `radius` from the world origin looking at the pivot:
    // it must stay outside the pivot's distance or it could sit on or behind it.
    if (!(camera.radius.lo > camera.pivot.norm()))
        throw std::invalid_argument("camera.radius: must exceed the pivot's distance from the origin (" +
                                    std::to_string(camera.pivot.norm()) + ")");
    if (head.shapeComponents < 0) throw std::invalid_argument("head.shape_components: must be >= 0");
    if (head.exprComponents < 0) throw std::invalid_argument("head.expr_components: must be >= 0");
    checkRange(head.shapeRange, "head.shape_range");
    checkRange(head.exprRange, "head.expr_range");
    checkRange(head.jawOpen, "head.jaw_open");
    checkRange(head.eyeYaw, "head.eye_yaw");
    checkRange(head.eyePitch, "head.eye_pitch");
    if (latentDim < 1 || latentDim > 65536) throw std::invalid_argument("latent.dim: must be in 1..65536");
    sampling.validate(head.shapeComponents, head.exprComponents);
    for (int k = 0; k < kNumAssetTypes; ++k) {
        const AssetType type = static_cast<AssetType>(k);
        const AssetTypeConfig& t = assets.of(type);
        const std::string section = std::string("assets.") + assetTypeName(type);
        if (!(t.frequency >= 0.0 && t.frequency <= 1.0))
            throw std::invalid_argument(section + ".frequency: must be in 0..1");
        for (int c = 0; c < 3; ++c) {
            if (!(t.colorMin[c] >= 0.0f && t.colorMax[c] <= 1.0f))
                throw std::invalid_argument(section + ".color_min/color_max: channels must lie in 0..1");
            if (t.colorMin[c] > t.colorMax[c])
                throw std::invalid_argument(section + ".color_min: exceeds color_max in channel " + std::to_string(c));
        }
    }
    checkRange(assets.eumelanin, "assets.hair.eumelanin");
    if (!(assets.eumelanin.lo > 0.0) || assets.eumelanin.hi > 50.0)
        throw std::invalid_argument("assets.hair.eumelanin: must lie in (0, 50] (drawn log-uniformly)");
    checkRange(assets.pheomelanin, "assets.hair.pheomelanin");
    if (assets.pheomelanin.lo < 0.0 || assets.pheomelanin.hi > 50.0)
        throw std::invalid_argument("assets.hair.pheomelanin: must lie in 0..50");
    if (assets.hairStyles == 0 || assets.hairStyles >= (1u << kNumHairStyles))
        throw std::invalid_argument("assets.hair.styles: must name at least one known style");
    if (assets.beardStyles == 0 || assets.beardStyles >= (1u << kNumBeardStyles))
        throw std::invalid_argument("assets.beard.styles: must name at least one known style");
    checkWithin(assets.browThickness, 0.0, 0.005, "assets.eyebrows.thickness", " metres");
    checkWithin(assets.lashLength, 0.0, 0.02, "assets.eyelashes.length", " metres");
    checkWithin(assets.stubbleDensity, 0.0, 1.0, "assets.stubble.density", "");
    checkWithin(assets.stubbleLength, 0.0, 0.003, "assets.stubble.length", " metres");
    checkWithin(assets.stubbleDarkness, 0.0, 1.0, "assets.stubble.darkness", "");
    cameraEffects.validate();
    checkRange(assets.lensOpacity, "assets.glasses.lens_opacity");
    if (assets.lensOpacity.lo < 0.0 || assets.lensOpacity.hi > 1.0)
        throw std::invalid_argument("assets.glasses.lens_opacity: must lie in 0..1");
}

const AssetTypeConfig& AssetsSamplerConfig::of(AssetType t) const {
    switch (t) {
        case AssetType::Glasses: return glasses;
        case AssetType::Headwear: return headwear;
        case AssetType::Clothing: return clothing;
        case AssetType::Hair: return hair;
        case AssetType::Beard: return beard;
        case AssetType::Facewear: return facewear;
        case AssetType::Eyebrows: return eyebrows;
        case AssetType::Eyelashes: return eyelashes;
        case AssetType::Stubble: return stubble;
    }
    throw std::invalid_argument("AssetsSamplerConfig: unknown asset type");
}

AssetTypeConfig& AssetsSamplerConfig::of(AssetType t) {
    return const_cast<AssetTypeConfig&>(static_cast<const AssetsSamplerConfig&>(*this).of(t));
}

AssetsSamplerConfig AssetsSamplerConfig::none() {
    AssetsSamplerConfig c;
    for (int k = 0; k < kNumAssetTypes; ++k) c.of(static_cast<AssetType>(k)).frequency = 0.0;
    return c;
}

bool AssetsSamplerConfig::isDefault() const {
    const AssetsSamplerConfig d;
    return glasses == d.glasses && headwear == d.headwear && clothing == d.clothing && lensOpacity == d.lensOpacity &&
           hair == d.hair && beard == d.beard && facewear == d.facewear && eumelanin == d.eumelanin &&
           pheomelanin == d.pheomelanin && hairStyles == d.hairStyles && beardStyles == d.beardStyles &&
           eyebrows == d.eyebrows && eyelashes == d.eyelashes && stubble == d.stubble &&
           browThickness == d.browThickness && lashLength == d.lashLength && stubbleDensity == d.stubbleDensity &&
           stubbleLength == d.stubbleLength && stubbleDarkness == d.stubbleDarkness;
}

SamplerConfig parseSamplerConfigJson(const std::string& text, const std::string& source) {
    json root;
    try {
        root = json::parse(text);
    } catch (const json::exception& e) {  // syntax errors and out-of-range numbers alike
        fail(source, "JSON", e.what());
    }
    checkKeys(root, {"format", "version", "camera", "head", "latent", "sampler", "assets", "camera_effects"}, source, "");
    if (root.contains("format") && root["format"] != "synthforge-sampler")
        fail(source, "format", "expected \"synthforge-sampler\"");
    if (root.contains("version") && root["version"] != kSamplerConfigVersion)
        fail(source, "version", "unsupported (this build reads version " + std::to_string(kSamplerConfigVersion) + ")");
    SamplerConfig c;
    if (root.contains("camera")) {
        const json& cam = root["camera"];
        checkKeys(cam, {"yaw", "pitch", "fov_deg", "radius", "pivot"}, source, "camera");
        readRange(cam, "yaw", c.camera.yaw, source, "camera");
        readRange(cam, "pitch", c.camera.pitch, source, "camera");
        readRange(cam, "fov_deg", c.camera.eg3dFovDeg, source, "camera");
        readRange(cam, "radius", c.camera.radius, source, "camera");
        if (cam.contains("pivot")) {
            const json& p = cam["pivot"];
            if (!p.is_array() || p.size() != 3) fail(source, "camera.pivot", "must be [x, y, z]");
            for (int k = 0; k < 3; ++k)
                c.camera.pivot[k] = static_cast<float>(number(p[k], source, "camera.pivot[" + std::to_string(k) + "]"));
        }
    }
    if (root.contains("head")) {
        const json& h = root["head"];
        checkKeys(h, {"shape_components", "shape_range", "expr_components", "expr_range", "jaw_open", "eye_yaw",
                      "eye_pitch"},
                  source, "head");
        readInt(h, "shape_components", c.head.shapeComponents, source, "head");
        readRange(h, "shape_range", c.head.shapeRange, source, "head");
        readInt(h, "expr_components", c.head.exprComponents, source, "head");
        readRange(h, "expr_range", c.head.exprRange, source, "head");
        readRange(h, "jaw_open", c.head.jawOpen, source, "head");
        readRange(h, "eye_yaw", c.head.eyeYaw, source, "head");
        readRange(h, "eye_pitch", c.head.eyePitch, source, "head");
    }
    if (root.contains("latent")) {
        const json& l = root["latent"];
        checkKeys(l, {"dim"}, source, "latent");
        readInt(l, "dim", c.latentDim, source, "latent");
    }
    if (root.contains("sampler")) c.sampling = parseSamplingSection(root["sampler"], source);
    if (root.contains("assets")) {
        const json& a = root["assets"];
        checkKeys(a, {"glasses", "headwear", "clothing", "hair", "beard", "facewear", "eyebrows", "eyelashes", "stubble"},
                  source, "assets");
        for (int k = 0; k < kNumAssetTypes; ++k) readAssetType(a, static_cast<AssetType>(k), c.assets, source);
    }
    if (root.contains("camera_effects")) {
        const json& e = root["camera_effects"];
        checkKeys(e, {"defocus", "noise", "jpeg", "chromatic_aberration", "exposure", "white_balance"}, source,
                  "camera_effects");
        readEffect(e, "defocus", "sigma", c.cameraEffects.defocus, source);
        readEffect(e, "noise", "sigma", c.cameraEffects.noise, source);
        readEffect(e, "jpeg", "quality", c.cameraEffects.jpeg, source);
        readEffect(e, "chromatic_aberration", "shift", c.cameraEffects.aberration, source);
        readEffect(e, "exposure", "ev", c.cameraEffects.exposure, source);
        readEffect(e, "white_balance", "shift", c.cameraEffects.whiteBalance, source);
    }
    try {
        c.validate();
    } catch (const std::invalid_argument& e) {
        throw std::runtime_error(source + ": " + e.what());
    }
    return c;
}

SamplerConfig loadSamplerConfig(const std::string& path) {
    return parseSamplerConfigJson(io::readFileText(path, 1u << 20), path);
}

std::string samplerConfigToJson(const SamplerConfig& c) {
    json j;
    j["format"] = "synthforge-sampler";
    j["version"] = kSamplerConfigVersion;
    j["camera"] = {{"yaw", rangeJson(c.camera.yaw)},
                   {"pitch", rangeJson(c.camera.pitch)},
                   {"fov_deg", rangeJson(c.camera.eg3dFovDeg)},
                   {"radius", rangeJson(c.camera.radius)},
                   {"pivot", {c.camera.pivot.x(), c.camera.pivot.y(), c.camera.pivot.z()}}};
    j["head"] = {{"shape_components", c.head.shapeComponents}, {"shape_range", rangeJson(c.head.shapeRange)},
                 {"expr_components", c.head.exprComponents},   {"expr_range", rangeJson(c.head.exprRange)},
                 {"jaw_open", rangeJson(c.head.jawOpen)},      {"eye_yaw", rangeJson(c.head.eyeYaw)},
                 {"eye_pitch", rangeJson(c.head.eyePitch)}};
    j["latent"] = {{"dim", c.latentDim}};
    if (c.sampling.kind != SamplerKind::Iid) j["sampler"] = json::parse(samplingSectionJson(c.sampling));
    if (!c.assets.isDefault()) {
        // Every type, once any setting differs from the defaults: the
        // manifest then says exactly what was drawn.
        json a;
        for (int k = 0; k < kNumAssetTypes; ++k) {
            const AssetType type = static_cast<AssetType>(k);
            const AssetTypeConfig& t = c.assets.of(type);
            json e = {{"frequency", t.frequency}};
            if (hasColorRange(type)) e["color_min"] = colorJson(t.colorMin), e["color_max"] = colorJson(t.colorMax);
            if (type == AssetType::Glasses) e["lens_opacity"] = rangeJson(c.assets.lensOpacity);
            if (type == AssetType::Hair) {
                e["eumelanin"] = rangeJson(c.assets.eumelanin);
                e["pheomelanin"] = rangeJson(c.assets.pheomelanin);
                e["styles"] = stylesJson(c.assets.hairStyles, hairStyleAt, kNumHairStyles);
            }
            if (type == AssetType::Beard) e["styles"] = stylesJson(c.assets.beardStyles, beardStyleAt, kNumBeardStyles);
            if (type == AssetType::Eyebrows) e["thickness"] = rangeJson(c.assets.browThickness);
            if (type == AssetType::Eyelashes) e["length"] = rangeJson(c.assets.lashLength);
            if (type == AssetType::Stubble) {
                e["density"] = rangeJson(c.assets.stubbleDensity);
                e["length"] = rangeJson(c.assets.stubbleLength);
                e["darkness"] = rangeJson(c.assets.stubbleDarkness);
            }
            a[assetTypeName(type)] = e;
        }
        j["assets"] = a;
    }
    if (!c.cameraEffects.isDefault()) {
        const CameraEffectsConfig& e = c.cameraEffects;
        j["camera_effects"] = {{"defocus", effectJson(e.defocus, "sigma")},
                               {"noise", effectJson(e.noise, "sigma")},
                               {"jpeg", effectJson(e.jpeg, "quality")},
                               {"chromatic_aberration", effectJson(e.aberration, "shift")},
                               {"exposure", effectJson(e.exposure, "ev")},
                               {"white_balance", effectJson(e.whiteBalance, "shift")}};
    }
    return j.dump(2);
}

SampleSpec drawSample(const SamplerConfig& config, const head::HeadModel& model, std::uint64_t seed,
                      std::uint64_t index) {
    SampleSpec s;
    s.index = index;

    SampleRng cam(seed, index, RngStream::Camera);
    s.camera.yaw = uniform(cam, config.camera.yaw);
    s.camera.pitch = uniform(cam, config.camera.pitch);
    s.camera.eg3dFovDeg = uniform(cam, config.camera.eg3dFovDeg);
    s.camera.radius = uniform(cam, config.camera.radius);
    s.camera.pivot = config.camera.pivot;

    SampleRng head(seed, index, RngStream::Head);
    const int nShape = std::min(config.head.shapeComponents, model.numShape());
    const int nExpr = std::min(config.head.exprComponents, model.numExpr());
    s.params.shape = Eigen::VectorXf::Zero(model.numShape());
    s.params.expr = Eigen::VectorXf::Zero(model.numExpr());
    for (int k = 0; k < nShape; ++k) s.params.shape[k] = uniform(head, config.head.shapeRange);
    for (int k = 0; k < nExpr; ++k) s.params.expr[k] = uniform(head, config.head.exprRange);
    s.params.pose.segment<3>(3 * head::kJaw) << uniform(head, config.head.jawOpen), 0.0f, 0.0f;
    const float eyePitch = uniform(head, config.head.eyePitch), eyeYaw = uniform(head, config.head.eyeYaw);
    for (int joint : {head::kLeftEye, head::kRightEye}) s.params.pose.segment<3>(3 * joint) << eyePitch, eyeYaw, 0.0f;

    SampleRng latent(seed, index, RngStream::Latent);
    s.z.resize(config.latentDim);
    for (int k = 0; k < config.latentDim; ++k) s.z[k] = static_cast<float>(latent.normal());
    s.assets = drawAssets(config.assets, seed, index);
    s.effects = drawCameraEffects(config.cameraEffects, seed, index);
    return s;
}

}  // namespace synthforge::generate
