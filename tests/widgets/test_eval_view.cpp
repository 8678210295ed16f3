// The evaluation view on results built here (and on eval.json files written
// with evalResultToJson): the summary's values and difference signs, the
// per-class table's matching by name and numeric sorting, the CED chart's
// points (their area is the AUC), legend and threshold line, the per-subset
// and zero-shot parts, and the message for a file that cannot be shown.
// With SYNTHFORGE_EVAL_VIEW_SCREENSHOT set, two comparisons are saved there
// (the path, and the path with "_300w" before the extension).

#include <QAbstractAxis>
#include <QChart>
#include <QDir>
#include <QFile>
#include <QGroupBox>
#include <QLabel>
#include <QLineSeries>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QValueAxis>

#include <cmath>
#include <limits>
#include <random>

#include "core/eval/ced_curve.h"
#include "core/eval/landmark_metrics.h"
#include "core/train/evaluator.h"
#include "widgets/runs/eval_class_model.h"
#include "widgets/runs/eval_view.h"

using namespace synthforge;
using namespace synthforge::widgets;
using Metric = EvalView::Metric;
using Column = EvalClassModel::Column;

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

/// Log-normal per-image NMEs around `median`, with the statistics eval computes.
void putNmes(train::EvalResult& r, unsigned seed, double median, int count) {
    std::mt19937 rng(seed);
    std::lognormal_distribution<double> dist(std::log(median), 0.45);
    r.nmePerImage.clear();
    double sum = 0;
    for (int k = 0; k < count; ++k) {
        r.nmePerImage.push_back(dist(rng));
        sum += r.nmePerImage.back();
    }
    r.samples = count;
    r.nmeMean = sum / count;
    r.failureRate = eval::failureRate(r.nmePerImage, r.failureThreshold);
    r.auc = eval::cedAuc(r.nmePerImage, r.failureThreshold);
}

train::ClassEval cls(int id, const char* name, double f1, double iou) {
    return {id, name, f1, f1, f1, iou, 1000u * static_cast<unsigned>(id + 1), 990u * static_cast<unsigned>(id + 1)};
}

/// Two Stage I runs on our data: B lands better (lower NME) but with a worse depth.
train::EvalResult stageOneA() {
    train::EvalResult r;
    r.weights = "runs/small/final.safetensors";
    r.data = "data/faces";
    r.preset = "small";
    r.size = 128;
    r.split = "val";
    r.firstSample = 900;
    putNmes(r, 1, 0.055, 300);
    r.classes = {cls(0, "background", 0.97, 0.94),        cls(1, "skin", 0.90, 0.82),     cls(2, "nose", 0.86, 0.75),
                 cls(3, "right_eye", 0.70, 0.54),         cls(4, "left_eye", 0.72, 0.56), cls(5, "hair", 0.84, 0.72),
                 {6, "hat", kNaN, kNaN, kNaN, kNaN, 0, 0}};
    r.meanF1 = 0.804;
    r.meanIoU = 0.678;
    r.foregroundCounted = 5;
    r.depthL1 = 0.01234;
    r.facePixels = 5000;
    return r;
}

train::EvalResult stageOneB() {
    train::EvalResult r = stageOneA();
    r.weights = "runs/large/final.safetensors";
    r.preset = "large";
    putNmes(r, 2, 0.042, 300);
    r.classes = {cls(0, "background", 0.98, 0.96), cls(1, "skin", 0.93, 0.87),     cls(2, "nose", 0.85, 0.74),
                 cls(3, "right_eye", 0.78, 0.64),  cls(4, "left_eye", 0.80, 0.66), cls(5, "hair", 0.86, 0.75),
                 cls(6, "glasses", 0.60, 0.43)};
    r.meanF1 = 0.844;
    r.meanIoU = 0.725;
    r.depthL1 = 0.01420;
    return r;
}

train::SubsetNme subset(const char* name, const std::vector<double>& v, double t) {
    double sum = 0;
    for (double e : v) sum += e;
    return {name, static_cast<int64_t>(v.size()), sum / v.size(), eval::failureRate(v, t), eval::cedAuc(v, t)};
}

