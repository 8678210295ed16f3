#include "core/dataset/w300_dataset.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <stdexcept>

#include "core/dataset/fs_checks.h"
#include "core/dataset/image_files.h"
#include "core/io/file_util.h"

namespace synthforge::dataset {

namespace fs = std::filesystem;

namespace {

bool isImageExtension(const fs::path& p) {
    const std::string ext = io::lowerExtension(p.string());
    return ext == ".png" || ext == ".jpg" || ext == ".jpeg";
}

/// Archives made on macOS carry "__MACOSX/" folders and "._name" files
/// (resource forks) that share the images' names but are not images.
bool isIgnoredName(const fs::path& p) {
    const std::string n = p.filename().string();
    return n.empty() || n[0] == '.' || n == "__MACOSX";
}


}  // namespace

W300Dataset W300Dataset::open(const std::string& root) {
    std::error_code ec;
    if (!fs::is_directory(root, ec)) throw std::runtime_error(root + ": not a folder (expected a 300-W style tree)");
    W300Dataset d;
    d.root_ = root;
    const fs::path rootPath(root);
    auto it = fs::recursive_directory_iterator(rootPath, fs::directory_options::skip_permission_denied, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        const fs::path& p = it->path();
        if (isIgnoredName(p)) {
            if (it->is_directory(ec)) it.disable_recursion_pending();
            continue;
        }
        if (!isImageExtension(p) || !isFile(p)) continue;
        const std::string rel = p.lexically_relative(rootPath).generic_string();
        fs::path pts = p;
        pts.replace_extension(".pts");
        (isFile(pts) ? d.names_ : d.withoutPts_).push_back(rel);
    }
    if (ec) throw std::runtime_error(root + ": cannot list the folder tree (" + ec.message() + ")");
    std::sort(d.names_.begin(), d.names_.end());
    std::sort(d.withoutPts_.begin(), d.withoutPts_.end());
    if (d.names_.empty())
        throw std::runtime_error(root + ": no image (.png/.jpg/.jpeg) with a .pts file beside it (" +
                                 std::to_string(d.withoutPts_.size()) + " images without .pts)");
    return d;
}

const std::string& W300Dataset::name(std::size_t i) const {
    if (i >= names_.size())
        throw std::invalid_argument("W300Dataset: sample " + std::to_string(i) + " out of range (size " +
                                    std::to_string(names_.size()) + ")");
    return names_[i];
}

std::string W300Dataset::imagePath(std::size_t i) const { return (fs::path(root_) / name(i)).string(); }

std::string W300Dataset::ptsPath(std::size_t i) const {
    return (fs::path(root_) / name(i)).replace_extension(".pts").string();
}

W300Sample W300Dataset::sample(std::size_t i) const {
    W300Sample s;
    s.name = name(i);
    const std::string pts = ptsPath(i);
    const io::PtsFile file = io::readPts(pts);
    if (file.points.rows() != kNumLandmarks)
        throw std::runtime_error(pts + ": n_points: 300-W annotations have " + std::to_string(kNumLandmarks) +
                                 " points, this file has " + std::to_string(file.points.rows()));
    s.landmarks = io::fromPtsCoordinates(file.points);
    s.image = readBgrImage(imagePath(i));
    return s;
}

}  // namespace synthforge::dataset
