#include "widgets/align/align_run_panel.h"

#include <algorithm>
#include <cmath>

#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include "widgets/runs/scalar_chart_view.h"

namespace synthforge::widgets {

AlignRunPanel::AlignRunPanel(QWidget* parent)
    : QWidget(parent),
      run_(new AlignRun(this)),
      samples_(new QSpinBox),
      steps_(new QSpinBox),
      outDir_(new QLineEdit),
      runButton_(new QPushButton(tr("Run alignment"))),
      stopButton_(new QPushButton(tr("Stop"))),
      progress_(new QProgressBar),
      status_(new QLabel),
      chart_(new ScalarChartView(QStringLiteral("alignment losses"))) {
    samples_->setRange(1, 4096);
    samples_->setValue(8);
    samples_->setToolTip(tr("Samples drawn for the fit (--samples)"));
    steps_->setRange(1, 100000);
    steps_->setValue(200);
    steps_->setToolTip(tr("Optimiser steps (--steps)"));
    outDir_->setText(QDir::home().filePath(QStringLiteral("synthforge-align")));
    outDir_->setToolTip(tr("The fit folder the command writes (--out): alignment.json, "
                           "alignment.safetensors, losses.csv"));
    auto* browseButton = new QPushButton(tr("…"));
    browseButton->setToolTip(tr("Choose the fit folder"));
    connect(browseButton, &QPushButton::clicked, this, &AlignRunPanel::browse);
    auto* dirRow = new QHBoxLayout;
    dirRow->addWidget(outDir_, 1);
    dirRow->addWidget(browseButton);
    auto* form = new QFormLayout;
    form->addRow(tr("Samples"), samples_);
    form->addRow(tr("Steps"), steps_);
    form->addRow(tr("Fit folder"), dirRow);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(runButton_);
    buttons->addWidget(stopButton_);
    stopButton_->setEnabled(false);
    stopButton_->setToolTip(tr("Interrupt the command (as Ctrl+C: it exits 130 and writes no fit)"));
    progress_->setRange(0, 1);
    progress_->setValue(0);
    status_->setWordWrap(true);
    status_->setText(tr("Not run"));
    chart_->setLogY(true);
    chart_->setSmoothing(0.0);
    chart_->setMinimumSize(260, 220);
    // Settings on the left, the losses beside them: the chart wants width.
    auto* settings = new QWidget;
    auto* column = new QVBoxLayout(settings);
    column->setContentsMargins(0, 0, 0, 0);
    column->addLayout(form);
    column->addLayout(buttons);
    column->addWidget(progress_);
    column->addWidget(status_);
    column->addStretch(1);
    settings->setFixedWidth(260);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(settings);
    layout->addWidget(chart_, 1);

    connect(runButton_, &QPushButton::clicked, this, &AlignRunPanel::startRun);
    connect(stopButton_, &QPushButton::clicked, this, &AlignRunPanel::stopRun);
    connect(run_, &AlignRun::lossesAppended, this, &AlignRunPanel::lossesAppended);
    connect(run_, &AlignRun::progress, this, [this](qint64 done, qint64 total) {
        progress_->setRange(0, static_cast<int>(std::max<qint64>(total, 1)));
        progress_->setValue(static_cast<int>(done));
    });
    connect(run_, &AlignRun::finished, this, &AlignRunPanel::finished);
}

AlignRunOptions AlignRunPanel::options() const {
    AlignRunOptions o = source_ ? source_() : AlignRunOptions{};
    o.samples = samples_->value();
    o.steps = steps_->value();
    o.outDir = outDir_->text().trimmed();
    return o;
}

bool AlignRunPanel::startRun() {
    QString error;
    const AlignRunOptions o = options();
    for (const QString& name : chart_->runNames()) chart_->removeRun(name);
    progress_->setRange(0, o.steps);
    progress_->setValue(0);
    if (!run_->start(o, &error)) {
        status_->setText(error);
        emit errorReported(tr("Cannot run the alignment"), error);
        return false;
    }
    runButton_->setEnabled(false);
    stopButton_->setEnabled(true);
    status_->setText(tr("Running %1 steps on %2 samples…").arg(o.steps).arg(o.samples));
    return true;
}

void AlignRunPanel::stopRun() {
    if (!run_->running()) return;
    status_->setText(tr("Stopping…"));
    run_->stop();
}

void AlignRunPanel::lossesAppended() {
    const auto& rows = run_->rows();
    const auto& names = run_->lossNames();
    for (std::size_t k = 0; k < names.size(); ++k) {
        std::vector<runs::ScalarPoint> points;
        points.reserve(rows.size());
        for (const LossRow& r : rows)
            if (k < r.values.size() && std::isfinite(r.values[k])) points.push_back({r.step, 0.0, r.values[k]});
        // Losses the run does not weigh stay 0 (or nan) and have nothing to show on a log axis.
        const bool anyPositive = std::any_of(points.begin(), points.end(), [](const auto& p) { return p.value > 0; });
        if (anyPositive) chart_->setRunSeries(QString::fromStdString(names[k]), runPaletteColour(static_cast<int>(k)), points);
    }
    const auto total = std::find(names.begin(), names.end(), std::string("total"));
    const std::size_t k = total == names.end() ? 0 : static_cast<std::size_t>(total - names.begin());
    if (!rows.empty() && k < rows.back().values.size())
        status_->setText(tr("Step %1: total loss %2").arg(rows.back().step).arg(rows.back().values[k], 0, 'g', 4));
}

void AlignRunPanel::finished(bool ok, bool, int, const QString& message) {
    runButton_->setEnabled(true);
    stopButton_->setEnabled(false);
    status_->setText(message);
    if (ok) emit fitReady(run_->outDir());
}

void AlignRunPanel::browse() {
    const QString d = QFileDialog::getExistingDirectory(this, tr("Folder for the fit"), outDir_->text());
    if (!d.isEmpty()) outDir_->setText(d);
}

}  // namespace synthforge::widgets
