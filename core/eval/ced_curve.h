#pragma once
// The cumulative error distribution (CED) of landmark errors as points to
// draw: the exact step function CED(e) = #{i : NME_i <= e} / n, not a
// sampled approximation, so what a chart shows agrees with failureRate and
// cedAuc (core/eval/landmark_metrics.h) to the last digit.

#include <vector>

namespace synthforge::eval {

struct CedPoint {
    double error = 0.0;     ///< NME
    double fraction = 0.0;  ///< fraction of images with NME <= error
};

/// The CED on [0, maxError] as a polyline: it starts at (0, CED(0)), has a
/// vertical step (two points with the same error) at each distinct NME in
/// (0, maxError], and ends at (maxError, CED(maxError)). Joined by straight
/// lines the points are the step function itself, so for maxError = t:
///   trapezoid area under the points / t == cedAuc(nmes, t)
///   last point's fraction            == 1 - failureRate(nmes, t)
/// At most 2 * nmes.size() + 2 points. Throws std::invalid_argument when
/// nmes is empty, an NME is negative or NaN, or maxError is not finite and > 0.
std::vector<CedPoint> cedCurve(const std::vector<double>& nmes, double maxError);

/// The area under a polyline of CED points (trapezoids), e.g. to check a
/// curve against cedAuc.
double cedArea(const std::vector<CedPoint>& points);

}  // namespace synthforge::eval
