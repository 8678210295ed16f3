#include "core/align/alignment_fit.h"

#include <cmath>
#include <filesystem>
#include <stdexcept>

#include <Eigen/LU>
#include <nlohmann/json.hpp>

#include "core/io/file_util.h"
#include "core/io/safetensors.h"

namespace synthforge::align {

namespace fs = std::filesystem;

namespace {

constexpr const char* kFormat = "synthforge-alignment";
constexpr int kFormatVersion = 1;

nlohmann::json matrixJson(const Eigen::Matrix4f& m) {
    nlohmann::json rows = nlohmann::json::array();
    for (int r = 0; r < 4; ++r) rows.push_back({m(r, 0), m(r, 1), m(r, 2), m(r, 3)});
    return rows;
}

[[noreturn]] void fail(const std::string& file, const std::string& field, const std::string& why) {
    throw std::runtime_error(file + ": " + field + ": " + why);
}

const nlohmann::json& member(const nlohmann::json& obj, const char* key, const std::string& file,
                             const std::string& prefix = "") {
    const auto it = obj.find(key);
    if (it == obj.end()) fail(file, prefix + key, "missing");
    return *it;
}

double number(const nlohmann::json& v, const std::string& file, const std::string& field) {
    if (!v.is_number()) fail(file, field, "expected a number");
    const double d = v.get<double>();
    if (!std::isfinite(d)) fail(file, field, "not finite");
    return d;
}

std::string text(const nlohmann::json& v, const std::string& file, const std::string& field) {
    if (!v.is_string()) fail(file, field, "expected a string");
    return v.get<std::string>();
}

std::int64_t count(const nlohmann::json& v, const std::string& file, const std::string& field) {
    if (!v.is_number_integer() || v.get<std::int64_t>() < 0) fail(file, field, "expected a non-negative integer");
    return v.get<std::int64_t>();
}

Eigen::Matrix4f readMatrix(const nlohmann::json& v, const std::string& file, const std::string& field) {
    if (!v.is_array() || v.size() != 4) fail(file, field, "expected 4 rows of 4 numbers");
    Eigen::Matrix4f m;
    for (int r = 0; r < 4; ++r) {
        const auto& row = v[static_cast<std::size_t>(r)];
        if (!row.is_array() || row.size() != 4) fail(file, field, "expected 4 rows of 4 numbers");
        for (int c = 0; c < 4; ++c)
            m(r, c) = static_cast<float>(
                number(row[static_cast<std::size_t>(c)], file, field + "[" + std::to_string(r) + "][" + std::to_string(c) + "]"));
    }
    return m;
}

std::map<std::string, double> readNumbers(const nlohmann::json& v, const std::string& file, const std::string& field) {
    if (!v.is_object()) fail(file, field, "expected an object of numbers");
    std::map<std::string, double> out;
    for (const auto& [k, x] : v.items()) out[k] = number(x, file, field + "." + k);
    return out;
}

io::NdArray matrixArray(const Eigen::MatrixXf& m) {
    std::vector<float> v(static_cast<std::size_t>(m.size()));
    for (Eigen::Index r = 0; r < m.rows(); ++r)
        for (Eigen::Index c = 0; c < m.cols(); ++c) v[static_cast<std::size_t>(r * m.cols() + c)] = m(r, c);
    return io::NdArray::fromFloat(v, {m.rows(), m.cols()});
}

Eigen::MatrixXf arrayMatrix(const io::NdArray& a, const std::string& file, const std::string& name, std::int64_t rows) {
    if (a.shape.size() != 2 || a.shape[0] != rows)
        fail(file, name, "expected " + std::to_string(rows) + " rows (one per sample)");
    const std::vector<float> v = a.toFloat();
    Eigen::MatrixXf m(a.shape[0], a.shape[1]);
    for (Eigen::Index r = 0; r < m.rows(); ++r)
        for (Eigen::Index c = 0; c < m.cols(); ++c) {
            const float x = v[static_cast<std::size_t>(r * m.cols() + c)];
            if (!std::isfinite(x)) fail(file, name, "not finite");
            m(r, c) = x;
        }
    return m;
}

}  // namespace

void validateCorrection(const Eigen::Matrix4f& c, const std::string& what) {
    if (!c.allFinite()) throw std::invalid_argument(what + ": not finite");
    if (c(3, 0) != 0.0f || c(3, 1) != 0.0f || c(3, 2) != 0.0f || c(3, 3) != 1.0f)
        throw std::invalid_argument(what + ": the last row must be 0 0 0 1 (an affine map)");
    const float det = c.topLeftCorner<3, 3>().determinant();
    // A fitted correction is near the identity; a flat or mirrored map would
    // turn every normal and the triangles' winding inside out.
    if (!(det > 1e-3f)) throw std::invalid_argument(what + ": the linear part is degenerate or mirrors (det " + std::to_string(det) + ")");
}

void saveAlignmentFit(const std::string& dir, const AlignmentFit& fit) {
    validateCorrection(fit.correction, "correction");
    fs::create_directories(dir);
    nlohmann::json j;
    j["format"] = kFormat;
    j["format_version"] = kFormatVersion;
    j["generator"] = {{"name", fit.generatorName}, {"version", fit.generatorVersion}, {"file", fit.generatorFile}};
    j["head"] = {{"name", fit.headName}, {"vertex_count", fit.vertexCount}};
    j["correction"] = matrixJson(fit.correction);
    j["nominal_flame_to_world"] = matrixJson(fit.nominalFlameToWorld);
    j["flame_to_world"] = matrixJson(fit.flameToWorld());
    j["samples"] = fit.samples;
    j["steps"] = fit.steps;
    j["weights"] = fit.weights;
    j["final"] = fit.final;
    nlohmann::json per = nlohmann::json::array();
    for (const SampleResidual& r : fit.perSample)
        per.push_back({{"index", r.index}, {"residual_px", r.residualPx}, {"vertex_shift_mm", r.vertexShiftMm}});
    j["per_sample"] = per;

    io::SafetensorsFile st;
    Eigen::MatrixXf c = fit.correction;
    st.tensors["correction"] = matrixArray(c);
    if (!fit.perSample.empty()) {
        std::vector<float> res;
        for (const SampleResidual& r : fit.perSample) res.push_back(static_cast<float>(r.residualPx));
        st.tensors["residual_px"] = io::NdArray::fromFloat(res, {static_cast<std::int64_t>(res.size())});
        if (fit.sampleShape.size() > 0) st.tensors["shape"] = matrixArray(fit.sampleShape);
        if (fit.sampleExpr.size() > 0) st.tensors["expr"] = matrixArray(fit.sampleExpr);
        if (fit.sampleTranslation.size() > 0) st.tensors["translation"] = matrixArray(fit.sampleTranslation);
    }
    st.metadata["format"] = kFormat;
    st.metadata["generator"] = fit.generatorName + " " + fit.generatorVersion;
    io::saveSafetensorsFile((fs::path(dir) / kAlignmentTensors).string(), st);
    io::writeFileAtomic((fs::path(dir) / kAlignmentJson).string(), j.dump(2) + "\n");
}

AlignmentFit loadAlignmentFit(const std::string& dirOrJson) {
    const fs::path jsonPath = fs::is_directory(dirOrJson) ? fs::path(dirOrJson) / kAlignmentJson : fs::path(dirOrJson);
    const std::string file = jsonPath.string();
    if (!fs::exists(jsonPath)) throw std::runtime_error(file + ": no such file (is this an `align` output directory?)");
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(io::readFileText(file, 64ull << 20));
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error(file + ": not valid JSON (" + e.what() + ")");
    }
    if (!j.is_object()) fail(file, "(root)", "expected a JSON object");
    if (text(member(j, "format", file), file, "format") != kFormat)
        fail(file, "format", std::string("expected \"") + kFormat + "\"");
    if (count(member(j, "format_version", file), file, "format_version") != kFormatVersion)
        fail(file, "format_version", "this build reads version " + std::to_string(kFormatVersion));

