#include "widgets/viewport_widget.h"

#include <algorithm>
#include <cmath>
#include <iostream>

#include <QAction>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QSurfaceFormat>
#include <QWheelEvent>
#include <QtConcurrent/QtConcurrentRun>
#include <imgui.h>

#include "core/annotate/annotator.h"
#include "core/camera/orbit_camera.h"
#include "render/albedo_texture.h"
#include "render/gl_camera.h"
#include "widgets/imgui_qt_bridge.h"
#include "widgets/label_canvas_view.h"
#include "widgets/label_edit_document.h"
#include "widgets/label_editor_dock.h"
#include "widgets/scene_document.h"

namespace synthforge::widgets {

namespace {
bool sameParams(const head::HeadParams& a, const head::HeadParams& b) {
    return a.shape.size() == b.shape.size() && a.expr.size() == b.expr.size() && a.shape == b.shape &&
           a.expr == b.expr && a.pose == b.pose && a.transl == b.transl;
}
// Pitch stays clear of the poles, where the look-at pose degenerates.
constexpr float kMaxPitch = 1.5f;
constexpr float kMinRadius = 1.0f, kMaxRadius = 10.0f;
/// The generator's atlas resolution (ProceduralGeneratorOptions::atlasSize).
constexpr int kAtlasSize = 512;
/// Texels per side of the baked albedo: twice the atlas, whose lookups are bilinear.
constexpr int kAlbedoSize = 1024;

const char* modeName(render::MeshRenderer::Mode m) {
    switch (m) {
        case render::MeshRenderer::Mode::Shaded: return "shaded";
        case render::MeshRenderer::Mode::Textured: return "textured";
        case render::MeshRenderer::Mode::Wireframe: return "wireframe";
    }
    return "";
}

/// The brush outline at the cursor (logical pixels), black and white like
/// the label editor's so it shows on any colour.
void drawBrushCircle(QPointF centre, float radius) {
    ImDrawList* dl = ImGui::GetForegroundDrawList();
    const ImVec2 c(static_cast<float>(centre.x()), static_cast<float>(centre.y()));
    const float r = std::max(radius, 1.0f);
    dl->AddCircle(c, r + 1.0f, IM_COL32(0, 0, 0, 255), 0, 1.5f);
    dl->AddCircle(c, r, IM_COL32(255, 255, 255, 255), 0, 1.0f);
}
}  // namespace

ViewportWidget::ViewportWidget(SceneDocument* doc, QWidget* parent)
    : QOpenGLWidget(parent), doc_(doc), imgui_(std::make_unique<ImGuiQtBridge>()) {
    QSurfaceFormat f = format();
    f.setVersion(3, 3);
    f.setProfile(QSurfaceFormat::CoreProfile);
    f.setDepthBufferSize(24);
    f.setSamples(0);  // no multisampling: the silhouette test compares pixel coverage exactly
    setFormat(f);
    setMinimumSize(128, 128);
    setFocusPolicy(Qt::ClickFocus);
    setMouseTracking(true);  // hover feeds the HUD without a button held
    clock_.start();
    connect(doc_, &SceneDocument::changed, this, &ViewportWidget::sceneChanged);
    connect(doc_, &SceneDocument::modelChanged, this, &ViewportWidget::modelChanged);
    connect(this, &QOpenGLWidget::frameSwapped, this, &ViewportWidget::onFrameSwapped);
    connect(&albedoWatcher_, &QFutureWatcher<AlbedoJob>::finished, this, &ViewportWidget::albedoFinished);
    paintAction_ = new QAction(tr("Paint labels on the 3D head"), this);
    paintAction_->setCheckable(true);
    paintAction_->setEnabled(false);  // until a label editor is set
    paintAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P));
    paintAction_->setToolTip(tr("Left drag paints the label map on the head with the label editor's brush; "
                                "Alt + left drag orbits (Ctrl+Shift+P)"));
    connect(paintAction_, &QAction::toggled, this, &ViewportWidget::setPaintMode);
    modelChanged();
}

ViewportWidget::~ViewportWidget() { releaseGl(); }

void ViewportWidget::releaseGl() {
    if (!context()) return;
    if (!renderer_.initialized() && !imgui_->ready()) return;
    makeCurrent();
    renderer_.release();
    imgui_->releaseGl();
    albedoOnGpu_ = false;
    labelsOnGpu_ = false;
    if (!albedoImage_.isNull()) albedoUploadPending_ = true;  // a new context gets it again
    doneCurrent();
}

