#include "widgets/panels/generator_view.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QImage>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QPixmap>
#include <QSlider>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include "core/annotate/overlays.h"
#include "widgets/align/generator_picker.h"
#include "widgets/panels/cli_scene_render.h"
#include "widgets/panels/image_hover.h"
#include "widgets/panels/scene_document.h"
#include "widgets/mat_image.h"

namespace synthforge::widgets {

namespace {
constexpr int kDebounceMs = 50;
// A CLI run starts a process and loads the module (a second or more), so
// it waits for a pause in the edits rather than chasing every slider step.
constexpr int kCliDebounceMs = 300;
constexpr double kHoverPixels = 8;  ///< how near (on screen) the cursor must be to a landmark

}  // namespace

GeneratorView::GeneratorView(SceneDocument* doc, QWidget* parent) : QWidget(parent), doc_(doc) {
    auto* box = new QVBoxLayout(this);
    picker_ = new GeneratorPicker(this, Qt::Horizontal);
    picker_->setObjectName(QStringLiteral("generatorPicker"));
    picker_->kindBox()->setToolTip(tr("The generator this tab renders with. Procedural runs in the studio; a "
                                      "TorchScript file runs in the synthforge CLI (LibTorch stays out of the GUI)"));
    box->addWidget(picker_);
    cli_ = new CliSceneRender(this);
    auto* controls = new QHBoxLayout;
    base_ = new QComboBox(this);
    base_->addItems({tr("Image"), tr("Depth"), tr("Normals")});
    base_->setToolTip(tr("What the view shows under the overlays"));
    landmarks_ = new QCheckBox(tr("Landmarks"), this);
    landmarks_->setChecked(true);
    landmarks_->setToolTip(tr("68 landmarks: green visible, red occluded"));
    segmentation_ = new QCheckBox(tr("Segmentation"), this);
    opacity_ = new QSlider(Qt::Horizontal, this);
    opacity_->setRange(0, 100);
    opacity_->setValue(50);
    opacity_->setToolTip(tr("Segmentation opacity"));
    opacity_->setMaximumWidth(120);
    controls->addWidget(base_);
    controls->addWidget(landmarks_);
    controls->addWidget(segmentation_);
    controls->addWidget(opacity_);
    controls->addStretch(1);
    box->addLayout(controls);

    picture_ = new QLabel(tr("Loading the head model…"), this);
    picture_->setAlignment(Qt::AlignCenter);
    picture_->setMinimumSize(256, 256);
    picture_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Ignored);
    box->addWidget(picture_, 1);
    status_ = new QLabel(this);
    status_->setObjectName(QStringLiteral("generatorStatus"));
    status_->setWordWrap(true);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    box->addWidget(status_);
    hoverLine_ = new QLabel(this);
    hoverLine_->setObjectName(QStringLiteral("hoverLine"));
    hoverLine_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    box->addWidget(hoverLine_);
    picture_->setMouseTracking(true);
    picture_->installEventFilter(this);
    legend_ = new QLabel(this);
    legend_->setWordWrap(true);
    legend_->setTextFormat(Qt::RichText);
    box->addWidget(legend_);

    debounce_.setSingleShot(true);
    debounce_.setInterval(kDebounceMs);
    connect(&debounce_, &QTimer::timeout, this, &GeneratorView::start);
    connect(&watcher_, &QFutureWatcher<Result>::finished, this, &GeneratorView::finished);
    connect(cli_, &CliSceneRender::finished, this, &GeneratorView::cliFinished);
    connect(picker_, &GeneratorPicker::changed, this, &GeneratorView::pickerChanged);
    connect(doc_, &SceneDocument::changed, this, [this] {
        syncPickerFromScene();
        ++generation_;
        debounce_.start();
    });
    connect(base_, &QComboBox::currentIndexChanged, this, &GeneratorView::redraw);
    connect(landmarks_, &QCheckBox::toggled, this, &GeneratorView::redraw);
    connect(segmentation_, &QCheckBox::toggled, this, [this] {
        updateLegend();
        redraw();
    });
    connect(opacity_, &QSlider::valueChanged, this, &GeneratorView::redraw);
}