    AlignmentFit fit;
    const auto& g = member(j, "generator", file);
    if (!g.is_object()) fail(file, "generator", "expected an object");
    fit.generatorName = text(member(g, "name", file, "generator."), file, "generator.name");
    fit.generatorVersion = text(member(g, "version", file, "generator."), file, "generator.version");
    fit.generatorFile = text(member(g, "file", file, "generator."), file, "generator.file");
    const auto& h = member(j, "head", file);
    if (!h.is_object()) fail(file, "head", "expected an object");
    fit.headName = text(member(h, "name", file, "head."), file, "head.name");
    fit.vertexCount = count(member(h, "vertex_count", file, "head."), file, "head.vertex_count");
    fit.correction = readMatrix(member(j, "correction", file), file, "correction");
    try {
        validateCorrection(fit.correction, "correction");
    } catch (const std::invalid_argument& e) {
        throw std::runtime_error(file + ": " + e.what());
    }
    fit.nominalFlameToWorld = readMatrix(member(j, "nominal_flame_to_world", file), file, "nominal_flame_to_world");
    fit.samples = count(member(j, "samples", file), file, "samples");
    fit.steps = count(member(j, "steps", file), file, "steps");
    fit.weights = readNumbers(member(j, "weights", file), file, "weights");
    fit.final = readNumbers(member(j, "final", file), file, "final");
    const auto& per = member(j, "per_sample", file);
    if (!per.is_array()) fail(file, "per_sample", "expected an array");
    for (std::size_t i = 0; i < per.size(); ++i) {
        const std::string f = "per_sample[" + std::to_string(i) + "]";
        if (!per[i].is_object()) fail(file, f, "expected an object");
        SampleResidual r;
        r.index = count(member(per[i], "index", file, f + "."), file, f + ".index");
        r.residualPx = number(member(per[i], "residual_px", file, f + "."), file, f + ".residual_px");
        r.vertexShiftMm = number(member(per[i], "vertex_shift_mm", file, f + "."), file, f + ".vertex_shift_mm");
        fit.perSample.push_back(r);
    }