void ViewportWidget::setPipeline(std::shared_ptr<const generate::SamplePipeline> pipeline) {
    pipeline_ = std::move(pipeline);
    // The atlas depends on the pipeline's label map: rebuild it.
    atlas_.reset();
    atlasModel_ = nullptr;
    albedoZ_.resize(0);
    ++viewVersion_;  // the class names under the cursor change
    requestAlbedo();
    update();
}

void ViewportWidget::setMode(render::MeshRenderer::Mode mode) {
    mode_ = mode;
    requestAlbedo();
    update();
}

void ViewportWidget::setLandmarksShown(bool on) {
    landmarks_ = on;
    update();
}

void ViewportWidget::setHudShown(bool on) {
    hud_ = on;
    update();
}

void ViewportWidget::modelChanged() {
    model_ = doc_->model();
    topologyDirty_ = true;
    poseDirty_ = true;
    clearPose();
    sceneChanged();
}

void ViewportWidget::clearPose() {
    pose_.vertices.resize(0, 3);
    pose_.landmarks.resize(0, 3);
}

void ViewportWidget::sceneChanged() {
    // The first edit since the last paint starts the latency clock.
    if (pendingEditNs_ < 0) pendingEditNs_ = clock_.nsecsElapsed();
    if (model_ && (poseDirty_ || !sameParams(posedParams_, doc_->scene().params))) {
        try {
            QElapsedTimer t;
            t.start();
            pose_ = head::forward(*model_, doc_->scene().params);
            lastForwardMs_ = static_cast<double>(t.nsecsElapsed()) * 1e-6;
            posedParams_ = doc_->scene().params;
            poseDirty_ = true;
        } catch (const std::exception& e) {
            // The document validates edits; this only guards a scene that does not fit the model.
            std::cerr << "synthforge-studio: viewport: " << e.what() << std::endl;
            clearPose();
        }
    }
    ++viewVersion_;
    requestAlbedo();
    update();
}

int ViewportWidget::deviceWidth() const {
    return std::max(1, static_cast<int>(std::lround(width() * devicePixelRatioF())));
}
int ViewportWidget::deviceHeight() const {
    return std::max(1, static_cast<int>(std::lround(height() * devicePixelRatioF())));
}

void ViewportWidget::updateLandmarks() {
    if (landmarkVersion_ == viewVersion_) return;
    landmarkVersion_ = viewVersion_;
    landmarkUploadPending_ = true;
    placedLandmarks_.resize(0, 3);
    landmarksCamera_.resize(0, 3);
    landmarkVisible_.clear();
    if (!model_ || pose_.landmarks.rows() == 0 || pose_.vertices.rows() != model_->numVertices()) return;
    const scene::Scene& s = doc_->scene();
    try {
        const camera::PinholeCamera cam = s.camera.pinhole();
        // The jaw contour follows the outline as seen by this camera, exactly
        // as the annotations place it.
        const int bin = annotate::contourBinForCamera(*model_, pose_, cam);
        placedLandmarks_ = model_->landmarks.hasDynamicContour() ? head::placeLandmarks(*model_, pose_.vertices, bin)
                                                                 : pose_.landmarks;
        const Eigen::Matrix4f toCam = annotate::flameToCamera(cam);
        landmarksCamera_ = camera::transformPoints(toCam, placedLandmarks_);
        // Visibility as a dataset sample of the scene's size would store it.
        const WindowRaster sceneRaster(camera::transformPoints(toCam, pose_.vertices), model_->faces,
                                       raster::Intrinsics::fromMatrix(cam.intrinsicsPixels(s.width, s.height)),
                                       s.width, s.height);
        landmarkVisible_ = widgets::landmarkVisibility(sceneRaster, landmarksCamera_);
    } catch (const std::exception&) {
        // A degenerate camera (on the pivot): the pose's own landmarks, no visibility.
        placedLandmarks_ = pose_.landmarks;
        landmarksCamera_.resize(0, 3);
    }
}

const std::vector<std::uint8_t>& ViewportWidget::landmarkVisibility() {
    updateLandmarks();
    return landmarkVisible_;
}

