// fr train's data: a folder per identity and an InsightFace RecordIO pair
// give the same identities and images; the header record is skipped; bad
// labels, records and keys are refused naming the file.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <opencv2/imgcodecs.hpp>

#include "core/dataset/face_image_set.h"
#include "tests/support/fixtures.h"
#include "tests/support/recordio_writer.h"

namespace synthforge::dataset {
namespace {

namespace fs = std::filesystem;
using namespace testutil::recordio;

/// A 16 x 16 image whose colour says (identity, image).
cv::Mat face(int id, int k) { return cv::Mat(16, 16, CV_8UC3, cv::Scalar(40 * id, 30 * k, 200)); }

std::string png(const cv::Mat& m) {
    std::vector<std::uint8_t> b;
    cv::imencode(".png", m, b);
    return std::string(b.begin(), b.end());
}

/// train.rec (+ train.idx unless `noIndex`) with 3 identities x 2 images
/// (labels 5, 9, 12 as MS1M's sparse ones can be) after InsightFace's header record.
fs::path writeRec(const fs::path& dir, bool noIndex = false) {
    Bytes rec;
    std::ofstream idx;
    if (!noIndex) idx.open(dir / "train.idx");
    std::uint64_t key = 0;
    auto add = [&](const Bytes& r) {
        if (!noIndex) idx << key++ << '\t' << rec.size() << '\n';
        putPart(rec, r, 0);
    };
    add(imageRecord(2, {1.0f, 7.0f}, 0, ""));  // the header: no image
    const int labels[] = {9, 5, 12};
    for (int i = 0; i < 3; ++i)
        for (int k = 0; k < 2; ++k) add(imageRecord(0, {static_cast<float>(labels[i])}, key, png(face(i, k))));
    writeBytes(dir / "train.rec", rec);
    return dir / "train.rec";
}

TEST(FaceImageSet, RecordIoGivesIdentitiesInLabelOrderAndDecodesImages) {
    testutil::TempDir dir;
    writeRec(dir.path);
    for (const std::string& path : {(dir.path / "train.rec").string(), dir.path.string()}) {
        const FaceImageSet s = FaceImageSet::open(path);
        ASSERT_TRUE(s.isRecordIo());
        ASSERT_EQ(s.identities().size(), 3u);
        EXPECT_EQ(s.identityNames(), (std::vector<std::string>{"5", "9", "12"}));
        // Label 5 was written second (i = 1): its images are face(1, k).
        ASSERT_EQ(s.identities()[0].size(), 2u);
        for (int k = 0; k < 2; ++k)
            EXPECT_EQ(cv::norm(s.load(s.identities()[0][static_cast<std::size_t>(k)]), face(1, k), cv::NORM_INF), 0.0);
        EXPECT_EQ(cv::norm(s.load(s.identities()[1][1]), face(0, 1), cv::NORM_INF), 0.0);
    }
    // Without the index the records are scanned: same result.
    testutil::TempDir noIdx;
    const fs::path sub = noIdx.path / "x";
    fs::create_directories(sub);
    writeRec(sub, true);
    const FaceImageSet scanned = FaceImageSet::open((sub / "train.rec").string());
    EXPECT_EQ(scanned.identityNames(), (std::vector<std::string>{"5", "9", "12"}));
}

TEST(FaceImageSet, AFolderPerIdentityReadsAsBefore) {
    testutil::TempDir dir;
    for (int i = 0; i < 2; ++i) {
        fs::create_directories(dir.path / ("id" + std::to_string(i)));
        for (int k = 0; k < 3; ++k)
            cv::imwrite((dir.path / ("id" + std::to_string(i)) / (std::to_string(k) + ".png")).string(), face(i, k));
    }
    const FaceImageSet s = FaceImageSet::open(dir.path.string());
    EXPECT_FALSE(s.isRecordIo());
    EXPECT_EQ(s.identityNames(), (std::vector<std::string>{"id0", "id1"}));
    ASSERT_EQ(s.identities()[1].size(), 3u);
    EXPECT_EQ(cv::norm(s.load(s.identities()[1][2]), face(1, 2), cv::NORM_INF), 0.0);
}

TEST(FaceImageSet, BadRecordsLabelsAndKeysAreNamed) {
    testutil::TempDir dir;
    auto expectError = [](const std::function<void()>& f, const std::string& needle) {
        try {
            f();
            ADD_FAILURE() << "no error; expected one containing " << needle;
        } catch (const std::runtime_error& e) {
            EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
        }
    };
    // A fractional label is not an identity.
    Bytes rec;
    putPart(rec, imageRecord(0, {2.5f}, 0, png(face(0, 0))), 0);
    writeBytes(dir.path / "frac.rec", rec);
    expectError([&] { FaceImageSet::open((dir.path / "frac.rec").string()); }, "frac.rec: offset 0: label");
    // Only a header record: no images.
    Bytes header;
    putPart(header, imageRecord(2, {1.0f, 3.0f}, 0, ""), 0);
    writeBytes(dir.path / "empty.rec", header);
    expectError([&] { FaceImageSet::open((dir.path / "empty.rec").string()); }, "empty.rec: no image records");
    // A payload that is not an image fails when it is loaded, naming the record.
    Bytes junk;
    putPart(junk, imageRecord(0, {1.0f}, 0, "not an image"), 0);
    writeBytes(dir.path / "junk.rec", junk);
    const FaceImageSet s = FaceImageSet::open((dir.path / "junk.rec").string());
    expectError([&] { s.load(s.identities()[0][0]); }, "junk.rec: offset 0: the image does not decode");
    expectError([&] { s.load("elsewhere.rec@0"); }, "is not a record of this file");
    // A truncated file (the length runs past the end).
    Bytes cut = rec;
    cut.resize(cut.size() - 9);
    writeBytes(dir.path / "cut.rec", cut);
    expectError([&] { FaceImageSet::open((dir.path / "cut.rec").string()); }, "cut.rec");
    // Neither a folder of identities nor a .rec.
    expectError([&] { FaceImageSet::open((dir.path / "missing").string()); }, "missing");
}

}  // namespace
}  // namespace synthforge::dataset
