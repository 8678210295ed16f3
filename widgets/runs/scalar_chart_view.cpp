#include "widgets/runs/scalar_chart_view.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <QBrush>
#include <QChart>
#include <QGraphicsLineItem>
#include <QGraphicsRectItem>
#include <QGraphicsTextItem>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QMouseEvent>
#include <QPen>
#include <QTimer>
#include <QValueAxis>

namespace synthforge::widgets {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// x of a point on `kind`'s axis in data units (NaN when it has none).
double dataX(const runs::ScalarPoint& p, runs::XAxisKind kind, double t0) {
    return kind == runs::XAxisKind::Step ? static_cast<double>(p.step) : p.wallTime - t0;
}

double firstWallTime(const std::vector<runs::ScalarPoint>& pts) {
    for (const auto& p : pts)
        if (std::isfinite(p.wallTime)) return p.wallTime;
    return std::numeric_limits<double>::quiet_NaN();
}

bool samePoint(const runs::ScalarPoint& a, const runs::ScalarPoint& b) {
    const auto same = [](double x, double y) { return x == y || (std::isnan(x) && std::isnan(y)); };
    return a.step == b.step && same(a.wallTime, b.wallTime) && same(a.value, b.value);
}

/// A cheap test for "the run has not changed": a live run's curve grows or
/// is cut, so its length or its ends differ; a middle point catches a
/// rewrite of the same length.
bool samePoints(const std::vector<runs::ScalarPoint>& a, const std::vector<runs::ScalarPoint>& b) {
    if (a.size() != b.size()) return false;
    if (a.empty()) return true;
    return samePoint(a.front(), b.front()) && samePoint(a.back(), b.back()) &&
           samePoint(a[a.size() / 2], b[b.size() / 2]);
}

QString number(double v) { return QString::number(v, 'g', 5); }

/// 1, 2, 2.5 or 5 times a power of ten, at least `raw`.
double niceStep(double raw) {
    if (!(raw > 0.0) || !std::isfinite(raw)) return 1.0;
    const double p = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 2.5, 5.0})
        if (m * p >= raw * (1.0 - 1e-9)) return m * p;
    return 10.0 * p;
}

struct NiceRange {
    double lo, hi;
    int ticks;
};

/// [lo, hi] widened to round tick values about `intervals` apart. Qt's
/// applyNiceNumbers() keeps the tick count instead, and may nearly double
/// the range (0..30000 became 0..40000).
NiceRange niceRange(double lo, double hi, int intervals) {
    const double step = niceStep((hi - lo) / intervals);
    NiceRange r{std::floor(lo / step) * step, std::ceil(hi / step) * step, 0};
    r.ticks = static_cast<int>(std::lround((r.hi - r.lo) / step)) + 1;
    return r;
}

}  // namespace

QColor runPaletteColour(int index) {
    // Tableau 10: distinct hues, readable on white, friendly to the common
    // colour-vision deficiencies.
    static const QRgb palette[] = {0x4e79a7, 0xf28e2b, 0xe15759, 0x76b7b2, 0x59a14f,
                                   0xedc948, 0xb07aa1, 0xff9da7, 0x9c755f, 0xbab0ac};
    const int n = static_cast<int>(sizeof(palette) / sizeof(palette[0]));
    return QColor(palette[((index % n) + n) % n]);
}