GeneratorView::~GeneratorView() {
    // The worker holds only shared_ptrs and copies, but its result slot
    // touches this widget: wait for it before going away.
    watcher_.waitForFinished();
}

void GeneratorView::setPipeline(std::shared_ptr<const generate::SamplePipeline> pipeline) {
    pipeline_ = std::move(pipeline);
    ++generation_;
    updateLegend();
    renderNow();
}

void GeneratorView::renderNow() {
    debounce_.stop();
    start();
}

bool GeneratorView::throughCli() const { return picker_->torchScript() && !picker_->torchScriptFile().isEmpty(); }

void GeneratorView::setCliProgram(const QString& program) { cli_->setProgram(program); }

QString GeneratorView::statusText() const { return status_->text(); }

void GeneratorView::pickerChanged() {
    if (syncing_) return;
    debounce_.setInterval(throughCli() ? kCliDebounceMs : kDebounceMs);
    if (throughCli() && !QFileInfo(picker_->torchScriptFile()).isFile()) {
        // A path being typed, or a wrong one: no run (and no undo step) per keystroke.
        status_->setText(tr("No such TorchScript file: %1").arg(picker_->torchScriptFile()));
        return;
    }
    const std::string chosen = throughCli() ? picker_->torchScriptFile().toStdString() : "procedural";
    if (throughCli()) missingGenerator_.clear();
    if (doc_->scene().generator != chosen) {
        // Saved scenes remember the generator; the edit's changed() renders.
        scene::Scene s = doc_->scene();
        s.generator = chosen;
        doc_->apply(s, tr("Generator"));
        return;
    }
    ++generation_;
    // Back to procedural: the in-process path at once, as before.
    if (throughCli())
        debounce_.start();
    else
        renderNow();
}

void GeneratorView::syncPickerFromScene() {
    const QString wanted = QString::fromStdString(doc_->scene().generator);
    const QString current = throughCli() ? picker_->torchScriptFile() : QStringLiteral("procedural");
    if (wanted == current || wanted == missingGenerator_) return;
    syncing_ = true;
    if (wanted == QLatin1String("procedural")) {
        picker_->setProcedural();
        missingGenerator_.clear();
    } else if (QFileInfo(wanted).isFile()) {
        picker_->setTorchScriptFile(wanted);
        missingGenerator_.clear();
    } else {
        // Render something rather than nothing, and say why it is not the scene's generator.
        picker_->setProcedural();
        missingGenerator_ = wanted;
        const QString message =
            tr("The scene's generator %1 does not exist; rendering with the procedural generator").arg(wanted);
        status_->setText(message);
        emit renderFailed(message);
    }
    syncing_ = false;
    debounce_.setInterval(throughCli() ? kCliDebounceMs : kDebounceMs);
}

void GeneratorView::startCli() {
    if (cli_->running()) {
        cliPending_ = true;  // run again for the latest scene when this one is done
        return;
    }
    cliPending_ = false;
    scene::Scene s = doc_->scene();
    CliRenderOptions o;
    o.generator = picker_->torchScriptFile();
    o.psi = picker_->psi();
    o.head = QString::fromStdString(s.headModel);
    o.alignment = cliAlignment_;
    s.generator = o.generator.toStdString();
    cliGeneration_ = generation_;
    QString error;
    if (!cli_->start(s, o, &error)) {
        status_->setText(error);
        picture_->setText(tr("Cannot render this scene through synthforge:\n%1").arg(error));
        emit renderFailed(error);
        return;
    }
    status_->setText(tr("rendering through synthforge (%1)…").arg(QFileInfo(o.generator).fileName()));
}