HudHover ViewportWidget::hoverAt(QPointF pos) {
    HudHover h;
    h.inside = pos.x() >= 0 && pos.y() >= 0 && pos.x() < width() && pos.y() < height();
    if (!h.inside || !model_ || pose_.vertices.rows() != model_->numVertices()) return h;
    const scene::Scene& s = doc_->scene();
    const double dpr = devicePixelRatioF();
    const int w = deviceWidth(), hh = deviceHeight();
    try {
        const camera::PinholeCamera cam = s.camera.pinhole();
        const raster::Intrinsics k = render::viewportIntrinsics(cam, s.width, s.height, w, hh);
        if (pickVersion_ != viewVersion_ || pickW_ != w || pickH_ != hh) {
            pickRaster_ = WindowRaster(camera::transformPoints(annotate::flameToCamera(cam), pose_.vertices),
                                       model_->faces, k, w, hh);
            pickVersion_ = viewVersion_;
            pickW_ = w;
            pickH_ = hh;
        }
        const int x = static_cast<int>(std::floor(pos.x() * dpr)), y = static_cast<int>(std::floor(pos.y() * dpr));
        h.pixel = pickPixel(pickRaster_, *model_, pipeline_ && pipeline_->labels ? pipeline_->labels.get() : nullptr,
                            x, y, liveLabels_ ? liveLabels_() : LiveLabels{});
        updateLandmarks();
        if (landmarksCamera_.rows() > 0) {
            const auto px = projectPoints(landmarksCamera_, k);
            h.landmark = nearestLandmark(px, static_cast<float>(pos.x() * dpr), static_cast<float>(pos.y() * dpr));
            if (h.landmark.index >= 0) {
                h.landmarkPos = px.row(h.landmark.index).transpose() / static_cast<float>(dpr);
                h.landmarkVisible = static_cast<std::size_t>(h.landmark.index) < landmarkVisible_.size() &&
                                    landmarkVisible_[h.landmark.index];
                h.labelShown = landmarks_ && h.landmark.distance <= kLandmarkLabelRadius * static_cast<float>(dpr);
            }
        }
    } catch (const std::exception&) {
        // A degenerate camera: nothing under the cursor.
    }
    return h;
}

void ViewportWidget::setPaintTarget(LabelEditorDock* editor) {
    if (editor == paintTarget_) return;
    cancelPaint();
    if (paintTarget_) {
        disconnect(paintTarget_->document(), nullptr, this, nullptr);
        disconnect(paintTarget_->canvasView(), nullptr, this, nullptr);
        disconnect(paintTarget_, nullptr, this, nullptr);
    }
    paintTarget_ = editor;
    paintAction_->setEnabled(editor != nullptr);
    if (!editor) return setPaintMode(false);
    // A new map replaces the canvas an open stroke writes into: drop the stroke first.
    connect(editor->document(), &LabelEditDocument::aboutToReset, this, &ViewportWidget::cancelPaint);
    connect(editor->canvasView(), &LabelCanvasView::brushSizeChanged, this, [this] { update(); });
    // The head shows the map in class colours while painting: re-upload it after changes.
    auto relabel = [this] {
        labelUploadPending_ = true;
        if (showsLabels()) update();
    };
    connect(editor->document(), &LabelEditDocument::mapChanged, this, relabel);
    connect(editor->document(), &LabelEditDocument::previewChanged, this, relabel);
    connect(editor->document(), &LabelEditDocument::classesChanged, this, relabel);
    connect(editor->document(), &LabelEditDocument::documentReset, this, relabel);
    labelUploadPending_ = true;
    connect(editor, &QObject::destroyed, this, [this] {
        // Its canvas died with the editor, so the open edit must not restore
        // into it: let it go unrun (a drag cannot really be in progress here).
        (void)stroke_.release();
        drag_ = Drag::None;
        paintAction_->setEnabled(false);
        setPaintMode(false);
    });
    update();
}

void ViewportWidget::setPaintMode(bool on) {
    if (on == paintMode_) return;
    if (!on) cancelPaint();
    paintMode_ = on;
    paintAction_->setChecked(on);
    setCursor(on ? Qt::CrossCursor : Qt::ArrowCursor);
    update();
    emit paintModeChanged(on);
}

bool ViewportWidget::showsLabels() const {
    return paintMode_ && paintTarget_ && model_ && model_->hasUv() && !paintTarget_->document()->colorImage().isNull();
}