ScalarChartView::ScalarChartView(const QString& tag, QWidget* parent) : QChartView(new QChart, parent), tag_(tag) {
    QChart* ch = chart();
    ch->setLocalizeNumbers(false);
    ch->setBackgroundRoundness(0);
    ch->setMargins(QMargins(6, 2, 10, 2));
    QFont titleFont = ch->titleFont();
    titleFont.setBold(true);
    titleFont.setPointSizeF(10);
    ch->setTitleFont(titleFont);
    ch->legend()->setAlignment(Qt::AlignBottom);
    QFont small = ch->legend()->font();
    small.setPointSizeF(8.5);
    ch->legend()->setFont(small);
    setRenderHint(QPainter::Antialiasing);
    setMouseTracking(true);
    setMinimumSize(320, 300);

    auto* x = new QValueAxis;
    x->setLabelFormat("%g");
    ch->addAxis(x, Qt::AlignBottom);
    xAxis_ = x;
    rebuildYAxis();
    setXAxisKind(xKind_);  // the axis title
    updateTitle();

    cursorLine_ = new QGraphicsLineItem(ch);
    cursorLine_->setPen(QPen(QColor(0, 0, 0, 90), 1, Qt::DashLine));
    cursorLine_->setZValue(50);
    readoutBox_ = new QGraphicsRectItem(ch);
    readoutBox_->setBrush(QColor(255, 255, 255, 230));
    readoutBox_->setPen(QPen(QColor(0, 0, 0, 60)));
    readoutBox_->setZValue(51);
    readoutText_ = new QGraphicsTextItem(readoutBox_);
    readoutText_->setFont(small);
    hideReadout();

    // The plot area changes with the widget's size and the axes' label
    // widths; the lines follow it once the layout has settled.
    connect(ch, &QChart::plotAreaChanged, this, [this](const QRectF&) {
        QTimer::singleShot(0, this, [this] {
            if (plotColumns() != columns_) redrawAll();
        });
    });
}

ScalarChartView::~ScalarChartView() = default;

int ScalarChartView::plotColumns() const {
    const double w = chart()->plotArea().width();
    // Before the first layout the plot area is empty: the widget's width is
    // an upper bound, so the lines are not coarser than the pixels.
    return std::max(1, static_cast<int>(std::ceil(w >= 1.0 ? w : width())));
}

double ScalarChartView::xUnitSeconds() const { return xKind_ == runs::XAxisKind::Step ? 1.0 : timeUnit_; }

QStringList ScalarChartView::runNames() const {
    QStringList names;
    for (const auto& [name, c] : runs_) names << name;
    return names;
}

QLineSeries* ScalarChartView::smoothedSeries(const QString& run) const {
    const auto it = runs_.find(run);
    return it == runs_.end() ? nullptr : it->second.smoothLine;
}

QLineSeries* ScalarChartView::rawSeries(const QString& run) const {
    const auto it = runs_.find(run);
    return it == runs_.end() ? nullptr : it->second.rawLine;
}

std::size_t ScalarChartView::droppedForLog() const {
    std::size_t n = 0;
    for (const auto& [name, c] : runs_) n += c.dropped;
    return n;
}

std::vector<runs::PlotPoint> ScalarChartView::smoothedPoints(Curve& c) const {
    std::vector<double> values(c.points.size());
    for (std::size_t i = 0; i < c.points.size(); ++i) values[i] = c.points[i].value;
    c.smoothed = runs::smoothEma(values, smoothing_);
    std::vector<runs::PlotPoint> pts = runs::toPlotPoints(c.points, xKind_, &c.smoothed);
    const auto byX = [](const runs::PlotPoint& a, const runs::PlotPoint& b) { return a.x < b.x; };
    // Steps are sorted; wall times of a resumed run need not be.
    if (!std::is_sorted(pts.begin(), pts.end(), byX)) std::stable_sort(pts.begin(), pts.end(), byX);
    return logY_ ? runs::keepPositiveY(pts).points : pts;
}

void ScalarChartView::recompute(Curve& c) const {
    c.smooth = smoothedPoints(c);
    c.raw = runs::toPlotPoints(c.points, xKind_);
    const auto byX = [](const runs::PlotPoint& a, const runs::PlotPoint& b) { return a.x < b.x; };
    if (!std::is_sorted(c.raw.begin(), c.raw.end(), byX)) std::stable_sort(c.raw.begin(), c.raw.end(), byX);
    c.dropped = 0;
    if (logY_) {
        runs::PositiveOnly raw = runs::keepPositiveY(c.raw);
        c.raw = std::move(raw.points);
        c.dropped = raw.dropped;
    }
    // The extent of the drawable raw points (the smoothed values, averages
    // of them, lie inside on a linear axis), kept so that the axes need no
    // pass over every run.
    c.xLo = c.yLo = kInf;
    c.xHi = c.yHi = -kInf;
    for (const runs::PlotPoint& p : c.raw) {
        if (!std::isfinite(p.y)) continue;
        c.yLo = std::min(c.yLo, p.y);
        c.yHi = std::max(c.yHi, p.y);
        c.xLo = std::min(c.xLo, p.x);
        c.xHi = std::max(c.xHi, p.x);
    }
    // Averaged with values a log axis drops, a smoothed value can fall
    // below every shown raw one.
    if (logY_)
        for (const runs::PlotPoint& p : c.smooth) c.yLo = std::min(c.yLo, p.y);
}

