#include "widgets/explore/interp_strip.h"

#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QMouseEvent>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include "core/scene/interpolation_export.h"
#include "core/scene/scene_interpolation.h"
#include "widgets/panels/scene_document.h"

namespace synthforge::widgets {

namespace {

/// A filmstrip frame that reports clicks.
class FrameView : public QLabel {
public:
    FrameView(int index, std::function<void(int)> onClick, QWidget* parent)
        : QLabel(parent), index_(index), onClick_(std::move(onClick)) {
        setAlignment(Qt::AlignCenter);
        setCursor(Qt::PointingHandCursor);
    }

protected:
    void mousePressEvent(QMouseEvent* e) override {
        if (e->button() == Qt::LeftButton) onClick_(index_);
    }

private:
    int index_;
    std::function<void(int)> onClick_;
};

}  // namespace

InterpStrip::InterpStrip(SceneDocument* doc, QWidget* parent) : QWidget(parent), doc_(doc) {
    auto* outer = new QVBoxLayout(this);
    auto* row = new QHBoxLayout;
    setA_ = new QPushButton(tr("Set A to the current scene"), this);
    setB_ = new QPushButton(tr("Set B to the current scene"), this);
    frames_ = new QSpinBox(this);
    frames_->setRange(2, 32);
    frames_->setValue(8);
    frames_->setSuffix(tr(" frames"));
    render_ = new QPushButton(tr("Render strip"), this);
    export_ = new QPushButton(tr("Export frames…"), this);
    export_->setToolTip(tr("Write every frame as a scene file (explore interp renders them with annotations)"));
    exportImages_ = new QPushButton(tr("Export images and video…"), this);
    exportImages_->setToolTip(tr("Render every frame at full size with its annotation (frame_NNNN.png, .json) "
                                 "and write interpolation.mp4 beside them"));
    for (QWidget* w : std::initializer_list<QWidget*>{setA_, setB_, frames_, render_, export_, exportImages_})
        row->addWidget(w);
    outer->addLayout(row);
    status_ = new QLabel(tr("Set A and B: the scenes to go between (slerp for z, lerp for FLAME, an orbit path for the camera)."), this);
    status_->setWordWrap(true);
    outer->addWidget(status_);
    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    stripHost_ = new QWidget;
    strip_ = new QHBoxLayout(stripHost_);
    strip_->setSpacing(4);
    strip_->addStretch(1);
    scroll->setWidget(stripHost_);
    outer->addWidget(scroll, 1);
    connect(setA_, &QPushButton::clicked, this, [this] { setEnd(true); });
    connect(setB_, &QPushButton::clicked, this, [this] { setEnd(false); });
    connect(render_, &QPushButton::clicked, this, [this] { render(); });
    connect(exportImages_, &QPushButton::clicked, this, [this] {
        if (scenes_.empty()) {
            showError(tr("Render the strip first."));
            return;
        }
        if (exporting_.isRunning()) {
            showError(tr("An export is running."));
            return;
        }
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Export the frames as images and a video"));
        if (dir.isEmpty()) return;
        status_->setStyleSheet(QString());
        status_->setText(tr("Rendering %1 frames into %2…").arg(frameCount()).arg(dir));
        exportImages_->setEnabled(false);
        // Copies: a new strip may be rendered while this one is written.
        const scene::InterpolationExport o = exportOptions(dir, QDir(dir).filePath(QStringLiteral("interpolation.mp4")));
        exporting_.setFuture(QtConcurrent::run([first = scenes_.front(), last = scenes_.back(), o]() -> QString {
            try {
                scene::exportInterpolation(first, last, o);
                return {};
            } catch (const std::exception& e) {
                return QString::fromUtf8(e.what());
            }
        }));
    });
    connect(&exporting_, &QFutureWatcher<QString>::finished, this, [this] {
        exportImages_->setEnabled(true);
        const QString error = exporting_.result();
        if (!error.isEmpty()) {
            showError(tr("Export failed: %1").arg(error));
            return;
        }
        status_->setText(tr("Wrote %1 frames with their annotations and interpolation.mp4.").arg(frameCount()));
    });
    connect(export_, &QPushButton::clicked, this, [this] {
        if (scenes_.empty()) {
            showError(tr("Render the strip first."));
            return;
        }
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Export the frames as scenes"));
        if (dir.isEmpty()) return;
        try {
            status_->setText(tr("Wrote %1 scene files to %2").arg(exportFrames(dir)).arg(dir));
        } catch (const std::exception& e) {
            QMessageBox::critical(this, tr("Export failed"), QString::fromUtf8(e.what()));
        }
    });
}

InterpStrip::~InterpStrip() {
    job_.reset();
    exporting_.waitForFinished();  // the export holds copies of the scenes only, but must not outlive the app
}

void InterpStrip::setEnd(bool a) {
    (a ? a_ : b_) = doc_->scene();
    (a ? setA_ : setB_)->setText(a ? tr("A: set (replace)") : tr("B: set (replace)"));
    status_->setStyleSheet(QString());
    status_->setText(a_ && b_ ? tr("A and B are set: Render strip.") : tr("Now set the other end."));
}

void InterpStrip::setFrames(int n) { frames_->setValue(n); }

void InterpStrip::showError(const QString& text) {
    status_->setText(text);
    status_->setStyleSheet(QStringLiteral("color: #b00020"));
}

QWidget* InterpStrip::frameWidget(int k) const {
    return k >= 0 && k < static_cast<int>(frameWidgets_.size()) ? frameWidgets_[static_cast<std::size_t>(k)] : nullptr;
}

QString InterpStrip::status() const { return status_->text(); }

bool InterpStrip::render() {
    if (!a_ || !b_) {
        showError(tr("Set both A and B first."));
        return false;
    }
    const int n = frames_->value();
    std::vector<scene::Scene> scenes;
    try {
        // Scenes without a stored z draw theirs at the sampler's latent size
        // (the procedural generator's; a generator with another size would
        // need the interpolation redone at its size).
        for (int k = 0; k < n; ++k)
            scenes.push_back(scene::interpolateScenes(*a_, *b_, static_cast<double>(k) / (n - 1), generate::kDefaultLatentDim));
    } catch (const std::invalid_argument& e) {
        showError(QString::fromUtf8(e.what()));
        return false;
    }
    job_.reset();
    const int generation = ++generation_;
    scenes_ = scenes;
    filled_ = 0;
    for (QWidget* w : frameWidgets_) delete w;
    frameWidgets_.clear();
    for (int k = 0; k < n; ++k) {
        auto* f = new FrameView(k, [this](int i) { loadFrame(i); }, stripHost_);
        f->setFixedSize(tile_ + 6, tile_ + 6);
        f->setText(QStringLiteral("…"));
        f->setToolTip(tr("Frame %1 of %2 (t = %3). Click: load as the scene (undoable).").arg(k + 1).arg(n).arg(
            static_cast<double>(k) / (n - 1), 0, 'f', 2));
        strip_->insertWidget(k, f);
        frameWidgets_.push_back(f);
    }
    status_->setStyleSheet(QString());
    status_->setText(tr("Rendering 0 / %1 frames…").arg(n));
    CellRenderJob::Callbacks cb;
    cb.specs = [](std::vector<generate::SampleSpec>) {};
    cb.cell = [this, generation](int i, QImage image) { frameReady(generation, i, image); };
    cb.error = [this, generation](QString msg) {
        if (generation == generation_) showError(msg);
    };
    job_ = std::make_unique<CellRenderJob>(
        this, scenes.front(), tile_, "none",
        [scenes](const generate::SamplePipeline& p) {
            std::vector<generate::SampleSpec> specs;
            for (const scene::Scene& s : scenes) specs.push_back(s.toSampleSpec(p.generator->capabilities().latentDim));
            return specs;
        },
        std::move(cb));
    return true;
}

void InterpStrip::frameReady(int generation, int index, const QImage& image) {
    if (generation != generation_ || index < 0 || index >= static_cast<int>(frameWidgets_.size())) return;
    static_cast<QLabel*>(frameWidgets_[static_cast<std::size_t>(index)])->setPixmap(QPixmap::fromImage(image));
    ++filled_;
    const int n = static_cast<int>(frameWidgets_.size());
    status_->setText(filled_ < n ? tr("Rendering %1 / %2 frames…").arg(filled_).arg(n)
                                 : tr("%1 frames. Click one to load it as the scene.").arg(n));
    if (filled_ == n) emit finished();
}

void InterpStrip::loadFrame(int k) {
    if (k < 0 || k >= frameCount()) return;
    doc_->apply(scenes_[static_cast<std::size_t>(k)], tr("Load interpolation frame %1").arg(k + 1));
}

scene::InterpolationExport InterpStrip::exportOptions(const QString& dir, const QString& video) const {
    scene::InterpolationExport o;
    o.frames = frameCount();
    o.outDir = dir.toStdString();
    o.video = video.toStdString();
    o.fps = 12;  // a few frames a second: a strip is short
    return o;
}

void InterpStrip::exportImages(const QString& dir, const QString& video) const {
    if (scenes_.size() < 2) throw std::invalid_argument("render the strip first");
    scene::exportInterpolation(scenes_.front(), scenes_.back(), exportOptions(dir, video));
}

int InterpStrip::exportFrames(const QString& dir) const {
    for (int k = 0; k < frameCount(); ++k)
        scene::saveScene(scenes_[static_cast<std::size_t>(k)],
                         QDir(dir).filePath(QStringLiteral("frame_%1.scene.json").arg(k, 4, 10, QLatin1Char('0'))).toStdString());
    return frameCount();
}

}  // namespace synthforge::widgets
