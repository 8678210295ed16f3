// Coverage of LaPa and CelebAMask-HQ folders made from our renders: class
// pixels come out under our ids (recomputed here from the files by class
// name, not through the remap), face sizes and LaPa's fitted poses equal a
// recomputation, damaged files are named, and the folder layout is detected.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/annotate/class_presets.h"
#include "core/dataset/celebamask_hq_dataset.h"
#include "core/dataset/coverage.h"
#include "core/dataset/folder_layout.h"
#include "core/dataset/head_pose.h"
#include "core/dataset/lapa_landmarks.h"
#include "tests/support/fixtures.h"
#include "tests/support/tiny_dataset.h"

namespace synthforge::dataset {
namespace {

namespace fs = std::filesystem;
constexpr double kDegToRad = 3.14159265358979323846 / 180.0;
constexpr int kSize = 128, kSamples = 6;

/// A render's image, its segmentation in `preset`'s ids, its landmarks and camera.
struct Render {
    cv::Mat image, labels;
    io::Points2f ibug68;
    double yaw, pitch;
};

std::vector<Render> renders(annotate::ClassPreset preset) {
    const generate::SamplePipeline p = testutil::tinyPipeline(kSize);
    const annotate::ClassRemap remap = annotate::remapFromDefault(preset);
    std::vector<Render> out;
    for (int i = 0; i < kSamples; ++i) {
        const generate::RenderedSample s = p.render(31, static_cast<std::uint64_t>(i));
        out.push_back({s.image.image, annotate::applyRemap(s.annotations.segmentation, remap), s.annotations.landmarks2d,
                       s.spec.camera.yaw, s.spec.camera.pitch});
    }
    return out;
}

void writeText(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
}

void writeImage(const fs::path& path, const cv::Mat& image) {
    fs::create_directories(path.parent_path());
    ASSERT_TRUE(cv::imwrite(path.string(), image)) << path;
}

/// Pixels of `labels` per our class id, mapping the dataset's class names
/// to ours by hand (255 for names we have no class for).
std::array<std::uint64_t, 256> countByName(const std::vector<cv::Mat>& labels, const annotate::ClassTable& theirs,
                                           const std::map<std::string, std::string>& toOurs) {
    const annotate::ClassTable& ours = annotate::ClassTable::defaultTable();
    std::array<std::uint64_t, 256> n{};
    for (const cv::Mat& l : labels)
        for (const annotate::ClassEntry& e : theirs.entries()) {
            const auto it = toOurs.find(e.name);
            const int id = it == toOurs.end() ? 255 : ours.byName(it->second).id;
            n[static_cast<std::size_t>(id)] += static_cast<std::uint64_t>(cv::countNonZero(l == e.id));
        }
    return n;
}

std::uint64_t sum(const std::vector<std::uint64_t>& v) {
    std::uint64_t s = 0;
    for (auto x : v) s += x;
    return s;
}

/// The 10-degree bin of `deg` in a histogram spanning +-range.
int bin(double deg, double range) {
    return std::clamp(static_cast<int>(std::floor((deg + range) / 10.0)), 0, 2 * static_cast<int>(range) / 10 - 1);
}

TEST(BenchmarkCoverage, LapaCountsClassesUnderOurIdsAndFitsThePose) {
    testutil::TempDir dir;
    const fs::path split = dir.path / "LaPa" / "test";
    const std::vector<Render> rs = renders(annotate::ClassPreset::LaPa);
    const generate::SamplePipeline p = testutil::tinyPipeline(kSize);
    std::vector<cv::Mat> labels;
    std::vector<std::uint64_t> expectedPose(18 * 12, 0), expectedSize(20, 0);
    int nearTruth = 0;
    const LandmarkBasis basis = landmarkBasis(*p.model);
    HeadPoseFitOptions fit;
    fit.priorWeight = kAnnotatedLandmarkPrior;
    for (const auto& pair : lapaIbugCorrespondence()) fit.points.push_back(pair.first);
    for (int i = 0; i < kSamples; ++i) {
        const Render& r = rs[static_cast<std::size_t>(i)];
        const std::string name = "face_" + std::to_string(i);
        writeImage(split / "images" / (name + ".jpg"), r.image);
        writeImage(split / "labels" / (name + ".png"), r.labels);
        // LaPa's 106 points: the corresponding iBUG ones where there is one,
        // other iBUG points elsewhere (they only widen the landmark box).
        io::Points2f lapa(106, 2);
        for (int k = 0; k < 106; ++k) lapa.row(k) = r.ibug68.row(k % 68);
        for (const auto& [ibug, l] : lapaIbugCorrespondence()) lapa.row(l) = r.ibug68.row(ibug);
        std::ostringstream text;
        text << "106\n";
        const io::Points2f file = toLapaCoordinates(lapa);
        for (int k = 0; k < 106; ++k) text << file(k, 0) << ' ' << file(k, 1) << '\n';
        writeText(split / "landmarks" / (name + ".txt"), text.str());
        labels.push_back(r.labels);
        // What coverage must count, from the file as written.
        const io::Points2f back = fromLapaCoordinates(readLapaLandmarks((split / "landmarks" / (name + ".txt")).string()));
        const HeadPose pose = estimateHeadPose(lapaToIbug68(back), basis, 4.0 * kSize, 0.5 * kSize, 0.5 * kSize, fit);
        const int bx = bin(pose.yaw / kDegToRad, 90), by = bin(pose.pitch / kDegToRad, 60);
        ++expectedPose[static_cast<std::size_t>(by * 18 + bx)];
        nearTruth += std::abs(bx - bin(r.yaw / kDegToRad, 90)) <= 1 && std::abs(by - bin(r.pitch / kDegToRad, 60)) <= 1;
        const Eigen::Vector2f lo = back.colwise().minCoeff(), hi = back.colwise().maxCoeff();
        const double side = std::max(hi.x() - lo.x(), hi.y() - lo.y());
        ++expectedSize[static_cast<std::size_t>(std::min(19, static_cast<int>(std::floor(side / kSize * 20))))];
    }
    const Coverage c = computeLapaCoverage((dir.path / "LaPa").string(), *p.model);
    EXPECT_EQ(c.samples, static_cast<std::uint64_t>(kSamples));
    EXPECT_EQ(c.segmentedSamples, static_cast<std::uint64_t>(kSamples));
    EXPECT_EQ(c.withoutPose, 0u);
    EXPECT_EQ(c.yawPitch, expectedPose);
    EXPECT_GE(nearTruth, kSamples - 1) << "poses from 11 LaPa points land within a bin of the sampled ones";
    EXPECT_EQ(c.faceSize, expectedSize);
    // LaPa names eyes and brows by image side, ours by the subject's.
    const std::array<std::uint64_t, 256> expected =
        countByName(labels, annotate::lapaTable(),
                    {{"background", "background"}, {"skin", "skin"}, {"left_eyebrow", "right_brow"},
                     {"right_eyebrow", "left_brow"}, {"left_eye", "right_eye"}, {"right_eye", "left_eye"},
                     {"nose", "nose"}, {"upper_lip", "top_lip"}, {"inner_mouth", "mouth_interior"},
                     {"lower_lip", "bottom_lip"}, {"hair", "hair"}});
    EXPECT_EQ(c.classPixels, expected);
    EXPECT_GT(c.classPixels[annotate::kSkin], 0u);
    EXPECT_EQ(c.shapeMean.size(), 0u);
    EXPECT_EQ(c.landmarkSamples, 0u);

    // Damaged files are named.
    const fs::path label0 = split / "labels" / "face_0.png";
    std::string png;
    {
        std::ifstream in(label0, std::ios::binary);
        png.assign(std::istreambuf_iterator<char>(in), {});
    }
    writeText(label0, png.substr(0, png.size() / 2));
    try {
        computeLapaCoverage((dir.path / "LaPa").string(), *p.model);
        FAIL() << "a truncated label map was read";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("face_0.png"), std::string::npos) << e.what();
    }
    writeText(label0, png);
    writeText(split / "landmarks" / "face_3.txt", "106\n1 2\n3 4\n");
    try {
        computeLapaCoverage((dir.path / "LaPa").string(), *p.model);
        FAIL() << "a truncated landmark file was read";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("face_3.txt"), std::string::npos) << e.what();
    }
}

