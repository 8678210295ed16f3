#pragma once
// One scalar tag's chart in the run centre (Qt Charts), TensorBoard-like:
// each run is a smoothed line in its colour over its raw line drawn faint,
// the legend names the runs, y can be logarithmic, x is the step or the time
// since the run's first value, and the cursor shows every run's value at
// that x.
//
// Long runs stay cheap to draw: each line holds at most four points per
// pixel column of the plot (M4 decimation, core/runs/scalar_series.h),
// recomputed when the plot's width or the axes' range changes. The full
// points are kept per run so that smoothing, the log toggle and the x axis
// are redone without reading anything again. Updating one run redoes that
// run's lines only, unless the x axis shrank (the others would then be too
// coarse for the new scale).

#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

#include <QChartView>
#include <QColor>
#include <QString>
#include <QStringList>

#include "core/runs/scalar_series.h"

class QAbstractAxis;
class QGraphicsLineItem;
class QGraphicsRectItem;
class QGraphicsTextItem;
class QLineSeries;

namespace synthforge::widgets {

/// Distinct colours for runs, by index (wraps around after 10).
QColor runPaletteColour(int index);

class ScalarChartView : public QChartView {
    Q_OBJECT
public:
    explicit ScalarChartView(const QString& tag, QWidget* parent = nullptr);
    ~ScalarChartView() override;

    const QString& tag() const { return tag_; }

    /// Adds or replaces one run's curve (points sorted by step). A call with
    /// the same points and colour as before does nothing.
    void setRunSeries(const QString& run, const QColor& colour, const std::vector<runs::ScalarPoint>& points);
    /// False when the chart had no such run.
    bool removeRun(const QString& run);
    QStringList runNames() const;
    bool hasRuns() const { return !runs_.empty(); }

    /// TensorBoard's smoothing weight, 0 <= w < 1 (std::invalid_argument otherwise).
    void setSmoothing(double weight);
    double smoothing() const { return smoothing_; }
    void setLogY(bool on);
    bool logY() const { return logY_; }
    void setXAxisKind(runs::XAxisKind kind);
    runs::XAxisKind xAxisKind() const { return xKind_; }

    /// The drawn lines of a run (null for an unknown run); x in axis units.
    QLineSeries* smoothedSeries(const QString& run) const;
    QLineSeries* rawSeries(const QString& run) const;
    /// Values a log axis cannot show, over all runs (0 on a linear axis).
    std::size_t droppedForLog() const;
    /// Pixel columns the lines are decimated to (the plot area's width).
    int plotColumns() const;
    /// The hover text at axis x: per run, the nearest point's step, value and
    /// smoothed value. Empty without runs.
    QString readoutAt(double axisX) const;

protected:
    void mouseMoveEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;

private:
    struct ReadoutRow {
        QString run;
        QColor colour;
        std::int64_t step;
        double value, smoothed;
    };
    std::vector<ReadoutRow> readoutRows(double axisX) const;

    struct Curve {
        QColor colour;
        std::vector<runs::ScalarPoint> points;
        std::vector<double> smoothed;          ///< per point
        std::vector<runs::PlotPoint> raw, smooth;  ///< full resolution, sorted by x, log-filtered
        std::size_t dropped = 0;
        double xLo = 0, xHi = 0, yLo = 0, yHi = 0;  ///< extent of the finite raw points (empty: lo > hi)
        QLineSeries* rawLine = nullptr;
        QLineSeries* smoothLine = nullptr;
    };
    /// c.smoothed, and the smoothed line's full-resolution points.
    std::vector<runs::PlotPoint> smoothedPoints(Curve& c) const;
    void recompute(Curve& c) const;
    void draw(Curve& c, bool rawToo = true);
    /// Sets the axes from every run's data; true when the x range shrank.
    bool updateAxes();
    void redrawAll();
    void rebuildYAxis();
    void updateTitle();
    void hideReadout();
    double xUnitSeconds() const;

    QString tag_;
    std::map<QString, Curve> runs_;
    double smoothing_ = 0.6;
    bool logY_ = false;
    runs::XAxisKind xKind_ = runs::XAxisKind::Step;
    double xMin_ = 0.0, xMax_ = 1.0;  ///< decimation range, data units (seconds for time)
    double timeUnit_ = 1.0;           ///< seconds per x axis unit (wall-time axis)
    int columns_ = 0;                 ///< columns the lines were last decimated to
    QAbstractAxis* xAxis_ = nullptr;
    QAbstractAxis* yAxis_ = nullptr;
    QGraphicsLineItem* cursorLine_ = nullptr;
    QGraphicsRectItem* readoutBox_ = nullptr;
    QGraphicsTextItem* readoutText_ = nullptr;
};

}  // namespace synthforge::widgets
