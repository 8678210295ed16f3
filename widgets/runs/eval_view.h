#pragma once
// The evaluation view of the run centre: one eval result, or two side by
// side, as `synthforge eval` wrote them (eval.json, read by
// core/train/eval_result_reader.h):
//  - a summary table: images, NME, failure rate and AUC at the result's
//    threshold, the zero-shot "without the contour" NME when there is one,
//    mean foreground F1/IoU and depth L1; with two results a difference
//    column (second minus first, green where the second is better);
//  - the cumulative error distribution of the per-image NMEs (the exact
//    step curve of core/eval/ced_curve.h) with both results overlaid, a
//    legend "name — AUC@t x, failure y" (a label under the chart, which
//    wraps instead of eliding) and a vertical line at t;
//  - the per-class F1/IoU table (EvalClassModel, sortable);
//  - per-subset figures (300-W's common/challenging/full/private) when the
//    results have subsets;
//  - notes: what was evaluated (stage, data, split) and what a zero-shot or
//    Stage II result did not score, and why.
// A file that cannot be shown (missing, corrupt, a newer version) is named
// in a red message at the top; whatever could be read is still shown.

#include <QString>
#include <QVector>
#include <QWidget>

#include "core/train/evaluator.h"

class QChart;
class QChartView;
class QGroupBox;
class QLabel;
class QLineSeries;
class QSortFilterProxyModel;
class QTableView;
class QTableWidget;

namespace synthforge::widgets {

class EvalClassModel;

class EvalView : public QWidget {
    Q_OBJECT
public:
    explicit EvalView(QWidget* parent = nullptr);
    ~EvalView() override;

    /// Shows `a` alone (b null) or `a` and `b` side by side; either may be
    /// null. The view copies what it shows. Clears the error message.
    void setResults(const QString& nameA, const train::EvalResult* a, const QString& nameB = {},
                    const train::EvalResult* b = nullptr);
    /// Reads one or two eval.json files (pathB empty for one; a folder means
    /// its eval.json) and shows them, each named by its folder (the run). Returns false, with the
    /// reason in errorText() and the view's message, when a file could not be
    /// read; the other one is still shown.
    bool loadFiles(const QString& pathA, const QString& pathB = {});
    void clear();

    /// Results shown (0, 1 or 2) and their names.
    int resultCount() const { return results_.size(); }
    QString resultName(int k) const { return results_.at(k).name; }
    /// The red message ("" when everything shown was read).
    QString errorText() const;
    /// The notes under the message: what each result evaluated and what it left out.
    QString notesText() const;

    /// The parts, for tests and for a window that wants to lay them out itself.
    QTableWidget* summaryTable() const { return summary_; }
    QTableView* classTable() const { return classView_; }
    EvalClassModel* classModel() const { return classModel_; }
    QTableWidget* subsetTable() const { return subsets_; }
    QChart* cedChart() const { return chart_; }
    /// The CED curve of result k (null when it has no per-image NME), and
    /// its "without the contour" curve (zero-shot results that have one).
    QLineSeries* cedSeries(int k) const;
    QLineSeries* cedSeriesWithoutContour(int k) const;
    /// The chart's legend (rich text: a swatch and the series' name per curve,
    /// "name — AUC@t x, failure y", and the threshold line).
    QString legendText() const;
    /// The vertical line at the failure threshold (null when no curve).
    QLineSeries* thresholdLine() const { return thresholdLine_; }

    /// Summary rows by what they show, for tests.
    enum class Metric {
        Images, Nme, FailureRate, Auc, NmeNoContour, FailureNoContour, AucNoContour, MeanF1, MeanIoU, DepthL1
    };
    /// The summary row of `m`, or -1 when it is not shown.
    int summaryRow(Metric m) const;

private:
    struct Shown {
        QString name;
        train::EvalResult result;
        QLineSeries* curve = nullptr;
        QLineSeries* curveNoContour = nullptr;
    };

    void showAll();
    void fillSummary();
    void fillChart();
    void fillSubsets();
    void fillNotes();
    void setError(const QString& text);

    QVector<Shown> results_;
    QVector<Metric> summaryRows_;
    QLabel* error_ = nullptr;
    QLabel* notes_ = nullptr;
    QTableWidget* summary_ = nullptr;
    QChart* chart_ = nullptr;
    QChartView* chartView_ = nullptr;
    QLineSeries* thresholdLine_ = nullptr;
    QLabel* legend_ = nullptr;
    EvalClassModel* classModel_ = nullptr;
    QSortFilterProxyModel* classProxy_ = nullptr;
    QTableView* classView_ = nullptr;
    QGroupBox* classBox_ = nullptr;
    QTableWidget* subsets_ = nullptr;
    QGroupBox* subsetBox_ = nullptr;
};

}  // namespace synthforge::widgets
