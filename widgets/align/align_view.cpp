#include "widgets/align/align_view.h"

#include <algorithm>
#include <cmath>
#include <iostream>

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QScrollArea>
#include <QSlider>
#include <QSplitter>
#include <QTemporaryDir>
#include <QVBoxLayout>

#include "core/align/surface_distance.h"
#include "widgets/align/align_geometry.h"
#include "widgets/align/align_run_panel.h"
#include "widgets/align/align_viewport.h"
#include "widgets/align/generator_picker.h"
#include "widgets/align/heat_legend.h"
#include "widgets/align/heat_scale.h"
#include "widgets/panels/scene_document.h"

namespace synthforge::widgets {

namespace {
constexpr int kLevelSteps = 1000;
}  // namespace

AlignView::AlignView(SceneDocument* doc, QWidget* parent)
    : QWidget(parent),
      doc_(doc),
      level_(defaultSurfaceLevel()),
      viewPlace_(new QWidget),
      picker_(new GeneratorPicker),
      cliRun_(new DensityCliRun(this)),
      legend_(new HeatLegend),
      runPanel_(new AlignRunPanel),
      resolutionBox_(new QComboBox),
      sampleButton_(new QPushButton(tr("Sample density"))),
      cancelButton_(new QPushButton(tr("Cancel"))),
      progress_(new QProgressBar),
      levelSlider_(new QSlider(Qt::Horizontal)),
      levelLabel_(new QLabel),
      opacitySlider_(new QSlider(Qt::Horizontal)),
      heatmapBox_(new QCheckBox(tr("Residual heatmap on the head"))),
      residualLabel_(new QLabel),
      fitLabel_(new QLabel(tr("No fit loaded"))),
      beforeButton_(new QRadioButton(tr("Before (uncorrected)"))),
      afterButton_(new QRadioButton(tr("After (fitted correction)"))),
      status_(new QLabel) {
    // Density: resolution, sample, cancel, progress.
    for (int r : resolutions()) resolutionBox_->addItem(tr("%1 cells").arg(r), r);
    setResolution(64);
    resolutionBox_->setToolTip(tr("Grid cells along the head box's longest side: 64 takes about a second, "
                                  "128 a few, with the procedural density"));
    cancelButton_->setEnabled(false);
    progress_->setRange(0, 1);
    progress_->setValue(0);
    auto* densityBox = new QGroupBox(tr("Density"));
    auto* densityForm = new QFormLayout(densityBox);
    densityForm->addRow(picker_);
    densityForm->addRow(tr("Resolution"), resolutionBox_);
    auto* densityButtons = new QHBoxLayout;
    densityButtons->addWidget(sampleButton_);
    densityButtons->addWidget(cancelButton_);
    densityForm->addRow(densityButtons);
    densityForm->addRow(progress_);

    // Surface: level and opacity.
    levelSlider_->setRange(0, kLevelSteps);
    levelSlider_->setEnabled(false);
    levelSlider_->setToolTip(tr("Iso-level: the density value the surface passes through. The default is the "
                                "procedural density's surface level 1/(2β)"));
    resetLevel_ = new QPushButton(tr("Surface level"));
    resetLevel_->setToolTip(tr("Back to the density's surface level"));
    auto* levelRow = new QHBoxLayout;
    levelRow->addWidget(levelSlider_, 1);
    levelRow->addWidget(resetLevel_);
    opacitySlider_->setRange(0, 100);
    opacitySlider_->setValue(static_cast<int>(std::lround(opacity_ * 100)));
    auto* surfaceBox = new QGroupBox(tr("Iso-surface"));
    auto* surfaceForm = new QFormLayout(surfaceBox);
    surfaceForm->addRow(tr("Level"), levelRow);
    surfaceForm->addRow(QString(), levelLabel_);
    surfaceForm->addRow(tr("Opacity"), opacitySlider_);

    // Head: heatmap and its statistics.
    heatmapBox_->setChecked(true);
    residualLabel_->setWordWrap(true);
    auto* headBox = new QGroupBox(tr("Head"));
    auto* headLayout = new QVBoxLayout(headBox);
    headLayout->addWidget(heatmapBox_);
    headLayout->addWidget(residualLabel_);

    // Fit: load, before/after.
    auto* loadFitButton = new QPushButton(tr("Load fit…"));
    fitLabel_->setWordWrap(true);
    beforeButton_->setChecked(true);
    beforeButton_->setEnabled(false);
    afterButton_->setEnabled(false);
    auto* group = new QButtonGroup(this);
    group->addButton(beforeButton_);
    group->addButton(afterButton_);
    auto* fitBox = new QGroupBox(tr("Fit"));
    auto* fitLayout = new QVBoxLayout(fitBox);
    fitLayout->addWidget(loadFitButton);
    fitLayout->addWidget(fitLabel_);
    fitLayout->addWidget(beforeButton_);
    fitLayout->addWidget(afterButton_);

    auto* runBox = new QGroupBox(tr("Run synthforge align"));
    auto* runLayout = new QVBoxLayout(runBox);
    runLayout->addWidget(runPanel_);

    status_->setWordWrap(true);
    auto* controls = new QWidget;
    auto* controlsLayout = new QVBoxLayout(controls);
    controlsLayout->addWidget(densityBox);
    controlsLayout->addWidget(surfaceBox);
    controlsLayout->addWidget(headBox);
    controlsLayout->addWidget(fitBox);
    controlsLayout->addWidget(status_);
    controlsLayout->addStretch(1);
    auto* scroll = new QScrollArea;
    scroll->setWidget(controls);
    scroll->setWidgetResizable(true);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setMinimumWidth(300);

    // The GL view is created when the tab is first shown (showEvent): a
    // QOpenGLWidget switches its window to GL composition, which sessions
    // that never open this tab should not pay for.
    auto* placeLayout = new QVBoxLayout(viewPlace_);
    placeLayout->setContentsMargins(0, 0, 0, 0);
    viewPlace_->setMinimumSize(240, 240);
    auto* viewRow = new QWidget;
    auto* viewLayout = new QHBoxLayout(viewRow);
    viewLayout->setContentsMargins(0, 0, 0, 0);
    viewLayout->addWidget(viewPlace_, 1);
    viewLayout->addWidget(legend_);
    auto* left = new QSplitter(Qt::Vertical);
    left->addWidget(viewRow);
    left->addWidget(runBox);
    left->setStretchFactor(0, 3);
    left->setStretchFactor(1, 1);
    left->setCollapsible(0, false);
    auto* split = new QSplitter(Qt::Horizontal);
    split->addWidget(left);
    split->addWidget(scroll);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 0);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(split);

