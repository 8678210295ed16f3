#pragma once
// Scalar curves as the run centre draws them: TensorBoard's smoothing, the
// reduction of a long curve to what a plot of a given width can show, and
// the filter a logarithmic axis needs. Plain C++ so that the maths is tested
// without a display and the chart widget stays a thin layer.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace synthforge::runs {

/// One logged value of a scalar tag. wallTime is seconds since the Unix
/// epoch, NaN when the source has none (metrics.csv).
struct ScalarPoint {
    std::int64_t step = 0;
    double wallTime = 0.0;
    double value = 0.0;
};

/// A point in plot coordinates.
struct PlotPoint {
    double x = 0.0;
    double y = 0.0;
};

/// TensorBoard's debiased exponential moving average, value for value:
///   last = last * weight + (1 - weight) * v;  out = last / (1 - weight^n)
/// with last starting at 0 and n counting the finite values so far.
/// Non-finite values pass through unchanged and do not enter the average.
/// A series whose values are all equal is returned as it is (TensorBoard
/// does the same so that rounding does not wiggle a flat line).
/// weight = 0 returns the input. std::invalid_argument unless 0 <= weight < 1.
std::vector<double> smoothEma(const std::vector<double>& values, double weight);

/// The x coordinate a chart plots a point at.
enum class XAxisKind {
    Step,              ///< the step
    RelativeWallTime,  ///< seconds since the series' first finite wall time
};

/// Plot points from scalars: x per `axis`, y the value, or values[i] when
/// `values` is given (a smoothed copy; same length as points, else
/// std::invalid_argument). Points without a finite x (no wall time) are left
/// out, so the result may be shorter than the input.
std::vector<PlotPoint> toPlotPoints(const std::vector<ScalarPoint>& points, XAxisKind axis,
                                    const std::vector<double>* values = nullptr);

/// M4 decimation for drawing a line. `points` must be sorted by x. The range
/// [xMin, xMax] is cut into `columns` equal pixel columns; per column the
/// first, lowest, highest and last point are kept (each once, in input
/// order). A line through the result lights the same pixels as a line
/// through all the points, and has at most 4 * columns + 2 points: the last
/// point before xMin and the first after xMax are kept too, so that the
/// segments crossing the plot's edges are drawn. Points with a non-finite y
/// cannot be drawn and are left out. std::invalid_argument when columns < 1,
/// xMin > xMax or either is not finite.
std::vector<PlotPoint> decimateM4(const std::vector<PlotPoint>& points, double xMin, double xMax, int columns);

/// The points a logarithmic y axis can show.
struct PositiveOnly {
    std::vector<PlotPoint> points;  ///< those with y > 0 (NaN is dropped too)
    std::size_t dropped = 0;        ///< how many were left out
};
PositiveOnly keepPositiveY(const std::vector<PlotPoint>& points);

}  // namespace synthforge::runs
