#pragma once
// Which dataset layout a folder holds, from what lies in it. One detector for
// every command that takes "a dataset folder" (eval's --format auto,
// explore coverage), so that they agree on what a folder is.

#include <string>

namespace synthforge::dataset {

enum class FolderLayout {
    SynthForge,      ///< manifest.json (ours)
    FaceSynthetics,  ///< *_ldmks.txt beside the images
    CelebAMaskHq,    ///< CelebA-HQ-img/ and CelebAMask-HQ-mask-anno/
    Lapa,            ///< images/, labels/, landmarks/ in the folder or in its train/, val/ or test/
    W300,            ///< a .pts file anywhere below (hidden entries skipped)
};

/// The first layout in the order above that `dir` matches. Throws
/// std::runtime_error naming the folder when it is not one, and naming the
/// folder and every layout looked for ("not a dataset in a known format:
/// ...") when it matches none.
FolderLayout detectFolderLayout(const std::string& dir);

}  // namespace synthforge::dataset