SurfacePoint ViewportWidget::paintPickAt(QPointF pos) {
    const int canvasSize = paintTarget_ ? paintTarget_->document()->canvas().size() : 0;
    if (canvasSize <= 0 || !model_ || !model_->hasUv() || pose_.vertices.rows() != model_->numVertices()) return {};
    const scene::Scene& s = doc_->scene();
    const double dpr = devicePixelRatioF();
    const int w = deviceWidth(), h = deviceHeight();
    try {
        if (paintPickVersion_ != viewVersion_ || paintPickW_ != w || paintPickH_ != h || paintPicker_.empty()) {
            const camera::PinholeCamera cam = s.camera.pinhole();
            paintPicker_ = SurfacePicker(*model_, camera::transformPoints(annotate::flameToCamera(cam), pose_.vertices),
                                         render::viewportIntrinsics(cam, s.width, s.height, w, h), w, h);
            paintPickVersion_ = viewVersion_;
            paintPickW_ = w;
            paintPickH_ = h;
        }
        return paintPicker_.pick(static_cast<float>(pos.x() * dpr), static_cast<float>(pos.y() * dpr), canvasSize);
    } catch (const std::exception&) {
        return {};  // a degenerate camera: nothing under the cursor
    }
}

void ViewportWidget::beginPaint(QPointF pos) {
    LabelEditDocument* labels = paintTarget_->document();
    if (labels->canvas().empty()) return;
    const LabelCanvasView* view = paintTarget_->canvasView();
    SurfaceBrush brush;
    brush.screenDiameter = static_cast<float>(view->brushSize() * devicePixelRatioF());
    brush.classId = static_cast<std::uint8_t>(view->tool() == LabelTool::Eraser ? view->eraseToClass()
                                                                                 : view->currentClass());
    if (view->mirrorEnabled()) {
        brush.mirror = paintTarget_->mirrorMap();  // null while it is being built: not mirrored, as in the editor
        brush.flip = labels->classes().flipMap();
    }
    stroke_ = std::make_unique<SurfaceStroke>(labels->canvas(), std::move(brush), paintTarget_->islands());
    continuePaint(pos);
}

void ViewportWidget::continuePaint(QPointF pos) {
    if (!stroke_ || !paintTarget_) return;
    const double dpr = devicePixelRatioF();
    try {
        const labelmap::TexelRect written = stroke_->add(
            paintPickAt(pos), Eigen::Vector2f(static_cast<float>(pos.x() * dpr), static_cast<float>(pos.y() * dpr)));
        paintTarget_->document()->refreshPreview(written);
    } catch (const std::exception& e) {
        std::cerr << "synthforge-studio: viewport paint: " << e.what() << std::endl;
    }
}

void ViewportWidget::endPaint() {
    if (!stroke_ || !paintTarget_) return;
    const bool mirrored = paintTarget_->canvasView()->mirrorEnabled() && paintTarget_->mirrorMap();
    labelmap::TexelRect shown;
    labelmap::StrokeRecord record;
    try {
        record = stroke_->finish(&shown);
    } catch (const std::exception& e) {
        std::cerr << "synthforge-studio: viewport paint: " << e.what() << std::endl;
    }
    stroke_.reset();
    LabelEditDocument* labels = paintTarget_->document();
    labels->refreshPreview(shown);  // the live preview a mirrored stroke dropped
    labels->pushStroke(std::move(record), mirrored ? tr("3D brush stroke (mirrored)") : tr("3D brush stroke"));
}

void ViewportWidget::cancelPaint() {
    stroke_.reset();  // an unfinished edit restores its tiles
    if (drag_ == Drag::Paint) drag_ = Drag::None;
}

void ViewportWidget::initializeGL() {
    // The context may be recreated (e.g. the widget moves to another window).
    connect(context(), &QOpenGLContext::aboutToBeDestroyed, this, &ViewportWidget::releaseGl, Qt::UniqueConnection);
    QString error;
    if (!renderer_.initialize(&error)) {
        glError_ = error;
        std::cerr << "synthforge-studio: viewport: " << error.toStdString() << std::endl;
        return;
    }
    glError_.clear();
    // Edits made before the view existed wait for no frame of it: the first
    // frame's time is GL start-up, not an edit's latency.
    pendingEditNs_ = -1;
    topologyDirty_ = poseDirty_ = true;
    landmarkUploadPending_ = true;
    labelsOnGpu_ = false;
    if (!albedoImage_.isNull()) albedoUploadPending_ = true;
    // Without the HUD the viewport still works: report and go on.
    if (!imgui_->initializeGl(&error)) std::cerr << "synthforge-studio: viewport HUD: " << error.toStdString() << std::endl;
}

