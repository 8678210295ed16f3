#include "core/eval/ced_curve.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace synthforge::eval {

std::vector<CedPoint> cedCurve(const std::vector<double>& nmes, double maxError) {
    if (!(maxError > 0.0) || !std::isfinite(maxError))
        throw std::invalid_argument("cedCurve: maxError must be finite and > 0, got " + std::to_string(maxError));
    if (nmes.empty()) throw std::invalid_argument("cedCurve: no NME values");
    for (std::size_t i = 0; i < nmes.size(); ++i)
        if (!(nmes[i] >= 0.0))  // also catches NaN
            throw std::invalid_argument("cedCurve: NME of image " + std::to_string(i) + " is negative or NaN (" +
                                        std::to_string(nmes[i]) + ")");
    std::vector<double> sorted(nmes);
    std::sort(sorted.begin(), sorted.end());
    const double n = static_cast<double>(sorted.size());

    std::vector<CedPoint> out;
    out.reserve(2 * sorted.size() + 2);
    // Count by index, not by accumulating 1/n: the fractions then equal
    // failureRate's count / n exactly.
    std::size_t below = 0;
    while (below < sorted.size() && sorted[below] <= 0.0) ++below;
    out.push_back({0.0, static_cast<double>(below) / n});
    while (below < sorted.size() && sorted[below] <= maxError) {
        const double e = sorted[below];
        const double before = static_cast<double>(below) / n;
        while (below < sorted.size() && sorted[below] == e) ++below;
        out.push_back({e, before});
        out.push_back({e, static_cast<double>(below) / n});
    }
    if (out.back().error < maxError) out.push_back({maxError, static_cast<double>(below) / n});
    return out;
}

double cedArea(const std::vector<CedPoint>& points) {
    double area = 0.0;
    for (std::size_t k = 1; k < points.size(); ++k)
        area += (points[k].error - points[k - 1].error) * 0.5 * (points[k].fraction + points[k - 1].fraction);
    return area;
}

}  // namespace synthforge::eval
