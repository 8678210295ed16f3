#pragma once
// The framing cascade of `synthforge predict` (docs/predict.md): predict
// landmarks in a crop, fit the similarity that puts them on the training
// set's mean landmarks (the landmark template), re-crop with it and predict
// again, until the crop moves less than a tolerance or the iterations run
// out. The predictor is a callback, so the network (torch) stays out of
// this file and tests drive it with an oracle.

#include <cstddef>
#include <functional>
#include <vector>

#include "core/train/crop_similarity.h"

namespace synthforge::train {

struct CascadeOptions {
    /// Re-crops after the first prediction (0: the initial crop only).
    int maxIterations = 3;
    /// Stop when the crop would move less than this fraction of its side
    /// (cropMotion); the prediction in the current crop is then kept.
    double tolerance = 0.005;
};

/// One crop to predict: item `item` (an index into the caller's images),
/// warped into the S x S frame by `crop` (image pixels -> crop pixels).
struct CropRequest {
    std::size_t item = 0;
    Similarity2d crop;
};

/// Predicts landmarks for every request, in order: each L x 2 in the
/// normalised coordinates of its crop. The cascade sends at most as many
/// requests per call as it has items, every one of a different item.
using CropPredictor = std::function<std::vector<Points2d>(const std::vector<CropRequest>&)>;

struct CascadeTrace {
    Similarity2d crop;            ///< the crop the final prediction was made in
    Points2d landmarks;           ///< that prediction, in pixels of the input image
    int iterations = 0;           ///< re-crops predicted (0: only the initial crop)
    bool converged = false;       ///< stopped because the crop moved less than the tolerance
    std::vector<double> motion;   ///< cropMotion of each fitted re-crop, in order
};

/// Runs the cascade for every item from `initial[i]`, batching the items
/// that are still moving into one predictor call per iteration. With
/// maxIterations = 0 the result is the initial crop's prediction
/// (converged = false). Throws std::invalid_argument for a template with
/// fewer than two points, size < 1, negative iterations or tolerance, or a
/// predictor answer of the wrong count or landmark count; a re-crop that
/// cannot be fitted (coincident or non-finite predictions) ends that
/// item's cascade with the prediction it has.
std::vector<CascadeTrace> runLandmarkCascade(const std::vector<Similarity2d>& initial,
                                             const Points2d& normalisedTemplate, int size,
                                             const CascadeOptions& options, const CropPredictor& predict);

}  // namespace synthforge::train
