// Readers for real benchmark layouts (300-W, LaPa, CelebAMask-HQ). Each test
// writes a tiny dataset in exactly the official layout, then checks indexing,
// known landmark values after the coordinate conversion, hand-computed merged
// labels, and that damaged files fail with std::runtime_error naming them.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/io/pts_file.h"
#include "core/dataset/celebamask_hq_dataset.h"
#include "core/dataset/lapa_dataset.h"
#include "core/dataset/lapa_landmarks.h"
#include "core/dataset/w300_dataset.h"
#include "tests/support/fixtures.h"

using namespace synthforge;
namespace fs = std::filesystem;

namespace {

void writeBytes(const fs::path& path, const std::string& bytes) {
    fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary);
    out << bytes;
    ASSERT_TRUE(out.good()) << path;
}

void writeImage(const fs::path& path, const cv::Mat& image) {
    fs::create_directories(path.parent_path());
    ASSERT_TRUE(cv::imwrite(path.string(), image)) << path;
}

std::string encodePng(const cv::Mat& m) {
    std::vector<unsigned char> buf;
    EXPECT_TRUE(cv::imencode(".png", m, buf));
    return std::string(buf.begin(), buf.end());
}

/// The message of the std::runtime_error that `f` throws ("" when it throws none).
template <class F>
std::string runtimeError(F&& f) {
    try {
        f();
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

/// A PNG header that claims a 100000 x 100000 greyscale image.
std::string pngBomb() {
    std::string s("\x89PNG\r\n\x1a\n", 8);
    s += std::string("\0\0\0\x0dIHDR", 8);
    s += std::string("\x00\x01\x86\xa0\x00\x01\x86\xa0\x08\x00\x00\x00\x00", 13);
    s += std::string("\0\0\0\0", 4);  // CRC, never reached
    return s;
}

// ---- 300-W -------------------------------------------------------------------

/// 68 points in the .pts (1-based) frame: point k at (k + 1 + shift, 2k + 1).
io::Points2f ptsPoints(int n, float shift) {
    io::Points2f p(n, 2);
    for (int k = 0; k < n; ++k) p.row(k) << static_cast<float>(k + 1) + shift, static_cast<float>(2 * k + 1);
    return p;
}

/// A 300-W tree: three annotated images in nested folders, one image without
/// a .pts, a text file, and macOS archive debris.
void write300W(const fs::path& root) {
    writeImage(root / "300W/01_Indoor/indoor_001.png", cv::Mat(30, 40, CV_8UC3, cv::Scalar(10, 20, 30)));
    io::writePts((root / "300W/01_Indoor/indoor_001.pts").string(), ptsPoints(68, 0.0f));
    writeImage(root / "300W/02_Outdoor/outdoor_001.png", cv::Mat(20, 24, CV_8UC3, cv::Scalar(200, 100, 0)));
    io::writePts((root / "300W/02_Outdoor/outdoor_001.pts").string(), ptsPoints(68, 10.0f));
    writeImage(root / "helen/trainset/100032540_1.jpg", cv::Mat(48, 64, CV_8UC3, cv::Scalar(128, 128, 128)));
    io::writePts((root / "helen/trainset/100032540_1.pts").string(), ptsPoints(68, 0.25f));
    writeImage(root / "helen/trainset/2908549_1.jpg", cv::Mat(8, 8, CV_8UC3, cv::Scalar(0, 0, 0)));
    writeBytes(root / "300W/readme.txt", "300 faces in-the-wild\n");
    writeBytes(root / "__MACOSX/300W/01_Indoor/._indoor_001.png", "resource fork");
    writeBytes(root / "__MACOSX/300W/01_Indoor/._indoor_001.pts", "resource fork");
    writeBytes(root / "300W/01_Indoor/._indoor_001.png", "resource fork");
    writeBytes(root / "300W/01_Indoor/._indoor_001.pts", "resource fork");
}

// ---- LaPa --------------------------------------------------------------------

std::string lapaLandmarkText(int n, float shift) {
    std::string s = std::to_string(n) + "\n";
    for (int k = 0; k < n; ++k)
        s += std::to_string(k) + "." + std::to_string(k % 10) + " " + std::to_string(static_cast<int>(shift) + k) +
             ".5\n";
    return s;
}

/// Labels whose pixel (x, y) holds (x + 2y) % 11.
cv::Mat lapaLabels(int w, int h) {
    cv::Mat m(h, w, CV_8UC1);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) m.at<std::uint8_t>(y, x) = static_cast<std::uint8_t>((x + 2 * y) % 11);
    return m;
}

void writeLapaSample(const fs::path& split, const std::string& name, int w, int h) {
    writeImage(split / "images" / (name + ".jpg"), cv::Mat(h, w, CV_8UC3, cv::Scalar(40, 80, 120)));
    writeImage(split / "labels" / (name + ".png"), lapaLabels(w, h));
    writeBytes(split / "landmarks" / (name + ".txt"), lapaLandmarkText(106, 0.0f));
}

/// Two training images and one validation image.
void writeLapa(const fs::path& root) {
    writeLapaSample(root / "train", "HELEN_158249995_1_0", 32, 24);
    writeLapaSample(root / "train", "10405299_1", 20, 20);
    writeLapaSample(root / "val", "LFPW_image_test_0001_0", 16, 12);
}

// ---- CelebAMask-HQ ----------------------------------------------------------

cv::Mat rectMask(int x0, int y0, int x1, int y1, std::uint8_t value = 255) {
    cv::Mat m = cv::Mat::zeros(512, 512, CV_8UC1);
    m(cv::Rect(x0, y0, x1 - x0, y1 - y0)).setTo(value);
    return m;
}

fs::path partFile(const fs::path& root, int index, const std::string& part) {
    char name[64];
    std::snprintf(name, sizeof name, "%05d_%s.png", index, part.c_str());
    return root / "CelebAMask-HQ-mask-anno" / std::to_string(index / 2000) / name;
}

/// Images 0, 1 and 2000 (mask folders 0 and 1) with overlapping parts.
void writeCelebAMaskHq(const fs::path& root) {
    for (int i : {0, 1, 2000})
        writeImage(root / "CelebA-HQ-img" / (std::to_string(i) + ".jpg"),
                   cv::Mat(1024, 1024, CV_8UC3, cv::Scalar(i % 256, 60, 90)));
    writeBytes(root / "CelebA-HQ-img/00003.jpg", "not the release's spelling");
    writeBytes(root / "CelebA-HQ-img/readme.txt", "");
    writeBytes(root / "CelebA-HQ-to-CelebA-mapping.txt", "idx orig_idx orig_file\n");

    // Image 0.
    writeImage(partFile(root, 0, "skin"), rectMask(100, 100, 400, 400));
    cv::Mat nose3;  // a 3-channel mask: cv2.imread's first channel decides, as in g_mask.py
    cv::cvtColor(rectMask(200, 200, 260, 300), nose3, cv::COLOR_GRAY2BGR);
    writeImage(partFile(root, 0, "nose"), nose3);
    writeImage(partFile(root, 0, "eye_g"), rectMask(150, 160, 350, 190));
    writeImage(partFile(root, 0, "l_eye"), rectMask(170, 165, 200, 185));
    writeImage(partFile(root, 0, "r_eye"), rectMask(300, 165, 330, 185, 1));  // any non-zero value marks the part
    writeImage(partFile(root, 0, "hair"), rectMask(50, 50, 450, 150));
    writeImage(partFile(root, 0, "hat"), rectMask(150, 40, 250, 90));
    writeImage(partFile(root, 0, "cloth"), rectMask(0, 450, 512, 512));

    // Image 1: a necklace drawn over the neck and an earring over the ear.
    writeImage(partFile(root, 1, "r_ear"), rectMask(400, 200, 440, 260));
    writeImage(partFile(root, 1, "ear_r"), rectMask(410, 250, 420, 280));
    writeImage(partFile(root, 1, "neck_l"), rectMask(150, 380, 350, 400));
    writeImage(partFile(root, 1, "neck"), rectMask(180, 350, 330, 450));

    // Image 2000 lives in folder 1.
    writeImage(partFile(root, 2000, "skin"), rectMask(0, 0, 256, 512));
}

int at(const cv::Mat& labels, int x, int y) { return labels.at<std::uint8_t>(y, x); }

}  // namespace

