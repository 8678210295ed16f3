// The face box file (see face_boxes.h).

#include "core/train/face_boxes.h"

#include <cmath>
#include <filesystem>
#include <set>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/io/file_util.h"

namespace synthforge::train {

std::map<std::string, FaceBox> parseFaceBoxes(const std::string& text, const std::string& path) {
    // nlohmann keeps the last of two equal keys silently; the parser
    // callback sees every key, so a duplicated name (two boxes for one
    // image: which one was meant?) is caught.
    std::set<std::string> seen;
    std::string duplicate;
    const nlohmann::json::parser_callback_t watchKeys = [&](int depth, nlohmann::json::parse_event_t event,
                                                            nlohmann::json& parsed) {
        if (event == nlohmann::json::parse_event_t::key && depth == 1 && parsed.is_string() &&
            !seen.insert(parsed.get<std::string>()).second && duplicate.empty())
            duplicate = parsed.get<std::string>();
        return true;
    };
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text, watchKeys);
    } catch (const std::exception& e) {
        throw std::runtime_error(path + ": not valid JSON (" + e.what() + ")");
    }
    if (!j.is_object())
        throw std::runtime_error(path + ": not a JSON object of {\"image file name\": [x, y, w, h]}");
    if (!duplicate.empty()) throw std::runtime_error(path + ": \"" + duplicate + "\": more than one box");
    std::map<std::string, FaceBox> boxes;
    for (const auto& [name, value] : j.items()) {
        const std::string where = path + ": \"" + name + "\"";
        if (name.empty()) throw std::runtime_error(path + ": an empty image name");
        if (!value.is_array() || value.size() != 4)
            throw std::runtime_error(where + ": not an array [x, y, w, h] of four numbers");
        double v[4];
        for (std::size_t i = 0; i < 4; ++i) {
            if (!value[i].is_number()) throw std::runtime_error(where + ": [" + std::to_string(i) + "] is not a number");
            v[i] = value[i].get<double>();
            if (!std::isfinite(v[i]) || std::abs(v[i]) > kMaxBoxCoordinate)
                throw std::runtime_error(where + ": [" + std::to_string(i) + "] is not finite or beyond 1e6 pixels");
        }
        if (!(v[2] > 0) || !(v[3] > 0)) throw std::runtime_error(where + ": width and height must be positive");
        boxes[name] = {v[0], v[1], v[2], v[3]};
    }
    return boxes;
}

std::map<std::string, FaceBox> readFaceBoxes(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) throw std::runtime_error(path + ": no such box file");
    const auto bytes = std::filesystem::file_size(path, ec);
    if (ec) throw std::runtime_error(path + ": cannot be read (" + ec.message() + ")");
    if (bytes > kMaxBoxFileBytes)
        throw std::runtime_error(path + ": " + std::to_string(bytes) + " bytes, too large for a box file");
    return parseFaceBoxes(io::readFileText(path, kMaxBoxFileBytes), path);
}

}  // namespace synthforge::train