TEST(BenchmarkCoverage, CelebAMaskHqCountsMergedPartsUnderOurIdsAndTheMaskBox) {
    testutil::TempDir dir;
    const fs::path root = dir.path / "CelebAMask-HQ";
    const std::vector<Render> rs = renders(annotate::ClassPreset::CelebAMaskHQ);
    const auto& parts = CelebAMaskHqDataset::partNames();
    std::vector<cv::Mat> labels;
    std::vector<std::uint64_t> expectedSize(20, 0);
    for (int i = 0; i < kSamples; ++i) {
        cv::Mat l;
        cv::resize(rs[static_cast<std::size_t>(i)].labels, l, {512, 512}, 0, 0, cv::INTER_NEAREST);
        l(cv::Rect(10, 300, 12, 30)).setTo(15);  // an earring (ear_r): no class of ours
        // One mask per part present; no two overlap, so the merge gives l back.
        for (int k = 0; k < CelebAMaskHqDataset::kNumParts; ++k) {
            const cv::Mat m = l == (k + 1);
            if (cv::countNonZero(m) == 0) continue;
            char name[64];
            std::snprintf(name, sizeof name, "%05d_%s.png", i, parts[static_cast<std::size_t>(k)]);
            writeImage(root / "CelebAMask-HQ-mask-anno" / "0" / name, m);
        }
        writeImage(root / "CelebA-HQ-img" / (std::to_string(i) + ".jpg"), rs[static_cast<std::size_t>(i)].image);
        labels.push_back(l);
        const cv::Rect box = cv::boundingRect(l != 0);
        ++expectedSize[static_cast<std::size_t>(std::min(19, std::max(box.width, box.height) * 20 / 512))];
    }
    const Coverage c = computeCelebAMaskHqCoverage(root.string());
    EXPECT_EQ(c.samples, static_cast<std::uint64_t>(kSamples));
    EXPECT_EQ(c.withoutPose, static_cast<std::uint64_t>(kSamples)) << "no landmarks, no pose";
    EXPECT_EQ(sum(c.yawPitch), 0u);
    EXPECT_EQ(c.faceSize, expectedSize);
    EXPECT_EQ(c.segmentedSamples, static_cast<std::uint64_t>(kSamples));
    const std::array<std::uint64_t, 256> expected = countByName(
        labels, annotate::celebAMaskHqTable(),
        {{"background", "background"}, {"skin", "skin"}, {"nose", "nose"}, {"eye_g", "glasses"},
         {"l_eye", "right_eye"}, {"r_eye", "left_eye"}, {"l_brow", "right_brow"}, {"r_brow", "left_brow"},
         {"l_ear", "right_ear"}, {"r_ear", "left_ear"}, {"mouth", "mouth_interior"}, {"u_lip", "top_lip"},
         {"l_lip", "bottom_lip"}, {"hair", "hair"}, {"hat", "headwear"}, {"neck", "neck"}, {"cloth", "clothing"}});
    EXPECT_EQ(c.classPixels, expected);
    EXPECT_EQ(c.classPixels[255], static_cast<std::uint64_t>(kSamples * 12 * 30)) << "earrings under 255";

    // A truncated part mask is named.
    const fs::path skin = root / "CelebAMask-HQ-mask-anno" / "0" / "00002_skin.png";
    ASSERT_TRUE(fs::exists(skin));
    writeText(skin, "\x89PNG\r\n\x1a\n");
    try {
        computeCelebAMaskHqCoverage(root.string());
        FAIL() << "a truncated mask was read";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("00002_skin.png"), std::string::npos) << e.what();
    }
}

