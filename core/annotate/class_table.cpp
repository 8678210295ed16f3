#include "core/annotate/class_table.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/io/file_util.h"

namespace synthforge::annotate {

namespace {

using nlohmann::json;

constexpr const char* kFormatName = "synthforge-class-table";
constexpr std::uint64_t kMaxFileBytes = 4ull << 20;
/// A class table nests three levels deep; anything much deeper is hostile
/// (and would cost recursion in the JSON library).
constexpr int kMaxJsonDepth = 16;

std::string entryLabel(std::size_t index, const ClassEntry& e) {
    return "classes[" + std::to_string(index) + "] (id " + std::to_string(e.id) + ", '" + e.name + "')";
}

/// Checks a list of entries; returns "" when valid, else "<field>: <problem>".
std::string validationError(const std::vector<ClassEntry>& entries) {
    if (entries.size() > static_cast<std::size_t>(kMaxClasses))
        return "classes: " + std::to_string(entries.size()) + " classes; at most " + std::to_string(kMaxClasses) +
               " fit 8-bit ids";
    std::map<int, std::size_t> byId;
    std::map<std::string, std::size_t> byName;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const ClassEntry& e = entries[i];
        const std::string field = "classes[" + std::to_string(i) + "]";
        if (e.id < 0 || e.id > 255) return field + ".id: " + std::to_string(e.id) + " is outside 0..255";
        if (e.name.empty()) return field + ".name: empty";
        if (e.name.size() > kMaxClassNameBytes)
            return field + ".name: " + std::to_string(e.name.size()) + " bytes; at most " +
                   std::to_string(kMaxClassNameBytes);
        for (const char c : e.name)
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return field + ".name: contains a control character";
        if (!byId.emplace(e.id, i).second)
            return field + ".id: duplicate id " + std::to_string(e.id) + " (also classes[" +
                   std::to_string(byId[e.id]) + "])";
        if (!byName.emplace(e.name, i).second)
            return field + ".name: duplicate name '" + e.name + "' (also classes[" + std::to_string(byName[e.name]) +
                   "])";
    }
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const ClassEntry& e = entries[i];
        const std::string field = "classes[" + std::to_string(i) + "].flip";
        const auto it = byId.find(e.flip);
        if (it == byId.end())
            return field + ": flip partner " + std::to_string(e.flip) + " of " + entryLabel(i, e) +
                   " is not a class of the table";
        const ClassEntry& partner = entries[it->second];
        if (partner.flip != e.id)
            return field + ": flip partners are not symmetric: " + entryLabel(i, e) + " flips to " +
                   std::to_string(e.flip) + " but " + entryLabel(it->second, partner) + " flips to " +
                   std::to_string(partner.flip);
    }
    return {};
}

int jsonDepth(const std::string& text) {
    int depth = 0, maxDepth = 0;
    bool inString = false, escape = false;
    for (const char c : text) {
        if (inString) {
            if (escape) escape = false;
            else if (c == '\\') escape = true;
            else if (c == '"') inString = false;
            continue;
        }
        if (c == '"') inString = true;
        else if (c == '[' || c == '{') maxDepth = std::max(maxDepth, ++depth);
        else if (c == ']' || c == '}') --depth;
    }
    return maxDepth;
}

int intField(const json& v, const std::string& source, const std::string& field, int lo, int hi) {
    if (!v.is_number_integer())
        throw std::runtime_error(source + ": " + field + ": expected an integer in " + std::to_string(lo) + ".." +
                                 std::to_string(hi) + ", found " + (v.is_number() ? "a non-integer number" : v.type_name()));
    const bool neg = v.is_number_integer() && !v.is_number_unsigned() && v.get<std::int64_t>() < 0;
    if (neg ? v.get<std::int64_t>() < lo : v.get<std::uint64_t>() > static_cast<std::uint64_t>(hi))
        throw std::runtime_error(source + ": " + field + ": " + v.dump() + " is outside " + std::to_string(lo) + ".." +
                                 std::to_string(hi));
    return static_cast<int>(v.get<std::int64_t>());
}