void ScalarChartView::draw(Curve& c, bool rawToo) {
    const int columns = plotColumns();
    const double unit = xUnitSeconds();
    const auto decimated = [&](const std::vector<runs::PlotPoint>& pts) {
        const std::vector<runs::PlotPoint> d = runs::decimateM4(pts, xMin_, xMax_, columns);
        QList<QPointF> out;
        out.reserve(static_cast<qsizetype>(d.size()));
        for (const runs::PlotPoint& p : d) out.append(QPointF(p.x / unit, p.y));
        return out;
    };
    if (rawToo) c.rawLine->replace(decimated(c.raw));
    c.smoothLine->replace(decimated(c.smooth));
}

void ScalarChartView::redrawAll() {
    columns_ = plotColumns();
    for (auto& [name, c] : runs_) draw(c);
}

bool ScalarChartView::updateAxes() {
    double xLo = kInf, xHi = -kInf, yLo = kInf, yHi = -kInf;
    for (const auto& [name, c] : runs_) {
        xLo = std::min(xLo, c.xLo);
        xHi = std::max(xHi, c.xHi);
        yLo = std::min(yLo, c.yLo);
        yHi = std::max(yHi, c.yHi);
    }
    if (xLo > xHi) xLo = 0.0, xHi = 1.0;
    if (xLo == xHi) xLo -= 0.5, xHi += 0.5;

    const double oldUnit = timeUnit_;
    if (xKind_ == runs::XAxisKind::RelativeWallTime) {
        timeUnit_ = xHi > 2 * 3600.0 ? 3600.0 : xHi > 120.0 ? 60.0 : 1.0;
        static_cast<QValueAxis*>(xAxis_)->setTitleText(timeUnit_ == 3600.0 ? tr("hours since start")
                                                       : timeUnit_ == 60.0 ? tr("minutes since start")
                                                                           : tr("seconds since start"));
    }
    const double unit = xUnitSeconds();
    auto* x = static_cast<QValueAxis*>(xAxis_);
    const NiceRange nx = niceRange(xLo / unit, xHi / unit, 6);
    x->setRange(nx.lo, nx.hi);
    x->setTickCount(nx.ticks);
    const double newMin = nx.lo * unit, newMax = nx.hi * unit;
    const bool shrank = newMin > xMin_ || newMax < xMax_ || timeUnit_ != oldUnit;
    xMin_ = newMin;
    xMax_ = newMax;

    if (logY_) {
        if (yLo > yHi) yLo = 1.0, yHi = 10.0;
        double lo = std::pow(10.0, std::floor(std::log10(yLo)));
        double hi = std::pow(10.0, std::ceil(std::log10(yHi)));
        if (hi <= lo) hi = lo * 10.0;
        static_cast<QLogValueAxis*>(yAxis_)->setRange(lo, hi);
    } else {
        if (yLo > yHi) yLo = 0.0, yHi = 1.0;
        const double pad = yHi > yLo ? 0.04 * (yHi - yLo) : std::max(0.5, std::abs(yLo) * 0.1);
        // Padding must not push a curve of non-negative values (a loss, a
        // learning rate) below zero.
        const double lo = yLo >= 0.0 ? std::max(0.0, yLo - pad) : yLo - pad;
        const double hi = yHi + pad;
        const NiceRange ny = niceRange(lo, hi, 5);
        auto* y = static_cast<QValueAxis*>(yAxis_);
        y->setRange(ny.lo, ny.hi);
        y->setTickCount(ny.ticks);
    }
    return shrank;
}

