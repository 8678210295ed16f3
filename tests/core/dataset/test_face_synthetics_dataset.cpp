// The FaceSynthetics reader: a folder written by our exporter reads back as
// the same images, labels and landmarks as our own layout; damaged and
// hostile files each fail with an error naming the file.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "core/annotate/class_table.h"
#include "core/generate/dataset_writer.h"
#include "core/io/file_util.h"
#include "core/dataset/face_synthetics_dataset.h"
#include "tests/support/fixtures.h"
#include "tests/support/tiny_dataset.h"

using namespace synthforge;
namespace fs = std::filesystem;
using dataset::FaceSyntheticsDataset;

namespace {

void writeText(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    ASSERT_TRUE(out.good()) << path;
}

std::string landmarkLines(int n, float x = 10.0f, float y = 12.0f) {
    std::string s;
    for (int i = 0; i < n; ++i) s += std::to_string(x + i * 0.1f) + " " + std::to_string(y) + "\n";
    return s;
}

/// Two valid 32 x 32 samples, 000000 and 000001, in `dir`.
void writeHandmade(const fs::path& dir) {
    fs::create_directories(dir);
    for (const char* stem : {"000000", "000001"}) {
        cv::Mat img(32, 32, CV_8UC3, cv::Scalar(10, 20, 30));
        cv::Mat seg = cv::Mat::zeros(32, 32, CV_8UC1);
        seg(cv::Rect(8, 8, 16, 16)).setTo(1);
        seg.at<std::uint8_t>(0, 0) = 255;  // ignore is a valid id
        ASSERT_TRUE(cv::imwrite((dir / (std::string(stem) + ".png")).string(), img));
        ASSERT_TRUE(cv::imwrite((dir / (std::string(stem) + "_seg.png")).string(), seg));
        writeText(dir / (std::string(stem) + "_ldmks.txt"), landmarkLines(70));
    }
}

/// Expects `f` to throw std::runtime_error whose message starts with `file`
/// and contains `what`.
template <typename F>
void expectError(F f, const fs::path& file, const std::string& what) {
    try {
        f();
        ADD_FAILURE() << "no error for " << file << " (" << what << ")";
    } catch (const std::runtime_error& e) {
        const std::string msg = e.what();
        EXPECT_EQ(msg.rfind(file.string(), 0), 0u) << msg;
        EXPECT_NE(msg.find(what), std::string::npos) << msg;
    }
}

}  // namespace

TEST(FaceSyntheticsDataset, ReadsOurExportLikeOurOwnLayout) {
    testutil::TempDir tmp;
    generate::DatasetOptions o;
    o.outDir = tmp.file("ds");
    o.count = 3;
    o.seed = 11;
    o.workers = 2;
    o.headSource = "default";
    o.formats.faceSynthetics = true;
    generate::writeDataset(testutil::tinyPipeline(64), o);

    const fs::path root = tmp.path / "ds";
    ASSERT_TRUE(dataset::FaceSyntheticsDataset::looksLike((root / "facesynthetics").string()));
    EXPECT_FALSE(dataset::FaceSyntheticsDataset::looksLike(root.string()));
    const dataset::FaceSyntheticsDataset d = dataset::FaceSyntheticsDataset::open((root / "facesynthetics").string());
    ASSERT_EQ(d.size(), 3u);
    for (std::size_t i = 0; i < d.size(); ++i) {
        const dataset::FaceSyntheticsSample s = d.sample(i);
        const std::string name = generate::indexName(i, 6);
        EXPECT_EQ(s.name, name);
        const cv::Mat img = cv::imread((root / "images" / (name + ".png")).string(), cv::IMREAD_COLOR);
        const cv::Mat seg = cv::imread((root / "seg" / (name + ".png")).string(), cv::IMREAD_UNCHANGED);
        EXPECT_EQ(cv::norm(s.image, img, cv::NORM_INF), 0.0);
        EXPECT_EQ(cv::norm(s.segmentation, seg, cv::NORM_INF), 0.0);
        EXPECT_GT(cv::countNonZero(s.segmentation), 0);

        const auto a = nlohmann::json::parse(io::readFileText((root / "annotations" / (name + ".json")).string()));
        ASSERT_EQ(s.landmarks.rows(), 70);
        for (int k = 0; k < 68; ++k) {
            // Written with 3 decimals in the file's frame, back in ours.
            EXPECT_NEAR(s.landmarks(k, 0), a["2d_kps"][k][0].get<double>(), 6e-4) << k;
            EXPECT_NEAR(s.landmarks(k, 1), a["2d_kps"][k][1].get<double>(), 6e-4) << k;
        }
        // The pupils: 68 (subject's right) nearer the right eye (36..41), 69 the left (42..47).
        Eigen::RowVector2f right = s.landmarks.middleRows(36, 6).colwise().mean();
        Eigen::RowVector2f left = s.landmarks.middleRows(42, 6).colwise().mean();
        EXPECT_LT((s.landmarks.row(68) - right).norm(), (s.landmarks.row(68) - left).norm());
        EXPECT_LT((s.landmarks.row(69) - left).norm(), (s.landmarks.row(69) - right).norm());
    }
}

