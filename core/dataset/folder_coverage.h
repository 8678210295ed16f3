#pragma once
// Coverage of whatever dataset a folder holds (folder_layout.h): ours, or a
// 300-W, LaPa or CelebAMask-HQ benchmark, each read by its coverage function
// (coverage.h). One dispatch for `explore coverage` and the studio.

#include <functional>
#include <string>

#include "core/dataset/coverage.h"
#include "core/dataset/folder_layout.h"

namespace synthforge::dataset {

/// `model` is asked for only when a pose is fitted (300-W, LaPa), so a head
/// model is loaded only when needed. std::runtime_error naming the folder for
/// a folder of no known layout or a FaceSynthetics folder (it has no pose,
/// and our own datasets' manifests describe the same images better);
/// otherwise the errors of the reader.
Coverage computeFolderCoverage(const std::string& dir, const std::function<const head::HeadModel&()>& model,
                               const CoverageOptions& options = {}, jobs::ProgressSink* progress = nullptr);

}  // namespace synthforge::dataset
