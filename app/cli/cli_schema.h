#pragma once
// `synthforge <command> --help-json`: a command's options as JSON, read from
// the CLI11 definitions themselves, so that the studio's launch dialog
// (widgets/runs/) is built from the same list the command parses and never
// from a copy that could drift.
//
// Everything comes from what CLI11 keeps about an option: its names, help,
// captured default, whether it is required, how many values it takes, its
// type name, and its validators' descriptions. Choices come from
// CLI::IsMember ("{a,b,c}"), ranges from CLI::Range ("INT in [lo - hi]",
// NONNEGATIVE, POSITIVE), and path hints from CLI::ExistingFile /
// CLI::ExistingDirectory ("FILE", "DIR") or a type_name("FILE"/"DIR") set
// where the option is defined.
//
// Format (version 1):
//   {"format": "synthforge-cli-schema", "version": 1, "command": "train",
//    "description": "...", "check": true,
//    "options": [{"name": "--size", "names": ["--size"], "description": "...",
//                 "kind": "value" | "flag", "type": "int" | "float" | "string" | "bool",
//                 "default": "256", "required": false, "multiple": false,
//                 "choices": ["a", "b"], "range": [lo, hi], "path": "file" | "dir" | "none",
//                 "group": "Options"}]}
// "choices" and "range" are present only when a validator gives them; a
// range bound is null when open (NONNEGATIVE: [0, null]; POSITIVE: the
// smallest positive double, as CLI11 checks it). "check" says whether the
// command takes --check (app/cli/check_option.h); --help, --help-json and
// --check are not listed as options.

#include <cstdlib>
#include <exception>
#include <limits>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

