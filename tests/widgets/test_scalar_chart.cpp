// widgets/runs/scalar_chart_view.h and scalar_chart_panel.h (offscreen):
// two runs overlaid with a legend entry each, smoothing draws the EMA, the
// log toggle drops values <= 0, 100k points are drawn as at most four per
// pixel column, a live update appends, the hover readout and the x axis.
// With SYNTHFORGE_SCALAR_CHART_SCREENSHOT set, a panel with two runs is
// saved there.

#include <cmath>
#include <random>

#include <QChart>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QTest>
#include <QValueAxis>

#include "core/runs/scalar_series.h"
#include "widgets/runs/scalar_chart_panel.h"
#include "widgets/runs/scalar_chart_view.h"

using namespace synthforge;
using namespace synthforge::widgets;
using runs::ScalarPoint;

namespace {

/// A loss-like curve: decaying, noisy, one point per step, a second apart.
std::vector<ScalarPoint> lossCurve(int n, unsigned seed, double scale = 1.0, int stride = 1) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> noise(0.0, 0.08);
    std::vector<ScalarPoint> pts;
    pts.reserve(static_cast<std::size_t>(n));
    for (int i = 1; i <= n; ++i) {
        const double t = static_cast<double>(i) / n;
        pts.push_back({static_cast<std::int64_t>(i) * stride, 1.7e9 + i * stride,
                       scale * (0.2 + 2.0 * std::exp(-6.0 * t)) * (1.0 + noise(rng))});
    }
    return pts;
}

std::vector<double> ys(const QLineSeries* s) {
    std::vector<double> out;
    for (const QPointF& p : s->points()) out.push_back(p.y());
    return out;
}

int visibleMarkers(QChart* chart) {
    int n = 0;
    for (QLegendMarker* m : chart->legend()->markers())
        if (m->isVisible()) ++n;
    return n;
}

}  // namespace

class TestScalarChart : public QObject {
    Q_OBJECT
private slots:
    void twoRunsAreOverlaidWithALegendEntryEach() {
        ScalarChartPanel panel;
        panel.setRun("run-a", runPaletteColour(0),
                     {{"train/loss", lossCurve(50, 1)}, {"val/nme", lossCurve(5, 2)}, {"val/empty", {}}});
        panel.setRun("run-b", runPaletteColour(1), {{"train/loss", lossCurve(80, 3)}});
        panel.show();  // legend markers are visible only on screen
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QCOMPARE(panel.tags(), QStringList({"train/loss", "val/nme"}));  // no chart for an empty curve
        ScalarChartView* loss = panel.chart("train/loss");
        QVERIFY(loss);
        QCOMPARE(loss->runNames(), QStringList({"run-a", "run-b"}));
        QCOMPARE(loss->chart()->series().size(), 4);  // raw + smoothed per run
        // Raw lines first (drawn below), then the smoothed ones, whichever run came first.
        const QList<QAbstractSeries*> order = loss->chart()->series();
        QCOMPARE(order[0], loss->rawSeries("run-a"));
        QCOMPARE(order[1], loss->rawSeries("run-b"));
        QCOMPARE(order[2], loss->smoothedSeries("run-a"));
        QCOMPARE(order[3], loss->smoothedSeries("run-b"));
        QCOMPARE(visibleMarkers(loss->chart()), 2);   // the legend names runs, not lines
        QCOMPARE(loss->smoothedSeries("run-a")->name(), QString("run-a"));
        QCOMPARE(loss->smoothedSeries("run-b")->pen().color(), runPaletteColour(1));
        QVERIFY(loss->rawSeries("run-b")->pen().color().alpha() < 255);  // raw drawn faint
        QVERIFY(runPaletteColour(0) != runPaletteColour(1));
        QCOMPARE(panel.chart("val/nme")->runNames(), QStringList({"run-a"}));
        QCOMPARE(ScalarChartPanel::groupOf("train/loss"), QString("train"));
        QCOMPARE(ScalarChartPanel::groupOf("lr"), QString("lr"));

        // A run that loses a tag leaves that chart; a chart without runs goes.
        panel.setRun("run-a", runPaletteColour(0), {{"train/loss", lossCurve(50, 1)}});
        QVERIFY(!panel.chart("val/nme"));
        panel.removeRun("run-b");
        QCOMPARE(loss->runNames(), QStringList({"run-a"}));
        QCOMPARE(visibleMarkers(loss->chart()), 1);
        QCOMPARE(panel.runNames(), QStringList({"run-a"}));
        panel.clearRuns();
        QVERIFY(panel.tags().isEmpty());
    }

