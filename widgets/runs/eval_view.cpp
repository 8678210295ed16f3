#include "widgets/runs/eval_view.h"

#include <QBrush>
#include <QChart>
#include <QChartView>
#include <QDir>
#include <QFileInfo>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineSeries>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QValueAxis>

#include <cmath>
#include <exception>
#include <limits>

#include "core/eval/ced_curve.h"
#include "core/train/eval_result_reader.h"
#include "widgets/runs/eval_class_model.h"

namespace synthforge::widgets {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// The two results' colours (matplotlib's first two, familiar from TensorBoard plots).
QColor runColour(int k) { return k == 0 ? QColor(31, 119, 180) : QColor(255, 127, 14); }

QString fixed(double v, int decimals = 4) {
    return std::isfinite(v) ? QString::number(v, 'f', decimals) : QStringLiteral("-");
}

QString signedFixed(double v, int decimals = 4) {
    if (!std::isfinite(v)) return QStringLiteral("-");
    return (v > 0 ? QStringLiteral("+") : QString()) + QString::number(v, 'f', decimals);
}

QString thresholdText(double t) { return QString::number(t, 'g', 3); }

/// Per-image NMEs a CED can be drawn from: some, none negative or NaN.
bool drawable(const std::vector<double>& nmes) {
    if (nmes.empty()) return false;
    for (double e : nmes)
        if (!(e >= 0.0) || !std::isfinite(e)) return false;
    return true;
}

QTableWidgetItem* cell(const QString& text, Qt::Alignment align = Qt::AlignRight | Qt::AlignVCenter) {
    auto* item = new QTableWidgetItem(text);
    item->setTextAlignment(align);
    item->setFlags(Qt::ItemIsSelectable | Qt::ItemIsEnabled);
    return item;
}

/// A difference cell: green when the second result is better, red when worse.
QTableWidgetItem* deltaCell(double d, bool lowerIsBetter, int decimals = 4) {
    QTableWidgetItem* item = cell(signedFixed(d, decimals));
    if (std::isfinite(d) && d != 0.0) {
        const bool better = lowerIsBetter ? d < 0 : d > 0;
        item->setForeground(QBrush(better ? QColor(0, 128, 0) : QColor(192, 0, 0)));
    }
    return item;
}

QTableWidget* makeTable(QWidget* parent) {
    auto* t = new QTableWidget(parent);
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    t->setSelectionBehavior(QAbstractItemView::SelectRows);
    t->setAlternatingRowColors(true);
    t->verticalHeader()->setDefaultSectionSize(t->fontMetrics().height() + 6);
    return t;
}

QGroupBox* boxed(const QString& title, QWidget* inner, QWidget* parent) {
    auto* box = new QGroupBox(title, parent);
    auto* l = new QVBoxLayout(box);
    l->setContentsMargins(4, 4, 4, 4);
    l->addWidget(inner);
    return box;
}

}  // namespace