    connect(sampleButton_, &QPushButton::clicked, this, &AlignView::sampleDensity);
    connect(cancelButton_, &QPushButton::clicked, this, &AlignView::cancelSampling);
    connect(levelSlider_, &QSlider::valueChanged, this, &AlignView::levelSliderMoved);
    connect(resetLevel_, &QPushButton::clicked, this, [this] { setLevel(defaultSurfaceLevel()); });
    connect(opacitySlider_, &QSlider::valueChanged, this,
            [this](int v) {
                opacity_ = static_cast<float>(v) / 100.0f;
                if (viewport_) viewport_->setSurfaceOpacity(opacity_);
            });
    connect(heatmapBox_, &QCheckBox::toggled, this, &AlignView::setHeatmapShown);
    connect(loadFitButton, &QPushButton::clicked, this, &AlignView::browseFit);
    connect(afterButton_, &QRadioButton::toggled, this, &AlignView::setCorrected);
    connect(runPanel_, &AlignRunPanel::errorReported, this, &AlignView::report);
    connect(runPanel_, &AlignRunPanel::fitReady, this, [this](const QString& dir) {
        if (loadFit(dir)) setCorrected(true);
    });
    runPanel_->setSource([this] {
        AlignRunOptions o;
        o.head = QString::fromStdString(doc_->scene().headModel);
        o.generator = picker_->generator();
        o.psi = picker_->psi();
        return o;
    });
    connect(cliRun_, &DensityCliRun::progress, this, [this](qint64 done, qint64 total) {
        progress_->setRange(0, static_cast<int>(std::max<qint64>(total, 1)));
        progress_->setValue(static_cast<int>(done));
    });
    connect(cliRun_, &DensityCliRun::finished, this, &AlignView::cliFinished);
    connect(doc_, &SceneDocument::changed, this, [this] {
        if ((!result_ && !cli_) || stale_) return;
        stale_ = true;
        status_->setText(tr("The scene changed since the density was sampled: sample again to follow it."));
    });
    status_->setText(tr("Sample the density to see the iso-surface."));
    legend_->hide();  // until there are residuals to read
    updateFitLabel();
}