namespace synthforge::cli {

inline constexpr const char* kHelpJsonFlag = "--help-json";
inline constexpr const char* kCheckFlag = "--check";

/// Thrown from the --help-json flag as soon as it is parsed (before the
/// command's required options are checked); parseAndRun prints the schema.
struct HelpJsonRequested : std::exception {
    explicit HelpJsonRequested(CLI::App* c) : command(c) {}
    const char* what() const noexcept override { return "--help-json"; }
    CLI::App* command;
};

namespace schema_detail {

/// The descriptions of an option's validators. CLI11 2.1 has no count of
/// them, only access by index that throws past the end.
inline std::vector<std::string> validatorDescriptions(CLI::Option& o) {
    std::vector<std::string> out;
    for (int i = 0;; ++i) {
        try {
            out.push_back(o.get_validator(i)->get_description());
        } catch (const CLI::OptionNotFound&) {
            return out;
        }
    }
}

/// get_type_name() is the option's type name followed by ":<description>"
/// for each validator; the type name alone is what is left.
inline std::string baseTypeName(CLI::Option& o, const std::vector<std::string>& descriptions) {
    std::string full = o.get_type_name(), suffix;
    for (const std::string& d : descriptions)
        if (!d.empty()) suffix += ":" + d;
    if (!suffix.empty() && full.size() >= suffix.size() && full.compare(full.size() - suffix.size(), suffix.size(), suffix) == 0)
        full.resize(full.size() - suffix.size());
    return full;
}

/// "{a,b,c}" (CLI::IsMember) -> ["a", "b", "c"]; false for other text.
inline bool parseChoices(const std::string& d, nlohmann::ordered_json& out) {
    if (d.size() < 2 || d.front() != '{' || d.back() != '}') return false;
    out = nlohmann::ordered_json::array();
    std::string item;
    for (std::size_t i = 1; i + 1 < d.size(); ++i) {
        if (d[i] == ',') {
            out.push_back(item);
            item.clear();
        } else {
            item += d[i];
        }
    }
    out.push_back(item);
    return true;
}

inline nlohmann::ordered_json number(const std::string& s) {
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (end == s.c_str()) return nullptr;
    if (v == static_cast<double>(static_cast<long long>(v)) && s.find_first_of(".eE") == std::string::npos)
        return static_cast<long long>(v);
    return v;
}

/// "INT in [64 - 4096]" (CLI::Range), NONNEGATIVE or POSITIVE -> [lo, hi].
inline bool parseRange(const std::string& d, nlohmann::ordered_json& out) {
    if (d == "NONNEGATIVE") {
        out = nlohmann::ordered_json::array({0, nullptr});
        return true;
    }
    if (d == "POSITIVE") {
        out = nlohmann::ordered_json::array({std::numeric_limits<double>::min(), nullptr});
        return true;
    }
    const std::size_t open = d.find(" in ["), sep = d.rfind(" - ");
    if (open == std::string::npos || sep == std::string::npos || sep < open || d.back() != ']') return false;
    const std::string lo = d.substr(open + 5, sep - open - 5), hi = d.substr(sep + 3, d.size() - sep - 4);
    out = nlohmann::ordered_json::array({number(lo), number(hi)});
    return !out[0].is_null() && !out[1].is_null();
}

inline std::string pathKind(const std::string& name) {
    if (name == "FILE") return "file";
    if (name == "DIR") return "dir";
    return "";
}

inline std::string typeOf(const std::string& base) {
    if (base == "INT" || base == "UINT") return "int";
    if (base == "FLOAT" || base == "NUMBER") return "float";
    if (base == "BOOLEAN") return "bool";
    return "string";
}

inline std::string commandPath(const CLI::App& cmd) {
    std::string path = cmd.get_name();
    for (const CLI::App* p = cmd.get_parent(); p != nullptr && p->get_parent() != nullptr; p = p->get_parent())
        path = p->get_name() + " " + path;
    return path;
}

}  // namespace schema_detail

/// The schema of one option (format above).
inline nlohmann::ordered_json optionSchema(CLI::Option& o) {
    using namespace schema_detail;
    nlohmann::ordered_json j;
    const auto& longNames = o.get_lnames();
    const auto& shortNames = o.get_snames();
    j["name"] = longNames.empty() ? "-" + shortNames.front() : "--" + longNames.front();
    nlohmann::ordered_json names = nlohmann::ordered_json::array();
    for (const std::string& n : longNames) names.push_back("--" + n);
    for (const std::string& n : shortNames) names.push_back("-" + n);
    j["names"] = names;
    j["description"] = o.get_description();
    const bool flag = o.get_expected_max() == 0;  // add_flag sets expected(0)
    const std::vector<std::string> descriptions = validatorDescriptions(o);
    const std::string base = baseTypeName(o, descriptions);
    j["kind"] = flag ? "flag" : "value";
    j["type"] = flag ? "bool" : typeOf(base);
    j["default"] = o.get_default_str();
    j["required"] = o.get_required();
    j["multiple"] = !flag && o.get_items_expected_max() > 1;
    std::string path = pathKind(base);
    for (const std::string& d : descriptions) {
        nlohmann::ordered_json parsed;
        if (parseChoices(d, parsed)) j["choices"] = parsed;
        else if (parseRange(d, parsed)) j["range"] = parsed;
        else if (!pathKind(d).empty()) path = pathKind(d);
    }
    j["path"] = path.empty() ? "none" : path;
    j["group"] = o.get_group();
    return j;
}

/// The schema of a command (format above).
inline nlohmann::ordered_json commandSchema(CLI::App& cmd) {
    nlohmann::ordered_json j;
    j["format"] = "synthforge-cli-schema";
    j["version"] = 1;
    j["command"] = schema_detail::commandPath(cmd);
    j["description"] = cmd.get_description();
    j["check"] = cmd.get_option_no_throw(kCheckFlag) != nullptr;
    nlohmann::ordered_json options = nlohmann::ordered_json::array();
    for (CLI::Option* o : cmd.get_options()) {
        if (o == cmd.get_help_ptr() || o == cmd.get_help_all_ptr() || o->get_positional()) continue;
        if (o->check_lname(kHelpJsonFlag + 2) || o->check_lname(kCheckFlag + 2)) continue;
        options.push_back(optionSchema(*o));
    }
    j["options"] = options;
    return j;
}

/// Gives every command that runs here --help-json. Groups (commands made
/// of subcommands) get it on their leaves; the front end's stand-ins for
/// synthforge-torch pass every argument on, so the torch process answers.
inline void addHelpJsonFlags(CLI::App& app) {
    for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
        if (sub->get_prefix_command()) continue;
        if (!sub->get_subcommands([](CLI::App*) { return true; }).empty()) {
            addHelpJsonFlags(*sub);
            continue;
        }
        sub->add_flag_callback(
               kHelpJsonFlag, [sub] { throw HelpJsonRequested(sub); },
               "Print this command's options as JSON (for the studio and scripts) and exit")
            ->trigger_on_parse();
    }
}

}  // namespace synthforge::cli