// ==== 300-W ===================================================================

TEST(W300Dataset, IndexesNestedFoldersSortedAndSkipsImagesWithoutPts) {
    testutil::TempDir dir;
    write300W(dir.path);
    const auto d = dataset::W300Dataset::open(dir.path.string());
    ASSERT_EQ(d.size(), 3u);
    EXPECT_EQ(d.name(0), "300W/01_Indoor/indoor_001.png");
    EXPECT_EQ(d.name(1), "300W/02_Outdoor/outdoor_001.png");
    EXPECT_EQ(d.name(2), "helen/trainset/100032540_1.jpg");
    EXPECT_EQ(d.imagesWithoutPts(), std::vector<std::string>{"helen/trainset/2908549_1.jpg"});
    EXPECT_EQ(d.ptsPath(2), (dir.path / "helen/trainset/100032540_1.pts").string());
    EXPECT_THROW(d.sample(3), std::invalid_argument);
}

TEST(W300Dataset, SampleGivesTheImageAndLandmarksInOurFrame) {
    testutil::TempDir dir;
    write300W(dir.path);
    const auto d = dataset::W300Dataset::open(dir.path.string());

    const dataset::W300Sample s0 = d.sample(0);
    EXPECT_EQ(s0.name, "300W/01_Indoor/indoor_001.png");
    ASSERT_EQ(s0.image.type(), CV_8UC3);
    EXPECT_EQ(s0.image.cols, 40);
    EXPECT_EQ(s0.image.rows, 30);
    EXPECT_EQ(s0.image.at<cv::Vec3b>(5, 5), cv::Vec3b(10, 20, 30));  // BGR
    ASSERT_EQ(s0.landmarks.rows(), 68);
    // File (1, 1) is the centre of the first pixel: ours (0.5, 0.5).
    EXPECT_FLOAT_EQ(s0.landmarks(0, 0), 0.5f);
    EXPECT_FLOAT_EQ(s0.landmarks(0, 1), 0.5f);
    EXPECT_FLOAT_EQ(s0.landmarks(67, 0), 67.5f);   // file 68
    EXPECT_FLOAT_EQ(s0.landmarks(67, 1), 134.5f);  // file 135

    const dataset::W300Sample s1 = d.sample(1);
    EXPECT_FLOAT_EQ(s1.landmarks(0, 0), 10.5f);  // file 11
    const dataset::W300Sample s2 = d.sample(2);
    EXPECT_EQ(s2.image.size(), cv::Size(64, 48));
    EXPECT_FLOAT_EQ(s2.landmarks(3, 0), 3.75f);  // file 4.25
}

