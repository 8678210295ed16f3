#include "core/dataset/folder_coverage.h"

#include <stdexcept>

namespace synthforge::dataset {

Coverage computeFolderCoverage(const std::string& dir, const std::function<const head::HeadModel&()>& model,
                               const CoverageOptions& options, jobs::ProgressSink* progress) {
    // Our datasets carry their pose; benchmarks are recognised by their
    // layout, their pose fitted to their landmarks and their classes counted
    // under our ids.
    switch (detectFolderLayout(dir)) {
        case FolderLayout::SynthForge: return computeCoverage(dir, options, progress);
        case FolderLayout::W300: return computeLandmarkCoverage(dir, model(), options, progress);
        case FolderLayout::Lapa: return computeLapaCoverage(dir, model(), options, progress);
        case FolderLayout::CelebAMaskHq: return computeCelebAMaskHqCoverage(dir, options, progress);
        case FolderLayout::FaceSynthetics: break;
    }
    throw std::runtime_error(dir + ": a FaceSynthetics folder; coverage reads our datasets (manifest.json), "
                                   "300-W, LaPa and CelebAMask-HQ");
}

}  // namespace synthforge::dataset
