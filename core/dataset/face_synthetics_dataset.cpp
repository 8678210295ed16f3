#include "core/dataset/face_synthetics_dataset.h"

#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <string_view>

#include "core/dataset/fs_checks.h"
#include "core/annotate/class_table.h"
#include "core/io/file_util.h"
#include "core/io/text_tokens.h"
#include "core/dataset/image_files.h"

namespace synthforge::dataset {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kLandmarkSuffix = "_ldmks.txt";

[[noreturn]] void fail(const std::string& source, int line, const std::string& what) {
    throw std::runtime_error(source + ": line " + std::to_string(line) + ": " + what);
}


/// The stem of "<stem>_ldmks.txt", or empty for any other (or hidden) name.
std::string stemOf(const std::string& file) {
    if (file.size() <= kLandmarkSuffix.size() || file[0] == '.') return {};
    if (file.compare(file.size() - kLandmarkSuffix.size(), kLandmarkSuffix.size(), kLandmarkSuffix) != 0) return {};
    return file.substr(0, file.size() - kLandmarkSuffix.size());
}

}  // namespace

io::Points2f parseFaceSyntheticsLandmarks(const std::string& text, const std::string& source) {
    constexpr int n = FaceSyntheticsDataset::kNumLandmarks;
    std::string_view rest(text);
    if (rest.substr(0, 3) == "\xEF\xBB\xBF") rest.remove_prefix(3);
    io::Points2f points(n, 2);
    int count = 0, lineNo = 0;
    while (!rest.empty()) {
        const std::size_t nl = rest.find('\n');
        const std::string_view line = rest.substr(0, nl);
        rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
        ++lineNo;
        const auto tok = io::splitTokens(line);
        if (tok.empty()) continue;
        if (count == n) fail(source, lineNo, "more than " + std::to_string(n) + " point lines (FaceSynthetics has 70)");
        if (tok.size() != 2)
            fail(source, lineNo, "expected two numbers 'x y', got " + std::to_string(tok.size()) + " fields");
        for (int k = 0; k < 2; ++k) {
            float v = 0.0f;
            if (!io::parseFiniteFloat(tok[static_cast<std::size_t>(k)], v))
                fail(source, lineNo, io::quoteToken(tok[static_cast<std::size_t>(k)]) + " is not a finite number in float range");
            points(count, k) = v;
        }
        ++count;
    }
    if (count != n)
        fail(source, lineNo + 1, "truncated file: " + std::to_string(count) + " points, FaceSynthetics has 70 (68 iBUG + 2 pupils)");
    return points;
}

io::Points2f readFaceSyntheticsLandmarks(const std::string& path) {
    return parseFaceSyntheticsLandmarks(io::readFileText(path, kMaxFaceSyntheticsLandmarkFileBytes), path);
}

const annotate::ClassTable& FaceSyntheticsDataset::classes() { return annotate::ClassTable::defaultTable(); }

bool FaceSyntheticsDataset::looksLike(const std::string& root) {
    std::error_code ec;
    if (!fs::is_directory(root, ec)) return false;
    for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec))
        if (!stemOf(it->path().filename().string()).empty()) return true;
    return false;
}

FaceSyntheticsDataset FaceSyntheticsDataset::open(const std::string& root) {
    std::error_code ec;
    if (!fs::is_directory(root, ec)) throw std::runtime_error(root + ": not a folder (expected a FaceSynthetics folder)");
    FaceSyntheticsDataset d;
    d.root_ = root;
    for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string stem = stemOf(it->path().filename().string());
        if (!stem.empty() && isFile(it->path())) d.stems_.push_back(stem);
    }
    if (ec) throw std::runtime_error(root + ": cannot list the folder (" + ec.message() + ")");
    if (d.stems_.empty()) throw std::runtime_error(root + ": no *_ldmks.txt file (not a FaceSynthetics folder)");
    std::sort(d.stems_.begin(), d.stems_.end());
    for (std::size_t i = 0; i < d.stems_.size(); ++i)
        for (const std::string& needed : {d.imagePath(i), d.segPath(i)})
            if (!isFile(needed))
                throw std::runtime_error(needed + ": missing (" + d.stems_[i] + "_ldmks.txt has no such file)");
    return d;
}

const std::string& FaceSyntheticsDataset::name(std::size_t i) const {
    if (i >= stems_.size())
        throw std::invalid_argument("FaceSyntheticsDataset: sample " + std::to_string(i) + " out of range (size " +
                                    std::to_string(stems_.size()) + ")");
    return stems_[i];
}
std::string FaceSyntheticsDataset::imagePath(std::size_t i) const { return (fs::path(root_) / (name(i) + ".png")).string(); }
std::string FaceSyntheticsDataset::segPath(std::size_t i) const { return (fs::path(root_) / (name(i) + "_seg.png")).string(); }
std::string FaceSyntheticsDataset::landmarkPath(std::size_t i) const {
    return (fs::path(root_) / (name(i) + std::string(kLandmarkSuffix))).string();
}

FaceSyntheticsSample FaceSyntheticsDataset::sample(std::size_t i) const {
    FaceSyntheticsSample s;
    s.name = name(i);
    const std::string imgPath = imagePath(i), segFile = segPath(i), lmkPath = landmarkPath(i);
    s.image = readBgrImage(imgPath);

    s.segmentation = readPngUnchanged(segFile);
    if (s.segmentation.type() != CV_8UC1)
        throw std::runtime_error(segFile + ": decoded as " + describeMatType(s.segmentation.type()) +
                                 ", expected 8-bit single-channel class ids");
    if (s.segmentation.size() != s.image.size())
        throw std::runtime_error(segFile + ": size " + std::to_string(s.segmentation.cols) + "x" +
                                 std::to_string(s.segmentation.rows) + " differs from the image " + imgPath + " (" +
                                 std::to_string(s.image.cols) + "x" + std::to_string(s.image.rows) + ")");
    // Ids outside the table would silently become classes the network was
    // never told about; name the first offending pixel instead.
    const annotate::ClassTable& table = classes();
    bool known[256] = {};
    for (const auto& e : table.entries()) known[e.id] = true;
    for (int y = 0; y < s.segmentation.rows; ++y) {
        const auto* row = s.segmentation.ptr<std::uint8_t>(y);
        for (int x = 0; x < s.segmentation.cols; ++x)
            if (!known[row[x]])
                throw std::runtime_error(segFile + ": class id " + std::to_string(row[x]) + " at pixel (" +
                                         std::to_string(x) + ", " + std::to_string(y) +
                                         ") is not in the FaceSynthetics class table");
    }

    // File frame (first pixel centre 0.0) -> ours (0.5).
    s.landmarks = readFaceSyntheticsLandmarks(lmkPath).array() + 0.5f;
    const float w = static_cast<float>(s.image.cols), h = static_cast<float>(s.image.rows);
    for (Eigen::Index k = 0; k < s.landmarks.rows(); ++k) {
        const float x = s.landmarks(k, 0), y = s.landmarks(k, 1);
        // Landmarks may lie a little outside the frame (hidden jaw points);
        // a whole image size away is a damaged file, not a face.
        if (x < -w || x > 2 * w || y < -h || y > 2 * h)
            throw std::runtime_error(lmkPath + ": point " + std::to_string(k) + ": (" + std::to_string(x - 0.5f) + ", " +
                                     std::to_string(y - 0.5f) + ") lies more than an image size outside the " +
                                     std::to_string(s.image.cols) + "x" + std::to_string(s.image.rows) + " image");
    }
    return s;
}

}  // namespace synthforge::dataset