TEST(W300Dataset, RefusesPtsWithOtherThan68Points) {
    testutil::TempDir dir;
    write300W(dir.path);
    const std::string pts = (dir.path / "300W/02_Outdoor/outdoor_001.pts").string();
    io::writePts(pts, ptsPoints(67, 0.0f));
    const auto d = dataset::W300Dataset::open(dir.path.string());
    const std::string err = runtimeError([&] { d.sample(1); });
    EXPECT_EQ(err.rfind(pts + ": n_points: ", 0), 0u) << err;
    EXPECT_TRUE(contains(err, "68")) << err;
    EXPECT_NO_THROW(d.sample(0));

    // A .pts that lies about its count names the line.
    writeBytes(pts, "version: 1\nn_points:  68\n{\n1 2\n}\n");
    EXPECT_EQ(runtimeError([&] { d.sample(1); }).rfind(pts + ": line 5: ", 0), 0u);
}

TEST(W300Dataset, RefusesDamagedImagesNamingThem) {
    testutil::TempDir dir;
    write300W(dir.path);
    const auto d = dataset::W300Dataset::open(dir.path.string());
    const fs::path img = dir.path / "300W/01_Indoor/indoor_001.png";
    writeBytes(img, "\x89PNG\r\n\x1a\n garbage");
    const std::string err = runtimeError([&] { d.sample(0); });
    EXPECT_EQ(err.rfind(img.string() + ": ", 0), 0u) << err;

    writeBytes(img, pngBomb());
    const std::string bomb = runtimeError([&] { d.sample(0); });
    EXPECT_TRUE(contains(bomb, "exceeds the limit")) << bomb;

    writeBytes(img, "");
    EXPECT_TRUE(contains(runtimeError([&] { d.sample(0); }), img.string()));
}

