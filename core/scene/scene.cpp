#include "core/scene/scene.h"

#include <cmath>
#include <limits>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/generate/assets/asset_json.h"
#include "core/generate/sample_rng.h"
#include "core/io/file_util.h"

namespace synthforge::scene {

using nlohmann::json;
using nlohmann::ordered_json;

Eigen::VectorXf Scene::latent(int dim) const {
    if (z.size() > 0) return z;
    // Same stream and draw order as generate::drawSample, so z_seed = s gives
    // the latent of sample 0 of a dataset generated with --seed s.
    generate::SampleRng rng(zSeed, 0, generate::RngStream::Latent);
    Eigen::VectorXf out(dim);
    for (int k = 0; k < dim; ++k) out[k] = static_cast<float>(rng.normal());
    return out;
}

generate::SampleSpec Scene::toSampleSpec(int latentDim) const {
    generate::SampleSpec s;
    s.params = params;
    s.camera = camera;
    s.z = latent(latentDim);
    s.assets = assets;
    return s;
}

bool Scene::operator==(const Scene& o) const {
    auto same = [](const auto& a, const auto& b) { return a.size() == b.size() && a == b; };
    return headModel == o.headModel && generator == o.generator && same(params.shape, o.params.shape) &&
           same(params.expr, o.params.expr) && params.pose == o.params.pose && params.transl == o.params.transl &&
           camera.yaw == o.camera.yaw && camera.pitch == o.camera.pitch &&
           camera.eg3dFovDeg == o.camera.eg3dFovDeg && camera.radius == o.camera.radius &&
           camera.pivot == o.camera.pivot && same(z, o.z) && zSeed == o.zSeed && width == o.width &&
           height == o.height && generate::sameAssets(assets, o.assets);
}

namespace {

// Errors carry the source and the field, as every file error in the project.
[[noreturn]] void fail(const std::string& source, const std::string& field, const std::string& what) {
    throw std::runtime_error(source + ": " + field + ": " + what);
}

float finiteFloat(const json& v, const std::string& source, const std::string& field) {
    if (!v.is_number()) fail(source, field, "expected a number");
    const double d = v.get<double>();
    // A double that overflows float would silently become inf.
    if (!std::isfinite(d) || std::abs(d) > std::numeric_limits<float>::max())
        fail(source, field, "not a finite number");
    return static_cast<float>(d);
}

Eigen::VectorXf floatArray(const json& v, const std::string& source, const std::string& field, std::size_t maxSize) {
    if (!v.is_array()) fail(source, field, "expected an array of numbers");
    if (v.size() > maxSize)
        fail(source, field, std::to_string(v.size()) + " values, at most " + std::to_string(maxSize) + " allowed");
    Eigen::VectorXf out(static_cast<Eigen::Index>(v.size()));
    for (std::size_t i = 0; i < v.size(); ++i)
        out[static_cast<Eigen::Index>(i)] = finiteFloat(v[i], source, field + "[" + std::to_string(i) + "]");
    return out;
}

std::string text(const json& j, const char* key, const std::string& source, const std::string& fallback) {
    auto it = j.find(key);
    if (it == j.end()) return fallback;
    if (!it->is_string() || it->get_ref<const std::string&>().empty()) fail(source, key, "expected a non-empty string");
    return it->get<std::string>();
}

int imageSize(const json& j, const char* key, const std::string& source, int fallback) {
    auto it = j.find(key);
    if (it == j.end()) return fallback;
    if (!it->is_number_integer()) fail(source, key, "expected an integer");
    const auto v = it->get<std::int64_t>();
    if (v < kMinImageSize || v > kMaxImageSize)
        fail(source, key, std::to_string(v) + " outside " + std::to_string(kMinImageSize) + ".." +
                              std::to_string(kMaxImageSize));
    return static_cast<int>(v);
}

template <class Vec>
ordered_json values(const Vec& v) {
    ordered_json a = ordered_json::array();
    for (Eigen::Index i = 0; i < v.size(); ++i) a.push_back(v[i]);
    return a;
}

}  // namespace

Scene parseSceneJson(const std::string& textIn, const std::string& source) {
    json j;
    try {
        j = json::parse(textIn);
    } catch (const json::exception& e) {
        fail(source, "json", e.what());
    }
    if (!j.is_object()) fail(source, "json", "expected an object");

    Scene s;
    if (auto it = j.find("format"); it != j.end() && *it != "synthforge-scene")
        fail(source, "format", "expected \"synthforge-scene\"");
    if (auto it = j.find("version"); it != j.end()) {
        if (!it->is_number_integer()) fail(source, "version", "expected an integer");
        if (it->get<std::int64_t>() < 1 || it->get<std::int64_t>() > kSceneFormatVersion)
            fail(source, "version", "unsupported version " + it->dump() + " (this build reads 1)");
    }
    s.headModel = text(j, "head_model", source, s.headModel);
    s.generator = text(j, "generator", source, s.generator);

    if (auto it = j.find("z"); it != j.end()) {
        s.z = floatArray(*it, source, "z", kMaxLatentDim);
        if (s.z.size() == 0) fail(source, "z", "empty");
    }
    if (auto it = j.find("z_seed"); it != j.end()) {
        if (!it->is_number_unsigned()) fail(source, "z_seed", "expected a non-negative integer");
        s.zSeed = it->get<std::uint64_t>();
    }
    // An annotation also has "seed" and "index": its z is stored, so those
    // are not needed to rebuild it.

    if (auto it = j.find("flame_shape"); it != j.end()) s.params.shape = floatArray(*it, source, "flame_shape", kMaxCoefficients);
    if (auto it = j.find("flame_exp"); it != j.end()) s.params.expr = floatArray(*it, source, "flame_exp", kMaxCoefficients);
    if (auto it = j.find("flame_pose"); it != j.end()) {
        const Eigen::VectorXf pose = floatArray(*it, source, "flame_pose", head::kNumPoseValues);
        // 15 values: all five joints; 6: global + jaw (DECA's layout).
        if (pose.size() == head::kNumPoseValues) {
            s.params.pose = pose;
        } else if (pose.size() == 6) {
            s.params.pose.setZero();
            s.params.pose.segment<3>(3 * head::kGlobal) = pose.head<3>();
            s.params.pose.segment<3>(3 * head::kJaw) = pose.tail<3>();
        } else {
            fail(source, "flame_pose", std::to_string(pose.size()) + " values, expected 15 or 6");
        }
    }
    if (auto it = j.find("transl"); it != j.end()) {
        const Eigen::VectorXf t = floatArray(*it, source, "transl", 3);
        if (t.size() != 3) fail(source, "transl", "expected 3 values");
        s.params.transl = t;
    }

    // The point the orbit camera looks at (a pan moves it); absent = EG3D's.
    if (auto it = j.find("pivot"); it != j.end()) {
        const Eigen::VectorXf p = floatArray(*it, source, "pivot", 3);
        if (p.size() != 3) fail(source, "pivot", std::to_string(p.size()) + " values, expected 3");
        s.camera.pivot = p;
    }
    const bool orbitKeys = j.contains("yaw") && j.contains("pitch");
    if (orbitKeys) {
        s.camera.yaw = finiteFloat(j["yaw"], source, "yaw");
        s.camera.pitch = finiteFloat(j["pitch"], source, "pitch");
        if (j.contains("fov_deg")) s.camera.eg3dFovDeg = finiteFloat(j["fov_deg"], source, "fov_deg");
        if (j.contains("radius")) s.camera.radius = finiteFloat(j["radius"], source, "radius");
    } else if (auto it = j.find("camera_params"); it != j.end()) {
        const Eigen::VectorXf v = floatArray(*it, source, "camera_params", 25);
        if (v.size() != 25) fail(source, "camera_params", std::to_string(v.size()) + " values, expected 25");
        try {
            s.camera = camera::OrbitCamera::fromVector25(v, s.camera.pivot);
        } catch (const std::invalid_argument& e) {
            fail(source, "camera_params", e.what());
        }
    } else if (j.contains("yaw") || j.contains("pitch")) {
        fail(source, j.contains("yaw") ? "pitch" : "yaw", "missing (yaw and pitch come together)");
    }
    if (!(s.camera.eg3dFovDeg > 0.0f && s.camera.eg3dFovDeg < 180.0f)) fail(source, "fov_deg", "outside (0, 180)");
    if (!(s.camera.radius > 0.0f)) fail(source, "radius", "must be positive");
    try {
        (void)s.camera.cam2world();  // the camera must not sit on the pivot
    } catch (const std::invalid_argument& e) {
        fail(source, "radius", e.what());
    }

    s.width = imageSize(j, "width", source, s.width);
    s.height = imageSize(j, "height", source, s.height);
    if (auto it = j.find("assets"); it != j.end()) {
        s.assets = generate::parseAssetsJson(*it, source);
        // One of each type at most, in type order, as the sampler draws them.
        for (std::size_t i = 1; i < s.assets.size(); ++i)
            if (!(s.assets[i - 1].type < s.assets[i].type))
                fail(source, "assets[" + std::to_string(i) + "]", "types must be distinct and in the order glasses, "
                                                                 "headwear, clothing, hair, beard, facewear, eyebrows, "
                                                                 "eyelashes, stubble");
    }
    return s;
}

Scene loadScene(const std::string& path) {
    // Scenes are small; a generous cap still refuses a multi-GB file early.
    return parseSceneJson(io::readFileText(path, 64ull << 20), path);
}

std::string sceneToJson(const Scene& s) {
    ordered_json j;
    j["format"] = "synthforge-scene";
    j["version"] = kSceneFormatVersion;
    j["head_model"] = s.headModel;
    j["generator"] = s.generator;
    // The seed is kept even when z is explicit: it is what the latent panel shows.
    j["z_seed"] = s.zSeed;
    if (s.z.size() > 0) j["z"] = values(s.z);
    j["camera_params"] = values(s.camera.toVector25());
    j["flame_shape"] = values(s.params.shape);
    j["flame_exp"] = values(s.params.expr);
    j["flame_pose"] = values(s.params.pose);
    j["transl"] = values(s.params.transl);
    j["yaw"] = s.camera.yaw;
    j["pitch"] = s.camera.pitch;
    j["fov_deg"] = s.camera.eg3dFovDeg;
    j["radius"] = s.camera.radius;
    if (s.camera.pivot != camera::defaultPivot()) j["pivot"] = values(s.camera.pivot);
    j["width"] = s.width;
    j["height"] = s.height;
    if (!s.assets.empty()) j["assets"] = generate::assetsJson(s.assets);
    return j.dump(2) + "\n";
}

void saveScene(const Scene& scene, const std::string& path) { io::writeFileAtomic(path, sceneToJson(scene)); }

}  // namespace synthforge::scene