EvalView::EvalView(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    error_ = new QLabel(this);
    error_->setTextFormat(Qt::PlainText);
    error_->setWordWrap(true);
    error_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    error_->setStyleSheet(
        QStringLiteral("QLabel { background: #fdecea; color: #a00000; border: 1px solid #e0a0a0; padding: 6px; }"));
    error_->hide();
    layout->addWidget(error_);
    notes_ = new QLabel(this);
    notes_->setTextFormat(Qt::RichText);
    notes_->setWordWrap(true);
    notes_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(notes_);

    summary_ = makeTable(this);
    chart_ = new QChart;
    chart_->setMargins(QMargins(4, 4, 4, 4));
    // Qt Charts' legend lays long labels side by side and elides them (the
    // "name — AUC@t x, failure y" labels are long); a label below the chart
    // wraps between entries instead.
    chart_->legend()->hide();
    chartView_ = new QChartView(chart_, this);  // owns the chart
    chartView_->setRenderHint(QPainter::Antialiasing);
    chartView_->setMinimumSize(360, 280);
    legend_ = new QLabel(this);
    legend_->setTextFormat(Qt::RichText);
    legend_->setWordWrap(true);
    legend_->setAlignment(Qt::AlignHCenter);
    legend_->setTextInteractionFlags(Qt::TextSelectableByMouse);

    classModel_ = new EvalClassModel(this);
    classProxy_ = new EvalClassSortProxy(this);
    classProxy_->setSourceModel(classModel_);
    classView_ = new QTableView(this);
    classView_->setModel(classProxy_);
    classView_->setSortingEnabled(true);
    classView_->sortByColumn(0, Qt::AscendingOrder);
    classView_->setAlternatingRowColors(true);
    classView_->setSelectionBehavior(QAbstractItemView::SelectRows);
    classView_->verticalHeader()->hide();
    classView_->verticalHeader()->setDefaultSectionSize(classView_->fontMetrics().height() + 6);
    subsets_ = makeTable(this);
    subsets_->verticalHeader()->hide();

    auto* top = new QSplitter(Qt::Horizontal);
    top->addWidget(boxed(tr("Summary"), summary_, top));
    QGroupBox* cedBox = boxed(tr("Cumulative error distribution (NME)"), chartView_, top);
    cedBox->layout()->addWidget(legend_);
    top->addWidget(cedBox);
    top->setStretchFactor(0, 0);
    top->setStretchFactor(1, 1);
    auto* bottom = new QSplitter(Qt::Horizontal);
    classBox_ = boxed(tr("Per-class segmentation"), classView_, bottom);
    subsetBox_ = boxed(tr("Landmarks per subset"), subsets_, bottom);
    bottom->addWidget(classBox_);
    bottom->addWidget(subsetBox_);
    bottom->setStretchFactor(0, 3);
    bottom->setStretchFactor(1, 2);
    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(top);
    split->addWidget(bottom);
    layout->addWidget(split, 1);
    showAll();
}

EvalView::~EvalView() = default;

QString EvalView::errorText() const { return error_->text(); }

QString EvalView::notesText() const { return notes_->text(); }

QString EvalView::legendText() const { return legend_->text(); }

QLineSeries* EvalView::cedSeries(int k) const { return k < results_.size() ? results_[k].curve : nullptr; }

QLineSeries* EvalView::cedSeriesWithoutContour(int k) const {
    return k < results_.size() ? results_[k].curveNoContour : nullptr;
}

int EvalView::summaryRow(Metric m) const { return static_cast<int>(summaryRows_.indexOf(m)); }

void EvalView::setError(const QString& text) {
    error_->setText(text);
    error_->setVisible(!text.isEmpty());
}

void EvalView::clear() { setResults({}, nullptr, {}, nullptr); }

void EvalView::setResults(const QString& nameA, const train::EvalResult* a, const QString& nameB,
                          const train::EvalResult* b) {
    results_.clear();
    if (a) results_.push_back({nameA, *a});
    if (b) results_.push_back({nameB, *b});
    setError({});
    showAll();
}

bool EvalView::loadFiles(const QString& pathA, const QString& pathB) {
    results_.clear();
    QStringList errors;
    for (QString path : {pathA, pathB}) {
        if (path.isEmpty()) continue;
        // A run folder stands for the eval.json that `synthforge eval` writes into it.
        if (QFileInfo(path).isDir()) path = QDir(path).filePath(QStringLiteral("eval.json"));
        // eval.json lies in its run's folder by default: the folder names the run.
        QString name = QFileInfo(path).absoluteDir().dirName();
        if (!results_.isEmpty() && results_.front().name == name) name += QStringLiteral(" [2]");
        try {
            results_.push_back({name, train::readEvalResultFile(QFile::encodeName(path).toStdString())});
        } catch (const std::exception& e) {
            errors << tr("Cannot show %1: %2").arg(QDir::toNativeSeparators(path), QString::fromLocal8Bit(e.what()));
        }
    }
    setError(errors.join(QLatin1Char('\n')));
    showAll();
    return errors.isEmpty();
}