void GeneratorView::cliFinished(std::shared_ptr<const generate::RenderedSample> sample, const QString& message,
                                double ms) {
    const bool stale = cliGeneration_ != generation_;
    if (cliPending_ || stale) {
        // The scene (or the generator) moved on: show nothing old.
        if (throughCli()) startCli();
        if (stale) return;
    }
    if (!sample) {
        status_->setText(message);
        picture_->setText(tr("Cannot render this scene through synthforge:\n%1").arg(message));
        emit renderFailed(message);
        return;
    }
    last_ = std::move(sample);
    lastMs_ = ms;
    status_->setText(tr("%1 through synthforge render: %2 ms (process start, model load and render)")
                         .arg(QFileInfo(picker_->torchScriptFile()).fileName())
                         .arg(ms, 0, 'f', 0));
    if (hoverPos_.x() >= 0) hoverAt(hoverPos_);
    redraw();
    emit frameShown(ms);
}

void GeneratorView::start() {
    if (throughCli()) {
        startCli();
        return;
    }
    if (!pipeline_) return;
    if (watcher_.isRunning()) {
        pending_ = true;  // render again when the current one is done
        return;
    }
    pending_ = false;
    // Everything the worker needs is copied or shared here, on the GUI thread.
    const scene::Scene scene = doc_->scene();
    auto pipeline = pipeline_;
    auto labels = labels_;
    // Live edits since the last UvLabelMap: the worker builds a new one
    // (validation and padding take longer than a frame, not for the GUI thread).
    const cv::Mat staleIds = labelsStale_ ? live_.ids().clone() : cv::Mat();
    const annotate::ClassTable classes = liveClasses_;
    const quint64 generation = generation_, liveRevision = liveRevision_;
    watcher_.setFuture(QtConcurrent::run([scene, pipeline, labels, staleIds, classes, generation,
                                          liveRevision]() mutable -> Result {
        Result r;
        r.generation = generation;
        r.liveRevision = liveRevision;
        QElapsedTimer t;
        t.start();
        try {
            generate::SamplePipeline p = *pipeline;  // shares the model and generator
            if (!staleIds.empty()) labels = std::make_shared<annotate::UvLabelMap>(staleIds, classes, "label editor");
            r.labels = labels;
            if (labels && p.model->hasUv()) {
                // The label editor's map replaces the pipeline's.
                p.labels = labels;
                p.annotation.segmentation = true;
            }
            p.width = scene.width;
            p.height = scene.height;
            scene.params.validateFor(*p.model);
            r.sample = std::make_shared<generate::RenderedSample>(
                p.render(scene.toSampleSpec(p.generator->capabilities().latentDim)));
        } catch (const std::exception& e) {
            r.error = QString::fromStdString(e.what());
        }
        r.ms = static_cast<double>(t.nsecsElapsed()) / 1e6;
        return r;
    }));
}

void GeneratorView::finished() {
    const Result r = watcher_.result();
    const bool stale = r.generation != generation_;
    if (pending_ || stale) {
        // The scene moved on while this ran: show nothing old, render the latest
        // (unless a TorchScript file was picked since: its own run follows the scene).
        if (!throughCli()) start();
        if (stale) return;
    }
    if (!r.error.isEmpty()) {
        picture_->setText(tr("Cannot render this scene:\n%1").arg(r.error));
        status_->setText(r.error);
        emit renderFailed(r.error);
        return;
    }
    last_ = r.sample;
    lastMs_ = r.ms;
    status_->setText(missingGenerator_.isEmpty()
                         ? tr("procedural generator, in process: %1 ms").arg(r.ms, 0, 'f', 0)
                         : tr("procedural generator, in process: %1 ms (the scene's generator %2 does not exist)")
                               .arg(r.ms, 0, 'f', 0)
                               .arg(missingGenerator_));
    if (r.labels && r.liveRevision == liveRevision_) {
        labels_ = r.labels;  // the worker's map holds every live edit so far
        labelsStale_ = false;
    }
    if (r.liveRevision != liveRevision_) {
        relabel();  // the map was edited while this rendered: show the latest labels
        emit frameShown(r.ms);
        return;
    }
    if (hoverPos_.x() >= 0)
        hoverAt(hoverPos_);  // the pixel under a still cursor changed
    redraw();
    emit frameShown(r.ms);
}