void ViewportWidget::paintGL() {
    QElapsedTimer timer;
    timer.start();
    if (model_ && renderer_.initialized()) {
        if (topologyDirty_) {
            renderer_.setTopology(model_->faces, model_->uvFaces, model_->uv);
            topologyDirty_ = false;
            poseDirty_ = true;
        }
        if (poseDirty_ && pose_.vertices.rows() > 0) {
            renderer_.setVertices(pose_.vertices);
            poseDirty_ = false;
        }
        // One texture slot: the label colours while painting, else the albedo.
        const bool labels = showsLabels();
        if (!labels && labelsOnGpu_) {
            labelsOnGpu_ = false;
            albedoUploadPending_ = true;  // puts the albedo back (or no texture)
        }
        if (labels && (labelUploadPending_ || !labelsOnGpu_)) {
            renderer_.setAlbedo(paintTarget_->document()->colorImage());
            labelsOnGpu_ = true;
            labelUploadPending_ = false;
            albedoOnGpu_ = false;
        } else if (!labels && albedoUploadPending_) {
            renderer_.setAlbedo(albedoImage_);
            albedoUploadPending_ = false;
            albedoOnGpu_ = !albedoImage_.isNull();
        }
        if (landmarks_) {
            updateLandmarks();
            if (landmarkUploadPending_) {
                renderer_.setLandmarks(placedLandmarks_, landmarkVisible_);
                landmarkUploadPending_ = false;
            }
        }
    }
    const scene::Scene& s = doc_->scene();
    // Device pixels, so that a high-DPI screen gets the same camera as the CPU at that size.
    const int w = deviceWidth(), h = deviceHeight();
    try {
        const render::GlCamera cam = render::glCamera(s.camera.pinhole(), s.width, s.height, w, h);
        const render::MeshRenderer::Mode drawMode =
            labelsOnGpu_ && mode_ != render::MeshRenderer::Mode::Wireframe ? render::MeshRenderer::Mode::Textured : mode_;
        renderer_.draw(camera::flameToWorldMatrix(), cam.view, cam.projection, drawMode,
                       landmarks_ && placedLandmarks_.rows() > 0);
    } catch (const std::exception& e) {
        // A degenerate camera (on the pivot): draw nothing rather than fail.
        renderer_.draw(Eigen::Matrix4f::Identity(), Eigen::Matrix4f::Identity(), Eigen::Matrix4f::Identity(), mode_,
                       false);
    }
    if (imgui_->ready() && renderer_.initialized()) {
        hover_ = hoverInside_ ? hoverAt(hoverPos_) : HudHover{};
        imgui_->beginFrame(width(), height(), devicePixelRatioF());
        drawViewportHud(stats_, lastForwardMs_, hover_, modeName(mode_), hud_);
        if (paintMode_ && paintTarget_ && hoverInside_)
            drawBrushCircle(hoverPos_, 0.5f * static_cast<float>(paintTarget_->canvasView()->brushSize()));
        imgui_->endFrame();
    }
    lastPaintMs_ = static_cast<double>(timer.nsecsElapsed()) * 1e-6;
    // This frame shows every edit up to now; the swap will stop their clock.
    if (pendingEditNs_ >= 0 && inPaintEvent_) frameEditNs_ = pendingEditNs_;
    pendingEditNs_ = -1;
    emit frameDrawn(lastPaintMs_);
}

void ViewportWidget::paintEvent(QPaintEvent* e) {
    // QOpenGLWidget renders (paintGL) synchronously here; the window's swap
    // follows and emits frameSwapped.
    inPaintEvent_ = true;
    QOpenGLWidget::paintEvent(e);
    inPaintEvent_ = false;
}

void ViewportWidget::onFrameSwapped() {
    const qint64 now = clock_.nsecsElapsed();
    const double latency = frameEditNs_ >= 0 ? static_cast<double>(now - frameEditNs_) * 1e-6 : -1.0;
    frameEditNs_ = -1;
    stats_.addFrame(static_cast<double>(now) * 1e-6, lastPaintMs_, latency);
    emit framePresented(latency);
}

Eigen::VectorXf ViewportWidget::currentLatent() const {
    const int dim = pipeline_ && pipeline_->generator ? pipeline_->generator->capabilities().latentDim : 512;
    return doc_->scene().latent(std::max(dim, generate::kAppearanceLatentDims));
}

