// The one reader of stored samples: what it returns for a complete sample,
// what is optional, and a clean error naming the file (and field) for
// missing, corrupt, truncated and hostile files.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <opencv2/imgcodecs.hpp>

#include "core/dataset/sample_paths.h"
#include "core/dataset/stored_sample.h"
#include "tests/support/fixtures.h"

using namespace synthforge;
namespace fs = std::filesystem;

namespace {

constexpr int kW = 20, kH = 12;

std::string annotation(const std::string& kps, const std::string& visible, int w = kW, int h = kH) {
    return "{\"width\": " + std::to_string(w) + ", \"height\": " + std::to_string(h) + ", \"2d_kps\": " + kps +
           (visible.empty() ? "" : ", \"kps_visible\": " + visible) + "}";
}

/// Sample 000000 with every map; the annotation's text is `ann`.
struct SampleDir {
    testutil::TempDir dir;
    dataset::SamplePaths p;
    explicit SampleDir(const std::string& ann = annotation("[[1.5, 2.5], [3, 4]]", "[1, 0]")) {
        for (const char* d : {"images", "seg", "depth", "normals", "annotations"}) fs::create_directories(dir.path / d);
        p = dataset::samplePaths(root(), "000000");
        cv::Mat img(kH, kW, CV_8UC3, cv::Scalar(10, 20, 30));
        EXPECT_TRUE(cv::imwrite(p.image, img));
        EXPECT_TRUE(cv::imwrite(p.seg, cv::Mat(kH, kW, CV_8UC1, cv::Scalar(4))));
        EXPECT_TRUE(cv::imwrite(p.depth, cv::Mat(kH, kW, CV_32FC1, cv::Scalar(2.5f))));
        EXPECT_TRUE(cv::imwrite(p.normals, cv::Mat(kH, kW, CV_8UC3, cv::Scalar(128, 128, 255))));
        write(p.annotation, ann);
    }
    std::string root() const { return dir.path.string(); }
    static void write(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }
};

std::string errorOf(const SampleDir& s, const dataset::StoredSampleRead& what = {}) {
    try {
        dataset::readStoredSample(s.root(), "000000", what);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

void expectError(const SampleDir& s, const std::string& file, const std::string& part,
                 const dataset::StoredSampleRead& what = {}) {
    const std::string e = errorOf(s, what);
    ASSERT_FALSE(e.empty()) << "read without error; expected " << part;
    EXPECT_EQ(e.rfind(file, 0), 0u) << e;
    EXPECT_NE(e.find(part), std::string::npos) << "'" << part << "' not in: " << e;
}

/// A sample whose annotation is `ann` fails with `part`, naming the annotation.
void expectAnnotationError(const std::string& ann, const std::string& part) {
    SampleDir s(ann);
    expectError(s, s.p.annotation, part);
}

}  // namespace

TEST(StoredSample, ReadsEveryMapAndTheLandmarks) {
    SampleDir s;
    const dataset::StoredSample r = dataset::readStoredSample(s.root(), "000000");
    EXPECT_EQ(r.name, "000000");
    ASSERT_EQ(r.image.type(), CV_8UC3);
    EXPECT_EQ(r.image.at<cv::Vec3b>(0, 0), cv::Vec3b(10, 20, 30));
    EXPECT_EQ(r.seg.at<std::uint8_t>(5, 5), 4);
    EXPECT_FLOAT_EQ(r.depth.at<float>(5, 5), 2.5f);
    EXPECT_EQ(r.normals.at<cv::Vec3b>(0, 0), cv::Vec3b(128, 128, 255));
    ASSERT_EQ(r.landmarks.rows(), 2);
    EXPECT_FLOAT_EQ(r.landmarks(0, 0), 1.5f);
    EXPECT_FLOAT_EQ(r.landmarks(1, 1), 4.0f);
    EXPECT_EQ(r.visible, (std::vector<std::uint8_t>{1, 0}));
}

TEST(StoredSample, OptionalMapsAreEmptyUnlessRequired) {
    SampleDir s;
    fs::remove(s.p.seg);
    fs::remove(s.p.normals);
    dataset::StoredSampleRead browse;
    const dataset::StoredSample r = dataset::readStoredSample(s.root(), "000000", browse);
    EXPECT_TRUE(r.seg.empty());
    EXPECT_TRUE(r.normals.empty());
    EXPECT_FALSE(r.depth.empty());
    dataset::StoredSampleRead noDepth;
    noDepth.depth = false;
    EXPECT_TRUE(dataset::readStoredSample(s.root(), "000000", noDepth).depth.empty());
    dataset::StoredSampleRead training;
    training.normals = false;
    training.required = true;
    expectError(s, s.p.seg, "missing (segmentation)", training);
}

TEST(StoredSample, RefusesMissingCorruptAndMismatchedMaps) {
    {
        SampleDir s;
        fs::remove(s.p.image);
        expectError(s, s.p.image, "missing (image)");
    }
    {
        SampleDir s;
        SampleDir::write(s.p.image, "\x89PNG\r\n\x1a\n truncated");
        expectError(s, s.p.image, "cannot be decoded");
    }
    {
        SampleDir s;
        ASSERT_TRUE(cv::imwrite(s.p.seg, cv::Mat(kH, kW, CV_8UC3, cv::Scalar(1, 2, 3))));
        expectError(s, s.p.seg, "unexpected pixel type");
    }
    {
        SampleDir s;
        ASSERT_TRUE(cv::imwrite(s.p.depth, cv::Mat(kH + 1, kW, CV_32FC1, cv::Scalar(1.0f))));
        expectError(s, s.p.depth, "not the image's 20x12");
    }
    {
        SampleDir s;
        fs::remove(s.p.annotation);
        expectError(s, s.p.annotation, "missing (annotation)");
    }
}

TEST(StoredSample, RefusesBadAnnotationsNamingTheField) {
    expectAnnotationError(annotation("[[1, 2]]", "", kW + 1), "width: differs from the image's size");
    expectAnnotationError(annotation("[[1, 2], [3]]", ""), "2d_kps: point 1 is not [x, y]");
    expectAnnotationError(annotation("[[1, 2], [\"a\", 4]]", ""), "2d_kps: point 1 is not [x, y]");
    expectAnnotationError(annotation("{\"x\": 1}", ""), "2d_kps: not an array");
    expectAnnotationError(annotation("[[1, 2]]", "[1, 1]"), "kps_visible: expected 1 flags");
    expectAnnotationError(annotation("[[1, 2]]", "[\"v\"]"), "kps_visible: not 0/1 flags");
    expectAnnotationError("{\"width\": 20}", "2d_kps: missing");
    expectAnnotationError("[]", "not a JSON object");
    expectAnnotationError("{\"2d_kps\": [[1e999, 2]]}", "");
    // Every truncation of a good annotation is a clean error naming the file.
    const std::string good = annotation("[[1.5, 2.5], [3, 4]]", "[1, 0]");
    for (std::size_t n = 0; n + 1 < good.size(); ++n) {
        SampleDir s(good.substr(0, n));
        const std::string e = errorOf(s);
        ASSERT_EQ(e.rfind(s.p.annotation, 0), 0u) << n << ": '" << e << "'";
    }
}

TEST(StoredSample, AnnotationAloneReadsLandmarksWithoutTheImage) {
    SampleDir s;
    fs::remove(s.p.image);  // not needed: the size comes from the caller (the manifest)
    const dataset::StoredSample r = dataset::readStoredAnnotation(s.root(), "000000", cv::Size(kW, kH));
    EXPECT_TRUE(r.image.empty());
    ASSERT_EQ(r.landmarks.rows(), 2);
    EXPECT_FLOAT_EQ(r.landmarks(0, 1), 2.5f);
    EXPECT_EQ(r.visible, (std::vector<std::uint8_t>{1, 0}));
    try {
        dataset::readStoredAnnotation(s.root(), "000000", cv::Size(kW + 1, kH));
        FAIL() << "no error";
    } catch (const std::runtime_error& e) {
        EXPECT_EQ(std::string(e.what()).rfind(s.p.annotation + ": width", 0), 0u) << e.what();
    }
    EXPECT_THROW(dataset::readStoredAnnotation(s.root(), "000001", cv::Size(kW, kH)), std::runtime_error);
}
