#include "widgets/viewport/viewport_paint_tool.h"

#include <iostream>

#include <QAction>
#include <QWidget>

#include "core/annotate/annotator.h"
#include "core/camera/orbit_camera.h"
#include "render/gl_camera.h"
#include "widgets/label_editor/label_edit_document.h"
#include "widgets/label_editor/label_editor_dock.h"

namespace synthforge::widgets {

ViewportPaintTool::ViewportPaintTool(QWidget* view) : QObject(view) {
    action_ = new QAction(tr("Paint labels on the 3D head"), view);
    action_->setCheckable(true);
    action_->setEnabled(false);  // until a label editor is set
    action_->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P));
    action_->setToolTip(tr("Left drag paints the label map on the head with the label editor's brush; "
                           "Alt + left drag orbits (Ctrl+Shift+P)"));
    connect(action_, &QAction::toggled, this, &ViewportPaintTool::setEnabled);
}

ViewportPaintTool::~ViewportPaintTool() = default;

LabelEditorDock* ViewportPaintTool::target() const { return target_; }

LabelEditDocument* ViewportPaintTool::document() const { return target_ ? target_->document() : nullptr; }

void ViewportPaintTool::setTarget(LabelEditorDock* editor) {
    if (editor == target_) return;
    cancel();
    if (target_) {
        disconnect(target_->document(), nullptr, this, nullptr);
        disconnect(target_, nullptr, this, nullptr);
    }
    target_ = editor;
    action_->setEnabled(editor != nullptr);
    if (!editor) return setEnabled(false);
    LabelEditDocument* doc = editor->document();
    // A new map replaces the canvas an open stroke writes into: drop the stroke first.
    connect(doc, &LabelEditDocument::aboutToReset, this, &ViewportPaintTool::cancel);
    // The brush is the document's; the 2D canvas and the dock's controls edit it.
    connect(doc, &LabelEditDocument::brushSizeChanged, this, [this](int d) {
        brushSize_ = d;
        emit repaintNeeded();
    });
    connect(doc, &LabelEditDocument::mirrorEnabledChanged, this, [this](bool on) { mirror_ = on; });
    connect(doc, &LabelEditDocument::brushClassChanged, this, [this](int id) { brushClass_ = id; });
    readBrush();
    // The head shows the map in class colours while painting: re-upload it after changes.
    connect(doc, &LabelEditDocument::mapChanged, this, &ViewportPaintTool::labelsChanged);
    connect(doc, &LabelEditDocument::previewChanged, this, &ViewportPaintTool::labelsChanged);
    connect(doc, &LabelEditDocument::classesChanged, this, &ViewportPaintTool::labelsChanged);
    connect(doc, &LabelEditDocument::documentReset, this, &ViewportPaintTool::labelsChanged);
    connect(editor, &QObject::destroyed, this, [this] {
        // Its canvas died with the editor, so the open edit must not restore
        // into it: let it go unrun (a drag cannot really be in progress here).
        (void)stroke_.release();
        dragging_ = false;
        action_->setEnabled(false);
        setEnabled(false);
    });
    emit labelsChanged();
}

void ViewportPaintTool::readBrush() {
    const LabelEditDocument* doc = document();
    if (!doc) return;
    brushSize_ = doc->brushSize();
    mirror_ = doc->mirrorEnabled();
    brushClass_ = doc->brushClass();
    emit repaintNeeded();
}

void ViewportPaintTool::setEnabled(bool on) {
    if (on == enabled_) return;
    if (!on) cancel();
    enabled_ = on;
    action_->setChecked(on);
    emit enabledChanged(on);
}

const QImage* ViewportPaintTool::labelImage(const head::HeadModel* model) const {
    if (!enabled_ || !target_ || !model || !model->hasUv()) return nullptr;
    const QImage& image = target_->document()->colorImage();
    return image.isNull() ? nullptr : &image;
}

labelmap::SurfacePoint ViewportPaintTool::pickAt(QPointF pos, const ViewportGeometry& view) {
    const int canvasSize = target_ ? target_->document()->canvas().size() : 0;
    if (canvasSize <= 0 || !view.posed() || !view.model->hasUv()) return {};
    const scene::Scene& s = *view.scene;
    try {
        if (pickerVersion_ != view.version || pickerW_ != view.width || pickerH_ != view.height || picker_.empty()) {
            const camera::PinholeCamera cam = s.camera.pinhole();
            picker_ = labelmap::SurfacePicker(
                *view.model, camera::transformPoints(annotate::flameToCamera(cam), *view.poseVertices),
                render::viewportIntrinsics(cam, s.width, s.height, view.width, view.height), view.width, view.height);
            pickerVersion_ = view.version;
            pickerW_ = view.width;
            pickerH_ = view.height;
        }
        return picker_.pick(static_cast<float>(pos.x() * view.dpr), static_cast<float>(pos.y() * view.dpr),
                            canvasSize);
    } catch (const std::exception&) {
        return {};  // a degenerate camera: nothing under the cursor
    }
}

void ViewportPaintTool::begin(QPointF pos, const ViewportGeometry& view) {
    dragging_ = true;
    LabelEditDocument* labels = document();
    if (!labels || labels->canvas().empty()) return;
    labelmap::SurfaceBrush brush;
    brush.screenDiameter = static_cast<float>(brushSize_ * view.dpr);
    brush.classId = static_cast<std::uint8_t>(brushClass_);
    if (mirror_) {
        brush.mirror = target_->mirrorMap();  // null while it is being built: not mirrored, as in the editor
        brush.flip = labels->classes().flipMap();
    }
    stroke_ = std::make_unique<labelmap::SurfaceStroke>(labels->canvas(), std::move(brush), target_->islands());
    extend(pos, view);
}

void ViewportPaintTool::extend(QPointF pos, const ViewportGeometry& view) {
    if (!stroke_ || !target_) return;
    try {
        const labelmap::TexelRect written = stroke_->add(
            pickAt(pos, view),
            Eigen::Vector2f(static_cast<float>(pos.x() * view.dpr), static_cast<float>(pos.y() * view.dpr)));
        target_->document()->refreshPreview(written);
    } catch (const std::exception& e) {
        std::cerr << "synthforge-studio: viewport paint: " << e.what() << std::endl;
    }
}

void ViewportPaintTool::finish() {
    dragging_ = false;
    if (!stroke_ || !target_) return;
    const bool mirrored = mirror_ && target_->mirrorMap();
    labelmap::TexelRect shown;
    labelmap::StrokeRecord record;
    try {
        record = stroke_->finish(&shown);
    } catch (const std::exception& e) {
        std::cerr << "synthforge-studio: viewport paint: " << e.what() << std::endl;
    }
    stroke_.reset();
    LabelEditDocument* labels = target_->document();
    labels->refreshPreview(shown);  // the live preview a mirrored stroke dropped
    labels->pushStroke(std::move(record), mirrored ? tr("3D brush stroke (mirrored)") : tr("3D brush stroke"));
}

void ViewportPaintTool::cancel() {
    stroke_.reset();  // an unfinished edit restores its tiles
    dragging_ = false;
}

}  // namespace synthforge::widgets