bool ViewportWidget::albedoCurrent() const {
    if (!albedoOnGpu_ || albedoUploadPending_ || atlasModel_ != model_.get()) return false;
    const Eigen::VectorXf z = currentLatent();
    return z.size() == albedoZ_.size() && z == albedoZ_;
}

void ViewportWidget::requestAlbedo() {
    if (mode_ != render::MeshRenderer::Mode::Textured || !model_ || !model_->hasUv()) return;
    const Eigen::VectorXf z = currentLatent();
    const bool sameModel = atlasModel_ == model_.get();
    if (sameModel && z.size() == albedoZ_.size() && z == albedoZ_) return;
    if (albedoWatcher_.isRunning()) return;  // albedoFinished() asks again for whatever is current then
    jobZ_ = z;
    std::shared_ptr<const head::HeadModel> model = model_;
    std::shared_ptr<const generate::AppearanceAtlas> atlas = sameModel ? atlas_ : nullptr;
    cv::Mat labels;
    if (pipeline_ && pipeline_->labels && pipeline_->model == model_) labels = pipeline_->labels->original();
    // Baking the atlas (~0.3 s, once per model) and the texture (per z) is
    // too slow for the GUI thread; the job owns copies of all it reads.
    albedoWatcher_.setFuture(QtConcurrent::run([model, atlas, labels, z]() {
        AlbedoJob job;
        job.model = model.get();
        job.z = z;
        try {
            job.atlas = atlas ? atlas : std::make_shared<const generate::AppearanceAtlas>(*model, labels, kAtlasSize);
            job.image = render::bakeAlbedoTexture(*job.atlas, generate::appearanceFromLatent(z), kAlbedoSize);
        } catch (const std::exception& e) {
            job.error = QString::fromStdString(e.what());
        }
        return job;
    }));
}

void ViewportWidget::albedoFinished() {
    const AlbedoJob job = albedoWatcher_.result();
    if (!job.error.isEmpty()) {
        std::cerr << "synthforge-studio: viewport texture: " << job.error.toStdString() << std::endl;
    } else if (job.model == model_.get()) {
        atlas_ = job.atlas;
        atlasModel_ = job.model;
        albedoZ_ = job.z;
        albedoImage_ = job.image;
        albedoUploadPending_ = true;
        update();
        emit albedoReady();
    }
    if (job.error.isEmpty()) requestAlbedo();  // the scene may have moved on meanwhile
}

void ViewportWidget::mousePressEvent(QMouseEvent* e) {
    if (imgui_->mousePress(e)) {
        update();  // the HUD reacts (e.g. collapses)
        return;
    }
    if (e->button() == Qt::LeftButton && drag_ == Drag::None && paintMode_ && paintTarget_ &&
        !(e->modifiers() & (Qt::AltModifier | Qt::ShiftModifier))) {
        drag_ = Drag::Paint;
        beginPaint(e->position());
        update();
        return;
    }
    const bool pan = e->button() == Qt::MiddleButton ||
                     (e->button() == Qt::LeftButton && e->modifiers().testFlag(Qt::ShiftModifier));
    if (drag_ != Drag::None || (!pan && e->button() != Qt::LeftButton)) return QOpenGLWidget::mousePressEvent(e);
    drag_ = pan ? Drag::Pan : Drag::Orbit;
    lastPos_ = e->position();
    doc_->beginDrag();  // the whole drag is one undo step
}

void ViewportWidget::mouseMoveEvent(QMouseEvent* e) {
    imgui_->mouseMove(e);
    hoverPos_ = e->position();
    hoverInside_ = true;
    if (drag_ == Drag::None) {
        update();  // the HUD follows the cursor
        return;
    }
    if (drag_ == Drag::Paint) {
        continuePaint(e->position());
        update();  // the brush circle follows
        return;
    }
    const QPointF p = e->position(), d = p - lastPos_;
    lastPos_ = p;
    if (d.isNull()) return;
    if (drag_ == Drag::Pan) return panBy(d);
    // The head follows the mouse: dragging right turns its face to the
    // right, i.e. the camera moves toward -x (yaw decreases); dragging down
    // tips the top toward the viewer, i.e. the camera rises (pitch decreases).
    camera::OrbitCamera c = doc_->scene().camera;
    c.yaw -= kOrbitRadiansPerPixel * static_cast<float>(d.x());
    c.pitch = std::clamp(c.pitch - kOrbitRadiansPerPixel * static_cast<float>(d.y()), -kMaxPitch, kMaxPitch);
    doc_->setCamera(c, QStringLiteral("viewport.orbit"));
}