cv::Mat GeneratorView::composed() const {
    if (!last_) return {};
    const annotate::Annotations& a = last_->annotations;
    cv::Mat out;
    switch (static_cast<Base>(base_->currentIndex())) {
    case Base::Depth: out = annotate::depthColormap(a.depth); break;
    case Base::Normals: out = a.normals.empty() ? cv::Mat(a.height, a.width, CV_8UC3, cv::Scalar::all(0))
                                                : annotate::normalsToBgr(a.normals); break;
    case Base::Image: out = last_->image.image.clone(); break;
    }
    const annotate::ClassTable* classes = outputClasses();
    if (segmentation_->isChecked() && !a.segmentation.empty() && classes)
        out = annotate::blendSegmentation(out, a.segmentation, *classes, opacity_->value() / 100.0f);
    if (landmarks_->isChecked() && a.landmarks2d.rows() > 0)
        out = annotate::drawLandmarks(out, a.landmarks2d, a.landmarkVisible);
    return out;
}

void GeneratorView::redraw() {
    const cv::Mat bgr = composed();
    if (bgr.empty()) return;
    QPixmap pix = QPixmap::fromImage(toQImage(bgr)).scaled(picture_->size(), Qt::KeepAspectRatio,
                                                           Qt::SmoothTransformation);
    if (hoverLandmark_ >= 0 && landmarks_->isChecked()) {
        // The index is drawn at screen resolution, after scaling, so it stays
        // legible on a 64² sample as on a 1024² one.
        const auto& lm = last_->annotations.landmarks2d;
        const ImageFit fit = fitImage(QSize(bgr.cols, bgr.rows), picture_->size());
        const QPointF at = fit.toWidget(QPointF(lm(hoverLandmark_, 0), lm(hoverLandmark_, 1))) -
                           QPointF(fit.dx, fit.dy);
        QPainter p(&pix);
        p.setRenderHint(QPainter::Antialiasing);
        p.setPen(QPen(Qt::yellow, 2));
        p.drawEllipse(at, 6, 6);
        QFont f = p.font();
        f.setBold(true);
        p.setFont(f);
        const QString label = QString::number(hoverLandmark_);
        const QPointF textAt = at + QPointF(8, -8);
        p.setPen(Qt::black);
        p.drawText(textAt + QPointF(1, 1), label);
        p.setPen(Qt::yellow);
        p.drawText(textAt, label);
    }
    picture_->setPixmap(pix);
}

bool GeneratorView::eventFilter(QObject* watched, QEvent* e) {
    if (watched == picture_) {
        if (e->type() == QEvent::MouseMove) hoverAt(static_cast<QMouseEvent*>(e)->position().toPoint());
        if (e->type() == QEvent::Leave) clearHover();
    }
    return QWidget::eventFilter(watched, e);
}

void GeneratorView::hoverAt(QPoint pos) {
    hoverPos_ = pos;
    int landmark = -1;
    QString text;
    if (last_) {
        const annotate::Annotations& a = last_->annotations;
        const ImageFit fit = fitImage(QSize(a.width, a.height), picture_->size());
        const QPointF p = fit.toImage(pos);
        if (landmarks_->isChecked()) landmark = nearestLandmark(a.landmarks2d, p, kHoverPixels / fit.scale);
        text = describePixel(a, outputClasses(), p, landmark);
    }
    hoverLine_->setText(text);
    if (landmark != hoverLandmark_) {
        hoverLandmark_ = landmark;
        redraw();
    }
}

void GeneratorView::clearHover() {
    hoverPos_ = QPoint(-1, -1);
    hoverLine_->clear();
    if (hoverLandmark_ >= 0) {
        hoverLandmark_ = -1;
        redraw();
    }
}

QString GeneratorView::hoverText() const { return hoverLine_->text(); }

void GeneratorView::resizeEvent(QResizeEvent* e) {
    QWidget::resizeEvent(e);
    redraw();
}

