// Saving and loading the editor's map and class table: round trips, atomic
// writes, and every refusal (wrong size, not 8-bit grey, ids missing from the
// table, truncated or corrupt PNG, corrupt JSON), each leaving the map being
// edited untouched. Plus the colour preview export.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "core/io/file_util.h"
#include "core/labelmap/brush.h"
#include "core/labelmap/label_file.h"
#include "tests/support/fixtures.h"

using namespace synthforge;
using namespace synthforge::labelmap;

namespace {

void writeBytes(const std::string& path, const std::vector<std::uint8_t>& b) {
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

}  // namespace

TEST(LabelFile, RoundTripAndAtomicWrites) {
    testutil::TempDir dir;
    const auto& table = annotate::ClassTable::defaultTable();
    LabelCanvas c(300, annotate::kSkin);
    paintStroke(c, {{20, 30}, {250, 200}}, 15, annotate::kLeftBrow);
    c = LabelCanvas::fromMat([&] {
        cv::Mat m = c.toMat();
        m.at<std::uint8_t>(299, 299) = annotate::kIgnore;
        return m;
    }());
    saveLabelMapFiles(dir.file("map.png"), dir.file("map.json"), c, table);
    const LabelMapFiles back = loadLabelMapFiles(dir.file("map.png"), dir.file("map.json"), 300);
    EXPECT_EQ(cv::countNonZero(back.canvas.toMat() != c.toMat()), 0);
    EXPECT_EQ(back.classes, table);
    int files = 0;  // no temporary files left behind
    for (const auto& e : std::filesystem::directory_iterator(dir.path)) {
        ++files;
        EXPECT_EQ(e.path().string().find(".tmp"), std::string::npos) << e.path();
    }
    EXPECT_EQ(files, 2);
    // ids the table lacks cannot be saved (they could not be loaded back)
    const annotate::ClassTable small({{0, "background", {0, 0, 0}, 0}, {1, "skin", {9, 9, 9}, 1}});
    EXPECT_THROW(saveLabelMapFiles(dir.file("x.png"), dir.file("x.json"), c, small), std::invalid_argument);
    EXPECT_FALSE(std::filesystem::exists(dir.file("x.png")));
    EXPECT_THROW(saveLabelMapFiles(dir.file("x.png"), dir.file("x.json"), LabelCanvas(), table), std::invalid_argument);
}

TEST(LabelFile, RefusalsNameTheFileAndLeaveTheCanvasAlone) {
    testutil::TempDir dir;
    const auto& table = annotate::ClassTable::defaultTable();
    LabelCanvas good(64, annotate::kSkin);
    paintStroke(good, {{10, 10}}, 5, annotate::kNose);
    saveLabelMapFiles(dir.file("good.png"), dir.file("t.json"), good, table);
    LabelMapFiles current = loadLabelMapFiles(dir.file("good.png"), dir.file("t.json"));
    const cv::Mat before = current.canvas.toMat();

    auto expectRefused = [&](const std::string& png, const std::string& json, const std::string& needle,
                             int expected = 0) {
        // how the editor loads: replace the current map only on success
        try {
            current = loadLabelMapFiles(png, json, expected);
            ADD_FAILURE() << png << " loaded";
        } catch (const std::runtime_error& e) {
            const std::string msg = e.what();
            EXPECT_NE(msg.find(needle), std::string::npos) << msg;
        }
        EXPECT_EQ(cv::countNonZero(current.canvas.toMat() != before), 0);
        EXPECT_EQ(current.classes, table);
    };

    cv::imwrite(dir.file("wide.png"), cv::Mat(16, 32, CV_8UC1, cv::Scalar(1)));
    expectRefused(dir.file("wide.png"), dir.file("t.json"), "not square");
    expectRefused(dir.file("good.png"), dir.file("t.json"), "expected 128x128", 128);
    cv::imwrite(dir.file("deep.png"), cv::Mat(64, 64, CV_16UC1, cv::Scalar(1)));
    expectRefused(dir.file("deep.png"), dir.file("t.json"), "16-bit");
    cv::imwrite(dir.file("rgb.png"), cv::Mat(64, 64, CV_8UC3, cv::Scalar(1, 1, 1)));
    expectRefused(dir.file("rgb.png"), dir.file("t.json"), "RGB");
    cv::imwrite(dir.file("photo.jpg"), cv::Mat(64, 64, CV_8UC1, cv::Scalar(1)));
    expectRefused(dir.file("photo.jpg"), dir.file("t.json"), "JPEG");

    cv::Mat ids(64, 64, CV_8UC1, cv::Scalar(1));
    ids.at<std::uint8_t>(5, 7) = 42;
    ids.at<std::uint8_t>(9, 3) = 77;
    ids.at<std::uint8_t>(60, 60) = 42;
    cv::imwrite(dir.file("ids.png"), ids);
    expectRefused(dir.file("ids.png"), dir.file("t.json"), "42 (first at x=7 y=5), 77 (first at x=3 y=9)");

    const std::vector<std::uint8_t> bytes = io::readFileBytes(dir.file("good.png"));
    writeBytes(dir.file("cut.png"), std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + static_cast<long>(bytes.size() / 2)));
    expectRefused(dir.file("cut.png"), dir.file("t.json"), "truncated");
    std::vector<std::uint8_t> flipped = bytes;
    flipped[bytes.size() - 20] ^= 0x5A;  // inside IDAT
    writeBytes(dir.file("bad.png"), flipped);
    expectRefused(dir.file("bad.png"), dir.file("t.json"), "corrupt");
    writeBytes(dir.file("empty.png"), {});
    expectRefused(dir.file("empty.png"), dir.file("t.json"), "empty.png");
    expectRefused(dir.file("missing.png"), dir.file("t.json"), "missing.png");