TEST(W300Dataset, RefusesEmptyOrMissingRootsNamingThem) {
    testutil::TempDir dir;
    const std::string missing = (dir.path / "nowhere").string();
    EXPECT_EQ(runtimeError([&] { dataset::W300Dataset::open(missing); }).rfind(missing + ": ", 0), 0u);

    writeImage(dir.path / "lfpw/trainset/image_0001.png", cv::Mat(4, 4, CV_8UC3, cv::Scalar::all(0)));
    const std::string err = runtimeError([&] { dataset::W300Dataset::open(dir.path.string()); });
    EXPECT_EQ(err.rfind(dir.path.string() + ": ", 0), 0u) << err;
    EXPECT_TRUE(contains(err, "1 images without .pts")) << err;

    const std::string file = (dir.path / "lfpw/trainset/image_0001.png").string();
    EXPECT_THROW(dataset::W300Dataset::open(file), std::runtime_error);
}

// ==== LaPa ====================================================================

TEST(LapaDataset, IndexesSplitsAndLoadsImageLabelsAndLandmarks) {
    testutil::TempDir dir;
    writeLapa(dir.path);
    const auto d = dataset::LapaDataset::open(dir.path.string());
    ASSERT_EQ(d.size(), 3u);
    EXPECT_EQ(d.name(0), "train/10405299_1");
    EXPECT_EQ(d.name(1), "train/HELEN_158249995_1_0");
    EXPECT_EQ(d.name(2), "val/LFPW_image_test_0001_0");
    EXPECT_EQ(d.labelPath(1), (dir.path / "train/labels/HELEN_158249995_1_0.png").string());

    const dataset::LapaSample s = d.sample(1);
    EXPECT_EQ(s.name, "train/HELEN_158249995_1_0");
    ASSERT_EQ(s.image.type(), CV_8UC3);
    EXPECT_EQ(s.image.size(), cv::Size(32, 24));
    ASSERT_EQ(s.labels.type(), CV_8UC1);
    EXPECT_EQ(cv::countNonZero(s.labels != lapaLabels(32, 24)), 0);
    EXPECT_EQ(at(s.labels, 10, 0), 10);
    EXPECT_EQ(at(s.labels, 5, 3), 0);  // (5 + 6) % 11
    ASSERT_EQ(s.landmarks.rows(), 106);
    // File (0.0, 0.5): LaPa is 0-based (first pixel centre 0.0), ours adds 0.5.
    EXPECT_FLOAT_EQ(s.landmarks(0, 0), 0.5f);
    EXPECT_FLOAT_EQ(s.landmarks(0, 1), 1.0f);
    EXPECT_FLOAT_EQ(s.landmarks(13, 0), 13.8f);  // file 13.3
    EXPECT_FLOAT_EQ(s.landmarks(105, 1), 106.0f);  // file 105.5

    EXPECT_EQ(dataset::LapaDataset::classNames()[10], std::string("hair"));
    EXPECT_THROW(d.sample(3), std::invalid_argument);
}

