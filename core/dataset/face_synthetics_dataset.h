#pragma once
// FaceSynthetics (Wood et al., "Fake It Till You Make It", ICCV 2021): one
// flat folder with, per sample,
//     000000.png         RGB image (512 x 512 in the release)
//     000000_seg.png     8-bit class ids, the image's size (the default class table of docs/design.md)
//     000000_ldmks.txt   70 lines "x y": the 68 iBUG points, then the
//                        subject's right and left pupil
// `synthforge generate --formats ...,facesynthetics` writes the same layout
// into <dataset>/facesynthetics/. Landmark files use 0-based pixel centres:
// the centre of the first pixel is 0.0, ours is 0.5, so ours = file + 0.5.
// Sources and conventions: docs/datasets.md.
//
// open() lists the *_ldmks.txt files and checks that each has its image and
// label map, so a partly copied folder fails at once; sample() keeps no
// state, so samples may be loaded from several threads.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/io/pts_file.h"

namespace synthforge::annotate {
class ClassTable;
}

namespace synthforge::dataset {

struct FaceSyntheticsSample {
    std::string name;        ///< the sample's stem, e.g. "000042"
    cv::Mat image;           ///< BGR, CV_8UC3
    cv::Mat segmentation;    ///< CV_8UC1 class ids, the image's size
    io::Points2f landmarks;  ///< 70 x 2, our frame (pixel i's centre at i + 0.5)
};

/// Landmark files larger than this are refused unread (a 70-point file is about 1 KiB).
constexpr std::uint64_t kMaxFaceSyntheticsLandmarkFileBytes = 1ull << 20;

/// Parses an `_ldmks.txt` text in the file's 0-based frame. Tolerates CRLF,
/// a UTF-8 BOM, extra blanks and blank lines; refuses with
/// std::runtime_error("<source>: line N: ...") a line that is not two finite
/// numbers and a file with other than 70 points.
io::Points2f parseFaceSyntheticsLandmarks(const std::string& text, const std::string& source);
io::Points2f readFaceSyntheticsLandmarks(const std::string& path);

class FaceSyntheticsDataset {
public:
    static constexpr int kNumLandmarks = 70;
    /// The class table of the release: ClassTable::defaultTable().
    static const annotate::ClassTable& classes();

    /// Indexes every <stem>_ldmks.txt in `root` (not recursive; hidden files
    /// ignored), sorted by stem. Throws std::runtime_error naming the root
    /// when it is not a folder or holds no sample, and naming the file when
    /// a sample's image or label map is missing.
    static FaceSyntheticsDataset open(const std::string& root);
    /// True when `root` is a folder holding at least one *_ldmks.txt.
    static bool looksLike(const std::string& root);

    std::size_t size() const { return stems_.size(); }
    /// Loads sample i. Throws std::invalid_argument when i >= size() and
    /// std::runtime_error naming the file for an unreadable image, a label
    /// map that is not an 8-bit single-channel PNG of the image's size with
    /// ids of the class table, or a landmark file that is malformed, has
    /// other than 70 points, or points more than one image size outside it.
    FaceSyntheticsSample sample(std::size_t i) const;

    const std::string& root() const { return root_; }
    const std::string& name(std::size_t i) const;
    std::string imagePath(std::size_t i) const;
    std::string segPath(std::size_t i) const;
    std::string landmarkPath(std::size_t i) const;

private:
    std::string root_;
    std::vector<std::string> stems_;
};

}  // namespace synthforge::dataset