AlignView::~AlignView() = default;  // job_ joins its thread

void AlignView::showEvent(QShowEvent* e) {
    ensureViewport();
    QWidget::showEvent(e);
}

AlignViewport* AlignView::ensureViewport() {
    if (viewport_) return viewport_;
    viewport_ = new AlignViewport(viewPlace_);
    viewport_->setObjectName(QStringLiteral("alignViewport"));
    viewPlace_->layout()->addWidget(viewport_);
    viewport_->setSurfaceOpacity(opacity_);
    viewport_->setHead(head_, colours_);
    viewport_->setSurface(surface_.mesh);
    return viewport_;
}

void AlignView::setPipeline(std::shared_ptr<const generate::SamplePipeline> pipeline) {
    pipeline_ = std::move(pipeline);
    if (result_ && pipeline_ && pipeline_->model != result_->model && !stale_) {
        stale_ = true;
        status_->setText(tr("Another head model is loaded: sample the density again to follow it."));
    }
}

void AlignView::setResolution(int cells) {
    const int i = resolutionBox_->findData(cells);
    if (i >= 0) resolutionBox_->setCurrentIndex(i);
}

int AlignView::resolution() const { return resolutionBox_->currentData().toInt(); }

bool AlignView::sampling() const { return job_ != nullptr || cliRun_->running(); }

bool AlignView::sampleDensity() {
    if (picker_->torchScript()) return sampleWithCli();
    if (cliRun_->running()) {
        report(tr("Cannot sample the density"), tr("synthforge density is still running: cancel it first."));
        return false;
    }
    if (!pipeline_ || !pipeline_->generator || !doc_->model()) {
        report(tr("Cannot sample the density"), tr("No head model or generator is loaded yet."));
        return false;
    }
    const auto caps = pipeline_->generator->capabilities();
    if (!caps.density) {
        report(tr("Cannot sample the density"),
               tr("The generator %1 has no density to align against.").arg(QString::fromStdString(caps.name)));
        return false;
    }
    job_.reset();  // a running one is cancelled and joined
    DensityRequest request;
    request.generator = pipeline_->generator;
    request.model = doc_->model();
    request.scene = doc_->scene();
    request.resolution = resolution();
    // A job replaced by a newer one may still post its end (a cancel): only
    // the current job's callbacks act.
    const quint64 generation = ++jobGeneration_;
    const auto current = [this, generation] { return generation == jobGeneration_; };
    DensityJob::Callbacks cb;
    cb.progress = [this, current](std::uint64_t done, std::uint64_t total) {
        if (!current()) return;
        progress_->setRange(0, static_cast<int>(std::max<std::uint64_t>(total, 1)));
        progress_->setValue(static_cast<int>(done));
    };
    cb.done = [this, current](std::shared_ptr<const DensityResult> r) {
        if (current()) densityDone(std::move(r));
    };
    cb.error = [this, current](const QString& m) {
        if (!current()) return;
        job_.reset();
        sampleButton_->setEnabled(true);
        cancelButton_->setEnabled(false);
        report(tr("Cannot sample the density"), m);
        emit densityFailed(m);
    };
    cb.cancelled = [this, current] {
        if (!current()) return;
        job_.reset();
        sampleButton_->setEnabled(true);
        cancelButton_->setEnabled(false);
        progress_->setValue(0);
        status_->setText(tr("Sampling cancelled."));
        emit densityFailed(tr("cancelled"));
    };
    sampleButton_->setEnabled(false);
    cancelButton_->setEnabled(true);
    progress_->setRange(0, 0);  // busy until the first slab reports
    status_->setText(tr("Sampling %1 at %2 cells…").arg(QString::fromStdString(caps.name)).arg(request.resolution));
    job_ = std::make_unique<DensityJob>(this, std::move(request), std::move(cb));
    return true;
}

