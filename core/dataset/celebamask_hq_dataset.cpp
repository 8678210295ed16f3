#include "core/dataset/celebamask_hq_dataset.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "core/dataset/fs_checks.h"
#include "core/dataset/image_files.h"

namespace synthforge::dataset {

namespace fs = std::filesystem;

namespace {

constexpr const char* kImageFolder = "CelebA-HQ-img";
constexpr const char* kMaskFolder = "CelebAMask-HQ-mask-anno";
/// Image numbers above this are not CelebA-HQ's (30,000 images) and would
/// overflow the 5-digit mask file names long before int does.
constexpr int kMaxIndex = 9999999;


/// i from "<i>.jpg" with i in the release's spelling (no sign, no leading zero).
bool parseImageIndex(const std::string& file, int& index) {
    if (file.size() < 5 || file.compare(file.size() - 4, 4, ".jpg") != 0) return false;
    const char* b = file.data();
    const char* e = b + file.size() - 4;
    if (*b < '0' || *b > '9' || (*b == '0' && e - b > 1)) return false;
    const auto r = std::from_chars(b, e, index);
    return r.ec == std::errc() && r.ptr == e && index <= kMaxIndex;
}

}  // namespace

const std::array<const char*, CelebAMaskHqDataset::kNumParts>& CelebAMaskHqDataset::partNames() {
    // g_mask.py's label_list ("list2"), in its order: the merge order and the ids.
    static const std::array<const char*, kNumParts> names = {
        "skin",  "nose",  "eye_g", "l_eye", "r_eye", "l_brow", "r_brow", "l_ear", "r_ear",
        "mouth", "u_lip", "l_lip", "hair",  "hat",   "ear_r",  "neck_l", "neck",  "cloth"};
    return names;
}

CelebAMaskHqDataset CelebAMaskHqDataset::open(const std::string& root) {
    if (!isDir(root)) throw std::runtime_error(root + ": not a folder (expected the CelebAMask-HQ folder)");
    const fs::path r(root);
    for (const char* sub : {kImageFolder, kMaskFolder})
        if (!isDir(r / sub)) throw std::runtime_error((r / sub).string() + ": missing folder (CelebAMask-HQ layout)");
    CelebAMaskHqDataset d;
    d.root_ = root;
    std::error_code ec;
    for (fs::directory_iterator it(r / kImageFolder, ec), end; !ec && it != end; it.increment(ec)) {
        int index = 0;
        if (parseImageIndex(it->path().filename().string(), index) && isFile(it->path())) d.indices_.push_back(index);
    }
    if (ec) throw std::runtime_error((r / kImageFolder).string() + ": cannot list the folder (" + ec.message() + ")");
    if (d.indices_.empty()) throw std::runtime_error((r / kImageFolder).string() + ": no image named <number>.jpg");
    std::sort(d.indices_.begin(), d.indices_.end());
    return d;
}

int CelebAMaskHqDataset::index(std::size_t i) const {
    if (i >= indices_.size())
        throw std::invalid_argument("CelebAMaskHqDataset: sample " + std::to_string(i) + " out of range (size " +
                                    std::to_string(indices_.size()) + ")");
    return indices_[i];
}

std::string CelebAMaskHqDataset::imagePath(std::size_t i) const {
    return (fs::path(root_) / kImageFolder / (std::to_string(index(i)) + ".jpg")).string();
}

std::string CelebAMaskHqDataset::partMaskPath(std::size_t i, int part) const {
    if (part < 0 || part >= kNumParts)
        throw std::invalid_argument("CelebAMaskHqDataset: part " + std::to_string(part) + " outside 0.." +
                                    std::to_string(kNumParts - 1));
    const int k = index(i);
    char file[64];
    std::snprintf(file, sizeof file, "%05d_%s.png", k, partNames()[static_cast<std::size_t>(part)]);
    return (fs::path(root_) / kMaskFolder / std::to_string(k / kImagesPerMaskFolder) / file).string();
}

CelebAMaskHqSample CelebAMaskHqDataset::sample(std::size_t i) const {
    CelebAMaskHqSample s;
    s.index = index(i);
    s.name = std::string(kImageFolder) + "/" + std::to_string(s.index) + ".jpg";
    s.image = readBgrImage(imagePath(i));

    // A missing folder would otherwise read as "every part absent": an
    // all-background label map for a face, silently.
    const fs::path folder = fs::path(partMaskPath(i, 0)).parent_path();
    if (!isDir(folder))
        throw std::runtime_error(folder.string() + ": missing mask folder for image " + std::to_string(s.index));

    s.labels = cv::Mat::zeros(kMaskSize, kMaskSize, CV_8UC1);
    for (int part = 0; part < kNumParts; ++part) {
        const std::string path = partMaskPath(i, part);
        if (!isFile(path)) continue;
        const cv::Mat mask = readPngUnchanged(path);
        if (mask.depth() != CV_8U || (mask.channels() != 1 && mask.channels() != 3 && mask.channels() != 4))
            throw std::runtime_error(path + ": decoded as " + describeMatType(mask.type()) +
                                     ", expected an 8-bit mask");
        if (mask.cols != kMaskSize || mask.rows != kMaskSize)
            throw std::runtime_error(path + ": size " + std::to_string(mask.cols) + "x" + std::to_string(mask.rows) +
                                     ", CelebAMask-HQ masks are " + std::to_string(kMaskSize) + "x" +
                                     std::to_string(kMaskSize));
        // g_mask.py reads masks with cv2.imread (BGR) and tests channel 0.
        cv::Mat first;
        cv::extractChannel(mask, first, 0);
        s.labels.setTo(part + 1, first != 0);
    }
    return s;
}

}  // namespace synthforge::dataset
