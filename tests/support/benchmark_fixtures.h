#pragma once
// Tiny benchmark datasets in the exact official layouts of 300-W, LaPa and
// CelebAMask-HQ (docs/datasets.md), with a drawn cartoon face whose pixels,
// labels and landmarks agree, so that a network has something learnable.
// Used by the Stage II fine-tuning tests (library and CLI).

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/io/pts_file.h"

namespace synthforge::testutil {

/// One drawn face: BGR image, LaPa class ids (0..10) and `n` landmarks in our frame.
struct DrawnFace {
    cv::Mat image, labels;
    io::Points2f landmarks;
};

/// A face of variant `v` (position and size change with it) on a w x h
/// image. Landmark k lies on ring {1, 0.7, 0.4}[k % 3] of the face ellipse
/// at angle 2 pi k / n.
inline DrawnFace drawFace(int w, int h, int v, int n) {
    const double cx = w * (0.42 + 0.06 * (v % 3)), cy = h * (0.52 + 0.03 * (v % 2));
    const double rx = w * (0.22 + 0.02 * (v % 2)), ry = h * (0.28 + 0.02 * (v % 3));
    DrawnFace f;
    f.labels = cv::Mat::zeros(h, w, CV_8UC1);
    const auto pt = [&](double fx, double fy) { return cv::Point(int(cx + fx * rx), int(cy + fy * ry)); };
    const auto sz = [&](double fx, double fy) { return cv::Size(std::max(1, int(fx * rx)), std::max(1, int(fy * ry))); };
    cv::ellipse(f.labels, pt(0, -0.45), sz(1.2, 0.9), 0, 0, 360, 10, -1);  // hair
    cv::ellipse(f.labels, pt(0, 0), sz(1, 1), 0, 0, 360, 1, -1);           // skin
    cv::rectangle(f.labels, pt(-0.6, -0.45), pt(-0.15, -0.35), 2, -1);     // brows
    cv::rectangle(f.labels, pt(0.15, -0.45), pt(0.6, -0.35), 3, -1);
    cv::ellipse(f.labels, pt(-0.38, -0.2), sz(0.18, 0.08), 0, 0, 360, 4, -1);  // eyes
    cv::ellipse(f.labels, pt(0.38, -0.2), sz(0.18, 0.08), 0, 0, 360, 5, -1);
    cv::rectangle(f.labels, pt(-0.08, -0.1), pt(0.08, 0.25), 6, -1);  // nose
    cv::rectangle(f.labels, pt(-0.35, 0.4), pt(0.35, 0.47), 7, -1);   // lips and mouth
    cv::rectangle(f.labels, pt(-0.35, 0.47), pt(0.35, 0.53), 8, -1);
    cv::rectangle(f.labels, pt(-0.35, 0.53), pt(0.35, 0.6), 9, -1);
    static const cv::Vec3b colours[11] = {{30, 90, 40},   {150, 180, 220}, {20, 40, 60},  {25, 45, 65},
                                          {200, 60, 20},  {210, 70, 30},   {120, 150, 200}, {60, 60, 200},
                                          {20, 20, 80},   {70, 70, 210},   {10, 30, 50}};
    f.image.create(h, w, CV_8UC3);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) f.image.at<cv::Vec3b>(y, x) = colours[f.labels.at<std::uint8_t>(y, x)];
    f.landmarks.resize(n, 2);
    static const double rings[3] = {1.0, 0.7, 0.4};
    for (int k = 0; k < n; ++k) {
        const double t = 2 * M_PI * k / n, r = rings[k % 3];
        f.landmarks(k, 0) = static_cast<float>(cx + rx * r * std::cos(t));
        f.landmarks(k, 1) = static_cast<float>(cy + ry * r * std::sin(t));
    }
    return f;
}

inline void writeFile(const std::filesystem::path& path, const std::string& bytes) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << bytes;
}

inline void writePicture(const std::filesystem::path& path, const cv::Mat& m) {
    std::filesystem::create_directories(path.parent_path());
    cv::imwrite(path.string(), m);
}

/// One 300-W face: root/stem.png and root/stem.pts (1-based).
inline void write300WFace(const std::filesystem::path& root, const std::string& stem, int v, int w = 80, int h = 72) {
    const DrawnFace f = drawFace(w, h, v, 68);
    writePicture(root / (stem + ".png"), f.image);
    io::writePts((root / (stem + ".pts")).string(), io::toPtsCoordinates(f.landmarks));
}

