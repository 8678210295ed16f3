// The face box file of predict --boxes (core/train/face_boxes.h): the
// format by known values, and truncated, corrupt and hostile files.

#include <gtest/gtest.h>

#include <fstream>

#include "core/io/file_util.h"
#include "core/train/face_boxes.h"
#include "tests/support/fixtures.h"

namespace synthforge::train {
namespace {

std::string parseError(const std::string& text) {
    try {
        parseFaceBoxes(text, "b.json");
        return "";
    } catch (const std::runtime_error& e) {
        return e.what();
    }
}

TEST(FaceBoxes, ReadsNamesAndBoxes) {
    const auto boxes = parseFaceBoxes(R"({"a.jpg": [412.5, 300, 220, 260], "b c.png": [-10, 0, 1e3, 0.5]})", "b.json");
    ASSERT_EQ(boxes.size(), 2u);
    const FaceBox& a = boxes.at("a.jpg");
    EXPECT_DOUBLE_EQ(a.x, 412.5);
    EXPECT_DOUBLE_EQ(a.y, 300);
    EXPECT_DOUBLE_EQ(a.w, 220);
    EXPECT_DOUBLE_EQ(a.h, 260);
    EXPECT_DOUBLE_EQ(boxes.at("b c.png").x, -10);  // a box may reach past the image
    EXPECT_TRUE(parseFaceBoxes("{}", "b.json").empty());

    testutil::TempDir dir;
    io::writeFileAtomic(dir.file("boxes.json"), std::string(R"({"x.png": [1, 2, 3, 4]})"));
    EXPECT_DOUBLE_EQ(readFaceBoxes(dir.file("boxes.json")).at("x.png").h, 4);
}

TEST(FaceBoxes, RefusesTruncatedCorruptAndHostileFiles) {
    const std::string good = R"({"a.jpg": [412.5, 300, 220, 260], "b.png": [1, 2, 3, 4]})";
    for (std::size_t n = 0; n + 1 < good.size(); ++n) {
        const std::string e = parseError(good.substr(0, n));
        EXPECT_EQ(e.rfind("b.json: ", 0), 0u) << n << ": " << e;
    }
    const std::pair<const char*, const char*> cases[] = {
        {"[[1, 2, 3, 4]]", "not a JSON object"},
        {"\"a.jpg\"", "not a JSON object"},
        {R"({"a.jpg": [1, 2, 3]})", "\"a.jpg\": not an array"},
        {R"({"a.jpg": [1, 2, 3, 4, 5]})", "not an array"},
        {R"({"a.jpg": {"x": 1}})", "not an array"},
        {R"({"a.jpg": [1, "2", 3, 4]})", "[1] is not a number"},
        {R"({"a.jpg": [1, null, 3, 4]})", "[1] is not a number"},
        {R"({"a.jpg": [1, 2, 0, 4]})", "positive"},
        {R"({"a.jpg": [1, 2, 3, -4]})", "positive"},
        {R"({"a.jpg": [1e7, 2, 3, 4]})", "beyond"},
        {R"({"a.jpg": [1e999, 2, 3, 4]})", "b.json"},
        {R"({"": [1, 2, 3, 4]})", "empty image name"},
        {R"({"a.jpg": [1, 2, 3, 4], "a.jpg": [5, 6, 7, 8]})", "more than one box"},
        {"{\"a.jpg\": [1, 2, 3, 4]} trailing", "not valid JSON"},
        {"\x00\x01\x02", "not valid JSON"},
    };
    for (const auto& [text, expect] : cases) {
        const std::string e = parseError(text);
        EXPECT_NE(e.find(expect), std::string::npos) << text << " -> " << e;
        EXPECT_EQ(e.rfind("b.json", 0), 0u) << e;
    }
    // Deep nesting is a parse of a value that is not a box, not a crash.
    EXPECT_NE(parseError("{\"a\": " + std::string(5000, '[') + std::string(5000, ']') + "}").find("b.json"),
              std::string::npos);

    testutil::TempDir dir;
    EXPECT_THROW(readFaceBoxes(dir.file("missing.json")), std::runtime_error);
    {
        std::ofstream f(dir.file("huge.json"), std::ios::binary);
        f.seekp(static_cast<std::streamoff>(kMaxBoxFileBytes) + 1);
        f.put('}');
    }
    try {
        readFaceBoxes(dir.file("huge.json"));
        FAIL() << "no error";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("too large"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace synthforge::train