void EvalView::showAll() {
    if (results_.size() == 2)
        classModel_->setResults(results_[0].name, &results_[0].result, results_[1].name, &results_[1].result);
    else if (results_.size() == 1)
        classModel_->setResults(results_[0].name, &results_[0].result, {}, nullptr);
    else
        classModel_->clear();
    classView_->resizeColumnsToContents();
    bool anyClasses = false;
    for (const Shown& s : results_) anyClasses = anyClasses || !s.result.classes.empty();
    classBox_->setVisible(anyClasses || results_.isEmpty());
    fillSummary();
    fillChart();
    fillSubsets();
    fillNotes();
}

void EvalView::fillSummary() {
    const int n = results_.size();
    bool noContour = false, sameThreshold = true;
    for (const Shown& s : results_) {
        noContour = noContour || !s.result.zeroShotReport.agreeingNmePerImage.empty();
        sameThreshold = sameThreshold && s.result.failureThreshold == results_.front().result.failureThreshold;
    }
    using M = Metric;
    summaryRows_ = {M::Images, M::Nme, M::FailureRate, M::Auc};
    if (noContour) summaryRows_ += {M::NmeNoContour, M::FailureNoContour, M::AucNoContour};
    summaryRows_ += {M::MeanF1, M::MeanIoU, M::DepthL1};

    summary_->clear();
    summary_->setColumnCount(n == 2 ? 3 : n);
    summary_->setRowCount(n == 0 ? 0 : summaryRows_.size());
    QStringList columns;
    for (const Shown& s : results_) columns << s.name;
    if (n == 2) columns << QStringLiteral("\u0394 (%1 \u2212 %2)").arg(results_[1].name, results_[0].name);
    summary_->setHorizontalHeaderLabels(columns);
    summary_->setMinimumWidth(0);
    summary_->setMaximumWidth(QWIDGETSIZE_MAX);
    if (n == 0) return;

    const QString at =
        sameThreshold ? QStringLiteral(" @%1").arg(thresholdText(results_[0].result.failureThreshold)) : QString();
    QStringList labels;
    for (int row = 0; row < summaryRows_.size(); ++row) {
        const M m = summaryRows_[row];
        QString label;
        bool lowerIsBetter = false, integer = false;
        auto value = [m](const train::EvalResult& r) -> double {
            const train::ZeroShotReport& z = r.zeroShotReport;
            const bool lm = r.numLandmarks > 0;
            const bool nc = !z.agreeingNmePerImage.empty();
            switch (m) {
                case M::Images: return static_cast<double>(r.samples);
                case M::Nme: return lm ? r.nmeMean : kNaN;
                case M::FailureRate: return lm ? r.failureRate : kNaN;
                case M::Auc: return lm ? r.auc : kNaN;
                case M::NmeNoContour: return nc ? z.agreeingNmeMean : kNaN;
                case M::FailureNoContour: return nc ? z.agreeingFailureRate : kNaN;
                case M::AucNoContour: return nc ? z.agreeingAuc : kNaN;
                case M::MeanF1: return r.classes.empty() ? kNaN : r.meanF1;
                case M::MeanIoU: return r.classes.empty() ? kNaN : r.meanIoU;
                case M::DepthL1: return r.depthL1;
            }
            return kNaN;
        };
        switch (m) {
            case M::Images: label = tr("images"), integer = true; break;
            case M::Nme: label = tr("NME (mean)"), lowerIsBetter = true; break;
            case M::FailureRate: label = tr("failure rate") + at, lowerIsBetter = true; break;
            case M::Auc: label = tr("AUC") + at; break;
            case M::NmeNoContour: label = tr("NME without contour"), lowerIsBetter = true; break;
            case M::FailureNoContour: label = tr("failure without contour") + at, lowerIsBetter = true; break;
            case M::AucNoContour: label = tr("AUC without contour") + at; break;
            case M::MeanF1: label = tr("mean F1 (foreground)"); break;
            case M::MeanIoU: label = tr("mean IoU (foreground)"); break;
            case M::DepthL1: label = tr("depth L1 (face)"), lowerIsBetter = true; break;
        }
        labels << label;
        const int decimals = m == M::DepthL1 ? 5 : 4;
        double v[2] = {kNaN, kNaN};
        for (int k = 0; k < n; ++k) {
            const train::EvalResult& r = results_[k].result;
            v[k] = value(r);
            QString text = integer ? QString::number(r.samples) : fixed(v[k], decimals);
            // Thresholds that differ are shown with each value.
            if (!sameThreshold && std::isfinite(v[k]) &&
                (m == M::FailureRate || m == M::Auc || m == M::FailureNoContour || m == M::AucNoContour))
                text += QStringLiteral(" @%1").arg(thresholdText(r.failureThreshold));
            summary_->setItem(row, k, cell(text));
        }
        if (n == 2) {
            const bool comparable = sameThreshold || !(m == M::FailureRate || m == M::Auc || m == M::FailureNoContour ||
                                                       m == M::AucNoContour);
            const double d = comparable ? v[1] - v[0] : kNaN;
            summary_->setItem(row, 2, integer ? cell(signedFixed(d, 0)) : deltaCell(d, lowerIsBetter, decimals));
        }
    }
    summary_->setVerticalHeaderLabels(labels);
    summary_->resizeColumnsToContents();
    summary_->setCurrentItem(nullptr);  // no focus frame on the first cell
    // Wide enough for every column: the splitter then gives the chart the rest.
    int width = summary_->verticalHeader()->sizeHint().width() + 2 * summary_->frameWidth() + 4;
    for (int c = 0; c < summary_->columnCount(); ++c) width += summary_->columnWidth(c);
    summary_->setMinimumWidth(width);
    summary_->setMaximumWidth(width);
}