/// 300-W test set: 554 common + 135 challenging images.
void putSubsets(train::EvalResult& r, std::vector<train::SubsetNme>& out, const std::vector<double>& nmes) {
    const std::vector<double> common(nmes.begin(), nmes.begin() + 554);
    const std::vector<double> challenging(nmes.begin() + 554, nmes.end());
    out = {subset("common", common, r.failureThreshold), subset("challenging", challenging, r.failureThreshold),
           subset("full", nmes, r.failureThreshold)};
}

train::EvalResult zeroShot300w() {
    train::EvalResult r;
    r.weights = "runs/small/final.safetensors";
    r.data = "benchmarks/300w";
    r.preset = "small";
    r.datasetFormat = "300w";
    r.size = 256;
    r.split = "test";
    r.zeroShot = true;
    putNmes(r, 3, 0.075, 689);
    putSubsets(r, r.nmeSubsets, r.nmePerImage);
    train::ZeroShotReport& z = r.zeroShotReport;
    z.landmarks.scored = true;
    z.landmarks.to = "ibug-68";
    z.landmarks.note = "our 17 contour points follow the visible jaw, 300-W's the 2D outline";
    z.landmarks.agreeingFirst = 17;
    z.landmarks.agreeingLast = 67;
    z.landmarks.agreeingLabel = "inner 51 points";
    train::EvalResult inner;
    inner.failureThreshold = r.failureThreshold;
    putNmes(inner, 4, 0.06, 689);
    z.agreeingNmePerImage = inner.nmePerImage;
    z.agreeingNmeMean = inner.nmeMean;
    z.agreeingFailureRate = inner.failureRate;
    z.agreeingAuc = inner.auc;
    putSubsets(r, z.agreeingSubsets, inner.nmePerImage);
    z.classes.scored = false;
    z.classes.note = "300-W has no segmentation labels";
    r.meanF1 = r.meanIoU = kNaN;
    r.depthL1 = kNaN;
    return r;
}

train::EvalResult stageTwo300w() {
    train::EvalResult r = zeroShot300w();
    r.zeroShot = false;
    r.zeroShotReport = {};
    r.stage = "II";
    r.weights = "runs/ft300w/final.safetensors";
    r.splitRule = "trainset/helen+lfpw train, 5% held out";
    putNmes(r, 5, 0.045, 689);
    putSubsets(r, r.nmeSubsets, r.nmePerImage);
    return r;
}

QString text(QTableWidget* t, int row, int col) {
    const QTableWidgetItem* item = t->item(row, col);
    return item ? item->text() : QStringLiteral("<none>");
}

/// Area under a polyline from x = 0 to x = t (the part beyond t clipped off).
double areaUpTo(const QList<QPointF>& pts, double t) {
    double area = 0;
    for (int k = 1; k < pts.size(); ++k) {
        const QPointF a = pts[k - 1];
        QPointF b = pts[k];
        if (a.x() >= t) break;
        if (b.x() > t) b = QPointF(t, a.y() + (b.y() - a.y()) * (t - a.x()) / (b.x() - a.x()));
        area += (b.x() - a.x()) * 0.5 * (a.y() + b.y());
    }
    return area;
}

bool writeFile(const QString& path, const QByteArray& bytes) {
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

QByteArray json(const train::EvalResult& r) { return QByteArray::fromStdString(train::evalResultToJson(r)); }

}  // namespace