void AlignView::cancelSampling() {
    if (job_) job_->cancel();
    if (cliRun_->running()) {
        status_->setText(tr("Stopping synthforge density…"));
        cliRun_->stop();
    }
}

std::pair<quint64, quint64> AlignView::cliSample() const {
    const scene::Scene& s = doc_->scene();
    // A latent drawn from z_seed is sample 0 of a run with that seed; an
    // explicit latent has no seed and index the CLI could draw it from.
    if (s.z.size() == 0) return {s.zSeed, 0};
    return {0, 0};
}

bool AlignView::sampleWithCli() {
    const QString file = picker_->torchScriptFile();
    if (file.isEmpty()) {
        report(tr("Cannot sample the density"), tr("Choose a TorchScript generator file (*.pt) first."));
        return false;
    }
    if (!QFileInfo(file).isFile()) {
        report(tr("Cannot sample the density"), tr("%1: no such file").arg(file));
        return false;
    }
    if (sampling()) {
        report(tr("Cannot sample the density"), tr("A density is still being sampled: cancel it first."));
        return false;
    }
    cliDir_ = std::make_unique<QTemporaryDir>();
    if (!cliDir_->isValid()) {
        report(tr("Cannot sample the density"), tr("Cannot create a temporary folder: %1").arg(cliDir_->errorString()));
        return false;
    }
    DensityCliOptions o;
    o.generator = file;
    o.psi = picker_->psi();
    std::tie(o.seed, o.index) = cliSample();
    o.resolution = resolution();
    // With "After" on, the CLI measures the head corrected by the same fit.
    if (corrected() && !fitPath_.isEmpty()) o.alignment = fitPath_;
    o.outDir = cliDir_->path();
    QString error;
    if (!cliRun_->start(o, &error)) {
        report(tr("Cannot sample the density"), error);
        return false;
    }
    sampleButton_->setEnabled(false);
    cancelButton_->setEnabled(true);
    progress_->setRange(0, 0);  // busy until the first progress line
    status_->setText(tr("Running synthforge density for %1 (psi %2, seed %3, index %4) at %5 cells…")
                         .arg(QFileInfo(file).fileName()).arg(o.psi).arg(o.seed).arg(o.index).arg(o.resolution));
    return true;
}

void AlignView::samplingEnded() {
    sampleButton_->setEnabled(true);
    cancelButton_->setEnabled(false);
    progress_->setRange(0, 1);
    progress_->setValue(0);
}

void AlignView::cliFinished(bool ok, bool stopped, const QString& message) {
    samplingEnded();
    if (stopped) {
        status_->setText(tr("Sampling cancelled."));
        emit densityFailed(tr("cancelled"));
        return;
    }
    if (!ok) {
        report(tr("Cannot sample the density"), message);
        emit densityFailed(message);
        return;
    }
    DensityOutputs out;
    try {
        out = loadDensityOutputs(cliRun_->options().outDir);
    } catch (const std::exception& e) {
        const QString m = tr("Cannot read what synthforge density wrote: %1").arg(QString::fromUtf8(e.what()));
        report(tr("Cannot sample the density"), m);
        emit densityFailed(m);
        return;
    }
    progress_->setValue(1);  // done: the range is 0..1 again
    // The CLI's result replaces an in-process grid: its head is the CLI's own
    // posed head (mesh.obj), the one its distances belong to.
    result_.reset();
    cli_ = std::move(out);
    stale_ = false;
    surface_ = align::IsoSurface{};
    surface_.mesh = cli_->surface;
    surface_.fieldMin = cli_->fieldMin;
    surface_.fieldMax = cli_->fieldMax;
    level_ = cli_->level;
    head_ = cli_->mesh;
    levelSlider_->setEnabled(false);
    levelSlider_->setToolTip(tr("The level is the TorchScript generator's surface level (density_level): "
                                "synthforge density extracts the iso-surface there"));
    resetLevel_->setEnabled(false);
    syncLevelSlider();
    if (viewport_) {
        viewport_->setHead(head_, {});
        viewport_->setSurface(surface_.mesh);
    }
    const auto [seed, index] = cliSample();
    status_->setText(tr("%1 (synthforge density, seed %2, index %3): iso-surface %4 vertices, cell %5 generator units")
                         .arg(cli_->generatorName.isEmpty() ? QFileInfo(cliRun_->options().generator).fileName()
                                                            : cli_->generatorName)
                         .arg(seed).arg(index).arg(surface_.mesh.positions.rows())
                         .arg(cli_->cell, 0, 'g', 3));
    updateColours();
    emit geometryChanged();
    emit densityReady();
}