void EvalView::fillChart() {
    chart_->removeAllSeries();  // deletes them
    for (QAbstractAxis* axis : chart_->axes()) {
        chart_->removeAxis(axis);
        delete axis;
    }
    thresholdLine_ = nullptr;
    legend_->clear();
    QStringList legendEntries;
    double t = 0.0;
    for (const Shown& s : results_)
        if (drawable(s.result.nmePerImage) && t == 0.0) t = s.result.failureThreshold;
    if (t == 0.0) {
        for (Shown& s : results_) s.curve = s.curveNoContour = nullptr;
        chart_->setTitle(results_.isEmpty() ? QString() : tr("No per-image landmark errors to plot"));
        return;
    }
    chart_->setTitle({});
    // Twice the threshold shows the failures' tail without squashing the curve.
    const double xMax = 2.0 * t;
    auto* x = new QValueAxis;
    x->setRange(0.0, xMax);
    x->setTickCount(9);
    x->setLabelFormat(QStringLiteral("%.3g"));
    const QString normalizer = QString::fromStdString(results_.front().result.nmeNormalizer);
    x->setTitleText(normalizer.isEmpty() ? tr("NME") : tr("NME (normalised by %1)").arg(normalizer));
    auto* y = new QValueAxis;
    y->setRange(0.0, 1.0);
    y->setTickCount(6);
    y->setLabelFormat(QStringLiteral("%.1f"));
    y->setTitleText(tr("fraction of images"));
    chart_->addAxis(x, Qt::AlignBottom);
    chart_->addAxis(y, Qt::AlignLeft);

    auto addCurve = [&](const std::vector<double>& nmes, const QString& name, const QPen& pen) -> QLineSeries* {
        if (!drawable(nmes)) return nullptr;
        auto* series = new QLineSeries;
        QList<QPointF> points;
        for (const eval::CedPoint& p : eval::cedCurve(nmes, xMax)) points.append(QPointF(p.error, p.fraction));
        series->replace(points);
        series->setName(name);
        series->setPen(pen);
        chart_->addSeries(series);
        series->attachAxis(x);
        series->attachAxis(y);
        const QString swatch =
            pen.style() == Qt::SolidLine ? QStringLiteral("&#9644;&#9644;") : QStringLiteral("&#8211;&nbsp;&#8211;");
        legendEntries << QStringLiteral("<span style='color:%1'><b>%2</b></span>&nbsp;%3")
                             .arg(pen.color().name(), swatch,
                                  name.toHtmlEscaped().replace(' ', QStringLiteral("&nbsp;")));
        return series;
    };
    for (int k = 0; k < results_.size(); ++k) {
        Shown& s = results_[k];
        const train::EvalResult& r = s.result;
        const QString tt = thresholdText(r.failureThreshold);
        s.curve = addCurve(
            r.nmePerImage,
            QStringLiteral("%1 \u2014 AUC@%2 %3, failure %4").arg(s.name, tt, fixed(r.auc), fixed(r.failureRate)),
            QPen(runColour(k), 2.0));
        const train::ZeroShotReport& z = r.zeroShotReport;
        QPen dashed(runColour(k), 1.5, Qt::DashLine);
        s.curveNoContour = addCurve(z.agreeingNmePerImage,
                                    QStringLiteral("%1 without contour \u2014 AUC@%2 %3, failure %4")
                                        .arg(s.name, tt, fixed(z.agreeingAuc), fixed(z.agreeingFailureRate)),
                                    dashed);
    }
    thresholdLine_ = new QLineSeries;
    thresholdLine_->append(t, 0.0);
    thresholdLine_->append(t, 1.0);
    thresholdLine_->setName(tr("failure threshold %1").arg(thresholdText(t)));
    thresholdLine_->setPen(QPen(QColor(110, 110, 110), 1.0, Qt::DotLine));
    chart_->addSeries(thresholdLine_);
    thresholdLine_->attachAxis(x);
    thresholdLine_->attachAxis(y);
    legendEntries << QStringLiteral("<span style='color:#6e6e6e'>&#8942;</span>&nbsp;") +
                         thresholdLine_->name().toHtmlEscaped().replace(' ', QStringLiteral("&nbsp;"));
    legend_->setText(legendEntries.join(QStringLiteral(" &nbsp; &nbsp; ")));
}

