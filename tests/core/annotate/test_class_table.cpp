// Class tables: the default FaceSynthetics table, JSON round trips, and every
// validation error (with the file and field named), truncated and hostile
// files included.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/annotate/class_table.h"
#include "tests/support/fixtures.h"

using namespace synthforge;
using annotate::ClassEntry;
using annotate::ClassTable;

namespace {

const char* kHeader = R"({"format": "synthforge-class-table", "version": 1, "classes": )";

std::string withClasses(const std::string& classesJson) { return std::string(kHeader) + classesJson + "}"; }

/// Parses `text` and expects a runtime_error whose message names the source
/// and contains each of `parts`.
void expectParseError(const std::string& text, const std::vector<std::string>& parts) {
    try {
        annotate::parseClassTableJson(text, "table.json");
        ADD_FAILURE() << "no error for: " << text.substr(0, 200);
    } catch (const std::runtime_error& e) {
        const std::string msg = e.what();
        EXPECT_EQ(msg.rfind("table.json: ", 0), 0u) << msg;
        for (const auto& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "'" << p << "' not in: " << msg;
    }
}

void expectInvalid(std::vector<ClassEntry> entries, const std::string& part) {
    try {
        ClassTable t(std::move(entries));
        ADD_FAILURE() << "no error, expected " << part;
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    }
}

}  // namespace

TEST(ClassTable, DefaultTableHasDesignIdsNamesAndFlips) {
    const ClassTable& t = ClassTable::defaultTable();
    ASSERT_EQ(t.size(), 20u);
    const std::vector<std::string> names = {"background", "skin",       "nose",           "right_eye", "left_eye",
                                            "right_brow", "left_brow",  "right_ear",      "left_ear",  "mouth_interior",
                                            "top_lip",    "bottom_lip", "neck",           "hair",      "beard",
                                            "clothing",   "glasses",    "headwear",       "facewear"};
    for (int id = 0; id < static_cast<int>(names.size()); ++id) {
        ASSERT_NE(t.findById(id), nullptr) << id;
        EXPECT_EQ(t.byId(id).name, names[id]);
        EXPECT_EQ(t.byName(names[id]).id, id);
    }
    EXPECT_EQ(t.byId(255).name, "ignore");
    EXPECT_EQ(t.findById(19), nullptr);
    EXPECT_EQ(t.findById(-1), nullptr);
    EXPECT_EQ(t.findByName("eyes"), nullptr);
    EXPECT_THROW(t.byId(100), std::out_of_range);
    EXPECT_THROW(t.byName("eyes"), std::out_of_range);
    EXPECT_EQ(annotate::kLeftEye, 4);
    EXPECT_EQ(annotate::kHair, 13);

    // Flip partners: eyes, brows, ears; everything else maps to itself.
    const auto flip = t.flipMap();
    EXPECT_EQ(flip[3], 4);
    EXPECT_EQ(flip[4], 3);
    EXPECT_EQ(flip[5], 6);
    EXPECT_EQ(flip[6], 5);
    EXPECT_EQ(flip[7], 8);
    EXPECT_EQ(flip[8], 7);
    for (int id : {0, 1, 2, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 255}) EXPECT_EQ(flip[id], id) << id;
    for (int id = 19; id < 255; ++id) EXPECT_EQ(flip[id], id) << "unknown ids map to themselves";
    for (int id = 0; id < 256; ++id) EXPECT_EQ(flip[flip[id]], id) << "an involution";

    // Distinct colours; background black.
    std::set<std::array<std::uint8_t, 3>> colours;
    for (const auto& e : t.entries()) colours.insert(e.color);
    EXPECT_EQ(colours.size(), t.size());
    EXPECT_EQ(t.byId(0).color, (std::array<std::uint8_t, 3>{0, 0, 0}));
    const auto lut = t.colorMap();
    EXPECT_EQ(lut[4], t.byId(4).color);
    EXPECT_EQ(lut[100], (std::array<std::uint8_t, 3>{255, 0, 255}));
}

TEST(ClassTable, JsonRoundTripIsExact) {
    const ClassTable& t = ClassTable::defaultTable();
    const std::string text = annotate::classTableToJson(t);
    EXPECT_NE(text.find("\"format\": \"synthforge-class-table\""), std::string::npos);
    EXPECT_NE(text.find("{\"id\": 4, \"name\": \"left_eye\", \"color\": [0, 220, 220], \"flip\": 3}"), std::string::npos)
        << text;
    const ClassTable back = annotate::parseClassTableJson(text, "mem");
    EXPECT_EQ(back, t);
    EXPECT_EQ(annotate::classTableToJson(back), text) << "stable output";

    // Files, with a custom table: unsorted input, unusual names, no flips.
    testutil::TempDir dir;
    const ClassTable custom({{7, "a \"quoted\" \\ name", {1, 2, 3}, 7},
                             {2, "gauche", {0, 0, 255}, 3},
                             {3, "droite", {255, 0, 0}, 2},
                             {255, "ignor\xc3\xa9", {255, 255, 255}, 255}});
    EXPECT_EQ(custom.entries().front().id, 2) << "kept sorted by id";
    annotate::saveClassTable(dir.file("c.json"), custom);
    EXPECT_EQ(annotate::loadClassTable(dir.file("c.json")), custom);

    // "flip" may be omitted: the class maps to itself.
    const ClassTable noFlip = annotate::parseClassTableJson(
        withClasses(R"([{"id": 0, "name": "bg", "color": [0, 0, 0]}, {"id": 1, "name": "fg", "color": [9, 9, 9]}])"), "m");
    EXPECT_EQ(noFlip.byId(1).flip, 1);
}

TEST(ClassTable, ConstructorRejectsBadEntries) {
    expectInvalid({{0, "a", {}, 0}, {0, "b", {}, 0}}, "duplicate id 0");
    expectInvalid({{0, "a", {}, 0}, {1, "a", {}, 1}}, "duplicate name 'a'");
    expectInvalid({{256, "a", {}, 256}}, "256 is outside 0..255");
    expectInvalid({{-1, "a", {}, -1}}, "outside 0..255");
    expectInvalid({{0, "", {}, 0}}, "name: empty");
    expectInvalid({{0, std::string(200, 'x'), {}, 0}}, "at most");
    expectInvalid({{0, "a\nb", {}, 0}}, "control character");
    expectInvalid({{0, "a", {}, 5}}, "flip partner 5");
    expectInvalid({{0, "a", {}, 1}, {1, "b", {}, 2}, {2, "c", {}, 2}}, "not symmetric");
    std::vector<ClassEntry> many;
    for (int i = 0; i < 257; ++i) many.push_back({i % 256, "c" + std::to_string(i), {}, i % 256});
    expectInvalid(many, "257 classes");
    EXPECT_TRUE(ClassTable().empty());
}

TEST(ClassTable, JsonErrorsNameTheFileAndField) {
    const std::string ok0 = R"({"id": 0, "name": "bg", "color": [0, 0, 0], "flip": 0})";
    // Top level.
    expectParseError("[1, 2]", {"expected a JSON object", "array"});
    expectParseError("\"text\"", {"expected a JSON object"});
    expectParseError("", {"invalid JSON"});
    expectParseError("{\"format\": ", {"invalid JSON"});
    expectParseError("nonsense", {"invalid JSON"});
    expectParseError(R"({"version": 1, "classes": []})", {"format: missing"});
    expectParseError(R"({"format": "other", "version": 1, "classes": []})", {"format: expected", "\"other\""});
    expectParseError(R"({"format": "synthforge-class-table", "classes": []})", {"version: missing"});
    expectParseError(R"({"format": "synthforge-class-table", "version": 2, "classes": []})", {"version: 2 is not supported"});
    expectParseError(R"({"format": "synthforge-class-table", "version": "1", "classes": []})", {"version: \"1\""});
    expectParseError(R"({"format": "synthforge-class-table", "version": 1})", {"classes: missing"});
    expectParseError(R"({"format": "synthforge-class-table", "version": 1, "classes": {}})", {"classes: expected an array"});
    expectParseError(withClasses("[]"), {"classes: empty"});
    expectParseError(R"({"format": "synthforge-class-table", "version": 1, "classes": [], "extra": 1})",
                     {"extra: unknown key"});
    // Entries.
    expectParseError(withClasses("[5]"), {"classes[0]: expected an object", "number"});
    expectParseError(withClasses("[" + ok0 + R"(, {"id": 1, "name": "x", "color": [0, 0, 0], "flip": 1, "colour": 2}])"),
                     {"classes[1].colour: unknown key"});
    expectParseError(withClasses(R"([{"name": "x", "color": [0, 0, 0]}])"), {"classes[0].id: missing"});
    expectParseError(withClasses(R"([{"id": 3.5, "name": "x", "color": [0, 0, 0]}])"), {"classes[0].id", "non-integer"});
    expectParseError(withClasses(R"([{"id": "3", "name": "x", "color": [0, 0, 0]}])"), {"classes[0].id", "string"});
    expectParseError(withClasses(R"([{"id": true, "name": "x", "color": [0, 0, 0]}])"), {"classes[0].id", "boolean"});
    expectParseError(withClasses(R"([{"id": -1, "name": "x", "color": [0, 0, 0]}])"), {"classes[0].id: -1 is outside 0..255"});
    expectParseError(withClasses(R"([{"id": 256, "name": "x", "color": [0, 0, 0]}])"), {"classes[0].id: 256 is outside"});
    expectParseError(withClasses(R"([{"id": 99999999999999999999, "name": "x", "color": [0, 0, 0]}])"), {"classes[0].id"});
    expectParseError(withClasses(R"([{"id": 1, "color": [0, 0, 0]}])"), {"classes[0].name: missing"});
    expectParseError(withClasses(R"([{"id": 1, "name": 7, "color": [0, 0, 0]}])"), {"classes[0].name: expected a string"});
    expectParseError(withClasses(R"([{"id": 1, "name": "", "color": [0, 0, 0]}])"), {"classes[0].name: empty"});
    expectParseError(withClasses(R"([{"id": 1, "name": "x"}])"), {"classes[0].color: missing"});
    expectParseError(withClasses(R"([{"id": 1, "name": "x", "color": [0, 0]}])"), {"classes[0].color", "an array of 2"});
    expectParseError(withClasses(R"([{"id": 1, "name": "x", "color": [0, 0, 0, 0]}])"), {"classes[0].color", "array of 4"});
    expectParseError(withClasses(R"([{"id": 1, "name": "x", "color": "red"}])"), {"classes[0].color", "string"});
    expectParseError(withClasses(R"([{"id": 1, "name": "x", "color": [0, 256, 0]}])"), {"classes[0].color[1]: 256 is outside"});
    expectParseError(withClasses(R"([{"id": 1, "name": "x", "color": [0, 0, -3]}])"), {"classes[0].color[2]: -3 is outside"});
    expectParseError(withClasses(R"([{"id": 1, "name": "x", "color": [0.5, 0, 0]}])"), {"classes[0].color[0]", "non-integer"});
    expectParseError(withClasses(R"([{"id": 1, "name": "x", "color": [0, 0, 0], "flip": 1.0}])"), {"classes[0].flip"});
    // Table-level rules.
    expectParseError(withClasses("[" + ok0 + R"(, {"id": 0, "name": "y", "color": [1, 1, 1]}])"),
                     {"classes[1].id: duplicate id 0", "classes[0]"});
    expectParseError(withClasses("[" + ok0 + R"(, {"id": 1, "name": "bg", "color": [1, 1, 1]}])"),
                     {"classes[1].name: duplicate name 'bg'"});
    expectParseError(withClasses("[" + ok0 + R"(, {"id": 1, "name": "y", "color": [1, 1, 1], "flip": 9}])"),
                     {"classes[1].flip", "flip partner 9", "not a class"});
    expectParseError(withClasses("[" + ok0 + R"(, {"id": 1, "name": "l", "color": [1, 1, 1], "flip": 2},
                                                 {"id": 2, "name": "r", "color": [2, 2, 2], "flip": 0}])"),
                     {"classes[1].flip", "not symmetric"});
}

