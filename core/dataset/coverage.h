#pragma once
// What a SynthForge dataset covers, from its stored annotations and
// segmentation: the head-pose (yaw x pitch) histogram, the distribution of
// the FLAME shape and expression coefficients, the pixel frequency of every
// class, how often each landmark is visible, and the face size. For
// `synthforge explore coverage` (plots, CSV and JSON) and the studio.
// Every number is a plain count or moment over the samples, so a test can
// recompute it from the annotation files directly. Benchmarks (300-W, LaPa,
// CelebAMask-HQ) have their own readers below; the CLI picks one by
// detectFolderLayout (folder_layout.h).

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/head/head_model.h"
#include "core/jobs/progress.h"

namespace synthforge::dataset {

struct CoverageOptions {
    double yawRangeDeg = 90, pitchRangeDeg = 60;  ///< histogram spans +-range
    double binDeg = 10;                            ///< square bins
    int faceSizeBins = 20;                         ///< face box side / image side in [0, 1]
    int scatterComponents = 2;                     ///< shape and expression coefficients kept per sample
};

struct Coverage {
    std::string dataset;
    std::uint64_t samples = 0;
    /// Yaw x pitch counts, row-major [pitchBins][yawBins]; row 0 is the
    /// lowest pitch, column 0 the lowest yaw. A pose outside the ranges is
    /// counted in its edge bin; a sample without a pose in `withoutPose`.
    int yawBins = 0, pitchBins = 0;
    std::vector<std::uint64_t> yawPitch;
    std::uint64_t withoutPose = 0;
    /// Mean and (population) standard deviation of each coefficient over the
    /// samples that have it, and the first `scatterComponents` per sample.
    std::vector<double> shapeMean, shapeStd, exprMean, exprStd;
    std::vector<std::vector<float>> shapeScatter, exprScatter;
    /// Pixels of each class id (0..255) over every stored segmentation map.
    std::array<std::uint64_t, 256> classPixels{};
    std::uint64_t segmentedSamples = 0;
    /// Samples in which landmark k is visible, over `landmarkSamples`
    /// samples that record visibility.
    std::vector<std::uint64_t> landmarkVisible;
    std::uint64_t landmarkSamples = 0;
    /// Face box side (the larger of width and height) over the image side.
    std::vector<std::uint64_t> faceSize;
};

/// Reads every complete sample of the dataset at `datasetDir` (its
/// manifest must exist). std::runtime_error naming the file for a bad
/// manifest or sample; std::invalid_argument for bad options.
Coverage computeCoverage(const std::string& datasetDir, const CoverageOptions& options = {},
                         jobs::ProgressSink* progress = nullptr);

/// Coverage of a landmark benchmark in 300-W layout (w300_dataset.h: images
/// with a .pts beside them, which covers 300W, HELEN, LFPW, AFW, IBUG): the
/// head pose is fitted to the 68 landmarks with the head's shape (head_pose.h:
/// PnP start, shape-aware refinement with the prior for annotated landmarks,
/// focal length 4x the image's larger side), the
/// face size is the landmarks' box; such sets have no shape, expression,
/// segmentation or visibility. A sample the fit fails on counts in
/// `withoutPose`. std::runtime_error naming the file for a bad image or
/// .pts; std::invalid_argument for a model without landmarks.
Coverage computeLandmarkCoverage(const std::string& root, const head::HeadModel& model,
                                 const CoverageOptions& options = {}, jobs::ProgressSink* progress = nullptr);

/// Coverage of a LaPa folder (lapa_dataset.h: the LaPa root or one split).
/// Class pixels are counted under OUR default ids (annotate::remapToDefault:
/// LaPa's skin as our skin, its left_eye as our right_eye, ...), so that the
/// shares compare with our datasets. The pose is fitted (as above) to the
/// iBUG points that LaPa's 106 stand for (lapaIbugCorrespondence(): eye
/// corners, nose bridge and tip, mouth corners); the face size is the box
/// of all 106 landmarks. No shape, expression or visibility.
/// std::runtime_error naming the file for a bad image, label map or
/// landmark file; std::invalid_argument for a model without landmarks.
Coverage computeLapaCoverage(const std::string& root, const head::HeadModel& model, const CoverageOptions& options = {},
                             jobs::ProgressSink* progress = nullptr);

/// Coverage of a CelebAMask-HQ folder (celebamask_hq_dataset.h): class
/// pixels of the merged part masks under our default ids (earrings and
/// necklaces, which have no class of ours, under 255), and the face size as
/// the box of the non-background mask pixels over the mask's side (a face
/// without any part counts in no face-size bin). No landmarks, so no pose:
/// every sample counts in `withoutPose`. std::runtime_error naming the file
/// for a bad image or mask.
Coverage computeCelebAMaskHqCoverage(const std::string& root, const CoverageOptions& options = {},
                                     jobs::ProgressSink* progress = nullptr);

/// The numbers as JSON (format "synthforge-coverage", version 1).
std::string coverageJson(const Coverage& c, const CoverageOptions& options);

}  // namespace synthforge::dataset