void EvalView::fillSubsets() {
    // Rows: each named subset, then the zero-shot "without the contour" ones.
    struct Line {
        QString label;
        const train::SubsetNme* of[2] = {nullptr, nullptr};
    };
    QVector<Line> lines;
    auto add = [&lines](const QString& label, int k, const train::SubsetNme& sub) {
        for (Line& l : lines)
            if (l.label == label) {
                l.of[k] = &sub;
                return;
            }
        Line l;
        l.label = label;
        l.of[k] = &sub;
        lines.push_back(l);
    };
    const int n = results_.size();
    for (int k = 0; k < n; ++k)
        for (const train::SubsetNme& sub : results_[k].result.nmeSubsets) add(QString::fromStdString(sub.name), k, sub);
    for (int k = 0; k < n; ++k)
        for (const train::SubsetNme& sub : results_[k].result.zeroShotReport.agreeingSubsets)
            add(tr("%1 without contour").arg(QString::fromStdString(sub.name)), k, sub);
    subsetBox_->setVisible(!lines.isEmpty());
    subsets_->clear();
    subsets_->setRowCount(lines.size());
    QStringList headers{tr("subset")};
    for (int k = 0; k < n; ++k) {
        const QString suffix = n == 2 ? QStringLiteral(" ") + results_[k].name : QString();
        headers << tr("NME") + suffix << tr("failure") + suffix << tr("AUC") + suffix << tr("images") + suffix;
    }
    if (n == 2) headers << QStringLiteral("\u0394 NME") << QStringLiteral("\u0394 AUC");
    subsets_->setColumnCount(headers.size());
    subsets_->setHorizontalHeaderLabels(headers);
    for (int row = 0; row < lines.size(); ++row) {
        const Line& l = lines[row];
        subsets_->setItem(row, 0, cell(l.label, Qt::AlignLeft | Qt::AlignVCenter));
        for (int k = 0; k < n; ++k) {
            const train::SubsetNme* s = l.of[k];
            subsets_->setItem(row, 1 + 4 * k, cell(s ? fixed(s->nmeMean) : QStringLiteral("-")));
            subsets_->setItem(row, 2 + 4 * k, cell(s ? fixed(s->failureRate) : QStringLiteral("-")));
            subsets_->setItem(row, 3 + 4 * k, cell(s ? fixed(s->auc) : QStringLiteral("-")));
            subsets_->setItem(row, 4 + 4 * k, cell(s ? QString::number(s->samples) : QStringLiteral("-")));
        }
        if (n == 2) {
            const bool both = l.of[0] && l.of[1];
            subsets_->setItem(row, 9, deltaCell(both ? l.of[1]->nmeMean - l.of[0]->nmeMean : kNaN, true));
            subsets_->setItem(row, 10, deltaCell(both ? l.of[1]->auc - l.of[0]->auc : kNaN, false));
        }
    }
    subsets_->resizeColumnsToContents();
}

