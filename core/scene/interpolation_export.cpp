#include "core/scene/interpolation_export.h"

#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>

#include "core/generate/dataset_layout.h"
#include "core/io/file_util.h"
#include "core/io/png_writer.h"
#include "core/io/video_file_writer.h"
#include "core/scene/scene_interpolation.h"
#include "core/scene/scene_pipeline.h"

namespace synthforge::scene {

namespace fs = std::filesystem;

void exportInterpolation(const Scene& first, const Scene& last, const InterpolationExport& o,
                         jobs::ProgressSink* progress, const jobs::CancelToken* cancel) {
    if (o.frames < 1 || o.frames > 10000)
        throw std::invalid_argument("frames: " + std::to_string(o.frames) + " is outside 1..10000");
    const generate::SamplePipeline p = buildScenePipeline(first.headModel, first.generator, first.width, first.height);
    const int latentDim = p.sampler.latentDim;
    interpolateScenes(first, last, 0.0, latentDim);  // refuses mismatched scenes before writing anything
    fs::create_directories(o.outDir);
    // Opened before the first frame renders, so a bad name fails at once.
    std::unique_ptr<io::VideoFileWriter> video;
    if (!o.video.empty()) video = std::make_unique<io::VideoFileWriter>(o.video, p.width, p.height, o.fps);
    jobs::ProgressTracker tracker(progress, "interp", static_cast<std::uint64_t>(o.frames));
    for (int i = 0; i < o.frames; ++i) {
        if (cancel) cancel->throwIfCancelled();
        const double t = o.frames == 1 ? 0.0 : static_cast<double>(i) / (o.frames - 1);
        const Scene s = interpolateScenes(first, last, t, latentDim);
        const generate::RenderedSample r = p.render(s.toSampleSpec(latentDim));
        char stem[32];
        std::snprintf(stem, sizeof stem, "frame_%04d", i);
        const fs::path base = fs::path(o.outDir) / stem;
        io::writePngFile(base.string() + ".png", r.image.image);
        // The frame's annotation, which also opens as a scene in the studio.
        io::writeFileAtomic(base.string() + ".json", generate::sampleAnnotationJson(r, 0, p.width, p.height));
        if (video) video->add(r.image.image);
        tracker.advance();
    }
    tracker.finish();
    if (video) video->finish();
}

}  // namespace synthforge::scene
