#pragma once
// Fitting the FLAME -> generator-world correction (docs/alignment.md,
// "Alignment"): an affine map shared by every sample, optionally refined per
// sample in shape and expression, by Adam through the FLAME torch twin.
// Torch-free header; the solver is defined in the align area's torch library
// (torch_alignment_solver.cpp).

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>

#include "core/align/alignment_fit.h"
#include "core/generate/sample_pipeline.h"
#include "core/jobs/progress.h"

namespace synthforge::align {

struct AlignmentLossWeights {
    double chamfer = 10.0;    ///< mean distance, mesh vertex -> density iso-surface point, generator units
    double density = 10.0;    ///< mean ((sigma(vertex) - level) / level)^2: vertices on the iso-level
    double depth = 10.0;      ///< robust mean of our z-buffer - generator depth where both see the head (Cauchy, 0.01 generator units)
    double landmarks = 0.0;   ///< mean pixel distance to predicted landmarks (needs a predictor); 0.2 is "divided by 5"
};

/// Landmarks predicted on a generated image (BGR, the generator's image
/// size): 68 x 2 pixels. Supplied by the caller (a Stage I/II run).
using LandmarkPredictor = std::function<Eigen::MatrixXf(const cv::Mat& imageBgr)>;

struct AlignmentOptions {
    int samples = 8;
    std::uint64_t seed = 0;
    int steps = 300;            ///< Adam steps of the shared affine fit
    double lr = 1e-3;           ///< per-parameter step scale (cosine decay to lr / 20)
    AlignmentLossWeights weights;
    int gridResolution = 48;    ///< cells along the head box's longest side for the iso-surface
    float gridMargin = 0.05f;   ///< generator units around the head
    int meshPoints = 1500;      ///< mesh vertices used per sample and step (evenly strided)
    int surfacePoints = 8000;   ///< iso-surface points kept per sample
    bool perSample = false;     ///< also refine shape and expression per sample
    int perSampleSteps = 200;
    int refineCoefficients = 10;   ///< first shape and expression coefficients refined
    double refinePrior = 1e-3;     ///< weight of the offsets' squared norm (in standard deviations)
    std::string device = "cpu";
    LandmarkPredictor landmarks;   ///< needed when weights.landmarks > 0
};

struct AlignmentStep {
    int step = 0;                 ///< counts on through the per-sample refinement
    bool perSample = false;
    double total = 0, chamfer = 0, density = 0, depth = 0, landmarks = 0;
};

/// Called after every step; may be empty.
using AlignmentStepCallback = std::function<void(const AlignmentStep&)>;

struct SampleCheckOptions {
    int steps = 60;
    double lr = 1e-3;
    AlignmentLossWeights weights;
    int gridResolution = 32;
    float gridMargin = 0.1f;    ///< wider than the fit's: a bad sample may sit well off the mesh
    int meshPoints = 1000;
    int surfacePoints = 6000;
    int refineCoefficients = 10;
};

/// One sample's own refinement (translation, shape, expression) on top of
/// `pipeline.correction`, against its density and depth: how far it moves
/// the labels. residualPx is RMS landmark movement in pixels of the
/// pipeline's output size. What `generate --reject-landmark-px` thresholds.
SampleResidual checkSample(const generate::SamplePipeline& pipeline, const generate::SampleSpec& spec,
                           std::uint64_t index, const SampleCheckOptions& options);

/// Draws `options.samples` samples with the pipeline's sampler and fits the
/// correction against its generator. `pipeline.correction` is ignored (the
/// fit starts at the identity). Progress stages "density" (the targets) and
/// "align"; the cancel token is checked every step (jobs::Cancelled).
/// std::invalid_argument for a generator without density, bad options, or a
/// landmark weight without a predictor.
AlignmentFit solveAlignment(const generate::SamplePipeline& pipeline, const AlignmentOptions& options,
                            const AlignmentStepCallback& onStep = {}, jobs::ProgressSink* progress = nullptr,
                            const jobs::CancelToken* cancel = nullptr);

}  // namespace synthforge::align