TEST(BenchmarkCoverage, DetectsEachLayoutAndNamesWhatItLookedFor) {
    testutil::TempDir dir;
    const fs::path ours = dir.path / "ours", w300 = dir.path / "w300" / "helen", lapa = dir.path / "lapa",
                   lapaSplit = dir.path / "lapa_val", celeb = dir.path / "celeb", other = dir.path / "other";
    writeText(ours / "manifest.json", "{}");
    writeText(w300 / "a.pts", "");
    for (const char* sub : {"images", "labels", "landmarks"}) {
        fs::create_directories(lapa / "train" / sub);
        fs::create_directories(lapaSplit / sub);
    }
    fs::create_directories(celeb / "CelebA-HQ-img");
    fs::create_directories(celeb / "CelebAMask-HQ-mask-anno");
    writeText(other / "images" / "a.jpg", "");
    writeText(other / ".hidden" / "b.pts", "");
    writeText(dir.path / "fs" / "000000_ldmks.txt", "");
    EXPECT_EQ(detectFolderLayout(ours.string()), FolderLayout::SynthForge);
    EXPECT_EQ(detectFolderLayout((dir.path / "w300").string()), FolderLayout::W300);
    EXPECT_EQ(detectFolderLayout(lapa.string()), FolderLayout::Lapa);
    EXPECT_EQ(detectFolderLayout(lapaSplit.string()), FolderLayout::Lapa);
    EXPECT_EQ(detectFolderLayout(celeb.string()), FolderLayout::CelebAMaskHq);
    EXPECT_EQ(detectFolderLayout((dir.path / "fs").string()), FolderLayout::FaceSynthetics);
    try {
        detectFolderLayout(other.string());
        FAIL() << "an unknown folder was given a layout";
    } catch (const std::runtime_error& e) {
        const std::string what = e.what();
        for (const char* looked : {"manifest.json", "CelebA-HQ-img", "landmarks/", ".pts", "other"})
            EXPECT_NE(what.find(looked), std::string::npos) << what;
    }
    EXPECT_THROW(detectFolderLayout((dir.path / "missing").string()), std::runtime_error);
}

TEST(BenchmarkCoverage, RemapToDefaultTakesOurLowestIdAndIgnoresWhatHasNoClass) {
    const std::array<std::uint8_t, 256> lapa = annotate::remapToDefault(annotate::ClassPreset::LaPa);
    EXPECT_EQ(lapa[static_cast<std::size_t>(annotate::lapaTable().byName("skin").id)], annotate::kSkin);
    EXPECT_EQ(lapa[static_cast<std::size_t>(annotate::lapaTable().byName("background").id)], annotate::kBackground);
    EXPECT_EQ(lapa[11], 255) << "not a LaPa id";
    const std::array<std::uint8_t, 256> celeb = annotate::remapToDefault(annotate::ClassPreset::CelebAMaskHQ);
    EXPECT_EQ(celeb[static_cast<std::size_t>(annotate::celebAMaskHqTable().byName("neck_l").id)], 255);
    EXPECT_EQ(celeb[static_cast<std::size_t>(annotate::celebAMaskHqTable().byName("eye_g").id)], annotate::kGlasses);
}

}  // namespace
}  // namespace synthforge::dataset