void AlignView::densityDone(std::shared_ptr<const DensityResult> result) {
    job_.reset();
    cli_.reset();
    levelSlider_->setToolTip(tr("Iso-level: the density value the surface passes through. The default is the "
                                "procedural density's surface level 1/(2β)"));
    resetLevel_->setEnabled(true);
    sampleButton_->setEnabled(true);
    cancelButton_->setEnabled(false);
    result_ = std::move(result);
    stale_ = false;
    const auto& d = result_->grid.dims;
    status_->setText(tr("Density sampled: %1 × %2 × %3 points, cell %4 generator units, %5 s")
                         .arg(d.x()).arg(d.y()).arg(d.z())
                         .arg(result_->grid.spacing, 0, 'g', 3)
                         .arg(result_->seconds, 0, 'f', 2));
    rebuildHead();
    reextract();
    emit densityReady();
}

void AlignView::setLevel(float level) {
    // The CLI's surface is extracted at the generator's level; there is no grid here to re-extract.
    if (!std::isfinite(level) || cli_) return;
    level_ = level;
    syncLevelSlider();
    reextract();
}

void AlignView::levelSliderMoved(int value) {
    if (!result_ || surface_.fieldMax <= surface_.fieldMin) return;
    const float level = surface_.fieldMin + (surface_.fieldMax - surface_.fieldMin) * static_cast<float>(value) / kLevelSteps;
    // The slider echoes setLevel's own position; only a real move re-extracts.
    if (std::abs(level - level_) < 0.5f * (surface_.fieldMax - surface_.fieldMin) / kLevelSteps) return;
    level_ = level;
    reextract();
}

void AlignView::syncLevelSlider() {
    if (cli_) {
        levelLabel_->setText(tr("%1 (the generator's surface level)").arg(level_, 0, 'g', 4));
        return;
    }
    levelLabel_->setText(tr("%1 (surface level %2)").arg(level_, 0, 'g', 4).arg(defaultSurfaceLevel(), 0, 'g', 4));
    if (!result_ || surface_.fieldMax <= surface_.fieldMin) return;
    const float t = (level_ - surface_.fieldMin) / (surface_.fieldMax - surface_.fieldMin);
    const QSignalBlocker block(levelSlider_);
    levelSlider_->setValue(static_cast<int>(std::lround(std::clamp(t, 0.0f, 1.0f) * kLevelSteps)));
}

void AlignView::reextract() {
    if (!result_) {
        syncLevelSlider();
        return;
    }
    surface_ = extractSurface(result_->grid, level_);
    levelSlider_->setEnabled(surface_.fieldMax > surface_.fieldMin);
    syncLevelSlider();
    if (viewport_) viewport_->setSurface(surface_.mesh);
    if (surface_.empty()) status_->setText(QString::fromStdString(surface_.message));
    updateColours();
    emit geometryChanged();
}

void AlignView::rebuildHead() {
    if (!result_) return;
    // The grid's own head: a model loaded since has other vertices and faces.
    head_ = headWorldMesh(*result_->model, result_->pose, activeCorrection());
    colours_.clear();
    if (viewport_) viewport_->setHead(head_, colours_);
}

void AlignView::updateColours() {
    residuals_ = cli_ ? cli_->residuals : vertexResiduals(head_, surface_.mesh);
    if (residuals_.empty()) {
        residualLabel_->setText(result_ || cli_ ? tr("No iso-surface at this level.") : QString());
        legend_->hide();
        colours_.clear();
        if (viewport_) viewport_->setHeadColours(colours_);
        return;
    }
    const align::DistanceStats s = align::summarize(residuals_);
    const double mm = mmPerGeneratorUnit(), cell = cli_ ? cli_->cell : result_->grid.spacing;
    residualLabel_->setText(tr("Head → iso-surface: mean %1 mm, p95 %2 mm, max %3 mm (%4 cells mean)")
                                .arg(s.mean * mm, 0, 'f', 2).arg(s.p95 * mm, 0, 'f', 2).arg(s.max * mm, 0, 'f', 2)
                                .arg(s.mean / cell, 0, 'f', 2));
    const HeatScale scale = HeatScale::fitting(residuals_);
    legend_->setScale(scale);
    legend_->setVisible(heatmap_);
    colours_ = heatmap_ ? scale.colours(residuals_) : std::vector<Eigen::Vector3f>{};
    if (viewport_) viewport_->setHeadColours(colours_);
}

