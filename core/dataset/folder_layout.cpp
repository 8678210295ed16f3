#include "core/dataset/folder_layout.h"

#include <cctype>
#include <filesystem>
#include <stdexcept>

#include "core/dataset/fs_checks.h"

namespace synthforge::dataset {

namespace fs = std::filesystem;

namespace {

bool hasLapaSplit(const fs::path& d) { return isDir(d / "images") && isDir(d / "labels") && isDir(d / "landmarks"); }

bool endsWith(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

/// Whether a .pts file lies anywhere below `root`; stops at the first.
/// Hidden entries are skipped, as W300Dataset skips them.
bool hasPtsBelow(const fs::path& root) {
    std::error_code ec;
    for (fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec), end;
         !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (!name.empty() && name[0] == '.') {
            if (it->is_directory(ec)) it.disable_recursion_pending();
            continue;
        }
        if (endsWith(lower(name), ".pts") && it->is_regular_file(ec)) return true;
    }
    return false;
}

bool hasLdmksFile(const fs::path& root) {
    std::error_code ec;
    for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec))
        if (endsWith(it->path().filename().string(), "_ldmks.txt")) return true;
    return false;
}

}  // namespace

FolderLayout detectFolderLayout(const std::string& dir) {
    const fs::path d(dir);
    if (!isDir(d)) throw std::runtime_error(dir + ": no such dataset directory");
    if (isFile(d / "manifest.json")) return FolderLayout::SynthForge;
    if (hasLdmksFile(d)) return FolderLayout::FaceSynthetics;
    if (isDir(d / "CelebA-HQ-img") && isDir(d / "CelebAMask-HQ-mask-anno")) return FolderLayout::CelebAMaskHq;
    if (hasLapaSplit(d) || hasLapaSplit(d / "train") || hasLapaSplit(d / "val") || hasLapaSplit(d / "test"))
        return FolderLayout::Lapa;
    if (hasPtsBelow(d)) return FolderLayout::W300;
    throw std::runtime_error(
        dir + ": not a dataset in a known format: looked for our layout (manifest.json), FaceSynthetics "
              "(*_ldmks.txt), CelebAMask-HQ (CelebA-HQ-img/ and CelebAMask-HQ-mask-anno/), LaPa (images/, labels/, "
              "landmarks/ in the folder or in train/, val/, test/) and 300-W (.pts files beside the images)");
}

}  // namespace synthforge::dataset
