#pragma once
// ROC curves as files beside `fr eval`'s JSON: a CSV per benchmark
// (threshold, FAR, TAR per point) and one PNG plotting every benchmark's
// TAR against FAR on a log axis (1e-4..1), as face-recognition papers show it.

#include <string>
#include <utility>
#include <vector>

#include <opencv2/core/mat.hpp>

#include "core/eval/verification.h"

namespace synthforge::eval {

/// "threshold,far,tar\n" then one line per point, in the curve's order.
std::string rocCsv(const std::vector<RocPoint>& roc);

/// Every named curve on one white canvas (BGR, 640 x 480): log10 FAR from
/// -4 to 0 across, TAR 0..1 up, grid lines at each decade and 0.1 of TAR,
/// a legend with the names. Points below FAR 1e-4 sit on the left edge.
cv::Mat rocPlot(const std::vector<std::pair<std::string, std::vector<RocPoint>>>& curves);

}  // namespace synthforge::eval