/// 300-W: `count` faces (png + 1-based .pts) in two nested folders.
inline void write300WFixture(const std::filesystem::path& root, int count, int w = 80, int h = 72) {
    for (int i = 0; i < count; ++i) {
        char stem[32];
        std::snprintf(stem, sizeof stem, "%s/face_%03d", i % 2 ? "02_Outdoor" : "01_Indoor", i);
        write300WFace(root / "300W", stem, i, w, h);
    }
}

/// The iBUG 300-W release's subset folders, a few faces each: afw/ 2,
/// helen/trainset 2, helen/testset 1, lfpw/trainset 2, lfpw/testset 1,
/// ibug/ 2 and 300W/01_Indoor 1.
inline void write300WReleaseFixture(const std::filesystem::path& root) {
    const struct { const char* folder; int count; } subsets[] = {
        {"afw", 2}, {"helen/trainset", 2}, {"helen/testset", 1}, {"lfpw/trainset", 2},
        {"lfpw/testset", 1}, {"ibug", 2}, {"300W/01_Indoor", 1}};
    int v = 0;
    for (const auto& s : subsets)
        for (int i = 0; i < s.count; ++i, ++v) write300WFace(root / s.folder, "image_" + std::to_string(i), v);
}

/// One LaPa sample in `splitDir` (images/*.jpg, labels/*.png, landmarks/*.txt 0-based).
inline void writeLapaFixtureSample(const std::filesystem::path& splitDir, const std::string& name, int v, int w = 80,
                                   int h = 72) {
    const DrawnFace f = drawFace(w, h, v, 106);
    writePicture(splitDir / "images" / (name + ".jpg"), f.image);
    writePicture(splitDir / "labels" / (name + ".png"), f.labels);
    std::string text = "106\n";
    char line[64];
    for (int k = 0; k < 106; ++k) {
        std::snprintf(line, sizeof line, "%.3f %.3f\n", f.landmarks(k, 0) - 0.5, f.landmarks(k, 1) - 0.5);
        text += line;
    }
    writeFile(splitDir / "landmarks" / (name + ".txt"), text);
}

/// LaPa with the official splits: `train` faces in train/, `val` in val/, one in test/.
inline void writeLapaFixture(const std::filesystem::path& root, int train, int val) {
    for (int i = 0; i < train; ++i) writeLapaFixtureSample(root / "train", "train_" + std::to_string(i), i);
    for (int i = 0; i < val; ++i) writeLapaFixtureSample(root / "val", "val_" + std::to_string(i), train + i);
    writeLapaFixtureSample(root / "test", "test_0", 7);
}

/// CelebAMask-HQ: images <i>.jpg (imageSize square; the release has 1024)
/// with 512 x 512 part masks, and, when `origFiles` is not empty,
/// CelebA-HQ-to-CelebA-mapping.txt mapping image i to CelebA file origFiles[i].
inline void writeCelebAFixture(const std::filesystem::path& root, int count, const std::vector<int>& origFiles = {},
                               int imageSize = 128) {
    // LaPa id -> CelebAMask-HQ part file, and the merged id (part index + 1).
    static const struct { int lapa; const char* part; } parts[] = {
        {1, "skin"}, {6, "nose"}, {4, "l_eye"}, {5, "r_eye"}, {2, "l_brow"}, {3, "r_brow"},
        {7, "u_lip"}, {9, "l_lip"}, {8, "mouth"}, {10, "hair"}};
    std::string mapping = "idx orig_idx orig_file\n";
    for (int i = 0; i < count; ++i) {
        const DrawnFace big = drawFace(512, 512, i, 68);
        cv::Mat image;
        cv::resize(big.image, image, cv::Size(imageSize, imageSize), 0, 0, cv::INTER_AREA);
        writePicture(root / "CelebA-HQ-img" / (std::to_string(i) + ".jpg"), image);
        for (const auto& p : parts) {
            char name[64];
            std::snprintf(name, sizeof name, "%05d_%s.png", i, p.part);
            cv::Mat mask = (big.labels == p.lapa);
            if (p.lapa == 1) mask = (big.labels != 0) & (big.labels != 10);  // skin under the inner parts
            writePicture(root / "CelebAMask-HQ-mask-anno" / std::to_string(i / 2000) / name, mask);
        }
        if (i < static_cast<int>(origFiles.size()))
            mapping += std::to_string(i) + " " + std::to_string(origFiles[i] - 1) + " " +
                       std::to_string(origFiles[i]) + ".jpg\n";
    }
    if (!origFiles.empty()) writeFile(root / "CelebA-HQ-to-CelebA-mapping.txt", mapping);
}

}  // namespace synthforge::testutil