class TestEvalView : public QObject {
    Q_OBJECT
private slots:
    void summaryShowsValuesAndSignedDifferences() {
        const train::EvalResult a = stageOneA(), b = stageOneB();
        EvalView view;
        view.setResults("small", &a, "large", &b);
        QTableWidget* t = view.summaryTable();
        QCOMPARE(t->columnCount(), 3);
        QCOMPARE(t->horizontalHeaderItem(2)->text(), QStringLiteral("\u0394 (large \u2212 small)"));
        const int nme = view.summaryRow(Metric::Nme);
        QCOMPARE(text(t, nme, 0), QString::number(a.nmeMean, 'f', 4));
        QCOMPARE(text(t, nme, 1), QString::number(b.nmeMean, 'f', 4));
        QCOMPARE(text(t, nme, 2), QString::number(b.nmeMean - a.nmeMean, 'f', 4));
        QVERIFY(text(t, nme, 2).startsWith('-'));
        QCOMPARE(t->item(nme, 2)->foreground().color(), QColor(0, 128, 0));  // lower NME: better
        const int auc = view.summaryRow(Metric::Auc);
        QCOMPARE(t->verticalHeaderItem(auc)->text(), QStringLiteral("AUC @0.08"));
        QCOMPARE(text(t, auc, 0), QString::number(a.auc, 'f', 4));
        QVERIFY(text(t, auc, 2).startsWith('+'));
        QCOMPARE(t->item(auc, 2)->foreground().color(), QColor(0, 128, 0));
        const int fail = view.summaryRow(Metric::FailureRate);
        QCOMPARE(text(t, fail, 1), QString::number(b.failureRate, 'f', 4));
        QVERIFY(b.failureRate < a.failureRate);
        QVERIFY(text(t, fail, 2).startsWith('-'));
        const int depth = view.summaryRow(Metric::DepthL1);
        QCOMPARE(text(t, depth, 0), QStringLiteral("0.01234"));
        QCOMPARE(text(t, depth, 2), QStringLiteral("+0.00186"));
        QCOMPARE(t->item(depth, 2)->foreground().color(), QColor(192, 0, 0));  // higher depth error: worse
        QCOMPARE(text(t, view.summaryRow(Metric::MeanF1), 2), QStringLiteral("+0.0400"));
        QCOMPARE(text(t, view.summaryRow(Metric::Images), 0), QStringLiteral("300"));
        QCOMPARE(view.summaryRow(Metric::NmeNoContour), -1);  // no zero-shot result
        QVERIFY(view.errorText().isEmpty());
        QVERIFY(view.notesText().contains("Stage I (preset large)"));

        // One result: no difference column.
        view.setResults("small", &a);
        QCOMPARE(view.summaryTable()->columnCount(), 1);
        QCOMPARE(view.resultCount(), 1);
    }

    void classTableMatchesByNameAndSortsNumerically() {
        const train::EvalResult a = stageOneA(), b = stageOneB();
        EvalView view;
        view.setResults("small", &a, "large", &b);
        EvalClassModel* m = view.classModel();
        QCOMPARE(m->rowCount(), 8);  // 7 of A + "glasses" of B
        QCOMPARE(m->columnCount(), 8);
        const int f1a = m->columnOf(Column::F1A), f1b = m->columnOf(Column::F1B), df1 = m->columnOf(Column::F1Delta);
        const int diou = m->columnOf(Column::IoUDelta);
        QCOMPARE(m->headerData(f1b, Qt::Horizontal, Qt::DisplayRole).toString(), QStringLiteral("F1 large"));
        auto rowOf = [m](const QString& name) {
            for (int r = 0; r < m->rowCount(); ++r)
                if (m->index(r, 1).data().toString() == name) return r;
            return -1;
        };
        const int skin = rowOf("skin");
        QCOMPARE(m->index(skin, f1a).data().toString(), QStringLiteral("0.9000"));
        QCOMPARE(m->index(skin, f1b).data().toString(), QStringLiteral("0.9300"));
        QCOMPARE(m->index(skin, df1).data().toString(), QStringLiteral("+0.0300"));
        QCOMPARE(m->index(skin, df1).data(Qt::ForegroundRole).value<QBrush>().color(), QColor(0, 128, 0));
        const int nose = rowOf("nose");
        QCOMPARE(m->index(nose, diou).data().toString(), QStringLiteral("-0.0100"));
        QCOMPARE(m->index(nose, diou).data(Qt::ForegroundRole).value<QBrush>().color(), QColor(192, 0, 0));
        const int glasses = rowOf("glasses");
        QCOMPARE(m->index(glasses, f1a).data().toString(), QStringLiteral("-"));  // A has no such class
        QCOMPARE(m->index(glasses, df1).data().toString(), QStringLiteral("-"));
        QCOMPARE(m->index(rowOf("hat"), f1a).data().toString(), QStringLiteral("-"));  // A's NaN

        // Sorted by the F1 difference: eyes gained most; classes without a
        // difference (hat, glasses) last in both orders.
        QTableView* v = view.classTable();
        QAbstractItemModel* shown = v->model();
        v->sortByColumn(df1, Qt::DescendingOrder);
        QCOMPARE(shown->index(0, 1).data().toString(), QStringLiteral("right_eye"));
        QCOMPARE(shown->index(1, 1).data().toString(), QStringLiteral("left_eye"));
        QCOMPARE(shown->index(5, 1).data().toString(), QStringLiteral("nose"));  // the only loss
        QCOMPARE(shown->index(6, df1).data().toString(), QStringLiteral("-"));
        QCOMPARE(shown->index(7, df1).data().toString(), QStringLiteral("-"));
        v->sortByColumn(df1, Qt::AscendingOrder);
        QCOMPARE(shown->index(0, 1).data().toString(), QStringLiteral("nose"));
        QCOMPARE(shown->index(7, df1).data().toString(), QStringLiteral("-"));
        v->sortByColumn(f1b, Qt::DescendingOrder);
        QCOMPARE(shown->index(0, 1).data().toString(), QStringLiteral("background"));
        QCOMPARE(shown->index(7, 1).data().toString(), QStringLiteral("hat"));

        // One result: precision, recall and pixels instead of differences.
        view.setResults("small", &a);
        QCOMPARE(m->columnCount(), 7);
        QCOMPARE(m->columnOf(Column::F1Delta), -1);
        QCOMPARE(m->index(1, m->columnOf(Column::GtPixelsA)).data().toString(), QStringLiteral("2000"));
    }