ClassEntry parseEntry(const json& c, std::size_t index, const std::string& source) {
    const std::string field = "classes[" + std::to_string(index) + "]";
    if (!c.is_object()) throw std::runtime_error(source + ": " + field + ": expected an object, found " + c.type_name());
    for (auto it = c.begin(); it != c.end(); ++it) {
        const std::string& k = it.key();
        if (k != "id" && k != "name" && k != "color" && k != "flip")
            throw std::runtime_error(source + ": " + field + "." + k + ": unknown key (expected id, name, color, flip)");
    }
    ClassEntry e;
    if (!c.contains("id")) throw std::runtime_error(source + ": " + field + ".id: missing");
    e.id = intField(c["id"], source, field + ".id", 0, 255);
    if (!c.contains("name")) throw std::runtime_error(source + ": " + field + ".name: missing");
    if (!c["name"].is_string())
        throw std::runtime_error(source + ": " + field + ".name: expected a string, found " + c["name"].type_name());
    e.name = c["name"].get<std::string>();
    if (!c.contains("color")) throw std::runtime_error(source + ": " + field + ".color: missing");
    const json& col = c["color"];
    if (!col.is_array() || col.size() != 3)
        throw std::runtime_error(source + ": " + field + ".color: expected [r, g, b] (3 integers in 0..255), found " +
                                 (col.is_array() ? "an array of " + std::to_string(col.size()) : std::string(col.type_name())));
    for (int k = 0; k < 3; ++k)
        e.color[k] = static_cast<std::uint8_t>(
            intField(col[static_cast<std::size_t>(k)], source, field + ".color[" + std::to_string(k) + "]", 0, 255));
    e.flip = c.contains("flip") ? intField(c["flip"], source, field + ".flip", 0, 255) : e.id;
    return e;
}

}  // namespace

ClassTable::ClassTable(std::vector<ClassEntry> entries) {
    const std::string err = validationError(entries);
    if (!err.empty()) throw std::invalid_argument("class table: " + err);
    std::sort(entries.begin(), entries.end(), [](const ClassEntry& a, const ClassEntry& b) { return a.id < b.id; });
    entries_ = std::move(entries);
}

const ClassTable& ClassTable::defaultTable() {
    static const ClassTable table(std::vector<ClassEntry>{
        {kBackground, "background", {0, 0, 0}, kBackground},
        {kSkin, "skin", {230, 180, 140}, kSkin},
        {kNose, "nose", {255, 120, 40}, kNose},
        {kRightEye, "right_eye", {30, 90, 255}, kLeftEye},
        {kLeftEye, "left_eye", {0, 220, 220}, kRightEye},
        {kRightBrow, "right_brow", {120, 60, 20}, kLeftBrow},
        {kLeftBrow, "left_brow", {200, 130, 0}, kRightBrow},
        {kRightEar, "right_ear", {150, 0, 150}, kLeftEar},
        {kLeftEar, "left_ear", {255, 110, 255}, kRightEar},
        {kMouthInterior, "mouth_interior", {100, 0, 40}, kMouthInterior},
        {kTopLip, "top_lip", {220, 20, 60}, kTopLip},
        {kBottomLip, "bottom_lip", {255, 120, 150}, kBottomLip},
        {kNeck, "neck", {120, 190, 100}, kNeck},
        {kHair, "hair", {250, 230, 60}, kHair},
        {kBeard, "beard", {90, 90, 90}, kBeard},
        {kClothing, "clothing", {0, 130, 130}, kClothing},
        {kGlasses, "glasses", {130, 130, 0}, kGlasses},
        {kHeadwear, "headwear", {0, 60, 140}, kHeadwear},
        {kFacewear, "facewear", {160, 255, 60}, kFacewear},
        {kIgnore, "ignore", {255, 255, 255}, kIgnore},
    });
    return table;
}

const ClassEntry* ClassTable::findById(int id) const {
    const auto it = std::lower_bound(entries_.begin(), entries_.end(), id,
                                     [](const ClassEntry& e, int v) { return e.id < v; });
    return (it != entries_.end() && it->id == id) ? &*it : nullptr;
}

const ClassEntry* ClassTable::findByName(const std::string& name) const {
    for (const ClassEntry& e : entries_)
        if (e.name == name) return &e;
    return nullptr;
}

const ClassEntry& ClassTable::byId(int id) const {
    if (const ClassEntry* e = findById(id)) return *e;
    throw std::out_of_range("class table: no class with id " + std::to_string(id));
}

const ClassEntry& ClassTable::byName(const std::string& name) const {
    if (const ClassEntry* e = findByName(name)) return *e;
    throw std::out_of_range("class table: no class named '" + name + "'");
}

