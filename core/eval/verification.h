#pragma once
// Face verification metrics, as face-recognition papers report them on LFW,
// CFP-FP, AgeDB, CALFW, CPLFW and IJB-C:
// - accuracy by the standard 10-fold protocol (InsightFace's): pairs split
//   into 10 consecutive folds (no shuffle; the first n mod 10 folds one pair
//   larger); for each fold the distance threshold that maximises accuracy on
//   the other 9 folds, from a grid of 0.00, 0.01, ..., 3.99 (the first best
//   one), is applied to that fold; mean and standard deviation (population,
//   as numpy's std) of the 10 fold accuracies;
// - TAR at FAR, the ROC curve and the equal error rate.
// A pair is predicted "same" when its distance is below the threshold. The
// distance is the squared L2 distance of L2-normalised embeddings (0..4),
// as InsightFace's evaluation computes it.

#include <vector>

namespace synthforge::eval {

/// Squared L2 distance between two embeddings after L2-normalising each
/// (0 for a zero vector). std::invalid_argument when the sizes differ.
double normalisedSquaredDistance(const std::vector<float>& a, const std::vector<float>& b);

struct KFoldAccuracy {
    double mean = 0, std = 0;
    std::vector<double> foldAccuracy;   ///< per fold, on its own pairs
    std::vector<double> foldThreshold;  ///< chosen on the other folds
};

/// The 10-fold protocol over `distances` and `same` (one per pair).
/// std::invalid_argument when the sizes differ or there are fewer pairs
/// than folds. `folds` 10 and the grid are the standard; tests may change them.
KFoldAccuracy kFoldAccuracy(const std::vector<double>& distances, const std::vector<bool>& same, int folds = 10,
                            double gridStep = 0.01, double gridEnd = 4.0);

struct RocPoint {
    double threshold = 0;  ///< pairs with distance < threshold are accepted
    double far = 0;        ///< accepted impostor pairs / impostor pairs
    double tar = 0;        ///< accepted genuine pairs / genuine pairs
};

/// The ROC over every distinct threshold (each distance, plus one above the
/// largest), in increasing FAR. std::invalid_argument without at least one
/// genuine and one impostor pair.
std::vector<RocPoint> rocCurve(const std::vector<double>& distances, const std::vector<bool>& same);

/// The highest TAR whose FAR does not exceed `far` (0 when none does).
double tarAtFar(const std::vector<RocPoint>& roc, double far);

/// The equal error rate: where FAR = 1 - TAR, linearly interpolated between
/// the two ROC points that bracket it.
double equalErrorRate(const std::vector<RocPoint>& roc);

}  // namespace synthforge::eval