    void cedChartIsTheExactCurve() {
        const train::EvalResult a = stageOneA(), b = stageOneB();
        EvalView view;
        view.setResults("small", &a, "large", &b);
        QChart* chart = view.cedChart();
        const auto* x = qobject_cast<QValueAxis*>(chart->axes(Qt::Horizontal).value(0));
        QVERIFY(x);
        QCOMPARE(x->min(), 0.0);
        QCOMPARE(x->max(), 0.16);
        const train::EvalResult* results[2] = {&a, &b};
        for (int k = 0; k < 2; ++k) {
            QLineSeries* s = view.cedSeries(k);
            QVERIFY(s);
            const QList<QPointF> pts = s->points();
            const std::vector<eval::CedPoint> want = eval::cedCurve(results[k]->nmePerImage, 0.16);
            QCOMPARE(pts.size(), static_cast<qsizetype>(want.size()));
            for (int i = 0; i < pts.size(); ++i) {
                QCOMPARE(pts[i].x(), want[i].error);
                QCOMPARE(pts[i].y(), want[i].fraction);
            }
            QVERIFY(std::abs(areaUpTo(pts, 0.08) / 0.08 - results[k]->auc) < 1e-12);
            QCOMPARE(s->name(), QStringLiteral("%1 \u2014 AUC@0.08 %2, failure %3")
                                    .arg(k == 0 ? "small" : "large")
                                    .arg(results[k]->auc, 0, 'f', 4)
                                    .arg(results[k]->failureRate, 0, 'f', 4));
            QVERIFY(view.legendText().contains(s->name().toHtmlEscaped().replace(' ', "&nbsp;")));
            QVERIFY(!view.cedSeriesWithoutContour(k));
        }
        QVERIFY(view.cedSeries(0)->pen().color() != view.cedSeries(1)->pen().color());
        QLineSeries* line = view.thresholdLine();
        QVERIFY(line);
        QCOMPARE(line->points(), (QList<QPointF>{{0.08, 0.0}, {0.08, 1.0}}));

        // No landmarks: no curve, a title that says so, "-" for NME.
        train::EvalResult none = stageOneA();
        none.numLandmarks = 0;
        none.nmePerImage.assign(3, kNaN);
        none.nmeMean = none.failureRate = none.auc = kNaN;
        view.setResults("seg-only", &none);
        QVERIFY(!view.cedSeries(0));
        QVERIFY(!view.thresholdLine());
        QCOMPARE(chart->title(), QStringLiteral("No per-image landmark errors to plot"));
        QCOMPARE(text(view.summaryTable(), view.summaryRow(Metric::Nme), 0), QStringLiteral("-"));
        QVERIFY(view.notesText().contains("no landmark head"));
    }