void ScalarChartView::rebuildYAxis() {
    QChart* ch = chart();
    if (yAxis_) {
        for (QAbstractSeries* s : ch->series()) s->detachAxis(yAxis_);
        ch->removeAxis(yAxis_);
        delete yAxis_;
    }
    if (logY_) {
        auto* y = new QLogValueAxis;
        y->setBase(10.0);
        y->setLabelFormat("%g");
        y->setMinorTickCount(8);
        yAxis_ = y;
    } else {
        auto* y = new QValueAxis;
        y->setLabelFormat("%.4g");
        yAxis_ = y;
    }
    ch->addAxis(yAxis_, Qt::AlignLeft);
    for (QAbstractSeries* s : ch->series()) s->attachAxis(yAxis_);
}

void ScalarChartView::updateTitle() {
    const std::size_t dropped = droppedForLog();
    QString title = tag_;
    if (dropped > 0) title += QStringLiteral("  (%1 values \u2264 0 not shown)").arg(dropped);
    chart()->setTitle(title);
}

void ScalarChartView::setRunSeries(const QString& run, const QColor& colour,
                                   const std::vector<runs::ScalarPoint>& points) {
    auto it = runs_.find(run);
    if (it != runs_.end() && it->second.colour == colour && samePoints(it->second.points, points)) return;
    QChart* ch = chart();
    const bool added = it == runs_.end();
    Curve& c = runs_[run];
    if (added) {
        c.rawLine = new QLineSeries(this);
        c.smoothLine = new QLineSeries(this);
        c.smoothLine->setName(run);
        // Raw lines first, then every smoothed line, so that no run's faint
        // line covers another's smoothed one: re-add the smoothed lines.
        for (auto& [name, other] : runs_)
            if (other.smoothLine && &other != &c) ch->removeSeries(other.smoothLine);
        ch->addSeries(c.rawLine);
        for (auto& [name, other] : runs_) ch->addSeries(other.smoothLine);
        for (auto& [name, other] : runs_) {
            for (QLineSeries* s : {other.rawLine, other.smoothLine}) {
                if (s->attachedAxes().isEmpty()) {
                    s->attachAxis(xAxis_);
                    s->attachAxis(yAxis_);
                }
            }
            for (QLegendMarker* m : ch->legend()->markers(other.rawLine)) m->setVisible(false);
        }
    }
    if (added || c.colour != colour) {
        c.colour = colour;
        QColor faint = colour;
        faint.setAlpha(80);
        c.rawLine->setPen(QPen(faint, 1.0));
        c.smoothLine->setPen(QPen(colour, 2.0));
    }
    c.points = points;
    recompute(c);
    const bool shrank = updateAxes();
    if (shrank || plotColumns() != columns_) {
        redrawAll();
    } else {
        draw(c);
    }
    updateTitle();
}

bool ScalarChartView::removeRun(const QString& run) {
    const auto it = runs_.find(run);
    if (it == runs_.end()) return false;
    chart()->removeSeries(it->second.rawLine);
    chart()->removeSeries(it->second.smoothLine);
    delete it->second.rawLine;
    delete it->second.smoothLine;
    runs_.erase(it);
    if (updateAxes()) redrawAll();
    updateTitle();
    hideReadout();
    return true;
}

void ScalarChartView::setSmoothing(double weight) {
    if (!(weight >= 0.0 && weight < 1.0))
        throw std::invalid_argument("ScalarChartView::setSmoothing: weight must be in [0, 1), got " +
                                    std::to_string(weight));
    if (weight == smoothing_) return;
    smoothing_ = weight;
    if (logY_) {  // the smoothed lines may reach below the raw ones (recompute())
        for (auto& [name, c] : runs_) recompute(c);
        updateAxes();
        redrawAll();
        return;
    }
    // Only the smoothed lines change, and they stay inside the raw lines'
    // extent: the axes and the raw lines are left as they are.
    for (auto& [name, c] : runs_) {
        c.smooth = smoothedPoints(c);
        draw(c, false);
    }
}

void ScalarChartView::setLogY(bool on) {
    if (on == logY_) return;
    logY_ = on;
    rebuildYAxis();
    for (auto& [name, c] : runs_) recompute(c);
    updateAxes();
    redrawAll();
    updateTitle();
}

