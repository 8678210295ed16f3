#include "core/head/head_params_io.h"

#include <cmath>
#include <cstdlib>
#include <iomanip>
#include <limits>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/io/file_util.h"

namespace synthforge::head {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxParamValues = 10000;  // far above any model; stops a hostile file early

Eigen::VectorXf vectorField(const json& j, const std::string& key, const std::string& source) {
    const json& v = j.at(key);
    if (!v.is_array()) throw std::runtime_error(source + ": " + key + ": expected an array of numbers");
    if (v.size() > kMaxParamValues)
        throw std::runtime_error(source + ": " + key + ": " + std::to_string(v.size()) + " values is too many");
    // Nested [[...]] as written by PyTorch users for a batch of one.
    const json& flat = (v.size() == 1 && v[0].is_array()) ? v[0] : v;
    Eigen::VectorXf out(static_cast<Eigen::Index>(flat.size()));
    for (std::size_t i = 0; i < flat.size(); ++i) {
        if (!flat[i].is_number())
            throw std::runtime_error(source + ": " + key + "[" + std::to_string(i) + "]: expected a number, found " +
                                     flat[i].type_name());
        const double d = flat[i].get<double>();
        if (!std::isfinite(d) || std::fabs(d) > std::numeric_limits<float>::max())
            throw std::runtime_error(source + ": " + key + "[" + std::to_string(i) + "]: not a finite number");
        out[static_cast<Eigen::Index>(i)] = static_cast<float>(d);
    }
    return out;
}

const char* pick(const json& j, const char* ours, const char* dataset, const std::string& source) {
    const bool a = j.contains(ours), b = j.contains(dataset);
    if (a && b) throw std::runtime_error(source + ": both '" + ours + "' and '" + dataset + "' are given; use one");
    return a ? ours : b ? dataset : nullptr;
}

}  // namespace

HeadParams parseHeadParamsJson(const std::string& text, const std::string& source) {
    json j;
    try {
        j = json::parse(text);
    } catch (const json::parse_error& e) {
        throw std::runtime_error(source + ": invalid JSON: " + e.what());
    }
    if (!j.is_object()) throw std::runtime_error(source + ": expected a JSON object with shape/expr/pose/transl");
    HeadParams p;
    if (const char* k = pick(j, "shape", "flame_shape", source)) p.shape = vectorField(j, k, source);
    if (const char* k = pick(j, "expr", "flame_exp", source)) p.expr = vectorField(j, k, source);
    if (const char* k = pick(j, "pose", "flame_pose", source)) {
        const Eigen::VectorXf pose = vectorField(j, k, source);
        if (pose.size() == 15) {
            p.pose = pose;
        } else if (pose.size() == 6) {  // DECA: global rotation then jaw
            p.pose.segment<3>(3 * kGlobal) = pose.head<3>();
            p.pose.segment<3>(3 * kJaw) = pose.tail<3>();
        } else {
            throw std::runtime_error(source + ": " + k + ": expected 15 values (5 joints) or 6 (global + jaw), found " +
                                     std::to_string(pose.size()));
        }
    }
    if (j.contains("transl")) {
        const Eigen::VectorXf t = vectorField(j, "transl", source);
        if (t.size() != 3) throw std::runtime_error(source + ": transl: expected 3 values, found " + std::to_string(t.size()));
        p.transl = t;
    }
    return p;
}

HeadParams loadHeadParamsJson(const std::string& path) {
    return parseHeadParamsJson(io::readFileText(path, 64u << 20), path);
}

std::string headParamsToJson(const HeadParams& p) {
    // max_digits10 so that floats survive the text round trip bit-exactly.
    auto list = [](const auto& v) {
        json a = json::array();
        for (Eigen::Index i = 0; i < v.size(); ++i) a.push_back(v[i]);
        return a;
    };
    json j;
    j["shape"] = list(p.shape);
    j["expr"] = list(p.expr);
    j["pose"] = list(p.pose);
    j["transl"] = list(p.transl);
    return j.dump(2) + "\n";
}

Eigen::VectorXf parseNumberList(const std::string& text, const std::string& field) {
    std::vector<float> values;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && (text[i] == ',' || std::isspace(static_cast<unsigned char>(text[i])))) ++i;
        if (i >= text.size()) break;
        const char* begin = text.c_str() + i;
        char* end = nullptr;
        const double d = std::strtod(begin, &end);
        if (end == begin)
            throw std::invalid_argument(field + ": '" + text.substr(i, 16) + "' is not a number");
        if (!std::isfinite(d) || std::fabs(d) > std::numeric_limits<float>::max())
            throw std::invalid_argument(field + ": value " + std::to_string(values.size()) + " is not a finite number");
        values.push_back(static_cast<float>(d));
        if (values.size() > kMaxParamValues) throw std::invalid_argument(field + ": too many values");
        i += static_cast<std::size_t>(end - begin);
        if (i < text.size() && text[i] != ',' && !std::isspace(static_cast<unsigned char>(text[i])))
            throw std::invalid_argument(field + ": unexpected '" + std::string(1, text[i]) + "' after value " +
                                        std::to_string(values.size() - 1));
    }
    return Eigen::Map<Eigen::VectorXf>(values.data(), static_cast<Eigen::Index>(values.size()));
}

}  // namespace synthforge::head