    void zeroShotAndStageTwoOn300w() {
        const train::EvalResult zs = zeroShot300w(), ft = stageTwo300w();
        EvalView view;
        view.setResults("zero-shot", &zs, "finetuned", &ft);
        QTableWidget* t = view.summaryTable();
        const int nc = view.summaryRow(Metric::NmeNoContour);
        QVERIFY(nc >= 0);
        QCOMPARE(text(t, nc, 0), QString::number(zs.zeroShotReport.agreeingNmeMean, 'f', 4));
        QCOMPARE(text(t, nc, 1), QStringLiteral("-"));  // Stage II has no such figure
        QCOMPARE(text(t, nc, 2), QStringLiteral("-"));
        QCOMPARE(text(t, view.summaryRow(Metric::DepthL1), 0), QStringLiteral("-"));
        QCOMPARE(text(t, view.summaryRow(Metric::MeanF1), 1), QStringLiteral("-"));

        QTableWidget* s = view.subsetTable();
        QVERIFY(s->parentWidget()->isVisibleTo(&view));
        QCOMPARE(s->rowCount(), 6);
        QCOMPARE(s->columnCount(), 11);
        QCOMPARE(text(s, 0, 0), QStringLiteral("common"));
        QCOMPARE(text(s, 2, 0), QStringLiteral("full"));
        QCOMPARE(text(s, 2, 1), QString::number(zs.nmeSubsets[2].nmeMean, 'f', 4));
        QCOMPARE(text(s, 1, 4), QStringLiteral("135"));
        QCOMPARE(text(s, 2, 5), QString::number(ft.nmeSubsets[2].nmeMean, 'f', 4));
        QCOMPARE(text(s, 2, 9), QString::number(ft.nmeSubsets[2].nmeMean - zs.nmeSubsets[2].nmeMean, 'f', 4));
        QVERIFY(text(s, 2, 9).startsWith('-'));
        QCOMPARE(text(s, 3, 0), QStringLiteral("common without contour"));
        QCOMPARE(text(s, 3, 5), QStringLiteral("-"));

        QLineSeries* inner = view.cedSeriesWithoutContour(0);
        QVERIFY(inner);
        QCOMPARE(inner->pen().style(), Qt::DashLine);
        QVERIFY(std::abs(areaUpTo(inner->points(), 0.08) / 0.08 - zs.zeroShotReport.agreeingAuc) < 1e-12);
        QVERIFY(inner->name().startsWith("zero-shot without contour \u2014 AUC@0.08 "));
        QVERIFY(!view.cedSeriesWithoutContour(1));

        QVERIFY(!view.classTable()->parentWidget()->isVisibleTo(&view));  // 300-W has no classes
        const QString notes = view.notesText();
        QVERIFY(notes.contains("zero-shot on 300w"));
        QVERIFY(notes.contains("classes not scored: 300-W has no segmentation labels"));
        QVERIFY(notes.contains("Stage II 300w heads"));
        QVERIFY(notes.contains("depth not scored"));
    }

    void zeroShotWithoutLandmarksAndOtherThresholds() {
        // CelebAMask-HQ zero-shot: no landmarks, classes scored with one unmapped.
        train::EvalResult celeba = stageOneA();
        celeba.zeroShot = true;
        celeba.datasetFormat = "celebamask-hq";
        celeba.numLandmarks = 0;
        celeba.nmePerImage.assign(4, kNaN);
        celeba.nmeMean = celeba.failureRate = celeba.auc = kNaN;
        celeba.depthL1 = kNaN;
        celeba.zeroShotReport.landmarks.scored = false;
        celeba.zeroShotReport.landmarks.note = "CelebAMask-HQ has no landmarks";
        celeba.zeroShotReport.classes.scored = true;
        celeba.zeroShotReport.classes.unmapped = {{6, "hat", "no class of ours is a hat"}};
        EvalView view;
        view.setResults("celeba", &celeba);
        QVERIFY(!view.cedSeries(0));
        QVERIFY(view.notesText().contains("landmarks not scored: CelebAMask-HQ has no landmarks"));
        QVERIFY(view.notesText().contains("unmapped classes, left out of the means: hat (no class of ours is a hat)"));
        QVERIFY(view.classTable()->parentWidget()->isVisibleTo(&view));
        QCOMPARE(view.classModel()->rowCount(), 7);

        // Results scored at different thresholds: each value names its own, no difference.
        const train::EvalResult a = stageOneA();
        train::EvalResult wflw = stageOneB();
        wflw.failureThreshold = 0.1;
        putNmes(wflw, 2, 0.042, 300);
        view.setResults("small", &a, "wflw", &wflw);
        QTableWidget* t = view.summaryTable();
        const int fail = view.summaryRow(Metric::FailureRate);
        QCOMPARE(t->verticalHeaderItem(fail)->text(), QStringLiteral("failure rate"));
        QCOMPARE(text(t, fail, 1), QString::number(wflw.failureRate, 'f', 4) + " @0.1");
        QCOMPARE(text(t, fail, 2), QStringLiteral("-"));
        QVERIFY(text(t, view.summaryRow(Metric::Nme), 2).startsWith('-'));  // NME needs no threshold
        QVERIFY(view.cedSeries(1)->name().startsWith("wflw \u2014 AUC@0.1 "));
    }