void ScalarChartView::setXAxisKind(runs::XAxisKind kind) {
    const bool changed = kind != xKind_;
    xKind_ = kind;
    if (kind == runs::XAxisKind::Step) static_cast<QValueAxis*>(xAxis_)->setTitleText(tr("step"));
    if (!changed) return;
    for (auto& [name, c] : runs_) recompute(c);
    xMin_ = kInf;  // a new scale: every line is redone
    updateAxes();
    redrawAll();
}

std::vector<ScalarChartView::ReadoutRow> ScalarChartView::readoutRows(double axisX) const {
    std::vector<ReadoutRow> rows;
    const double x = axisX * xUnitSeconds();
    for (const auto& [name, c] : runs_) {
        const double t0 = firstWallTime(c.points);
        std::size_t best = c.points.size();
        double bestDist = kInf;
        for (std::size_t i = 0; i < c.points.size(); ++i) {
            const double d = std::abs(dataX(c.points[i], xKind_, t0) - x);
            if (d < bestDist) bestDist = d, best = i;
        }
        if (best == c.points.size()) continue;
        rows.push_back({name, c.colour, c.points[best].step, c.points[best].value, c.smoothed[best]});
    }
    return rows;
}

QString ScalarChartView::readoutAt(double axisX) const {
    QStringList lines;
    for (const ReadoutRow& r : readoutRows(axisX))
        lines << QStringLiteral("%1: step %2, value %3, smoothed %4")
                     .arg(r.run)
                     .arg(r.step)
                     .arg(number(r.value), number(r.smoothed));
    return lines.join('\n');
}

void ScalarChartView::hideReadout() {
    cursorLine_->hide();
    readoutBox_->hide();
}

void ScalarChartView::mouseMoveEvent(QMouseEvent* event) {
    QChartView::mouseMoveEvent(event);
    QChart* ch = chart();
    const QPointF pos = ch->mapFromScene(mapToScene(event->position().toPoint()));
    const QRectF area = ch->plotArea();
    if (runs_.empty() || !area.contains(pos)) {
        hideReadout();
        return;
    }
    const double axisX = ch->mapToValue(pos, runs_.begin()->second.smoothLine).x();
    // A small table, as TensorBoard's tooltip: run, step, smoothed, value.
    QString html = QStringLiteral("<table cellspacing='0' cellpadding='1'><tr><th></th><th align='left'>%1</th>"
                                  "<th align='right'>&nbsp;%2</th><th align='right'>&nbsp;%3</th>"
                                  "<th align='right'>&nbsp;%4</th></tr>")
                       .arg(tr("run"), tr("step"), tr("smoothed"), tr("value"));
    for (const ReadoutRow& r : readoutRows(axisX))
        html += QStringLiteral("<tr><td style='color:%1'>&#9632;</td><td>%2</td><td align='right'>&nbsp;%3</td>"
                               "<td align='right'>&nbsp;%4</td><td align='right'>&nbsp;%5</td></tr>")
                    .arg(r.colour.name(), r.run.toHtmlEscaped())
                    .arg(r.step)
                    .arg(number(r.smoothed), number(r.value));
    html += QStringLiteral("</table>");
    readoutText_->setHtml(html);
    const QRectF text = readoutText_->boundingRect();
    // Beside the cursor, on the side with room, and inside the plot.
    QPointF at = pos + QPointF(12, 12);
    if (at.x() + text.width() > area.right()) at.setX(pos.x() - 12 - text.width());
    at.setX(std::max(area.left(), at.x()));
    if (at.y() + text.height() > area.bottom()) at.setY(pos.y() - 12 - text.height());
    at.setY(std::max(area.top(), at.y()));
    readoutBox_->setRect(QRectF(QPointF(0, 0), text.size()));
    readoutBox_->setPos(at);
    readoutBox_->show();
    cursorLine_->setLine(QLineF(pos.x(), area.top(), pos.x(), area.bottom()));
    cursorLine_->show();
}

void ScalarChartView::leaveEvent(QEvent* event) {
    QChartView::leaveEvent(event);
    hideReadout();
}

}  // namespace synthforge::widgets
