#pragma once
// Real photos framed like our renders, for a transfer run's target domain:
// a landmark run (`train` or a 68-point `finetune` on 300W) predicts each
// photo's 68 landmarks with `predict`'s cascade, and the similarity that
// puts its inner 51 points (brows, nose, eyes, mouth: the jaw contour is
// drawn differently by FLAME and by 300W) on the mean of the source
// dataset's annotated landmarks warps the photo to the renders' size.
// Torch-free API; the prediction runs in torch_target_alignment.cpp.

#include <string>
#include <vector>

#include "core/camera/similarity2d.h"
#include "core/jobs/progress.h"

namespace synthforge::transfer {

/// The mean of the first (up to) `limit` complete samples' 68 landmarks of
/// a SynthForge dataset, in its pixels, and its image size.
struct LandmarkFrame {
    camera::Points2d mean;  ///< 68 x 2
    int width = 0, height = 0;
};
LandmarkFrame meanLandmarkFrame(const std::string& dataset, int limit = 256);

/// The similarity taking `landmarks` (68 x 2, the photo's pixels) onto the
/// frame's mean over the inner 51 points. std::invalid_argument for other
/// counts or points that cannot be fitted.
camera::Similarity2d alignmentToFrame(const camera::Points2d& landmarks, const LandmarkFrame& frame);

/// Aligns every image of `photos` (listTargetImages order) into
/// `outDir`/<n>.png (n its index, 6 digits) with the landmarks `run`
/// predicts, and returns the written paths in order. `outDir` holds the
/// predictions too (predict/), and alignment.json (the photos, the run, and
/// each photo's similarity): an existing alignment of the same photos by
/// the same run is reused, so a resumed transfer run does not align again.
/// A photo the run cannot predict on is left out (named in alignment.json);
/// std::runtime_error when none is left, or for a run without 68 landmarks.
std::vector<std::string> alignTargetPhotos(const std::vector<std::string>& photos, const std::string& run,
                                           const LandmarkFrame& frame, const std::string& outDir,
                                           const std::string& device, jobs::ProgressSink* progress);

}  // namespace synthforge::transfer