void ViewportWidget::mouseReleaseEvent(QMouseEvent* e) {
    imgui_->mouseRelease(e);
    if (drag_ == Drag::Paint) {
        if (e->button() != Qt::LeftButton) return QOpenGLWidget::mouseReleaseEvent(e);
        continuePaint(e->position());
        endPaint();
        drag_ = Drag::None;
        update();
        return;
    }
    const bool ends = (drag_ == Drag::Orbit && e->button() == Qt::LeftButton) ||
                      (drag_ == Drag::Pan && (e->button() == Qt::MiddleButton || e->button() == Qt::LeftButton));
    if (!ends) {
        update();
        return QOpenGLWidget::mouseReleaseEvent(e);
    }
    drag_ = Drag::None;
    doc_->endDrag();
}

void ViewportWidget::panBy(QPointF delta) {
    // The camera sits on its orbit sphere around the world origin and looks
    // at the pivot, so a pan moves the pivot: onto the ray of the pixel that
    // is `delta` away from the image centre the other way, at the pivot's
    // depth. Looking there brings the old pivot (and everything near its
    // depth) `delta` pixels along, to first order in the turn angle.
    camera::OrbitCamera c = doc_->scene().camera;
    try {
        const camera::PinholeCamera pin = c.pinhole();
        const raster::Intrinsics k =
            render::viewportIntrinsics(pin, doc_->scene().width, doc_->scene().height, deviceWidth(), deviceHeight());
        const double dpr = devicePixelRatioF();
        const Eigen::Matrix3f r = pin.cam2world.topLeftCorner<3, 3>();
        const Eigen::Vector3f centre = pin.cam2world.topRightCorner<3, 1>();
        const float depth = (r.transpose() * (c.pivot - centre)).z();
        const Eigen::Vector3f ray(-static_cast<float>(delta.x() * dpr) / k.fx, -static_cast<float>(delta.y() * dpr) / k.fy,
                                  1.0f);
        c.pivot = centre + r * (ray * depth);
        (void)c.cam2world();  // refuse a pivot the camera would sit on
    } catch (const std::exception&) {
        return;
    }
    doc_->setCamera(c, QStringLiteral("viewport.pan"));
}

void ViewportWidget::resetPan() {
    camera::OrbitCamera c = doc_->scene().camera;
    if (c.pivot == camera::defaultPivot()) return;
    c.pivot = camera::defaultPivot();
    doc_->setCamera(c, QStringLiteral("viewport.pan.reset"));
}

void ViewportWidget::wheelEvent(QWheelEvent* e) {
    if (imgui_->wheel(e)) {
        update();
        e->accept();
        return;
    }
    const int steps = e->angleDelta().y();
    if (steps == 0) return;
    // 120 units per notch; each notch scales the distance by ~10%.
    camera::OrbitCamera c = doc_->scene().camera;
    c.radius = std::clamp(c.radius * std::pow(0.9f, static_cast<float>(steps) / 120.0f), kMinRadius, kMaxRadius);
    doc_->setCamera(c, QStringLiteral("viewport.zoom"));
    e->accept();
}

void ViewportWidget::keyPressEvent(QKeyEvent* e) {
    if (imgui_->key(e, true)) {
        update();
        return;
    }
    QOpenGLWidget::keyPressEvent(e);
}

void ViewportWidget::keyReleaseEvent(QKeyEvent* e) {
    if (imgui_->key(e, false)) {
        update();
        return;
    }
    QOpenGLWidget::keyReleaseEvent(e);
}

void ViewportWidget::focusInEvent(QFocusEvent* e) {
    imgui_->focus(true);
    QOpenGLWidget::focusInEvent(e);
}

void ViewportWidget::focusOutEvent(QFocusEvent* e) {
    imgui_->focus(false);
    QOpenGLWidget::focusOutEvent(e);
}

void ViewportWidget::leaveEvent(QEvent* e) {
    imgui_->leave();
    hoverInside_ = false;
    update();
    QOpenGLWidget::leaveEvent(e);
}

}  // namespace synthforge::widgets
