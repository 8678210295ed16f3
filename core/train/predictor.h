#pragma once
// `synthforge predict`: a trained run (Stage I or II) on the user's own
// images (docs/predict.md). This header has no torch types so that the CLI
// can include it; predictImages lives in core/train/torch_predictor.cpp
// (synthforge_torch), the rest in predict_inputs.cpp and predict_report.cpp.

#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>

#include "core/jobs/progress.h"
#include "core/train/crop_similarity.h"

namespace synthforge::train {

struct PredictConfig {
    std::string model;                ///< run directory (train or finetune)
    std::vector<std::string> images;  ///< image files and/or folders (their image files, sorted)
    std::string out;                  ///< output folder (created)
    std::string boxes;                ///< optional face box file (core/train/face_boxes.h)
    int64_t size = 0;                 ///< square network input; 0 = the run's config.json size (256 without one)
    int cascade = 3;                  ///< re-crops after the first prediction; 0 = centred crop only
    double tolerance = 0.005;         ///< stop when the crop moves less than this fraction of its side
    int64_t batch = 8;
    std::string device = "auto";      ///< auto | cpu | cuda
    std::string weights = "final";    ///< final, best or a .safetensors file (core/train/run_weights.h)
    int threads = 0;                  ///< torch intra-op threads; 0 = torch's default
};

/// What happened to one input image.
struct ImagePrediction {
    std::string input;                 ///< the path as listed
    std::string name;                  ///< unique stem of its output files
    bool ok = false;
    std::string error;                 ///< why not, when !ok
    int width = 0, height = 0;
    std::string framing;               ///< "cascade", "centred" or "box"
    Similarity2d crop;                 ///< image pixels -> crop pixels of the final prediction
    int iterations = 0;                ///< cascade re-crops predicted
    bool converged = false;
    std::vector<double> motion;        ///< cropMotion of each fitted re-crop
    std::vector<std::string> outputs;  ///< files written in the output folder
};

struct PredictResult {
    std::string model, weights;
    std::string stage = "I";
    std::string datasetFormat;         ///< Stage II's benchmark format
    int64_t size = 0, numLandmarks = 0, numClasses = 0;
    std::string device;
    int cascade = 0;
    double tolerance = 0;
    std::string templateSource;        ///< where the landmark template came from ("" when none was needed)
    std::string boxes;
    std::vector<std::string> notes;    ///< said once for the whole run (e.g. why there is no cascade)
    std::vector<ImagePrediction> images;
    int64_t succeeded() const;
};

/// Checks options; std::invalid_argument naming the field.
void validatePredictConfig(const PredictConfig& config);

/// The images named by `paths`: a folder gives its image files (by
/// extension: png, jpg, jpeg, bmp, tif, tiff, webp, ppm, pgm, pnm; not
/// recursive) in name order, any other path itself (a missing or
/// unreadable one then fails on its own, in its place).
std::vector<std::string> listInputImages(const std::vector<std::string>& paths);

/// Output stems for `inputs`: each file's stem, with "_2", "_3", ... added
/// where two inputs share one, so no output overwrites another.
std::vector<std::string> uniqueOutputStems(const std::vector<std::string>& inputs);

/// Smallest image side predict accepts.
constexpr int kMinPredictImageSide = 16;
/// Why `bgr` (CV_8UC3) cannot be predicted on, or "" when it can: smaller
/// than kMinPredictImageSide on a side, or one colour everywhere.
std::string imageProblem(const cv::Mat& bgr);

/// What predict needs from RUN/config.json (defaults without one, as
/// eval's): stage, training size, data folder, and for Stage II the format,
/// crop margin and val_fraction. std::runtime_error naming file and field.
struct PredictRunFacts {
    bool stageTwo = false;
    int64_t size = 256;
    std::string data;
    std::string format;
    double margin = 0.25, valFraction = 0.1;
};
PredictRunFacts readPredictRunFacts(const std::string& runDir);

/// Runs the model on every image and writes its files and
/// OUT/predictions.json (predictionsJson). A bad image is recorded with its
/// error and the others go on; a bad run, box file, template or option
/// throws (std::invalid_argument for options, std::runtime_error naming
/// the file otherwise) before any image is read.
PredictResult predictImages(const PredictConfig& config, jobs::ProgressSink* progress = nullptr);

/// The summary as JSON ("synthforge-predictions", version 1): the run,
/// framing settings and every image with status, error, crop, cascade
/// iterations, motion and output files.
std::string predictionsJson(const PredictResult& result);

}  // namespace synthforge::train