    // The tensors are the copy Python users read; they must say the same.
    const fs::path tensorPath = jsonPath.parent_path() / kAlignmentTensors;
    if (!fs::exists(tensorPath)) throw std::runtime_error(tensorPath.string() + ": missing (written next to " + kAlignmentJson + ")");
    const io::SafetensorsFile st = io::loadSafetensorsFile(tensorPath.string());
    const std::string tfile = tensorPath.string();
    const auto it = st.tensors.find("correction");
    if (it == st.tensors.end()) fail(tfile, "correction", "missing");
    if (it->second.shape != std::vector<std::int64_t>{4, 4}) fail(tfile, "correction", "expected shape [4, 4]");
    const std::vector<float> cv = it->second.toFloat();
    for (int k = 0; k < 16; ++k)
        if (!(std::abs(cv[static_cast<std::size_t>(k)] - fit.correction(k / 4, k % 4)) <= 1e-5f * (1.0f + std::abs(fit.correction(k / 4, k % 4)))))
            fail(tfile, "correction", "differs from " + jsonPath.filename().string() + "'s correction");
    const auto n = static_cast<std::int64_t>(fit.perSample.size());
    if (n > 0) {
        if (auto s = st.tensors.find("shape"); s != st.tensors.end()) fit.sampleShape = arrayMatrix(s->second, tfile, "shape", n);
        if (auto e = st.tensors.find("expr"); e != st.tensors.end()) fit.sampleExpr = arrayMatrix(e->second, tfile, "expr", n);
        if (auto t = st.tensors.find("translation"); t != st.tensors.end()) {
            fit.sampleTranslation = arrayMatrix(t->second, tfile, "translation", n);
            if (fit.sampleTranslation.cols() != 3) fail(tfile, "translation", "expected 3 columns");
        }
    }
    return fit;
}

}  // namespace synthforge::align