    void filesAndTheirErrors() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString a = dir.filePath("small/eval.json"), b = dir.filePath("large/eval.json");
        QVERIFY(writeFile(a, json(stageOneA())));
        QVERIFY(writeFile(b, json(stageOneB())));
        EvalView view;
        QVERIFY(view.loadFiles(a, b));
        QCOMPARE(view.resultCount(), 2);
        QCOMPARE(view.resultName(0), QStringLiteral("small"));
        QCOMPARE(view.resultName(1), QStringLiteral("large"));
        QVERIFY(view.errorText().isEmpty());
        QCOMPARE(text(view.summaryTable(), view.summaryRow(Metric::Auc), 1), QString::number(stageOneB().auc, 'f', 4));
        QVERIFY(view.loadFiles(dir.filePath("large")));  // a run folder: its eval.json
        QCOMPARE(view.resultName(0), QStringLiteral("large"));

        // Corrupt second file: the first is still shown, the message names the file.
        const QString bad = dir.filePath("broken/eval.json");
        QVERIFY(writeFile(bad, QByteArray("{\"format\": \"synthforge-eval\", \"version\": 1, \"weights\": ")));
        QVERIFY(!view.loadFiles(a, bad));
        QCOMPARE(view.resultCount(), 1);
        QVERIFY(view.errorText().startsWith("Cannot show " + QDir::toNativeSeparators(bad) + ": "));
        QVERIFY(view.errorText().contains("not valid JSON"));
        auto* banner = view.findChild<QLabel*>();
        QVERIFY(banner && banner->text() == view.errorText());
        QVERIFY(banner->isVisibleTo(&view));
        QCOMPARE(view.classModel()->rowCount(), 7);

        // A newer version, a missing field, a missing file.
        QByteArray newer = json(stageOneA());
        newer.replace("\"version\": 1", "\"version\": 3");
        QVERIFY(writeFile(bad, newer));
        QVERIFY(!view.loadFiles(bad));
        QVERIFY(view.errorText().contains("version: 3 is newer than this build reads (1)"));
        QCOMPARE(view.resultCount(), 0);
        QCOMPARE(view.summaryTable()->rowCount(), 0);
        QByteArray noClasses = json(stageOneA());
        noClasses.replace("\"classes\"", "\"klasses\"");
        QVERIFY(writeFile(bad, noClasses));
        QVERIFY(!view.loadFiles(bad));
        QVERIFY(view.errorText().endsWith("eval.json: classes: missing"));
        QVERIFY(!view.loadFiles(dir.filePath("nowhere/eval.json")));
        QVERIFY(view.errorText().contains("cannot open"));

        // A good load clears the message.
        QVERIFY(view.loadFiles(a));
        QVERIFY(view.errorText().isEmpty());
        QVERIFY(!banner->isVisibleTo(&view));
    }

    void screenshot() {
        QTemporaryDir dir;
        QString out = qEnvironmentVariable("SYNTHFORGE_EVAL_VIEW_SCREENSHOT");
        if (out.isEmpty()) out = dir.filePath("eval_view.png");
        const train::EvalResult a = stageOneA(), b = stageOneB();
        EvalView view;
        view.resize(1500, 950);
        view.setResults("small", &a, "large", &b);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QVERIFY(view.grab().save(out));
        QCOMPARE(QImage(out).size(), QSize(1500, 950));

        const train::EvalResult zs = zeroShot300w(), ft = stageTwo300w();
        view.setResults("zero-shot", &zs, "finetuned", &ft);
        QTest::qWait(100);  // layouts and the chart's legend update from the event loop
        QString out300w = out;
        out300w.insert(out.lastIndexOf('.'), "_300w");
        QVERIFY(view.grab().save(out300w));
    }
};

QTEST_MAIN(TestEvalView)
#include "test_eval_view.moc"
