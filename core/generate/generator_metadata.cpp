#include "core/generate/generator_metadata.h"

#include <cmath>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace synthforge::generate {

namespace {

struct Reader {
    const nlohmann::json& j;
    const std::string& source;

    [[noreturn]] void fail(const std::string& key, const std::string& why) const {
        throw std::runtime_error(source + ": metadata: " + key + ": " + why);
    }
    const nlohmann::json& at(const char* key) const {
        const auto it = j.find(key);
        if (it == j.end()) fail(key, "missing (docs/generator.md lists the required keys)");
        return *it;
    }
    std::string text(const char* key) const {
        const auto& v = at(key);
        if (!v.is_string()) fail(key, "expected a string");
        return v.get<std::string>();
    }
    int positive(const char* key, int maxValue) const {
        const auto& v = at(key);
        if (!v.is_number_integer() || v.get<long long>() < 1 || v.get<long long>() > maxValue)
            fail(key, "expected an integer in 1.." + std::to_string(maxValue));
        return static_cast<int>(v.get<long long>());
    }
    void size2(const char* key, int& h, int& w) const {
        const auto& v = at(key);
        if (!v.is_array() || v.size() != 2 || !v[0].is_number_integer() || !v[1].is_number_integer() ||
            v[0].get<long long>() < 1 || v[1].get<long long>() < 1 || v[0].get<long long>() > 8192 ||
            v[1].get<long long>() > 8192)
            fail(key, "expected [height, width], integers in 1..8192");
        h = static_cast<int>(v[0].get<long long>());
        w = static_cast<int>(v[1].get<long long>());
    }
};

}  // namespace

GeneratorMetadata parseGeneratorMetadata(const std::string& json, const std::string& source) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(json);
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error(source + ": metadata: not valid JSON (" + e.what() + ")");
    }
    if (!j.is_object()) throw std::runtime_error(source + ": metadata: expected a JSON object");
    const Reader r{j, source};
    if (r.text("contract") != kGeneratorContract)
        r.fail("contract", std::string("expected \"") + kGeneratorContract + "\"");
    const auto& cv = r.at("contract_version");
    if (!cv.is_number_integer() || cv.get<long long>() != kGeneratorContractVersion)
        r.fail("contract_version", "this build implements version " + std::to_string(kGeneratorContractVersion));
    if (r.text("camera") != "eg3d25") r.fail("camera", "expected \"eg3d25\" (the only camera convention so far)");

    GeneratorMetadata m;
    m.name = r.text("name");
    m.version = r.text("version");
    if (m.name.empty()) r.fail("name", "empty");
    m.latentDim = r.positive("latent_dim", 1 << 16);
    r.size2("image_size", m.imageHeight, m.imageWidth);
    r.size2("depth_size", m.depthHeight, m.depthWidth);
    m.vertexCount = r.positive("vertex_count", 1 << 24);
    const auto& f = r.at("flame_to_world");
    if (!f.is_array() || f.size() != 16) r.fail("flame_to_world", "expected 16 numbers (a row-major 4 x 4)");
    for (int k = 0; k < 16; ++k) {
        const auto& x = f[static_cast<std::size_t>(k)];
        if (!x.is_number() || !std::isfinite(x.get<double>())) r.fail("flame_to_world", "expected 16 finite numbers");
        m.flameToWorld(k / 4, k % 4) = static_cast<float>(x.get<double>());
    }
    if (m.flameToWorld(3, 0) != 0.0f || m.flameToWorld(3, 1) != 0.0f || m.flameToWorld(3, 2) != 0.0f ||
        m.flameToWorld(3, 3) != 1.0f)
        r.fail("flame_to_world", "the last row must be 0 0 0 1 (an affine map)");
    const auto& level = r.at("density_level");
    if (!level.is_number() || !std::isfinite(level.get<double>()) || level.get<double>() <= 0.0)
        r.fail("density_level", "expected a positive number");
    m.densityLevel = static_cast<float>(level.get<double>());
    if (j.contains("preferred_batch")) m.preferredBatch = r.positive("preferred_batch", 4096);
    return m;
}

}  // namespace synthforge::generate
