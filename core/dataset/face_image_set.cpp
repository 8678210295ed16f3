#include "core/dataset/face_image_set.h"

#include <cmath>
#include <filesystem>
#include <map>
#include <stdexcept>

#include <opencv2/imgcodecs.hpp>

#include "core/dataset/image_files.h"
#include "core/dataset/recordio.h"
#include "core/dataset/verification_pairs.h"

namespace synthforge::dataset {

namespace fs = std::filesystem;

namespace {
/// Enough of a record for its 24-byte header, 255 extra labels and the
/// first bytes of the image (so an image record is told from the header
/// record, which has none).
constexpr std::size_t kHeaderPrefix = 24 + 4 * 256;
}  // namespace

FaceImageSet::~FaceImageSet() = default;
FaceImageSet::FaceImageSet(FaceImageSet&&) noexcept = default;
FaceImageSet& FaceImageSet::operator=(FaceImageSet&&) noexcept = default;

FaceImageSet FaceImageSet::open(const std::string& path) {
    FaceImageSet s;
    fs::path rec = path;
    if (fs::is_directory(rec) && fs::is_regular_file(rec / "train.rec")) rec /= "train.rec";
    if (rec.extension() != ".rec") {
        for (const IdentityFolder& id : listIdentityFolders(path)) {
            s.names_.push_back(id.name);
            s.identities_.push_back(id.images);
        }
        return s;
    }
    s.recPath_ = rec.string();
    s.rec_ = std::make_unique<RecordIoFile>(s.recPath_);
    std::vector<std::uint64_t> offsets;
    const fs::path idx = fs::path(rec).replace_extension(".idx");
    if (fs::is_regular_file(idx)) {
        for (const RecordIoIndexEntry& e : readRecordIoIndex(idx.string())) offsets.push_back(e.offset);
    } else {
        offsets = s.rec_->scanOffsets();
    }
    std::map<std::int64_t, std::vector<std::string>> byLabel;
    for (std::uint64_t off : offsets) {
        const std::string key = s.recPath_ + "@" + std::to_string(off);
        // The IRHeader and its labels only (the image is read when trained on).
        const ImageRecord r =
            parseImageRecord(s.rec_->recordAt(off, nullptr, kHeaderPrefix), s.recPath_ + ": offset " + std::to_string(off));
        if (r.payload.empty()) continue;  // InsightFace's header record: identity ranges, no image
        const float label = r.labels.empty() ? NAN : r.labels.front();
        if (!std::isfinite(label) || label < 0 || label != std::floor(label) || label > 1e9f)
            throw std::runtime_error(s.recPath_ + ": offset " + std::to_string(off) + ": label " + std::to_string(label) +
                                     " is not an identity number");
        byLabel[static_cast<std::int64_t>(label)].push_back(key);
    }
    if (byLabel.empty()) throw std::runtime_error(s.recPath_ + ": no image records");
    for (auto& [label, keys] : byLabel) {
        s.names_.push_back(std::to_string(label));
        s.identities_.push_back(std::move(keys));
    }
    return s;
}

cv::Mat FaceImageSet::load(const std::string& key) const {
    if (!rec_) return readBgrImage(key);
    const std::size_t at = key.rfind('@');
    if (at == std::string::npos || key.compare(0, at, recPath_) != 0)
        throw std::runtime_error(recPath_ + ": '" + key + "' is not a record of this file");
    const std::uint64_t off = std::stoull(key.substr(at + 1));
    const std::string where = recPath_ + ": offset " + std::to_string(off);
    const ImageRecord r = parseImageRecord(rec_->recordAt(off), where);
    const cv::Mat bytes(1, static_cast<int>(r.payload.size()), CV_8UC1, const_cast<std::uint8_t*>(r.payload.data()));
    cv::Mat img = cv::imdecode(bytes, cv::IMREAD_COLOR);
    if (img.empty()) throw std::runtime_error(where + ": the image does not decode");
    return img;
}

}  // namespace synthforge::dataset
