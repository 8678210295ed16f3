#pragma once
// Strict reading of a JSON settings object whose keys are all known: each
// field is read by its dotted path ("optimizer.lr") with a type check, and
// finish() refuses every key nobody read. Run configs use it so that a typo
// in a config file is an error naming the file and the key, never a setting
// silently left at its default.

#include <cstdint>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

namespace synthforge::io {

class JsonFields {
public:
    /// `source` names the file in messages. std::runtime_error unless `root`
    /// is an object.
    JsonFields(const nlohmann::json& root, std::string source);

    /// Each reader leaves `value` alone when the key is absent and throws
    /// std::runtime_error "<source>: <path>: expected ..." for a wrong type.
    bool number(const std::string& path, double& value);
    bool integer(const std::string& path, int64_t& value);
    bool unsignedInteger(const std::string& path, uint64_t& value);
    bool text(const std::string& path, std::string& value);
    bool boolean(const std::string& path, bool& value);
    /// A two-element array of numbers, e.g. Adam's betas.
    bool numberPair(const std::string& path, double& first, double& second);
    /// Any JSON value, serialised (for nested settings read elsewhere).
    bool rawJson(const std::string& path, std::string& value);
    /// Marks a key as known without reading it (e.g. "format"); its value
    /// must equal `expected` when given.
    void expect(const std::string& path, const nlohmann::json& expected);
    /// Marks a key as known, whatever its value.
    void skip(const std::string& path);

    bool has(const std::string& path) const;
    /// std::runtime_error naming every key that no reader consumed.
    void finish() const;

    /// "<source>: <path>: <why>" as std::runtime_error.
    [[noreturn]] void fail(const std::string& path, const std::string& why) const;

private:
    const nlohmann::json* find(const std::string& path) const;
    void collectUnknown(const nlohmann::json& node, const std::string& prefix, std::string& out) const;

    const nlohmann::json& root_;
    std::string source_;
    std::set<std::string> consumed_;
};

}  // namespace synthforge::io