void GeneratorView::updateLegend() {
    const annotate::ClassTable* classes = outputClasses();
    if (!segmentation_->isChecked() || !classes) {
        legend_->clear();
        legend_->setVisible(false);
        return;
    }
    QString html;
    for (const annotate::ClassEntry& c : classes->entries()) {
        if (c.id == 0 || c.id == 255) continue;
        html += QStringLiteral("<span style='background-color: rgb(%1,%2,%3)'>&nbsp;&nbsp;&nbsp;</span> %4 &nbsp; ")
                    .arg(c.color[0]).arg(c.color[1]).arg(c.color[2]).arg(QString::fromStdString(c.name).toHtmlEscaped());
    }
    legend_->setText(html);
    legend_->setVisible(true);
}

std::shared_ptr<const annotate::UvLabelMap> GeneratorView::labelMap() const {
    if (labels_) return labels_;
    return pipeline_ ? pipeline_->labels : nullptr;
}

const annotate::ClassTable* GeneratorView::outputClasses() const {
    if (!pipeline_) return nullptr;
    if (pipeline_->segRemap) return &annotate::presetTable(pipeline_->segRemap->target);
    if (!live_.empty()) return &liveClasses_;
    return pipeline_->labels ? &pipeline_->labels->classes() : nullptr;
}

void GeneratorView::setLabelMap(std::shared_ptr<const annotate::UvLabelMap> labels) {
    labels_ = std::move(labels);
    labelsStale_ = false;
    ++liveRevision_;
    try {
        live_ = labels_ ? annotate::PaddedLabelMap(labels_->original()) : annotate::PaddedLabelMap();
    } catch (const std::exception& e) {
        live_ = {};
        emit renderFailed(QString::fromStdString(e.what()));
    }
    liveClasses_ = labels_ ? labels_->classes() : annotate::ClassTable();
    updateLegend();
    relabel();
}

void GeneratorView::editLabelMap(const cv::Mat& region, QRect dirty, const annotate::ClassTable& classes) {
    if (live_.empty()) {
        emit renderFailed(tr("Label map edit without a label map (call setLabelMap first)"));
        return;
    }
    try {
        if (!dirty.isEmpty())
            live_.update(region, cv::Rect(dirty.x(), dirty.y(), dirty.width(), dirty.height()));
    } catch (const std::exception& e) {
        emit renderFailed(QString::fromStdString(e.what()));
        return;
    }
    labelsStale_ = true;
    ++liveRevision_;
    if (classes != liveClasses_) {
        liveClasses_ = classes;
        updateLegend();
    }
    relabel();
}

void GeneratorView::relabel() {
    const auto labels = labelMap();
    if (!last_ || (live_.empty() && !labels) || !pipeline_ || !pipeline_->model || !pipeline_->model->hasUv())
        return;
    const raster::RasterResult& r = last_->annotations.raster;
    if (r.triangleId.empty()) return;
    QElapsedTimer t;
    t.start();
    try {
        // UVs depend only on the raster: computed once per sample.
        if (uvSample_ != last_.get()) pixelUvs_ = annotate::pixelUvs(*pipeline_->model, r);
        cv::Mat seg = live_.empty() ? annotate::relabelSegmentation(pixelUvs_, *labels)
                                    : annotate::relabelSegmentation(pixelUvs_, live_);
        if (pipeline_->segRemap) seg = annotate::applyRemap(seg, *pipeline_->segRemap);
        auto s = std::make_shared<generate::RenderedSample>(*last_);
        s->annotations.segmentation = seg;
        last_ = s;
        uvSample_ = last_.get();  // same raster, so the UVs still hold
    } catch (const std::exception& e) {
        emit renderFailed(QString::fromStdString(e.what()));
        return;
    }
    if (hoverPos_.x() >= 0) hoverAt(hoverPos_);
    redraw();
    relabelMs_ = static_cast<double>(t.nsecsElapsed()) / 1e6;
}

void GeneratorView::setBase(Base b) { base_->setCurrentIndex(static_cast<int>(b)); }
void GeneratorView::setLandmarksShown(bool on) { landmarks_->setChecked(on); }
void GeneratorView::setSegmentationShown(bool on) { segmentation_->setChecked(on); }
void GeneratorView::setSegmentationOpacity(double alpha) { opacity_->setValue(static_cast<int>(alpha * 100 + 0.5)); }

}  // namespace synthforge::widgets
