// Strict dotted-path reading of JSON settings (see json_fields.h).

#include "core/io/json_fields.h"

#include <cmath>
#include <stdexcept>

namespace synthforge::io {

namespace {

std::string shown(const nlohmann::json& v) {
    std::string s = v.dump();
    if (s.size() > 60) s = s.substr(0, 57) + "...";
    return s;
}

}  // namespace

JsonFields::JsonFields(const nlohmann::json& root, std::string source) : root_(root), source_(std::move(source)) {
    if (!root_.is_object()) throw std::runtime_error(source_ + ": expected a JSON object, got " + shown(root_));
}

void JsonFields::fail(const std::string& path, const std::string& why) const {
    throw std::runtime_error(source_ + ": " + path + ": " + why);
}

const nlohmann::json* JsonFields::find(const std::string& path) const {
    const nlohmann::json* node = &root_;
    size_t start = 0;
    while (true) {
        const size_t dot = path.find('.', start);
        const std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        if (!node->is_object()) return nullptr;
        const auto it = node->find(key);
        if (it == node->end()) return nullptr;
        node = &*it;
        if (dot == std::string::npos) return node;
        start = dot + 1;
    }
}

bool JsonFields::has(const std::string& path) const { return find(path) != nullptr; }

bool JsonFields::number(const std::string& path, double& value) {
    const nlohmann::json* v = find(path);
    if (!v) return false;
    consumed_.insert(path);
    if (!v->is_number()) fail(path, "expected a number, got " + shown(*v));
    const double d = v->get<double>();
    if (!std::isfinite(d)) fail(path, "expected a finite number");
    value = d;
    return true;
}

bool JsonFields::integer(const std::string& path, int64_t& value) {
    const nlohmann::json* v = find(path);
    if (!v) return false;
    consumed_.insert(path);
    if (v->is_number_integer()) {
        if (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
            fail(path, "integer out of range");
        value = v->get<int64_t>();
        return true;
    }
    // 1e3 or 100.0 are integers written as floats; 2.5 is not.
    if (v->is_number_float()) {
        const double d = v->get<double>();
        if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15) {
            value = static_cast<int64_t>(d);
            return true;
        }
    }
    fail(path, "expected an integer, got " + shown(*v));
}

bool JsonFields::unsignedInteger(const std::string& path, uint64_t& value) {
    int64_t signedValue = 0;
    const nlohmann::json* v = find(path);
    if (v && v->is_number_unsigned()) {
        consumed_.insert(path);
        value = v->get<uint64_t>();
        return true;
    }
    if (!integer(path, signedValue)) return false;
    if (signedValue < 0) fail(path, "expected a non-negative integer, got " + std::to_string(signedValue));
    value = static_cast<uint64_t>(signedValue);
    return true;
}

bool JsonFields::text(const std::string& path, std::string& value) {
    const nlohmann::json* v = find(path);
    if (!v) return false;
    consumed_.insert(path);
    if (!v->is_string()) fail(path, "expected a string, got " + shown(*v));
    value = v->get<std::string>();
    return true;
}

bool JsonFields::boolean(const std::string& path, bool& value) {
    const nlohmann::json* v = find(path);
    if (!v) return false;
    consumed_.insert(path);
    if (!v->is_boolean()) fail(path, "expected true or false, got " + shown(*v));
    value = v->get<bool>();
    return true;
}

bool JsonFields::numberPair(const std::string& path, double& first, double& second) {
    const nlohmann::json* v = find(path);
    if (!v) return false;
    consumed_.insert(path);
    if (!v->is_array() || v->size() != 2 || !(*v)[0].is_number() || !(*v)[1].is_number())
        fail(path, "expected two numbers [a, b], got " + shown(*v));
    first = (*v)[0].get<double>();
    second = (*v)[1].get<double>();
    if (!std::isfinite(first) || !std::isfinite(second)) fail(path, "expected finite numbers");
    return true;
}

bool JsonFields::rawJson(const std::string& path, std::string& value) {
    const nlohmann::json* v = find(path);
    if (!v) return false;
    consumed_.insert(path);
    value = v->dump();
    return true;
}

void JsonFields::expect(const std::string& path, const nlohmann::json& expected) {
    const nlohmann::json* v = find(path);
    if (!v) return;
    consumed_.insert(path);
    if (*v != expected) fail(path, "expected " + shown(expected) + ", got " + shown(*v));
}

void JsonFields::skip(const std::string& path) {
    if (has(path)) consumed_.insert(path);
}

void JsonFields::collectUnknown(const nlohmann::json& node, const std::string& prefix, std::string& out) const {
    for (auto it = node.begin(); it != node.end(); ++it) {
        const std::string path = prefix.empty() ? it.key() : prefix + "." + it.key();
        if (consumed_.count(path)) continue;
        if (it->is_object() && !it->empty()) {
            collectUnknown(*it, path, out);
            continue;
        }
        out += (out.empty() ? "" : ", ") + path;
    }
}

void JsonFields::finish() const {
    std::string unknown;
    collectUnknown(root_, "", unknown);
    if (!unknown.empty()) throw std::runtime_error(source_ + ": unknown key(s) " + unknown);
}

}  // namespace synthforge::io