TEST(LapaDataset, OpensOneSplitByNameOrFolder) {
    testutil::TempDir dir;
    writeLapa(dir.path);
    const auto val = dataset::LapaDataset::open(dir.path.string(), "val");
    ASSERT_EQ(val.size(), 1u);
    EXPECT_EQ(val.name(0), "val/LFPW_image_test_0001_0");
    const auto trainSplit = dataset::LapaDataset::open((dir.path / "train").string() + "/");
    ASSERT_EQ(trainSplit.size(), 2u);
    EXPECT_EQ(trainSplit.name(0), "train/10405299_1");
    EXPECT_THROW(dataset::LapaDataset::open(dir.path.string(), "test"), std::runtime_error);   // absent
    EXPECT_THROW(dataset::LapaDataset::open(dir.path.string(), "valid"), std::invalid_argument);  // not a split
}

TEST(LapaDataset, RefusesIncompleteLayoutsNamingTheMissingPath) {
    testutil::TempDir dir;
    writeLapa(dir.path);
    const fs::path label = dir.path / "train/labels/10405299_1.png";
    fs::remove(label);
    const std::string err = runtimeError([&] { dataset::LapaDataset::open(dir.path.string()); });
    EXPECT_EQ(err.rfind(label.string() + ": missing", 0), 0u) << err;

    fs::remove_all(dir.path / "val/landmarks");
    const std::string noFolder = runtimeError([&] { dataset::LapaDataset::open(dir.path.string(), "val"); });
    EXPECT_TRUE(contains(noFolder, (dir.path / "val/landmarks").string())) << noFolder;

    const fs::path empty = dir.path / "empty";
    fs::create_directories(empty);
    const std::string none = runtimeError([&] { dataset::LapaDataset::open(empty.string()); });
    EXPECT_EQ(none.rfind(empty.string() + ": ", 0), 0u) << none;
}

TEST(LapaDataset, RefusesBadLabels) {
    testutil::TempDir dir;
    writeLapa(dir.path);
    const auto d = dataset::LapaDataset::open(dir.path.string(), "val");
    const fs::path label = dir.path / "val/labels/LFPW_image_test_0001_0.png";

    cv::Mat tooHigh = lapaLabels(16, 12);
    tooHigh.at<std::uint8_t>(7, 3) = 11;
    writeImage(label, tooHigh);
    std::string err = runtimeError([&] { d.sample(0); });
    EXPECT_EQ(err.rfind(label.string() + ": class id 11 at pixel (3, 7)", 0), 0u) << err;

    writeImage(label, lapaLabels(12, 16));
    err = runtimeError([&] { d.sample(0); });
    EXPECT_EQ(err.rfind(label.string() + ": size 12x16 differs", 0), 0u) << err;

    cv::Mat colour(12, 16, CV_8UC3, cv::Scalar(0, 0, 255));
    writeImage(label, colour);
    EXPECT_TRUE(contains(runtimeError([&] { d.sample(0); }), "colour preview"));

    cv::Mat greyAsRgb;  // the same ids stored as RGB: accepted
    cv::cvtColor(lapaLabels(16, 12), greyAsRgb, cv::COLOR_GRAY2BGR);
    writeImage(label, greyAsRgb);
    EXPECT_EQ(cv::countNonZero(d.sample(0).labels != lapaLabels(16, 12)), 0);

    cv::Mat wide;
    lapaLabels(16, 12).convertTo(wide, CV_16U);
    writeImage(label, wide);
    EXPECT_TRUE(contains(runtimeError([&] { d.sample(0); }), "16-bit"));

    std::vector<unsigned char> jpeg;
    cv::imencode(".jpg", lapaLabels(16, 12), jpeg);
    writeBytes(label, std::string(jpeg.begin(), jpeg.end()));
    EXPECT_TRUE(contains(runtimeError([&] { d.sample(0); }), "is a JPEG"));

    writeBytes(label, pngBomb());
    EXPECT_TRUE(contains(runtimeError([&] { d.sample(0); }), "exceeds the limit"));
}

