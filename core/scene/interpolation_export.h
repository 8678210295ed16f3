#pragma once
// Frames between two scenes written to disk: frame_NNNN.png, each frame's
// annotation frame_NNNN.json beside it (it opens as a scene too), and
// optionally a video of the frames. `explore interp` and the studio's
// Interpolate tab both write through this.

#include <string>

#include "core/jobs/progress.h"
#include "core/scene/scene.h"

namespace synthforge::scene {

struct InterpolationExport {
    int frames = 16;       ///< both ends included, 1..10000
    std::string outDir;    ///< created
    std::string video;     ///< "" for none; .mp4 or .avi (core/io/video_file_writer.h)
    double fps = 24;
};

/// Renders frame i of N at t = i / (N - 1) (scene_interpolation.h) with the
/// scenes' own pipeline. Checks everything before the first frame is
/// written: std::invalid_argument for scenes that cannot be interpolated, a
/// frame count outside 1..10000 or a bad video name. Honours `cancel`
/// between frames (jobs::Cancelled; the frames written stay, the video is
/// not left half-written).
void exportInterpolation(const Scene& first, const Scene& last, const InterpolationExport& options,
                         jobs::ProgressSink* progress = nullptr, const jobs::CancelToken* cancel = nullptr);

}  // namespace synthforge::scene
