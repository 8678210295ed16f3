#pragma once
// One dataset sample from start to end: draw (seed, index) -> head forward
// pass -> generator image -> annotations from the CPU raster. The dataset
// writer, `synthforge render` and the studio all go through this, so an
// image and its labels always come from the same parameters.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>

#include "core/annotate/annotator.h"
#include "core/annotate/class_presets.h"
#include "core/annotate/uv_label_map.h"
#include "core/generate/generator.h"
#include "core/generate/sampler.h"
#include "core/generate/samplers/samplers.h"
#include "core/head/lbs.h"

namespace synthforge::generate {

/// Wall time spent per stage, for the benchmark's breakdown.
struct StageTimes {
    double forward = 0, rasterize = 0, annotate = 0, generate = 0;  ///< seconds; annotate excludes rasterize
};

struct RenderedSample {
    SampleSpec spec;
    head::HeadPose pose;  ///< the annotated head: corrected when the pipeline has a correction
    GeneratorOutput image;
    annotate::Annotations annotations;
    StageTimes times;
};

struct SamplePipeline {
    std::shared_ptr<const head::HeadModel> model;
    std::shared_ptr<const Generator> generator;
    std::shared_ptr<const annotate::UvLabelMap> labels;  ///< null: no segmentation
    /// Optional: segmentation is written in another dataset's class ids
    /// (LaPa, CelebAMask-HQ, SynthForge). Needs labels in the default table.
    std::shared_ptr<const annotate::ClassRemap> segRemap;
    SamplerConfig sampler;
    /// The sampler built from `sampler` (null: built per render call; the
    /// dataset writer builds it once, so that samplers with per-run work,
    /// such as diverse's block selection, do it once).
    std::shared_ptr<const Sampler> drawer;
    annotate::AnnotationOptions annotation;
    int width = 512, height = 512;
    /// Tell the generator which pixels opaque assets will paint over, so it
    /// can skip shading them (the final image is the same either way).
    bool skipPaintedOver = true;
    /// Optional: a fitted FLAME-space affine correction (`synthforge align`,
    /// core/align/alignment_fit.h) applied to the posed head before it is
    /// annotated, so labels sit where the generator draws the face. The
    /// generator itself is still conditioned on the uncorrected head.
    std::optional<Eigen::Matrix4f> correction;

    /// The class table the written segmentation uses (the remap's target, or
    /// the label map's); null without segmentation.
    const annotate::ClassTable* outputClasses() const;

    /// Renders sample `index` of the run with `seed`. Thread-safe when the
    /// generator is (capabilities().threadSafe). Drawn brows, beard and
    /// stubble on a head without a hair asset take the colour the generator
    /// paints on the scalp (Generator::paintedHairColor).
    RenderedSample render(std::uint64_t seed, std::uint64_t index) const;
    /// The same for a given spec (the studio's sliders, `render --params`),
    /// with the colours the spec names.
    RenderedSample render(const SampleSpec& spec) const;
};

}  // namespace synthforge::generate