TEST(FaceSyntheticsDataset, ParsesToleratedTextAndConvertsTheFrame) {
    std::string text = "\xEF\xBB\xBF";
    for (int i = 0; i < 70; ++i) text += "  " + std::to_string(i) + "\t" + std::to_string(2 * i) + ".25\r\n\r\n";
    const io::Points2f p = dataset::parseFaceSyntheticsLandmarks(text, "x");
    EXPECT_FLOAT_EQ(p(69, 0), 69.0f);
    EXPECT_FLOAT_EQ(p(69, 1), 138.25f);

    testutil::TempDir tmp;
    writeHandmade(tmp.path);
    const dataset::FaceSyntheticsDataset d = dataset::FaceSyntheticsDataset::open(tmp.path.string());
    const auto s = d.sample(1);
    EXPECT_FLOAT_EQ(s.landmarks(0, 0), 10.5f);  // file 0-based centres + 0.5
    EXPECT_FLOAT_EQ(s.landmarks(0, 1), 12.5f);
    EXPECT_EQ(dataset::FaceSyntheticsDataset::classes(), annotate::ClassTable::defaultTable());
    EXPECT_THROW(d.sample(2), std::invalid_argument);
}

TEST(FaceSyntheticsDataset, RefusesMissingFilesNamingThem) {
    testutil::TempDir tmp;
    expectError([&] { dataset::FaceSyntheticsDataset::open(tmp.file("nope")); }, tmp.path / "nope", "not a folder");
    expectError([&] { dataset::FaceSyntheticsDataset::open(tmp.path.string()); }, tmp.path, "no *_ldmks.txt");
    writeHandmade(tmp.path);
    fs::remove(tmp.path / "000001_seg.png");
    expectError([&] { dataset::FaceSyntheticsDataset::open(tmp.path.string()); }, tmp.path / "000001_seg.png", "missing");
    writeHandmade(tmp.path);
    fs::remove(tmp.path / "000000.png");
    expectError([&] { dataset::FaceSyntheticsDataset::open(tmp.path.string()); }, tmp.path / "000000.png", "missing");
}

TEST(FaceSyntheticsDataset, RefusesDamagedLabelMaps) {
    testutil::TempDir tmp;
    const fs::path seg = tmp.path / "000001_seg.png";
    struct Case {
        const char* what;
        std::function<void()> write;
        const char* message;
    };
    const Case cases[] = {
        {"wrong size", [&] { cv::imwrite(seg.string(), cv::Mat::zeros(16, 32, CV_8UC1)); }, "differs from the image"},
        {"16-bit", [&] { cv::imwrite(seg.string(), cv::Mat::zeros(32, 32, CV_16UC1)); }, "16-bit"},
        {"colour", [&] { cv::imwrite(seg.string(), cv::Mat(32, 32, CV_8UC3, cv::Scalar(0, 0, 255))); }, "3 channels"},
        {"unknown id", [&] {
             cv::Mat m = cv::Mat::zeros(32, 32, CV_8UC1);
             m.at<std::uint8_t>(5, 7) = 200;
             cv::imwrite(seg.string(), m);
         }, "class id 200 at pixel (7, 5)"},
        {"jpeg", [&] { writeText(seg, "\xFF\xD8\xFF\xE0garbage"); }, "JPEG"},
        {"garbage", [&] { writeText(seg, "hello, not a png"); }, "not a PNG"},
        {"truncated", [&] {
             std::string bytes = io::readFileText((tmp.path / "000000_seg.png").string());
             writeText(seg, bytes.substr(0, bytes.size() / 2));
         }, "corrupt"},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.what);
        writeHandmade(tmp.path);
        c.write();
        const dataset::FaceSyntheticsDataset d = dataset::FaceSyntheticsDataset::open(tmp.path.string());
        EXPECT_NO_THROW(d.sample(0));
        expectError([&] { d.sample(1); }, seg, c.message);
    }
}

TEST(FaceSyntheticsDataset, RefusesDamagedLandmarksAndImages) {
    testutil::TempDir tmp;
    const fs::path lmk = tmp.path / "000001_ldmks.txt";
    const std::pair<std::string, const char*> cases[] = {
        {landmarkLines(69), "truncated file: 69 points"},
        {landmarkLines(71), "line 71: more than 70"},
        {"", "truncated file: 0 points"},
        {"nan 3\n" + landmarkLines(69), "line 1: 'nan' is not a finite number"},
        {"1e39 3\n" + landmarkLines(69), "'1e39' is not a finite"},
        {"1 2 3\n" + landmarkLines(69), "line 1: expected two numbers"},
        {landmarkLines(69) + "\x01\xFF\xFE garbage\n", "line 70"},
        {"1e30 3\n" + landmarkLines(69), "point 0"},
        {landmarkLines(70, -40.0f), "more than an image size outside"},
    };
    for (const auto& [text, message] : cases) {
        SCOPED_TRACE(message);
        writeHandmade(tmp.path);
        writeText(lmk, text);
        const dataset::FaceSyntheticsDataset d = dataset::FaceSyntheticsDataset::open(tmp.path.string());
        expectError([&] { d.sample(1); }, lmk, message);
    }
    writeHandmade(tmp.path);
    writeText(tmp.path / "000001.png", "\x89PNG\r\n\x1A\nbroken");
    expectError([&] { dataset::FaceSyntheticsDataset::open(tmp.path.string()).sample(1); }, tmp.path / "000001.png", "");
    writeHandmade(tmp.path);
    writeText(lmk, std::string(2u << 20, '1'));  // over the size limit: refused unread
    expectError([&] { dataset::FaceSyntheticsDataset::open(tmp.path.string()).sample(1); }, lmk, "");
}