    void smoothingDrawsTheEma() {
        ScalarChartView view("train/loss");
        view.resize(800, 400);
        const auto pts = lossCurve(200, 5);  // fewer points than pixel columns: nothing decimated
        view.setRunSeries("a", Qt::blue, pts);
        std::vector<double> values;
        for (const auto& p : pts) values.push_back(p.value);
        QCOMPARE(view.smoothing(), 0.6);  // TensorBoard's default
        QCOMPARE(ys(view.smoothedSeries("a")), runs::smoothEma(values, 0.6));
        QCOMPARE(ys(view.rawSeries("a")), values);
        view.setSmoothing(0.9);
        QCOMPARE(ys(view.smoothedSeries("a")), runs::smoothEma(values, 0.9));
        view.setSmoothing(0.0);
        QCOMPARE(ys(view.smoothedSeries("a")), values);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, view.setSmoothing(1.0));

        ScalarChartPanel panel;  // the panel passes its slider's value on
        panel.setRun("a", Qt::blue, {{"x", pts}});
        panel.setSmoothing(0.95);
        QCOMPARE(panel.chart("x")->smoothing(), 0.95);
        QCOMPARE(ys(panel.chart("x")->smoothedSeries("a")), runs::smoothEma(values, 0.95));
    }

    void logAxisDropsNonPositiveValues() {
        ScalarChartView view("train/lr");
        view.resize(600, 300);
        view.setRunSeries("a", Qt::red, {{1, 0, 1.0}, {2, 0, 0.0}, {3, 0, -1.0}, {4, 0, 10.0}, {5, 0, 100.0}});
        QCOMPARE(view.rawSeries("a")->count(), 5);
        QVERIFY(qobject_cast<QValueAxis*>(view.chart()->axes(Qt::Vertical).value(0)));
        view.setLogY(true);
        QCOMPARE(ys(view.rawSeries("a")), std::vector<double>({1.0, 10.0, 100.0}));
        QCOMPARE(view.droppedForLog(), std::size_t{2});
        auto* logAxis = qobject_cast<QLogValueAxis*>(view.chart()->axes(Qt::Vertical).value(0));
        QVERIFY(logAxis);
        // The smoothed line averages the 0 in: it dips to 0.375, so the axis starts a decade lower.
        QCOMPARE(logAxis->min(), 0.1);
        QCOMPARE(logAxis->max(), 100.0);
        view.setSmoothing(0.0);
        QCOMPARE(logAxis->min(), 1.0);
        view.setSmoothing(0.6);
        QVERIFY(view.chart()->title().contains("2 values"));
        for (double y : ys(view.smoothedSeries("a"))) QVERIFY(y > 0);
        view.setLogY(false);
        QCOMPARE(view.rawSeries("a")->count(), 5);
        QCOMPARE(view.droppedForLog(), std::size_t{0});
        QCOMPARE(view.chart()->title(), QString("train/lr"));
    }

    void longSeriesAreDecimatedToThePlotWidth() {
        ScalarChartView view("train/loss");
        view.resize(900, 400);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setRunSeries("a", Qt::blue, lossCurve(100000, 7));
        view.setRunSeries("b", Qt::red, lossCurve(100000, 8, 1.3));
        QCoreApplication::processEvents();
        const int columns = view.plotColumns();
        QVERIFY2(columns > 100 && columns < 900, qPrintable(QString::number(columns)));
        QCOMPARE(columns, static_cast<int>(std::ceil(view.chart()->plotArea().width())));
        for (const char* run : {"a", "b"}) {
            for (QLineSeries* s : {view.rawSeries(run), view.smoothedSeries(run)}) {
                QVERIFY2(s->count() <= 4 * columns, qPrintable(QString::number(s->count())));
                QVERIFY(s->count() >= columns);
                QCOMPARE(s->points().front().x(), 1.0);  // the ends are kept
                QCOMPARE(s->points().back().x(), 100000.0);
            }
        }
        // A narrower plot is redrawn with fewer points.
        view.resize(500, 400);
        QTRY_VERIFY(view.plotColumns() < columns);
        QTRY_VERIFY(view.rawSeries("a")->count() <= 4 * view.plotColumns());
    }

    void aLiveUpdateAppends() {
        ScalarChartView view("train/loss");
        view.resize(800, 400);
        auto pts = lossCurve(300, 9);
        view.setRunSeries("a", Qt::blue, pts);
        QLineSeries* raw = view.rawSeries("a");
        QCOMPARE(raw->count(), 300);
        pts.push_back({301, 1.7e9 + 301, 0.123});
        view.setRunSeries("a", Qt::blue, pts);
        QCOMPARE(view.rawSeries("a"), raw);  // the same line, updated
        QCOMPARE(raw->count(), 301);
        QCOMPARE(raw->points().back(), QPointF(301, 0.123));
        auto* x = qobject_cast<QValueAxis*>(view.chart()->axes(Qt::Horizontal).value(0));
        QVERIFY(x->max() >= 301);
        // A resume cut the curve back: it is replaced, not appended to.
        pts.resize(100);
        view.setRunSeries("a", Qt::blue, pts);
        QCOMPARE(raw->count(), 100);
    }

    void hoverReadoutNamesRunStepAndValue() {
        ScalarChartView view("val/nme");
        view.setRunSeries("a", Qt::blue, {{10, 100.0, 0.5}, {20, 110.0, 0.25}});
        view.setRunSeries("b", Qt::red, {{15, 50.0, 2.0}});
        view.setSmoothing(0.5);
        QCOMPARE(view.readoutAt(19.0), QString("a: step 20, value 0.25, smoothed %1\nb: step 15, value 2, smoothed 2")
                                           .arg(QString::number(runs::smoothEma({0.5, 0.25}, 0.5)[1], 'g', 5)));
        QVERIFY(ScalarChartView("empty").readoutAt(0).isEmpty());
    }

    void relativeTimeAxis() {
        ScalarChartView view("train/loss");
        view.resize(800, 400);
        // Ten minutes of a run that started at t = 1e9 s: minutes on the axis.
        std::vector<ScalarPoint> pts;
        for (int i = 0; i <= 600; i += 60) pts.push_back({i / 60, 1e9 + i, 1.0 + i});
        view.setRunSeries("a", Qt::blue, pts);
        view.setXAxisKind(runs::XAxisKind::RelativeWallTime);
        const QList<QPointF> p = view.rawSeries("a")->points();
        QCOMPARE(p.front().x(), 0.0);
        QCOMPARE(p.back().x(), 10.0);
        auto* x = qobject_cast<QValueAxis*>(view.chart()->axes(Qt::Horizontal).value(0));
        QCOMPARE(x->titleText(), QString("minutes since start"));
        // metrics.csv curves have no wall time: nothing to draw on this axis.
        view.setRunSeries("csv", Qt::red, {{1, std::nan(""), 1.0}});
        QCOMPARE(view.rawSeries("csv")->count(), 0);
        view.setXAxisKind(runs::XAxisKind::Step);
        QCOMPARE(view.rawSeries("a")->points().back().x(), 10.0);  // step 10
        QCOMPARE(x->titleText(), QString("step"));
    }

    void screenshotOfTwoRuns() {
        const QString out = qEnvironmentVariable("SYNTHFORGE_SCALAR_CHART_SCREENSHOT");
        if (out.isEmpty()) return;  // only when asked for
        ScalarChartPanel panel;
        panel.resize(1500, 820);
        for (int r = 0; r < 2; ++r) {
            // Logged every 10 steps, as a run with --log-every 10.
            const int n = r == 0 ? 3000 : 2000;
            std::vector<ScalarPoint> lr, gn;
            for (int i = 1; i <= n; ++i) {
                const int step = 10 * i;
                lr.push_back({step, 1.7e9 + i, 1e-3 * std::min(1.0, step / 1000.0) * std::pow(0.99985, step) * (r ? 0.5 : 1.0)});
                gn.push_back({step, 1.7e9 + i, 2.0 + 1.5 * std::exp(-step / 4000.0) + 0.4 * ((i * 7919) % 100) / 100.0 + 0.5 * r});
            }
            panel.setRun(r == 0 ? "stage1-baseline" : "stage1-lr5e-4", runPaletteColour(r),
                         {{"train/loss", lossCurve(n, 11 + r, 1.0 + 0.3 * r, 10)},
                          {"train/grad_norm", gn},
                          {"train/lr", lr},
                          {"val/nme", lossCurve(n / 50, 21 + r, 0.05, 500)}});
        }
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QTest::qWait(200);
        // The hover readout on the loss chart, a third of the way in.
        ScalarChartView* loss = panel.chart("train/loss");
        const QRectF area = loss->chart()->plotArea();
        QTest::mouseMove(loss->viewport(), area.topLeft().toPoint() + QPoint(int(area.width() / 3), int(area.height() / 2)));
        QTest::qWait(50);
        const QImage img = panel.grab().toImage();
        QVERIFY(img.save(out));
        // Both runs' colours are on screen.
        int seen[2] = {0, 0};
        for (int y = 0; y < img.height(); ++y)
            for (int x = 0; x < img.width(); ++x)
                for (int r = 0; r < 2; ++r)
                    if (img.pixelColor(x, y) == runPaletteColour(r)) ++seen[r];
        QVERIFY2(seen[0] > 100 && seen[1] > 100, qPrintable(QString("%1 %2").arg(seen[0]).arg(seen[1])));
    }
};

QTEST_MAIN(TestScalarChart)
#include "test_scalar_chart.moc"
