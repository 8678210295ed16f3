#include "widgets/explore/coverage_view.h"

#include <algorithm>
#include <filesystem>
#include <numeric>

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHorizontalBarSeries>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QProgressBar>
#include <QPushButton>
#include <QScatterSeries>
#include <QScrollArea>
#include <QTimer>
#include <QValueAxis>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include "core/annotate/class_table.h"
#include "core/dataset/coverage_heatmap.h"
#include "core/dataset/dataset_manifest.h"
#include "core/dataset/folder_coverage.h"
#include "core/head/default_head/model_source.h"
#include "core/jobs/progress.h"
#include "widgets/mat_image.h"
#include "widgets/runs/scalar_chart_view.h"

namespace synthforge::widgets {

namespace {

namespace fs = std::filesystem;

constexpr int kPoseCell = 14;  // heat-map pixels per pose bin

/// Hands the reader's progress to the GUI's poll timer, and stops the
/// reader: the Cancelled thrown here unwinds out of computeCoverage at its
/// next report (reports are at most 0.2 s apart).
class PollSink : public jobs::ProgressSink {
public:
    using Check = std::function<void(std::uint64_t, std::uint64_t)>;
    explicit PollSink(Check check) : check_(std::move(check)) {}
    void update(const jobs::ProgressUpdate& u) override { check_(u.done, u.total); }

private:
    Check check_;
};

QString folderName(const std::string& path) {
    const fs::path p = fs::path(path).lexically_normal();
    return QString::fromStdString((p.has_filename() ? p.filename() : p.parent_path().filename()).string());
}

/// The class names: the first dataset's own table (a remapped dataset names
/// its classes in its manifest), ours otherwise (benchmarks are counted
/// under our ids).
const annotate::ClassTable& classTableOf(const std::string& dataset, std::shared_ptr<const annotate::ClassTable>& keep) {
    if (fs::exists(fs::path(dataset) / "manifest.json")) keep = dataset::readDatasetManifest(dataset).classes;
    return keep ? *keep : annotate::ClassTable::defaultTable();
}

void clearChart(QChart* chart) {
    chart->removeAllSeries();
    for (QAbstractAxis* axis : chart->axes()) {
        chart->removeAxis(axis);
        delete axis;
    }
}

/// A value axis with ticks every `step` from `lo` (round numbers, not
/// QValueAxis's equal division of the range into 5).
QValueAxis* valueAxis(const QString& title, double lo, double hi, double step) {
    auto* axis = new QValueAxis;
    axis->setTitleText(title);
    axis->setRange(lo, hi);
    axis->setTickType(QValueAxis::TicksDynamic);
    axis->setTickAnchor(lo);
    axis->setTickInterval(step);
    axis->setLabelFormat(step < 1 ? QStringLiteral("%.1f") : QStringLiteral("%.0f"));
    return axis;
}

/// A tick step giving about five round ticks up to `hi`.
double roundStep(double hi) {
    for (double s : {1.0, 2.0, 5.0, 10.0, 20.0, 25.0})
        if (hi / s <= 6) return s;
    return 25.0;
}

}  // namespace

CoverageView::CoverageView(QWidget* parent) : QWidget(parent), poll_(new QTimer(this)) {
    auto* outer = new QVBoxLayout(this);
    const auto folderRow = [this](const QString& label, QLineEdit*& edit, const QString& placeholder) {
        auto* row = new QHBoxLayout;
        row->addWidget(new QLabel(label, this));
        edit = new QLineEdit(this);
        edit->setPlaceholderText(placeholder);
        row->addWidget(edit, 1);
        auto* browse = new QPushButton(tr("Browse…"), this);
        connect(browse, &QPushButton::clicked, this, [this, edit] {
            const QString dir = QFileDialog::getExistingDirectory(this, tr("Dataset folder"), edit->text());
            if (!dir.isEmpty()) edit->setText(dir);
        });
        row->addWidget(browse);
        return row;
    };
    outer->addLayout(folderRow(tr("Dataset"), first_, tr("a generated dataset, or a 300-W, LaPa or CelebAMask-HQ folder")));
    outer->addLayout(folderRow(tr("Compare with"), second_, tr("optional: a second dataset or a benchmark")));
    auto* actions = new QHBoxLayout;
    compute_ = new QPushButton(tr("Compute coverage"), this);
    stop_ = new QPushButton(tr("Stop"), this);
    stop_->setEnabled(false);
    progress_ = new QProgressBar(this);
    progress_->setVisible(false);
    status_ = new QLabel(tr("Pick a dataset folder: its pose, FLAME parameters, classes, landmarks and face sizes."), this);
    status_->setWordWrap(true);
    actions->addWidget(compute_);
    actions->addWidget(stop_);
    const auto spin = [this, actions](const QString& label, double lo, double hi, double value, const QString& tip) {
        auto* box = new QDoubleSpinBox(this);
        box->setRange(lo, hi);
        box->setDecimals(0);
        box->setValue(value);
        box->setSuffix(QStringLiteral("°"));
        box->setToolTip(tip);
        actions->addWidget(new QLabel(label, this));
        actions->addWidget(box);
        return box;
    };
    const dataset::CoverageOptions defaults;
    bin_ = spin(tr("Bin"), 1, 90, defaults.binDeg, tr("Pose histogram bin size (explore coverage --bin)"));
    yawRange_ = spin(tr("Yaw ±"), 5, 180, defaults.yawRangeDeg, tr("Pose histogram yaw span (--yaw-range)"));
    pitchRange_ = spin(tr("Pitch ±"), 5, 90, defaults.pitchRangeDeg, tr("Pose histogram pitch span (--pitch-range)"));
    actions->addWidget(progress_);
    actions->addWidget(status_, 1);
    outer->addLayout(actions);

    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    auto* host = new QWidget;
    grid_ = new QGridLayout(host);
    for (int i = 0; i < 2; ++i) {
        auto* box = new QWidget(host);
        auto* boxLayout = new QVBoxLayout(box);
        poseCaptions_[i] = new QLabel(box);
        poseCaptions_[i]->setAlignment(Qt::AlignCenter);
        poseCaptions_[i]->setWordWrap(true);
        poseMaps_[i] = new QLabel(box);
        poseMaps_[i]->setAlignment(Qt::AlignCenter);
        poseMaps_[i]->setMinimumSize(300, 180);
        poseMaps_[i]->setObjectName(QStringLiteral("coverage.pose.%1").arg(i));
        boxLayout->addWidget(poseCaptions_[i]);
        boxLayout->addWidget(poseMaps_[i], 1);
        grid_->addWidget(box, 0, i);
    }
    addChart(QStringLiteral("shape"), 0, 2);
    addChart(QStringLiteral("expression"), 1, 0);
    addChart(QStringLiteral("visibility"), 1, 1);
    addChart(QStringLiteral("face_size"), 1, 2);
    // Up to 19 class names down the side: the whole width, taller.
    addChart(QStringLiteral("classes"), 2, 0, 3)->setMinimumHeight(560);
    scroll->setWidget(host);
    outer->addWidget(scroll, 1);

    connect(compute_, &QPushButton::clicked, this, [this] { compute(); });
    connect(stop_, &QPushButton::clicked, this, [this] { stop(); });
    connect(&watcher_, &QFutureWatcher<Result>::finished, this, &CoverageView::done);
    poll_->setInterval(100);
    connect(poll_, &QTimer::timeout, this, [this] {
        if (!shared_) return;
        const auto total = shared_->total.load();
        progress_->setRange(0, static_cast<int>(std::min<std::uint64_t>(total, 1u << 30)));
        progress_->setValue(static_cast<int>(std::min(shared_->done.load(), total)));
    });
}

CoverageView::~CoverageView() {
    // The worker holds no pointer into this widget, but waiting keeps a
    // reader from outliving the application's objects it logs through.
    stop();
    watcher_.waitForFinished();
}

QChartView* CoverageView::addChart(const QString& name, int row, int col, int colSpan) {
    auto* view = new QChartView(new QChart);
    view->setObjectName(QStringLiteral("coverage.") + name);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumSize(320, 260);
    view->chart()->legend()->setAlignment(Qt::AlignBottom);
    grid_->addWidget(view, row, col, 1, colSpan);
    charts_.push_back(view);
    return view;
}

QChart* CoverageView::chart(const QString& name) const {
    for (QChartView* v : charts_)
        if (v->objectName() == QStringLiteral("coverage.") + name) return v->chart();
    return nullptr;
}

QImage CoverageView::poseMap(int i) const {
    return i >= 0 && i < 2 ? poseMaps_[i]->pixmap().toImage() : QImage();
}

QString CoverageView::status() const { return status_->text(); }

void CoverageView::setDatasets(const QString& first, const QString& second) {
    first_->setText(first);
    second_->setText(second);
}

QString CoverageView::firstDataset() const { return first_->text().trimmed(); }

void CoverageView::showError(const QString& text) {
    status_->setText(text);
    status_->setStyleSheet(QStringLiteral("color: #b00020"));
}

bool CoverageView::compute() {
    if (busy()) {
        showError(tr("A computation is running: stop it first."));
        return false;
    }
    std::vector<std::string> folders;
    for (const QLineEdit* e : {first_, second_})
        if (!e->text().trimmed().isEmpty()) folders.push_back(e->text().trimmed().toStdString());
    if (first_->text().trimmed().isEmpty()) {
        showError(tr("Pick the dataset folder first."));
        return false;
    }
    shared_ = std::make_shared<Shared>();
    std::shared_ptr<Shared> shared = shared_;
    status_->setStyleSheet(QString());
    status_->setText(tr("Reading %1…").arg(folderName(folders.front())));
    progress_->setVisible(true);
    progress_->setRange(0, 0);
    compute_->setEnabled(false);
    stop_->setEnabled(true);
    poll_->start();
    dataset::CoverageOptions options;
    options.binDeg = bin_->value();
    options.yawRangeDeg = yawRange_->value();
    options.pitchRangeDeg = pitchRange_->value();
    watcher_.setFuture(QtConcurrent::run([folders, shared, options]() {
        Result r;
        r.options = options;
        PollSink sink([shared](std::uint64_t done, std::uint64_t total) {
            shared->done = done;
            shared->total = total;
            if (shared->stop) throw jobs::Cancelled();
        });
        std::shared_ptr<const head::HeadModel> model;
        const auto headModel = [&model]() -> const head::HeadModel& {
            if (!model) model = std::make_shared<head::HeadModel>(head::loadHeadModel("default"));
            return *model;
        };
        try {
            for (const std::string& d : folders) r.coverages.push_back(dataset::computeFolderCoverage(d, headModel, options, &sink));
        } catch (const jobs::Cancelled&) {
            r.stopped = true;
        } catch (const std::exception& e) {
            r.error = QString::fromUtf8(e.what());
        }
        return r;
    }));
    return true;
}

void CoverageView::stop() {
    if (shared_) shared_->stop = true;
}

void CoverageView::done() {
    poll_->stop();
    progress_->setVisible(false);
    compute_->setEnabled(true);
    stop_->setEnabled(false);
    const Result r = watcher_.result();
    if (r.stopped) {
        status_->setStyleSheet(QString());
        status_->setText(tr("Stopped."));
    } else if (!r.error.isEmpty()) {
        showError(r.error);
    } else {
        try {
            show(r.coverages, r.options);
        } catch (const std::exception& e) {
            showError(QString::fromUtf8(e.what()));
        }
    }
    emit finished();
}

void CoverageView::setPoseBins(double binDeg, double yawRangeDeg, double pitchRangeDeg) {
    bin_->setValue(binDeg);
    yawRange_->setValue(yawRangeDeg);
    pitchRange_->setValue(pitchRangeDeg);
}

void CoverageView::show(const std::vector<dataset::Coverage>& all, const dataset::CoverageOptions& options) {
    shown_ = all;
    QStringList names, summary;
    for (const dataset::Coverage& c : all) {
        names << folderName(c.dataset);
        summary << tr("%1: %2 samples (%3 without a pose)").arg(names.back()).arg(c.samples).arg(c.withoutPose);
    }
    status_->setStyleSheet(QString());
    status_->setText(summary.join(QStringLiteral("; ")));

    for (int i = 0; i < 2; ++i) {
        poseMaps_[i]->clear();
        poseCaptions_[i]->clear();
        if (i >= static_cast<int>(all.size())) continue;
        poseCaptions_[i]->setText(tr("<b>%1</b>: yaw ±%2° (right), pitch ±%3° (up), %4° bins")
                                      .arg(names[i])
                                      .arg(options.yawRangeDeg)
                                      .arg(options.pitchRangeDeg)
                                      .arg(options.binDeg));
        poseMaps_[i]->setPixmap(QPixmap::fromImage(toQImage(dataset::coverageHeatMap(all[static_cast<std::size_t>(i)], kPoseCell))));
        poseMaps_[i]->setToolTip(tr("%1: yaw (right) and pitch (up); brightest = most samples, black = none").arg(names[i]));
    }

    // Shape and expression: the first two coefficients of every sample.
    for (const bool shape : {true, false}) {
        QChart* c = chart(shape ? QStringLiteral("shape") : QStringLiteral("expression"));
        clearChart(c);
        c->setTitle(shape ? tr("FLAME shape, coefficients 0 and 1 (σ)") : tr("FLAME expression, coefficients 0 and 1 (σ)"));
        QValueAxis *x = valueAxis(tr("coefficient 0"), -3, 3, 1), *y = valueAxis(tr("coefficient 1"), -3, 3, 1);
        c->addAxis(x, Qt::AlignBottom);
        c->addAxis(y, Qt::AlignLeft);
        for (std::size_t i = 0; i < all.size(); ++i) {
            auto* s = new QScatterSeries;
            s->setName(names[static_cast<int>(i)]);
            s->setMarkerSize(5);
            s->setColor(runPaletteColour(static_cast<int>(i)));
            s->setBorderColor(Qt::transparent);
            for (const auto& p : shape ? all[i].shapeScatter : all[i].exprScatter)
                if (p.size() >= 2) s->append(p[0], p[1]);
            c->addSeries(s);
            s->attachAxis(x);
            s->attachAxis(y);
        }
    }

    // Class pixel shares, in per cent, for the classes any dataset has.
    {
        QChart* c = chart(QStringLiteral("classes"));
        clearChart(c);
        c->setTitle(tr("Class pixel share (%)"));
        std::shared_ptr<const annotate::ClassTable> keep;
        const annotate::ClassTable& table = classTableOf(all.front().dataset, keep);
        QStringList categories;
        std::vector<int> ids;
        for (int k = 0; k < 256; ++k) {
            bool any = false;
            for (const auto& cov : all) any = any || cov.classPixels[static_cast<std::size_t>(k)] > 0;
            if (!any) continue;
            const annotate::ClassEntry* e = table.findById(k);
            categories << (e ? QString::fromStdString(e->name) : QStringLiteral("class_%1").arg(k));
            ids.push_back(k);
        }
        auto* series = new QHorizontalBarSeries;
        for (std::size_t i = 0; i < all.size(); ++i) {
            const double total = static_cast<double>(
                std::accumulate(all[i].classPixels.begin(), all[i].classPixels.end(), std::uint64_t{0}));
            auto* set = new QBarSet(names[static_cast<int>(i)]);
            set->setColor(runPaletteColour(static_cast<int>(i)));
            for (int k : ids) *set << (total > 0 ? 100.0 * static_cast<double>(all[i].classPixels[static_cast<std::size_t>(k)]) / total : 0.0);
            series->append(set);
        }
        c->addSeries(series);
        auto* y = new QBarCategoryAxis;
        y->append(categories);
        c->addAxis(y, Qt::AlignLeft);
        series->attachAxis(y);
        double most = 1;
        for (QBarSet* set : series->barSets())
            for (int j = 0; j < set->count(); ++j) most = std::max(most, set->at(j));
        const double top = std::min(100.0, most * 1.1);
        auto* x = valueAxis(tr("% of labelled pixels"), 0, top, roundStep(top));
        c->addAxis(x, Qt::AlignBottom);
        series->attachAxis(x);
    }

    // Landmark visibility: per landmark, the share of samples in which it is visible.
    {
        QChart* c = chart(QStringLiteral("visibility"));
        clearChart(c);
        c->setTitle(tr("Landmark visibility (% of samples)"));
        auto *x = valueAxis(tr("landmark (iBUG 68, 0-based)"), 0, 67, 10), *y = valueAxis(tr("% visible"), 0, 100, 25);
        c->addAxis(x, Qt::AlignBottom);
        c->addAxis(y, Qt::AlignLeft);
        for (std::size_t i = 0; i < all.size(); ++i) {
            if (all[i].landmarkSamples == 0) continue;  // benchmarks record no visibility
            auto* s = new QLineSeries;
            s->setName(names[static_cast<int>(i)]);
            s->setColor(runPaletteColour(static_cast<int>(i)));
            for (std::size_t k = 0; k < all[i].landmarkVisible.size(); ++k)
                s->append(static_cast<double>(k), 100.0 * static_cast<double>(all[i].landmarkVisible[k]) /
                                                      static_cast<double>(all[i].landmarkSamples));
            c->addSeries(s);
            s->attachAxis(x);
            s->attachAxis(y);
        }
    }

    // Face size: the face box's side over the image's, a step histogram
    // (20 bins do not fit as category labels).
    {
        QChart* c = chart(QStringLiteral("face_size"));
        clearChart(c);
        c->setTitle(tr("Face size (box side / image side)"));
        const std::size_t bins = all.front().faceSize.size();
        double most = 1;
        std::vector<QLineSeries*> lines;
        for (std::size_t i = 0; i < all.size(); ++i) {
            const double n = static_cast<double>(std::accumulate(all[i].faceSize.begin(), all[i].faceSize.end(), std::uint64_t{0}));
            auto* s = new QLineSeries;
            s->setName(names[static_cast<int>(i)]);
            s->setColor(runPaletteColour(static_cast<int>(i)));
            s->append(0, 0);
            for (std::size_t b = 0; b < bins && b < all[i].faceSize.size(); ++b) {
                const double v = n > 0 ? 100.0 * static_cast<double>(all[i].faceSize[b]) / n : 0.0;
                s->append(static_cast<double>(b) / static_cast<double>(bins), v);
                s->append(static_cast<double>(b + 1) / static_cast<double>(bins), v);
                most = std::max(most, v);
            }
            s->append(1, 0);
            lines.push_back(s);
        }
        const double top = std::min(100.0, most * 1.1);
        auto *x = valueAxis(tr("face box side / image side"), 0, 1, 0.2), *y = valueAxis(tr("% of samples"), 0, top, roundStep(top));
        c->addAxis(x, Qt::AlignBottom);
        c->addAxis(y, Qt::AlignLeft);
        for (QLineSeries* s : lines) {
            c->addSeries(s);
            s->attachAxis(x);
            s->attachAxis(y);
        }
    }
}

}  // namespace synthforge::widgets