void AlignView::setSurfaceOpacity(float alpha) {
    opacitySlider_->setValue(static_cast<int>(std::lround(std::clamp(alpha, 0.0f, 1.0f) * 100)));
}

void AlignView::setHeatmapShown(bool on) {
    heatmap_ = on;
    if (heatmapBox_->isChecked() != on) heatmapBox_->setChecked(on);
    updateColours();
}

bool AlignView::loadFit(const QString& dirOrJson) {
    align::AlignmentFit fit;
    try {
        fit = align::loadAlignmentFit(dirOrJson.toStdString());
    } catch (const std::exception& e) {
        report(tr("Cannot load the fit"), QString::fromUtf8(e.what()));
        return false;
    }
    if (doc_->model() && fit.vertexCount > 0 && fit.vertexCount != doc_->model()->numVertices()) {
        report(tr("Cannot load the fit"),
               tr("%1 was fitted for a head with %2 vertices; the scene's head %3 has %4.")
                   .arg(dirOrJson).arg(fit.vertexCount).arg(QString::fromStdString(doc_->model()->name))
                   .arg(doc_->model()->numVertices()));
        return false;
    }
    fit_ = std::move(fit);
    fitPath_ = dirOrJson;
    updateFitLabel();
    // A new fit while "After" is on changes the correction in use.
    if (after_) {
        rebuildHead();
        updateColours();
        emit geometryChanged();
        emit correctionChanged();
    }
    return true;
}

void AlignView::setCorrected(bool after) {
    after = after && fit_.has_value();
    {
        const QSignalBlocker b1(afterButton_), b2(beforeButton_);
        afterButton_->setChecked(after);
        beforeButton_->setChecked(!after);
    }
    if (after == after_) return;
    after_ = after;
    rebuildHead();
    updateColours();
    emit geometryChanged();
    emit correctionChanged();
}

std::optional<Eigen::Matrix4f> AlignView::activeCorrection() const {
    if (after_ && fit_) return fit_->correction;
    return std::nullopt;
}

void AlignView::updateFitLabel() {
    beforeButton_->setEnabled(fit_.has_value());
    afterButton_->setEnabled(fit_.has_value());
    if (!fit_) {
        fitLabel_->setText(tr("No fit loaded"));
        return;
    }
    const Eigen::Matrix4f& c = fit_->correction;
    const Eigen::Vector3f t = c.block<3, 1>(0, 3) * 1000.0f;
    const float scale = std::cbrt(c.block<3, 3>(0, 0).determinant());
    QString text = tr("%1\n%2 samples, %3 steps; shift (%4, %5, %6) mm, scale %7")
                       .arg(QFileInfo(fitPath_).fileName())
                       .arg(fit_->samples).arg(fit_->steps)
                       .arg(t.x(), 0, 'f', 2).arg(t.y(), 0, 'f', 2).arg(t.z(), 0, 'f', 2)
                       .arg(scale, 0, 'f', 4);
    const auto total = fit_->final.find("total");
    if (total != fit_->final.end()) text += tr("; final loss %1").arg(total->second, 0, 'g', 4);
    fitLabel_->setText(text);
}

void AlignView::browseFit() {
    const QString d = QFileDialog::getExistingDirectory(this, tr("Open a fit folder (synthforge align --out)"));
    if (!d.isEmpty()) loadFit(d);
}

void AlignView::report(const QString& title, const QString& message) {
    status_->setText(message);
    std::cerr << "synthforge-studio: align: " << message.toStdString() << std::endl;
    emit errorReported(title, message);
    if (dialogs_) QMessageBox::warning(this, title, message);
}

}  // namespace synthforge::widgets