TEST(LapaDataset, CorruptLabelPngsFailCleanly) {
    testutil::TempDir dir;
    writeLapa(dir.path);
    const auto d = dataset::LapaDataset::open(dir.path.string(), "val");
    const fs::path label = dir.path / "val/labels/LFPW_image_test_0001_0.png";
    const std::string png = encodePng(lapaLabels(16, 12));

    // Every truncation.
    for (std::size_t n = 0; n < png.size(); n += 3) {
        writeBytes(label, png.substr(0, n));
        const std::string err = runtimeError([&] { d.sample(0); });
        EXPECT_EQ(err.rfind(label.string() + ": ", 0), 0u) << n << " bytes: " << err;
    }
    // Random byte mutations: either the damage is harmless (a valid label map
    // comes back) or a std::runtime_error names the file; nothing else.
    std::mt19937 rng(11);
    for (int iter = 0; iter < 300; ++iter) {
        std::string bad = png;
        for (int e = 0; e < 3; ++e) bad[rng() % bad.size()] = static_cast<char>(rng() % 256);
        writeBytes(label, bad);
        try {
            const dataset::LapaSample s = d.sample(0);
            EXPECT_EQ(s.labels.type(), CV_8UC1);
        } catch (const std::runtime_error& e) {
            EXPECT_EQ(std::string(e.what()).rfind(label.string() + ": ", 0), 0u) << e.what();
        } catch (...) {
            ADD_FAILURE() << "an exception other than std::runtime_error for mutation #" << iter;
        }
    }
}

TEST(LapaDataset, RefusesBadLandmarkFiles) {
    testutil::TempDir dir;
    writeLapa(dir.path);
    const auto d = dataset::LapaDataset::open(dir.path.string(), "val");
    const fs::path lmk = dir.path / "val/landmarks/LFPW_image_test_0001_0.txt";

    writeBytes(lmk, lapaLandmarkText(105, 0.0f));
    std::string err = runtimeError([&] { d.sample(0); });
    EXPECT_EQ(err.rfind(lmk.string() + ": line 1: LaPa has 106 landmarks", 0), 0u) << err;

    std::string lying = lapaLandmarkText(106, 0.0f);
    lying.erase(lying.rfind('\n', lying.size() - 2) + 1);  // drop the last point line
    writeBytes(lmk, lying);
    err = runtimeError([&] { d.sample(0); });
    EXPECT_EQ(err.rfind(lmk.string() + ": line 107: truncated file", 0), 0u) << err;

    writeBytes(lmk, lapaLandmarkText(106, 0.0f) + "1 2\n");
    EXPECT_EQ(runtimeError([&] { d.sample(0); }).rfind(lmk.string() + ": line 108: ", 0), 0u);

    writeBytes(lmk, "106\n1 nan\n");
    EXPECT_TRUE(contains(runtimeError([&] { d.sample(0); }), "'nan' is not a finite number"));

    writeBytes(lmk, std::string(2 << 20, '\n'));
    EXPECT_TRUE(contains(runtimeError([&] { d.sample(0); }), "limit"));
}

