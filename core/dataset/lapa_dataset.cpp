#include "core/dataset/lapa_dataset.h"

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "core/dataset/fs_checks.h"
#include "core/dataset/image_files.h"
#include "core/dataset/lapa_landmarks.h"

namespace synthforge::dataset {

namespace fs = std::filesystem;

namespace {

constexpr const char* kSplits[] = {"train", "val", "test"};


/// LaPa labels are single-channel. A label PNG saved as grey RGB(A) (equal
/// colour channels) carries the same ids and is accepted; anything else is a
/// colour preview, not class ids.
cv::Mat toClassIds(const cv::Mat& m, const std::string& path) {
    if (m.type() == CV_8UC1) return m;
    if (m.depth() == CV_8U && (m.channels() == 3 || m.channels() == 4)) {
        std::vector<cv::Mat> ch;
        cv::split(m, ch);
        if (cv::countNonZero(ch[0] != ch[1]) == 0 && cv::countNonZero(ch[0] != ch[2]) == 0) return ch[0];
    }
    throw std::runtime_error(path + ": decoded as " + describeMatType(m.type()) +
                             "; LaPa labels are 8-bit single-channel class ids (a colour preview cannot be read back)");
}

}  // namespace

const std::array<const char*, LapaDataset::kNumClasses>& LapaDataset::classNames() {
    static const std::array<const char*, kNumClasses> names = {
        "background", "skin", "left eyebrow", "right eyebrow", "left eye", "right eye",
        "nose",       "upper lip", "inner mouth", "lower lip", "hair"};
    return names;
}

void LapaDataset::indexSplit(const std::string& splitDir) {
    fs::path dir(splitDir);
    if (dir.filename().empty()) dir = dir.parent_path();  // "LaPa/train/" names the split "train" too
    for (const char* sub : {"images", "labels", "landmarks"})
        if (!isDir(dir / sub))
            throw std::runtime_error((dir / sub).string() +
                                     ": missing folder (LaPa needs images/, labels/ and landmarks/)");
    std::vector<std::string> stems;
    std::error_code ec;
    for (fs::directory_iterator it(dir / "images", ec), end; !ec && it != end; it.increment(ec)) {
        const fs::path& p = it->path();
        const std::string file = p.filename().string();
        // The release's images are all .jpg; hidden "._x.jpg" files are macOS resource forks.
        if (p.extension() != ".jpg" || file[0] == '.' || !isFile(p)) continue;
        stems.push_back(p.stem().string());
    }
    if (ec) throw std::runtime_error((dir / "images").string() + ": cannot list the folder (" + ec.message() + ")");
    if (stems.empty()) throw std::runtime_error((dir / "images").string() + ": no .jpg image");
    std::sort(stems.begin(), stems.end());
    const std::string split = dir.filename().string();
    for (const auto& stem : stems) {
        for (const fs::path& needed : {dir / "labels" / (stem + ".png"), dir / "landmarks" / (stem + ".txt")})
            if (!isFile(needed))
                throw std::runtime_error(needed.string() + ": missing (the image " + stem + ".jpg has no such file)");
        entries_.push_back({splitDir, split, stem});
    }
}

LapaDataset LapaDataset::open(const std::string& root) {
    if (!isDir(root)) throw std::runtime_error(root + ": not a folder (expected the LaPa folder or one of its splits)");
    LapaDataset d;
    d.root_ = root;
    const fs::path r(root);
    if (isDir(r / "images")) {
        d.indexSplit(r.string());
        return d;
    }
    for (const char* split : kSplits)
        if (isDir(r / split)) d.indexSplit((r / split).string());
    if (d.entries_.empty())
        throw std::runtime_error(root + ": no LaPa split here (expected train/, val/ or test/ with images/, labels/, "
                                        "landmarks/, or a split folder itself)");
    std::sort(d.entries_.begin(), d.entries_.end(), [](const Entry& a, const Entry& b) {
        return a.split != b.split ? a.split < b.split : a.stem < b.stem;
    });
    return d;
}

LapaDataset LapaDataset::open(const std::string& root, const std::string& split) {
    if (std::find(std::begin(kSplits), std::end(kSplits), split) == std::end(kSplits))
        throw std::invalid_argument("LapaDataset::open: unknown split '" + split + "' (expected train, val or test)");
    if (!isDir(root)) throw std::runtime_error(root + ": not a folder (expected the LaPa folder)");
    const fs::path dir = fs::path(root) / split;
    if (!isDir(dir)) throw std::runtime_error(dir.string() + ": missing split folder");
    LapaDataset d;
    d.root_ = root;
    d.indexSplit(dir.string());
    return d;
}

const LapaDataset::Entry& LapaDataset::entry(std::size_t i) const {
    if (i >= entries_.size())
        throw std::invalid_argument("LapaDataset: sample " + std::to_string(i) + " out of range (size " +
                                    std::to_string(entries_.size()) + ")");
    return entries_[i];
}

std::string LapaDataset::name(std::size_t i) const { return entry(i).split + "/" + entry(i).stem; }
std::string LapaDataset::imagePath(std::size_t i) const {
    return (fs::path(entry(i).splitDir) / "images" / (entry(i).stem + ".jpg")).string();
}
std::string LapaDataset::labelPath(std::size_t i) const {
    return (fs::path(entry(i).splitDir) / "labels" / (entry(i).stem + ".png")).string();
}
std::string LapaDataset::landmarkPath(std::size_t i) const {
    return (fs::path(entry(i).splitDir) / "landmarks" / (entry(i).stem + ".txt")).string();
}

LapaSample LapaDataset::sample(std::size_t i) const {
    LapaSample s;
    s.name = name(i);

    const std::string lmkPath = landmarkPath(i);
    const io::Points2f lmk = readLapaLandmarks(lmkPath);
    if (lmk.rows() != kNumLandmarks)
        throw std::runtime_error(lmkPath + ": line 1: LaPa has " + std::to_string(kNumLandmarks) +
                                 " landmarks, this file has " + std::to_string(lmk.rows()));
    s.landmarks = fromLapaCoordinates(lmk);

    const std::string imgPath = imagePath(i);
    s.image = readBgrImage(imgPath);

    const std::string lblPath = labelPath(i);
    s.labels = toClassIds(readPngUnchanged(lblPath), lblPath);
    if (s.labels.size() != s.image.size())
        throw std::runtime_error(lblPath + ": size " + std::to_string(s.labels.cols) + "x" +
                                 std::to_string(s.labels.rows) + " differs from the image " + imgPath + " (" +
                                 std::to_string(s.image.cols) + "x" + std::to_string(s.image.rows) + ")");
    double maxId = 0.0;
    cv::Point at;
    cv::minMaxLoc(s.labels, nullptr, &maxId, nullptr, &at);
    if (maxId >= kNumClasses)
        throw std::runtime_error(lblPath + ": class id " + std::to_string(static_cast<int>(maxId)) + " at pixel (" +
                                 std::to_string(at.x) + ", " + std::to_string(at.y) + ") exceeds " +
                                 std::to_string(kNumClasses - 1) + " (LaPa has 11 classes)");
    return s;
}

}  // namespace synthforge::dataset
