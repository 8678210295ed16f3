#pragma once
// Segmentation class tables: id, name, preview colour and left/right flip
// partner per class, with the JSON file format of docs/design.md:
//
//   {"format": "synthforge-class-table", "version": 1,
//    "classes": [{"id": 0, "name": "background", "color": [0, 0, 0], "flip": 0}, ...]}
//
// "flip" names the class a horizontal image flip turns this one into
// (right_eye <-> left_eye); it may be omitted for a class that maps to itself.
// "Right" and "left" are the subject's, as in iBUG-68.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace synthforge::annotate {

/// The default (FaceSynthetics) class ids of docs/design.md.
enum DefaultClass : std::uint8_t {
    kBackground = 0,
    kSkin = 1,
    kNose = 2,
    kRightEye = 3,
    kLeftEye = 4,
    kRightBrow = 5,
    kLeftBrow = 6,
    kRightEar = 7,
    kLeftEar = 8,
    kMouthInterior = 9,
    kTopLip = 10,
    kBottomLip = 11,
    kNeck = 12,
    kHair = 13,
    kBeard = 14,
    kClothing = 15,
    kGlasses = 16,
    kHeadwear = 17,
    kFacewear = 18,
    kIgnore = 255,
};

/// Version written to and required from class table files.
constexpr int kClassTableFormatVersion = 1;
/// At most one class per 8-bit id.
constexpr int kMaxClasses = 256;
/// Longest accepted class name, in bytes.
constexpr std::size_t kMaxClassNameBytes = 128;

struct ClassEntry {
    int id = 0;                           ///< 0..255, the value stored in label maps
    std::string name;                     ///< unique, non-empty, e.g. "left_eye"
    std::array<std::uint8_t, 3> color{};  ///< RGB preview colour
    int flip = 0;                         ///< id of the mirror class; the entry's own id if none

    bool operator==(const ClassEntry& o) const {
        return id == o.id && name == o.name && color == o.color && flip == o.flip;
    }
};

/// A validated set of classes, kept sorted by id.
class ClassTable {
public:
    /// An empty table (no classes).
    ClassTable() = default;
    /// Validates and sorts `entries`. Throws std::invalid_argument naming the
    /// entry and field: duplicate ids or names, an id out of 0..255, an empty
    /// or over-long name, an unknown or non-symmetric flip partner, more than
    /// 256 entries.
    explicit ClassTable(std::vector<ClassEntry> entries);

    /// DESIGN's FaceSynthetics table: 0 background ... 18 facewear, 255 ignore,
    /// with right/left eye, brow and ear as flip partners.
    static const ClassTable& defaultTable();

    const std::vector<ClassEntry>& entries() const { return entries_; }
    std::size_t size() const { return entries_.size(); }
    bool empty() const { return entries_.empty(); }

    /// The entry with this id / name, or nullptr.
    const ClassEntry* findById(int id) const;
    const ClassEntry* findByName(const std::string& name) const;
    /// The same, throwing std::out_of_range when absent.
    const ClassEntry& byId(int id) const;
    const ClassEntry& byName(const std::string& name) const;

    /// 256-entry lookup table: id -> flip partner id. Ids not in the table map
    /// to themselves.
    std::array<std::uint8_t, 256> flipMap() const;
    /// 256-entry RGB lookup table; ids not in the table get `missing`.
    std::array<std::array<std::uint8_t, 3>, 256> colorMap(std::array<std::uint8_t, 3> missing = {255, 0, 255}) const;

    bool operator==(const ClassTable& o) const { return entries_ == o.entries_; }
    bool operator!=(const ClassTable& o) const { return !(*this == o); }

private:
    std::vector<ClassEntry> entries_;
};

/// Parses the JSON text of a class table. Errors are std::runtime_error
/// "<source>: <field>: <what is wrong>" (e.g. "t.json: classes[3].color: ...").
ClassTable parseClassTableJson(const std::string& text, const std::string& source);
/// Reads a class table file (at most 4 MiB).
ClassTable loadClassTable(const std::string& path);
/// The JSON text of a table (one class per line, stable output).
std::string classTableToJson(const ClassTable& table);
/// Writes a class table file atomically.
void saveClassTable(const std::string& path, const ClassTable& table);

}  // namespace synthforge::annotate