TEST(LapaLandmarks, ParsesWithToleranceAndSurvivesMutations) {
    std::string crlf;
    for (char c : lapaLandmarkText(106, 3.0f)) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    const io::Points2f a = dataset::parseLapaLandmarks(crlf + "\r\n\r\n", "a.txt");
    const io::Points2f b = dataset::parseLapaLandmarks(lapaLandmarkText(106, 3.0f), "b.txt");
    EXPECT_EQ(a, b);
    EXPECT_FLOAT_EQ(b(2, 1), 5.5f);
    EXPECT_EQ(dataset::toLapaCoordinates(dataset::fromLapaCoordinates(b)), b);

    const std::string full = lapaLandmarkText(106, 0.0f);
    for (std::size_t n = 0; n + 1 < full.size(); n += 7)
        EXPECT_THROW(dataset::parseLapaLandmarks(full.substr(0, full.rfind('\n', n) + 1), "cut.txt"),
                     std::runtime_error)
            << n;
    std::mt19937 rng(5);
    for (int iter = 0; iter < 1500; ++iter) {
        std::string s = full;
        for (int e = 0; e < 3; ++e) {
            const std::size_t pos = rng() % s.size();
            if (rng() % 2) s[pos] = static_cast<char>(rng() % 256);
            else s.erase(pos, 1 + rng() % 5);
        }
        try {
            const io::Points2f p = dataset::parseLapaLandmarks(s, "m.txt");
            EXPECT_TRUE(p.allFinite());
        } catch (const std::runtime_error& e) {
            EXPECT_EQ(std::string(e.what()).rfind("m.txt: line ", 0), 0u) << e.what();
        } catch (...) {
            ADD_FAILURE() << "an exception other than std::runtime_error for mutation #" << iter;
        }
    }
}

// ==== CelebAMask-HQ ===========================================================

TEST(CelebAMaskHqDataset, IndexesImagesNumerically) {
    testutil::TempDir dir;
    writeCelebAMaskHq(dir.path);
    const auto d = dataset::CelebAMaskHqDataset::open(dir.path.string());
    ASSERT_EQ(d.size(), 3u);  // 00003.jpg and readme.txt are not release names
    EXPECT_EQ(d.index(0), 0);
    EXPECT_EQ(d.index(1), 1);
    EXPECT_EQ(d.index(2), 2000);
    EXPECT_EQ(d.partMaskPath(2, 0), (dir.path / "CelebAMask-HQ-mask-anno/1/02000_skin.png").string());
    EXPECT_EQ(d.partMaskPath(1, 17), (dir.path / "CelebAMask-HQ-mask-anno/0/00001_cloth.png").string());
    EXPECT_EQ(dataset::CelebAMaskHqDataset::partNames()[12], std::string("hair"));
    EXPECT_THROW(d.sample(3), std::invalid_argument);
}

TEST(CelebAMaskHqDataset, MergesPartsInG_MaskOrderLaterOverwriting) {
    testutil::TempDir dir;
    writeCelebAMaskHq(dir.path);
    const auto d = dataset::CelebAMaskHqDataset::open(dir.path.string());

    const dataset::CelebAMaskHqSample s = d.sample(0);
    EXPECT_EQ(s.name, "CelebA-HQ-img/0.jpg");
    EXPECT_EQ(s.image.type(), CV_8UC3);
    EXPECT_EQ(s.image.size(), cv::Size(1024, 1024));  // as stored; the labels are 512
    ASSERT_EQ(s.labels.type(), CV_8UC1);
    ASSERT_EQ(s.labels.size(), cv::Size(512, 512));
    // Hand-computed from the rectangles in writeCelebAMaskHq (x, y):
    EXPECT_EQ(at(s.labels, 10, 10), 0);    // nothing
    EXPECT_EQ(at(s.labels, 120, 300), 1);  // skin
    EXPECT_EQ(at(s.labels, 230, 250), 2);  // nose over skin
    EXPECT_EQ(at(s.labels, 160, 170), 3);  // eye_g over skin
    EXPECT_EQ(at(s.labels, 180, 170), 4);  // l_eye over eye_g
    EXPECT_EQ(at(s.labels, 310, 170), 5);  // r_eye (mask value 1) over eye_g
    EXPECT_EQ(at(s.labels, 60, 60), 13);   // hair alone
    EXPECT_EQ(at(s.labels, 120, 120), 13); // hair over skin
    EXPECT_EQ(at(s.labels, 200, 60), 14);  // hat over hair
    EXPECT_EQ(at(s.labels, 200, 45), 14);  // hat alone
    EXPECT_EQ(at(s.labels, 10, 500), 18);  // cloth
    EXPECT_EQ(at(s.labels, 399, 399), 1);  // last skin pixel
    EXPECT_EQ(at(s.labels, 400, 400), 0);  // just outside it
    // Pixel counts: cloth is a full-width 62-row band; nose 60x100 minus nothing over it.
    EXPECT_EQ(cv::countNonZero(s.labels == 18), 512 * 62);
    EXPECT_EQ(cv::countNonZero(s.labels == 2), 60 * 100);

    const dataset::CelebAMaskHqSample s1 = d.sample(1);
    EXPECT_EQ(at(s1.labels, 415, 255), 15);  // earring (ear_r) over the ear
    EXPECT_EQ(at(s1.labels, 405, 255), 9);   // r_ear
    EXPECT_EQ(at(s1.labels, 160, 390), 16);  // necklace outside the neck
    EXPECT_EQ(at(s1.labels, 200, 390), 17);  // neck comes after neck_l, so it overwrites the necklace
    EXPECT_EQ(cv::countNonZero(s1.labels == 1), 0);  // no skin file: no skin

    const dataset::CelebAMaskHqSample s2 = d.sample(2);
    EXPECT_EQ(s2.index, 2000);
    EXPECT_EQ(at(s2.labels, 255, 0), 1);
    EXPECT_EQ(at(s2.labels, 256, 0), 0);
}