std::array<std::uint8_t, 256> ClassTable::flipMap() const {
    std::array<std::uint8_t, 256> lut{};
    for (int i = 0; i < 256; ++i) lut[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(i);
    for (const ClassEntry& e : entries_) lut[static_cast<std::size_t>(e.id)] = static_cast<std::uint8_t>(e.flip);
    return lut;
}

std::array<std::array<std::uint8_t, 3>, 256> ClassTable::colorMap(std::array<std::uint8_t, 3> missing) const {
    std::array<std::array<std::uint8_t, 3>, 256> lut;
    lut.fill(missing);
    for (const ClassEntry& e : entries_) lut[static_cast<std::size_t>(e.id)] = e.color;
    return lut;
}

ClassTable parseClassTableJson(const std::string& text, const std::string& source) {
    if (jsonDepth(text) > kMaxJsonDepth)
        throw std::runtime_error(source + ": invalid class table: JSON nested deeper than " +
                                 std::to_string(kMaxJsonDepth) + " levels");
    json j;
    try {
        j = json::parse(text);
    } catch (const json::parse_error& e) {
        throw std::runtime_error(source + ": invalid JSON (truncated or malformed): " + e.what());
    }
    if (!j.is_object())
        throw std::runtime_error(source + ": expected a JSON object {\"format\": \"" + kFormatName +
                                 "\", ...}, found " + j.type_name());
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& k = it.key();
        if (k != "format" && k != "version" && k != "classes")
            throw std::runtime_error(source + ": " + k + ": unknown key (expected format, version, classes)");
    }
    if (!j.contains("format")) throw std::runtime_error(source + ": format: missing (expected \"" + kFormatName + "\")");
    if (!j["format"].is_string() || j["format"].get<std::string>() != kFormatName)
        throw std::runtime_error(source + ": format: expected \"" + kFormatName + "\", found " + j["format"].dump());
    if (!j.contains("version")) throw std::runtime_error(source + ": version: missing");
    const json& ver = j["version"];
    if (!ver.is_number_integer() || ver.get<std::int64_t>() != kClassTableFormatVersion)
        throw std::runtime_error(source + ": version: " + ver.dump() + " is not supported (expected " +
                                 std::to_string(kClassTableFormatVersion) + ")");
    if (!j.contains("classes")) throw std::runtime_error(source + ": classes: missing");
    const json& classes = j["classes"];
    if (!classes.is_array())
        throw std::runtime_error(source + ": classes: expected an array, found " + std::string(classes.type_name()));
    if (classes.empty()) throw std::runtime_error(source + ": classes: empty; a table needs at least one class");
    if (classes.size() > static_cast<std::size_t>(kMaxClasses))
        throw std::runtime_error(source + ": classes: " + std::to_string(classes.size()) + " classes; at most " +
                                 std::to_string(kMaxClasses) + " fit 8-bit ids");
    std::vector<ClassEntry> entries;
    entries.reserve(classes.size());
    for (std::size_t i = 0; i < classes.size(); ++i) entries.push_back(parseEntry(classes[i], i, source));
    const std::string err = validationError(entries);
    if (!err.empty()) throw std::runtime_error(source + ": " + err);
    return ClassTable(std::move(entries));
}

ClassTable loadClassTable(const std::string& path) {
    return parseClassTableJson(io::readFileText(path, kMaxFileBytes), path);
}

std::string classTableToJson(const ClassTable& table) {
    // One class per line: readable, diff-friendly and stable.
    std::ostringstream s;
    s << "{\n  \"format\": \"" << kFormatName << "\",\n  \"version\": " << kClassTableFormatVersion
      << ",\n  \"classes\": [";
    bool first = true;
    for (const ClassEntry& e : table.entries()) {
        // Keys in the documented order (nlohmann would sort them).
        const std::string name = json(e.name).dump(-1, ' ', false, json::error_handler_t::replace);
        s << (first ? "\n" : ",\n") << "    {\"id\": " << e.id << ", \"name\": " << name << ", \"color\": ["
          << int(e.color[0]) << ", " << int(e.color[1]) << ", " << int(e.color[2]) << "], \"flip\": " << e.flip << "}";
        first = false;
    }
    s << "\n  ]\n}\n";
    return s.str();
}

void saveClassTable(const std::string& path, const ClassTable& table) {
    io::writeFileAtomic(path, classTableToJson(table));
}

}  // namespace synthforge::annotate
