#pragma once
// 300-W style landmark datasets: a folder tree in which every annotated image
// has a .pts file of the same stem next to it, e.g.
//     300W/01_Indoor/indoor_001.png   300W/01_Indoor/indoor_001.pts
//     helen/trainset/100032540_1.jpg  helen/trainset/100032540_1.pts
// (the layout of the 300-W release and of iBUG's re-annotated LFPW, HELEN,
// AFW and IBUG sets). Sources and conventions: docs/datasets.md.
//
// open() only lists files; sample() reads and validates one image and its
// .pts, so a damaged file fails when (and only when) it is used, naming it.
// sample() keeps no state, so samples may be loaded from several threads.

#include <cstddef>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/io/pts_file.h"

namespace synthforge::dataset {

struct W300Sample {
    std::string name;        ///< image path relative to the root, '/'-separated
    cv::Mat image;           ///< BGR, CV_8UC3
    io::Points2f landmarks;  ///< 68 x 2, iBUG-68 order, our frame (pixel i's centre at i + 0.5)
};

class W300Dataset {
public:
    static constexpr int kNumLandmarks = 68;

    /// Indexes every .png/.jpg/.jpeg (any case, any depth) under `root` that
    /// has a .pts of the same stem beside it, sorted by relative path. Hidden
    /// files and macOS "__MACOSX" folders are ignored. Throws
    /// std::runtime_error naming the root when it is not a folder or holds no
    /// annotated image.
    static W300Dataset open(const std::string& root);

    std::size_t size() const { return names_.size(); }
    /// Loads sample i. Throws std::invalid_argument when i >= size() and
    /// std::runtime_error (naming the file) for an unreadable image or a .pts
    /// that is malformed or has other than 68 points.
    W300Sample sample(std::size_t i) const;

    const std::string& root() const { return root_; }
    /// Relative path of sample i's image.
    const std::string& name(std::size_t i) const;
    std::string imagePath(std::size_t i) const;
    std::string ptsPath(std::size_t i) const;
    /// Images that were skipped because no .pts lies beside them (relative, sorted).
    const std::vector<std::string>& imagesWithoutPts() const { return withoutPts_; }

private:
    std::string root_;
    std::vector<std::string> names_;
    std::vector<std::string> withoutPts_;
};

}  // namespace synthforge::dataset
