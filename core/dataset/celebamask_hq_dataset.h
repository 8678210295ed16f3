#pragma once
// CelebAMask-HQ (MaskGAN, CVPR 2020): 30,000 CelebA-HQ faces with
// hand-drawn 512 x 512 part masks, in the layout of the official release:
//     <root>/CelebA-HQ-img/<i>.jpg                                   1024 x 1024 RGB
//     <root>/CelebAMask-HQ-mask-anno/<i / 2000>/<%05d i>_<part>.png  512 x 512, white = part
// A part file that does not exist means the part is absent from that face.
//
// The part masks are merged exactly as the dataset's own
// face_parsing/Data_preprocessing/g_mask.py does it: parts are visited in the
// order of partNames() and part k writes id k + 1 wherever its mask (first
// channel, as cv2.imread gives it) is non-zero, so later parts overwrite
// earlier ones (a nose drawn over skin stays nose; a hat over hair stays hat).
// Ids 0..18 are background, then partNames() in order. Sources: docs/datasets.md.
//
// The label map comes at the mask resolution, 512 x 512, while the image is
// returned as stored (1024 x 1024 in the release): callers resize one to the
// other (nearest-neighbour for the labels).
//
// sample() keeps no state, so samples may be loaded from several threads.

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace synthforge::dataset {

struct CelebAMaskHqSample {
    std::string name;  ///< "CelebA-HQ-img/<i>.jpg"
    int index = 0;     ///< i, the CelebA-HQ image number
    cv::Mat image;     ///< BGR, CV_8UC3, as stored (1024 x 1024 in the release)
    cv::Mat labels;    ///< CV_8UC1, 512 x 512, ids 0..18
};

class CelebAMaskHqDataset {
public:
    static constexpr int kNumParts = 18;
    static constexpr int kNumClasses = kNumParts + 1;  ///< with background, id 0
    static constexpr int kMaskSize = 512;
    static constexpr int kImagesPerMaskFolder = 2000;

    /// The part names in merge order (g_mask.py's label_list); part k has id k + 1.
    static const std::array<const char*, kNumParts>& partNames();

    /// Indexes the images <root>/CelebA-HQ-img/<i>.jpg (i written without
    /// leading zeros), sorted by i. Throws std::runtime_error naming the root
    /// or folder when either folder is missing or no image is found.
    static CelebAMaskHqDataset open(const std::string& root);

    std::size_t size() const { return indices_.size(); }
    /// Loads sample i and merges its part masks. Throws std::invalid_argument
    /// when i >= size() and std::runtime_error naming the file for an
    /// unreadable image, a missing mask folder, or a part mask that is not an
    /// 8-bit 512 x 512 PNG.
    CelebAMaskHqSample sample(std::size_t i) const;

    const std::string& root() const { return root_; }
    /// The CelebA-HQ image number of sample i.
    int index(std::size_t i) const;
    std::string imagePath(std::size_t i) const;
    /// Where part `part` (0..17, partNames() order) of sample i is stored, whether or not it exists.
    std::string partMaskPath(std::size_t i, int part) const;

private:
    std::string root_;
    std::vector<int> indices_;
};

}  // namespace synthforge::dataset