    std::string json = io::readFileText(dir.file("t.json"));
    io::writeFileAtomic(dir.file("cut.json"), json.substr(0, json.size() / 2));
    expectRefused(dir.file("good.png"), dir.file("cut.json"), "cut.json");
    io::writeFileAtomic(dir.file("dup.json"), "{\"format\": \"synthforge-class-table\", \"version\": 1, \"classes\": ["
                                              "{\"id\": 1, \"name\": \"a\", \"color\": [0,0,0]},"
                                              "{\"id\": 1, \"name\": \"b\", \"color\": [0,0,0]}]}");
    expectRefused(dir.file("good.png"), dir.file("dup.json"), "duplicate");
}

TEST(LabelFile, ColourPreview) {
    testutil::TempDir dir;
    const auto& table = annotate::ClassTable::defaultTable();
    LabelCanvas c(64, annotate::kSkin);
    paintStroke(c, {{32.5f, 32.5f}}, 1, annotate::kLeftEye);
    c = LabelCanvas::fromMat([&] {
        cv::Mat m = c.toMat();
        m.at<std::uint8_t>(0, 0) = 200;  // not in the table: magenta
        return m;
    }());
    saveColorPreview(dir.file("preview.png"), c, table);
    const cv::Mat rgb = cv::imread(dir.file("preview.png"), cv::IMREAD_UNCHANGED);
    ASSERT_EQ(rgb.type(), CV_8UC3);
    const auto eye = table.byId(annotate::kLeftEye).color, skin = table.byId(annotate::kSkin).color;
    EXPECT_EQ(rgb.at<cv::Vec3b>(32, 32), cv::Vec3b(eye[2], eye[1], eye[0]));
    EXPECT_EQ(rgb.at<cv::Vec3b>(10, 40), cv::Vec3b(skin[2], skin[1], skin[0]));
    EXPECT_EQ(rgb.at<cv::Vec3b>(0, 0), cv::Vec3b(255, 0, 255));
}
