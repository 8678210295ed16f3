#include "core/runs/scalar_series.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace synthforge::runs {

std::vector<double> smoothEma(const std::vector<double>& values, double weight) {
    if (!(weight >= 0.0 && weight < 1.0))
        throw std::invalid_argument("smoothEma: weight must be in [0, 1), got " + std::to_string(weight));
    if (weight == 0.0 || values.empty()) return values;
    // Bitwise-equal values (NaN never equals itself, so a series holding one
    // is smoothed): TensorBoard leaves such a flat line alone.
    if (std::all_of(values.begin(), values.end(), [&](double v) { return v == values.front(); })) return values;
    std::vector<double> out(values.size());
    double last = 0.0;
    double weightPow = 1.0;  // weight^n, kept as a product: pow() per point is slow for 100k points
    for (std::size_t i = 0; i < values.size(); ++i) {
        const double v = values[i];
        if (!std::isfinite(v)) {
            out[i] = v;
            continue;
        }
        last = last * weight + (1.0 - weight) * v;
        // Below 2^-60, 1 - weight^n is 1 in doubles. Stopping there also keeps
        // the product out of subnormals, where it would stick at the smallest
        // one (0.6 times it rounds back to it) and make every multiply ~20x slower.
        weightPow = weightPow > 0x1p-60 ? weightPow * weight : 0.0;
        out[i] = last / (1.0 - weightPow);
    }
    return out;
}

std::vector<PlotPoint> toPlotPoints(const std::vector<ScalarPoint>& points, XAxisKind axis,
                                    const std::vector<double>* values) {
    if (values && values->size() != points.size())
        throw std::invalid_argument("toPlotPoints: " + std::to_string(values->size()) + " values for " +
                                    std::to_string(points.size()) + " points");
    const std::size_t n = points.size();
    std::vector<PlotPoint> out;
    if (axis == XAxisKind::Step) {
        // Every point has a step: one pass without branches.
        out.resize(n);
        for (std::size_t i = 0; i < n; ++i)
            out[i] = {static_cast<double>(points[i].step), values ? (*values)[i] : points[i].value};
        return out;
    }
    out.reserve(n);
    double t0 = std::numeric_limits<double>::quiet_NaN();
    for (std::size_t i = 0; i < n; ++i) {
        const ScalarPoint& p = points[i];
        if (!std::isfinite(p.wallTime)) continue;
        if (std::isnan(t0)) t0 = p.wallTime;
        out.push_back({p.wallTime - t0, values ? (*values)[i] : p.value});
    }
    return out;
}

std::vector<PlotPoint> decimateM4(const std::vector<PlotPoint>& points, double xMin, double xMax, int columns) {
    if (columns < 1) throw std::invalid_argument("decimateM4: columns must be >= 1, got " + std::to_string(columns));
    if (!std::isfinite(xMin) || !std::isfinite(xMax) || xMin > xMax)
        throw std::invalid_argument("decimateM4: bad x range [" + std::to_string(xMin) + ", " + std::to_string(xMax) + "]");
    const auto byX = [](const PlotPoint& p, double x) { return p.x < x; };
    const std::size_t n = points.size();
    const std::size_t begin =
        static_cast<std::size_t>(std::lower_bound(points.begin(), points.end(), xMin, byX) - points.begin());
    const std::size_t end = static_cast<std::size_t>(
        std::upper_bound(points.begin(), points.end(), xMax, [](double x, const PlotPoint& p) { return x < p.x; }) -
        points.begin());

    std::vector<PlotPoint> out;
    out.reserve(std::min<std::size_t>(n, 4 * static_cast<std::size_t>(columns) + 2));
    // The nearest drawable neighbours outside the range carry the edge segments.
    for (std::size_t i = begin; i-- > 0;) {
        if (std::isfinite(points[i].y)) {
            out.push_back(points[i]);
            break;
        }
    }

    const double scale = xMax > xMin ? columns / (xMax - xMin) : 0.0;
    int column = -1;
    std::size_t first = 0, lo = 0, hi = 0, last = 0;
    const auto flush = [&] {
        std::size_t idx[4] = {first, lo, hi, last};
        std::sort(idx, idx + 4);
        for (int k = 0; k < 4; ++k)
            if (k == 0 || idx[k] != idx[k - 1]) out.push_back(points[idx[k]]);
    };
    for (std::size_t i = begin; i < end; ++i) {
        const double y = points[i].y;
        if (!std::isfinite(y)) continue;
        const int c = std::min(columns - 1, static_cast<int>((points[i].x - xMin) * scale));
        if (c != column) {
            if (column >= 0) flush();
            column = c;
            first = lo = hi = last = i;
            continue;
        }
        if (y < points[lo].y) lo = i;
        if (y > points[hi].y) hi = i;
        last = i;
    }
    if (column >= 0) flush();

    for (std::size_t i = end; i < n; ++i) {
        if (std::isfinite(points[i].y)) {
            out.push_back(points[i]);
            break;
        }
    }
    return out;
}

PositiveOnly keepPositiveY(const std::vector<PlotPoint>& points) {
    PositiveOnly r;
    r.points.reserve(points.size());
    for (const PlotPoint& p : points) {
        if (p.y > 0.0)
            r.points.push_back(p);
        else
            ++r.dropped;
    }
    return r;
}

}  // namespace synthforge::runs
