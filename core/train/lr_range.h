#pragma once
// The arithmetic of the learning-rate range test, torch-free so that it is
// tested on its own: the exponential sweep, the bias-corrected smoothing of
// the loss, the divergence rule, the suggestion, and the plot.

#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace synthforge::train {

/// Rate of sweep step i of n: minLr * (maxLr / minLr)^(i / (n - 1)).
double lrRangeRate(double minLr, double maxLr, int64_t i, int64_t n);

/// Bias-corrected exponential moving average of `loss` (factor `beta`), as
/// TensorBoard's and fastai's smoothing: avg_i = beta avg_{i-1} + (1 - beta) x_i,
/// divided by 1 - beta^(i+1).
std::vector<double> smoothLosses(const std::vector<double>& loss, double beta);

/// The index whose smoothed loss falls fastest against log(lr) (a central
/// difference; one-sided at the ends), looked for before the lowest
/// smoothed loss; -1 with fewer than 3 points.
int64_t steepestDescentIndex(const std::vector<double>& lr, const std::vector<double>& smoothed);

/// A w x h plot of `smoothed` against log10(lr) with a marker at
/// `suggestion` (an index, or -1 for none), axis ticks at the powers of ten.
cv::Mat plotLrRange(const std::vector<double>& lr, const std::vector<double>& smoothed, int64_t suggestion,
                    int width = 640, int height = 400);

}  // namespace synthforge::train