TEST(CelebAMaskHqDataset, RefusesBadMasksNamingTheFile) {
    testutil::TempDir dir;
    writeCelebAMaskHq(dir.path);
    const auto d = dataset::CelebAMaskHqDataset::open(dir.path.string());
    const fs::path hair = partFile(dir.path, 0, "hair");

    writeImage(hair, cv::Mat::zeros(256, 256, CV_8UC1));
    std::string err = runtimeError([&] { d.sample(0); });
    EXPECT_EQ(err.rfind(hair.string() + ": size 256x256", 0), 0u) << err;

    writeImage(hair, cv::Mat::zeros(512, 512, CV_16UC1));
    err = runtimeError([&] { d.sample(0); });
    EXPECT_EQ(err.rfind(hair.string() + ": decoded as 16-bit", 0), 0u) << err;

    const std::string png = encodePng(rectMask(0, 0, 10, 10));
    writeBytes(hair, png.substr(0, png.size() / 2));
    err = runtimeError([&] { d.sample(0); });
    EXPECT_EQ(err.rfind(hair.string() + ": ", 0), 0u) << err;

    writeBytes(hair, "hair");
    EXPECT_EQ(runtimeError([&] { d.sample(0); }).rfind(hair.string() + ": not a PNG", 0), 0u);
    EXPECT_NO_THROW(d.sample(1));  // other samples are unaffected
}

TEST(CelebAMaskHqDataset, RefusesMissingFoldersAndImages) {
    testutil::TempDir dir;
    writeCelebAMaskHq(dir.path);
    fs::remove_all(dir.path / "CelebAMask-HQ-mask-anno/1");
    const auto d = dataset::CelebAMaskHqDataset::open(dir.path.string());
    const std::string err = runtimeError([&] { d.sample(2); });
    EXPECT_EQ(err.rfind((dir.path / "CelebAMask-HQ-mask-anno/1").string() + ": missing mask folder", 0), 0u) << err;

    fs::remove(dir.path / "CelebA-HQ-img/1.jpg");
    EXPECT_TRUE(contains(runtimeError([&] { d.sample(1); }), "1.jpg"));

    fs::remove_all(dir.path / "CelebAMask-HQ-mask-anno");
    EXPECT_TRUE(contains(runtimeError([&] { dataset::CelebAMaskHqDataset::open(dir.path.string()); }),
                         "CelebAMask-HQ-mask-anno: missing folder"));

    const fs::path empty = dir.path / "empty";
    fs::create_directories(empty / "CelebA-HQ-img");
    fs::create_directories(empty / "CelebAMask-HQ-mask-anno");
    EXPECT_TRUE(contains(runtimeError([&] { dataset::CelebAMaskHqDataset::open(empty.string()); }),
                         "no image named <number>.jpg"));
}
