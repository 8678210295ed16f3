#include "widgets/viewport/viewport_widget.h"

#include <algorithm>
#include <cmath>
#include <iostream>

#include <QAction>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QSurfaceFormat>
#include <QWheelEvent>
#include <imgui.h>

#include "core/annotate/annotator.h"
#include "core/camera/orbit_camera.h"
#include "render/gl_camera.h"
#include "widgets/panels/scene_document.h"
#include "widgets/viewport/albedo_bake.h"
#include "widgets/viewport/imgui_qt_bridge.h"
#include "widgets/viewport/viewport_paint_tool.h"

namespace synthforge::widgets {

namespace {
bool sameParams(const head::HeadParams& a, const head::HeadParams& b) {
    return a.shape.size() == b.shape.size() && a.expr.size() == b.expr.size() && a.shape == b.shape &&
           a.expr == b.expr && a.pose == b.pose && a.transl == b.transl;
}
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
    : QOpenGLWidget(parent),
      doc_(doc),
      imgui_(std::make_unique<ImGuiQtBridge>()),
      orbit_(doc),
      albedo_(new AlbedoBake(this)),
      paint_(new ViewportPaintTool(this)) {
    QSurfaceFormat f = format();
    f.setVersion(3, 3);
    f.setProfile(QSurfaceFormat::CoreProfile);
    f.setDepthBufferSize(24);
    f.setSamples(0);  // no multisampling: the silhouette test compares pixel coverage exactly
    setFormat(f);
    setMinimumSize(128, 128);
    setFocusPolicy(Qt::ClickFocus);
    setMouseTracking(true);  // hover feeds the HUD without a button held
    connect(doc_, &SceneDocument::changed, this, &ViewportWidget::sceneChanged);
    connect(doc_, &SceneDocument::modelChanged, this, &ViewportWidget::modelChanged);
    connect(this, &QOpenGLWidget::frameSwapped, this, &ViewportWidget::onFrameSwapped);
    connect(albedo_, &AlbedoBake::baked, this, &ViewportWidget::albedoBaked);
    connect(albedo_, &AlbedoBake::finished, this, [this](bool ok) {
        if (ok) requestAlbedo();  // the scene may have moved on meanwhile
    });
    connect(paint_, &ViewportPaintTool::enabledChanged, this, &ViewportWidget::paintModeToggled);
    // The head shows the map in class colours while painting: re-upload it after changes.
    connect(paint_, &ViewportPaintTool::labelsChanged, this, [this] {
        labelUploadPending_ = true;
        if (paint_->labelImage(model_.get())) update();
    });
    connect(paint_, &ViewportPaintTool::repaintNeeded, this, [this] { update(); });
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
    if (!albedo_->image().isNull()) albedoUploadPending_ = true;  // a new context gets it again
    doneCurrent();
}

void ViewportWidget::setPipeline(std::shared_ptr<const generate::SamplePipeline> pipeline) {
    pipeline_ = std::move(pipeline);
    albedo_->setPipeline(pipeline_);  // its label map feeds the albedo's atlas
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
    albedo_->setModel(model_);
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
    latency_.edited();
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

ViewportGeometry ViewportWidget::viewGeometry() const {
    ViewportGeometry g;
    g.model = model_.get();
    g.poseVertices = &pose_.vertices;
    g.scene = &doc_->scene();
    g.width = deviceWidth();
    g.height = deviceHeight();
    g.dpr = devicePixelRatioF();
    g.version = viewVersion_;
    return g;
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
        const raster::WindowRaster sceneRaster(camera::transformPoints(toCam, pose_.vertices), model_->faces,
                                       raster::Intrinsics::fromMatrix(cam.intrinsicsPixels(s.width, s.height)),
                                       s.width, s.height);
        landmarkVisible_ = raster::landmarkVisibility(sceneRaster, landmarksCamera_);
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
            pickRaster_ = raster::WindowRaster(camera::transformPoints(annotate::flameToCamera(cam), pose_.vertices),
                                       model_->faces, k, w, hh);
            pickVersion_ = viewVersion_;
            pickW_ = w;
            pickH_ = hh;
        }
        const int x = static_cast<int>(std::floor(pos.x() * dpr)), y = static_cast<int>(std::floor(pos.y() * dpr));
        h.pixel = annotate::pickPixel(pickRaster_, *model_,
                                      pipeline_ && pipeline_->labels ? pipeline_->labels.get() : nullptr, x, y,
                                      liveLabels_ ? liveLabels_() : annotate::LiveLabels{});
        updateLandmarks();
        if (landmarksCamera_.rows() > 0) {
            const auto px = raster::projectPoints(landmarksCamera_, k);
            h.landmark = raster::nearestLandmark(px, static_cast<float>(pos.x() * dpr), static_cast<float>(pos.y() * dpr));
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
    if (editor == paint_->target()) return;
    paint_->setTarget(editor);
    labelUploadPending_ = true;
    update();
}

LabelEditorDock* ViewportWidget::paintTarget() const { return paint_->target(); }
void ViewportWidget::setPaintMode(bool on) { paint_->setEnabled(on); }
bool ViewportWidget::paintMode() const { return paint_->enabled(); }
QAction* ViewportWidget::paintModeAction() const { return paint_->action(); }

void ViewportWidget::paintModeToggled(bool on) {
    setCursor(on ? Qt::CrossCursor : Qt::ArrowCursor);
    update();
    emit paintModeChanged(on);
}

labelmap::SurfacePoint ViewportWidget::paintPickAt(QPointF pos) { return paint_->pickAt(pos, viewGeometry()); }

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
    latency_.dropPending();
    topologyDirty_ = poseDirty_ = true;
    landmarkUploadPending_ = true;
    labelsOnGpu_ = false;
    if (!albedo_->image().isNull()) albedoUploadPending_ = true;
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
        const QImage* labels = paint_->labelImage(model_.get());
        if (!labels && labelsOnGpu_) {
            labelsOnGpu_ = false;
            albedoUploadPending_ = true;  // puts the albedo back (or no texture)
        }
        if (labels && (labelUploadPending_ || !labelsOnGpu_)) {
            renderer_.setAlbedo(*labels);
            labelsOnGpu_ = true;
            labelUploadPending_ = false;
            albedoOnGpu_ = false;
        } else if (!labels && albedoUploadPending_) {
            renderer_.setAlbedo(albedo_->image());
            albedoUploadPending_ = false;
            albedoOnGpu_ = !albedo_->image().isNull();
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
        drawViewportHud(latency_.stats(), lastForwardMs_, hover_, modeName(mode_), hud_);
        if (paint_->enabled() && paint_->target() && hoverInside_)
            drawBrushCircle(hoverPos_, 0.5f * static_cast<float>(paint_->brushSize()));
        imgui_->endFrame();
    }
    const double paintMs = static_cast<double>(timer.nsecsElapsed()) * 1e-6;
    // This frame shows every edit up to now; the swap will stop their clock.
    latency_.frameDrawn(paintMs, inPaintEvent_);
    emit frameDrawn(paintMs);
}

void ViewportWidget::paintEvent(QPaintEvent* e) {
    // QOpenGLWidget renders (paintGL) synchronously here; the window's swap
    // follows and emits frameSwapped.
    inPaintEvent_ = true;
    QOpenGLWidget::paintEvent(e);
    inPaintEvent_ = false;
}

void ViewportWidget::onFrameSwapped() { emit framePresented(latency_.framePresented()); }

Eigen::VectorXf ViewportWidget::currentLatent() const {
    const int dim = pipeline_ && pipeline_->generator ? pipeline_->generator->capabilities().latentDim : 512;
    return doc_->scene().latent(std::max(dim, generate::kAppearanceLatentDims));
}

bool ViewportWidget::albedoCurrent() const {
    return albedoOnGpu_ && !albedoUploadPending_ && albedo_->isCurrent(currentLatent());
}

void ViewportWidget::requestAlbedo() {
    if (mode_ == render::MeshRenderer::Mode::Textured) albedo_->request(currentLatent());
}

void ViewportWidget::albedoBaked() {
    albedoUploadPending_ = true;
    update();
    emit albedoReady();
}

void ViewportWidget::mousePressEvent(QMouseEvent* e) {
    if (imgui_->mousePress(e)) {
        update();  // the HUD reacts (e.g. collapses)
        return;
    }
    const bool idle = !paint_->dragging() && !orbit_.dragging();
    if (e->button() == Qt::LeftButton && idle && paint_->enabled() && paint_->target() &&
        !(e->modifiers() & (Qt::AltModifier | Qt::ShiftModifier))) {
        paint_->begin(e->position(), viewGeometry());
        update();
        return;
    }
    if (paint_->dragging() || !orbit_.press(e->button(), e->modifiers(), e->position()))
        return QOpenGLWidget::mousePressEvent(e);
}

void ViewportWidget::mouseMoveEvent(QMouseEvent* e) {
    imgui_->mouseMove(e);
    hoverPos_ = e->position();
    hoverInside_ = true;
    if (paint_->dragging()) {
        paint_->extend(e->position(), viewGeometry());
        update();  // the brush circle follows
        return;
    }
    if (!orbit_.dragging()) {
        update();  // the HUD follows the cursor
        return;
    }
    orbit_.move(e->position(), viewGeometry());
}

void ViewportWidget::mouseReleaseEvent(QMouseEvent* e) {
    imgui_->mouseRelease(e);
    if (paint_->dragging()) {
        if (e->button() != Qt::LeftButton) return QOpenGLWidget::mouseReleaseEvent(e);
        paint_->extend(e->position(), viewGeometry());
        paint_->finish();
        update();
        return;
    }
    if (!orbit_.release(e->button())) {
        update();
        return QOpenGLWidget::mouseReleaseEvent(e);
    }
}

void ViewportWidget::panBy(QPointF delta) { orbit_.panBy(delta, viewGeometry()); }

void ViewportWidget::resetPan() { orbit_.resetPan(); }

void ViewportWidget::wheelEvent(QWheelEvent* e) {
    if (imgui_->wheel(e)) {
        update();
        e->accept();
        return;
    }
    if (orbit_.wheel(e->angleDelta().y())) e->accept();
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
