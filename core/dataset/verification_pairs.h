#pragma once
// Face-verification benchmarks and face-recognition training folders:
//
// - InsightFace's verification `.bin` files (lfw.bin, cfp_fp.bin,
//   agedb_30.bin, calfw.bin, cplfw.bin): a pickle of (list of encoded
//   images, list of is-same flags); pair i is images 2i and 2i+1. Read
//   through our restricted pickle reader (core/io/pickle.h), which rebuilds
//   plain values only and refuses every global, so a hostile file cannot run
//   code; anything but exactly this structure is refused too.
// - LFW's `pairs.txt`: a first line "<folds> <pairs per fold>" (or one count),
//   then "name n1 n2" (same person) or "name1 n1 name2 n2" (different), the
//   images being <root>/<name>/<name>_<nnnn>.jpg.
// - Folder per identity (CASIA-WebFace, DigiFace-1M, our identity export):
//   <root>/<identity>/<image>, identities and images in name order.

#include <cstdint>
#include <string>
#include <vector>

namespace synthforge::dataset {

struct VerificationBin {
    std::vector<std::vector<std::uint8_t>> images;  ///< encoded (JPEG/PNG), 2 per pair
    std::vector<bool> same;                         ///< one per pair
};

/// Parses a verification .bin held in memory; `source` names it in errors.
VerificationBin parseVerificationBin(const std::uint8_t* data, std::size_t size, const std::string& source);
/// Reads a verification .bin file (at most 4 GiB).
VerificationBin readVerificationBin(const std::string& path);

struct ImagePair {
    std::string first, second;  ///< image paths
    bool same = false;
};

struct LfwPairs {
    int folds = 1, pairsPerFold = 0;
    std::vector<ImagePair> pairs;  ///< in file order (folds consecutive)
};

/// Reads LFW's pairs.txt; image paths are under `imageRoot`. Errors name the
/// file and line. The image files are not opened here.
LfwPairs readLfwPairs(const std::string& pairsTxt, const std::string& imageRoot);

struct IdentityFolder {
    std::string name;                 ///< the folder name
    std::vector<std::string> images;  ///< image files, sorted
};

/// The identities of a folder-per-identity dataset (sub-folders with at least
/// one image; png, jpg, jpeg, bmp). std::runtime_error when `root` is not a
/// folder or holds no identity.
std::vector<IdentityFolder> listIdentityFolders(const std::string& root);

}  // namespace synthforge::dataset
