#pragma once
// LaPa (Landmark guided face Parsing, JD AI, AAAI 2020): 11-class face parsing
// labels and 106 landmarks per image, in the layout of the official release:
//     <root>/<split>/images/<name>.jpg
//     <root>/<split>/labels/<name>.png      8-bit class ids 0..10
//     <root>/<split>/landmarks/<name>.txt   "106", then 106 lines "x y"
// with split in train, val, test. Class ids (the release's labelmap.txt):
//     0 background, 1 skin, 2 left eyebrow, 3 right eyebrow, 4 left eye,
//     5 right eye, 6 nose, 7 upper lip, 8 inner mouth, 9 lower lip, 10 hair.
// Landmark coordinates: see lapa_landmarks.h. Sources: docs/datasets.md.
//
// open() checks that every image has its label and landmark file, so a
// partly copied benchmark fails at once instead of scoring on a subset.
// sample() keeps no state, so samples may be loaded from several threads.

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/io/pts_file.h"

namespace synthforge::dataset {

struct LapaSample {
    std::string name;        ///< "<split>/<name>", e.g. "train/HELEN_158249995_1_0"
    cv::Mat image;           ///< BGR, CV_8UC3
    cv::Mat labels;          ///< CV_8UC1 class ids 0..10, the image's size
    io::Points2f landmarks;  ///< 106 x 2, our frame (pixel i's centre at i + 0.5)
};

class LapaDataset {
public:
    static constexpr int kNumClasses = 11;
    static constexpr int kNumLandmarks = 106;
    /// The official class names by id.
    static const std::array<const char*, kNumClasses>& classNames();

    /// `root` is either the LaPa folder (its train/, val/ and test/ splits that
    /// exist are all indexed) or one split folder (holding images/, labels/,
    /// landmarks/). Samples are sorted by "<split>/<name>". Throws
    /// std::runtime_error naming the root or the missing file/folder when the
    /// layout is incomplete or holds no image.
    static LapaDataset open(const std::string& root);
    /// One split ("train", "val" or "test") of the LaPa folder `root`.
    static LapaDataset open(const std::string& root, const std::string& split);

    std::size_t size() const { return entries_.size(); }
    /// Loads sample i. Throws std::invalid_argument when i >= size() and
    /// std::runtime_error naming the file for an unreadable image, a label map
    /// that is not an 8-bit single-channel PNG of the image's size with ids
    /// <= 10, or a landmark file that is malformed or has other than 106 points.
    LapaSample sample(std::size_t i) const;

    const std::string& root() const { return root_; }
    /// "<split>/<name>" of sample i.
    std::string name(std::size_t i) const;
    std::string imagePath(std::size_t i) const;
    std::string labelPath(std::size_t i) const;
    std::string landmarkPath(std::size_t i) const;

private:
    struct Entry {
        std::string splitDir;  ///< absolute or root-relative path of the split folder
        std::string split;     ///< the split folder's name
        std::string stem;
    };
    const Entry& entry(std::size_t i) const;
    void indexSplit(const std::string& splitDir);

    std::string root_;
    std::vector<Entry> entries_;
};

}  // namespace synthforge::dataset