void EvalView::fillNotes() {
    QStringList parts;
    for (int k = 0; k < results_.size(); ++k) {
        const train::EvalResult& r = results_[k].result;
        auto q = [](const std::string& s) { return QString::fromStdString(s).toHtmlEscaped(); };
        QString line = QStringLiteral("<span style='color:%1'>&#9632;</span> <b>%2</b>: ")
                           .arg(runColour(k).name(), results_[k].name.toHtmlEscaped());
        if (r.zeroShot)
            line += tr("Stage I (preset %1) zero-shot on %2").arg(q(r.preset), q(r.datasetFormat));
        else if (r.stage == "II")
            line += tr("Stage II %1 heads (preset %2)").arg(q(r.datasetFormat), q(r.preset));
        else
            line += tr("Stage I (preset %1)").arg(q(r.preset));
        line += tr(" on %1, %2 split, %3 images from #%4 at %5\u00d7%5")
                    .arg(q(r.data), q(r.split))
                    .arg(r.samples)
                    .arg(r.firstSample)
                    .arg(r.size);
        if (!r.splitRule.empty()) line += QStringLiteral(" (") + q(r.splitRule) + QStringLiteral(")");
        QStringList extra;
        const train::ZeroShotReport& z = r.zeroShotReport;
        if (r.zeroShot) {
            if (!z.landmarks.scored)
                extra << tr("landmarks not scored: %1").arg(q(z.landmarks.note));
            else if (!z.landmarks.note.empty())
                extra << tr("landmarks: %1").arg(q(z.landmarks.note));
            if (!z.classes.scored) extra << tr("classes not scored: %1").arg(q(z.classes.note));
            QStringList unmapped;
            for (const train::UnmappedClass& u : z.classes.unmapped)
                unmapped << QStringLiteral("%1 (%2)").arg(q(u.name), q(u.reason));
            if (!unmapped.isEmpty())
                extra << tr("unmapped classes, left out of the means: %1").arg(unmapped.join(QStringLiteral(", ")));
        } else if (r.numLandmarks == 0) {
            extra << tr("no landmark head");
        }
        if (r.classes.empty() && !r.zeroShot) extra << tr("no segmentation head");
        if (!std::isfinite(r.depthL1) && (r.stage == "II" || r.zeroShot))
            extra << tr("depth not scored (the benchmark has no depth)");
        if (!extra.isEmpty()) line += QStringLiteral("; ") + extra.join(QStringLiteral("; "));
        parts << line;
    }
    notes_->setText(parts.isEmpty() ? tr("No evaluation to show.") : parts.join(QStringLiteral("<br>")));
}

}  // namespace synthforge::widgets