TEST(ClassTable, HostileFilesFailCleanly) {
    // More classes than 8-bit ids.
    std::string many = "[";
    for (int i = 0; i < 300; ++i)
        many += (i ? "," : "") + std::string(R"({"id": )") + std::to_string(i % 256) + R"(, "name": "c)" +
                std::to_string(i) + R"(", "color": [0, 0, 0]})";
    many += "]";
    expectParseError(withClasses(many), {"classes: 300 classes", "at most 256"});
    // Deep nesting is refused before it reaches the JSON library.
    expectParseError(std::string(100000, '[') + std::string(100000, ']'), {"nested deeper"});
    expectParseError(withClasses("[" + std::string(5000, '{') + "]"), {"nested deeper"});
    // Brackets inside strings do not count.
    EXPECT_NO_THROW(annotate::parseClassTableJson(
        withClasses(R"([{"id": 0, "name": "[[[[[[[[[[[[[[[[[[[[[[[[\"{{{{{{{{{{{{{{{{{{{{", "color": [0, 0, 0]}])"), "m"));
    // Files: missing, oversized.
    testutil::TempDir dir;
    try {
        annotate::loadClassTable(dir.file("missing.json"));
        ADD_FAILURE();
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("missing.json"), std::string::npos) << e.what();
    }
    {
        std::ofstream big(dir.file("big.json"), std::ios::binary);
        big << std::string(5u << 20, ' ');
    }
    EXPECT_THROW(annotate::loadClassTable(dir.file("big.json")), std::runtime_error);
}

TEST(ClassTable, EveryTruncationOfAValidFileThrows) {
    const std::string text = annotate::classTableToJson(ClassTable::defaultTable());
    const std::size_t lastBrace = text.rfind('}');
    ASSERT_NE(lastBrace, std::string::npos);
    for (std::size_t n = 0; n <= lastBrace; ++n) {
        try {
            annotate::parseClassTableJson(text.substr(0, n), "cut.json");
            ADD_FAILURE() << "a prefix of " << n << " bytes parsed";
        } catch (const std::runtime_error& e) {
            ASSERT_EQ(std::string(e.what()).rfind("cut.json: ", 0), 0u) << e.what();
        }
    }
    EXPECT_NO_THROW(annotate::parseClassTableJson(text.substr(0, lastBrace + 1), "whole.json"));
}
