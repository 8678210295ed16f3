#include "widgets/viewport_widget.h"

#include "core/annotate/annotator.h"

#include <algorithm>
#include <cmath>
#include <iostream>

#include <QElapsedTimer>
#include <QMouseEvent>
#include <QSurfaceFormat>
#include <QWheelEvent>

#include "core/camera/orbit_camera.h"
#include "render/gl_camera.h"
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
}  // namespace

ViewportWidget::ViewportWidget(SceneDocument* doc, QWidget* parent) : QOpenGLWidget(parent), doc_(doc) {
    QSurfaceFormat f = format();
    f.setVersion(3, 3);
    f.setProfile(QSurfaceFormat::CoreProfile);
    f.setDepthBufferSize(24);
    f.setSamples(0);  // no multisampling: the silhouette test compares pixel coverage exactly
    setFormat(f);
    setMinimumSize(128, 128);
    setFocusPolicy(Qt::ClickFocus);
    connect(doc_, &SceneDocument::changed, this, &ViewportWidget::sceneChanged);
    connect(doc_, &SceneDocument::modelChanged, this, &ViewportWidget::modelChanged);
    modelChanged();
}

ViewportWidget::~ViewportWidget() { releaseGl(); }

void ViewportWidget::releaseGl() {
    if (!renderer_.initialized() || !context()) return;
    makeCurrent();
    renderer_.release();
    doneCurrent();
}

void ViewportWidget::setMode(render::MeshRenderer::Mode mode) {
    mode_ = mode;
    update();
}

void ViewportWidget::setLandmarksShown(bool on) {
    landmarks_ = on;
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
    if (model_ && (poseDirty_ || !sameParams(posedParams_, doc_->scene().params))) {
        try {
            pose_ = head::forward(*model_, doc_->scene().params);
            posedParams_ = doc_->scene().params;
            poseDirty_ = true;
        } catch (const std::exception& e) {
            // The document validates edits; this only guards a scene that does not fit the model.
            std::cerr << "synthforge-studio: viewport: " << e.what() << std::endl;
            clearPose();
        }
    }
    update();
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
    topologyDirty_ = poseDirty_ = true;
}

void ViewportWidget::paintGL() {
    QElapsedTimer timer;
    timer.start();
    if (model_ && renderer_.initialized()) {
        if (topologyDirty_) {
            renderer_.setTopology(model_->faces);
            topologyDirty_ = false;
            poseDirty_ = true;
        }
        if (poseDirty_ && pose_.vertices.rows() > 0) {
            renderer_.setVertices(pose_.vertices);
            poseDirty_ = false;
        }
    }
    const scene::Scene& s = doc_->scene();
    if (model_ && renderer_.initialized() && pose_.landmarks.rows() > 0) {
        // The jaw contour follows the outline as seen by this camera, exactly
        // as the annotations place it (68 points: cheap to upload per frame).
        try {
            const int bin = annotate::contourBinForCamera(*model_, pose_, s.camera.pinhole());
            renderer_.setLandmarks(model_->landmarks.hasDynamicContour()
                                       ? head::placeLandmarks(*model_, pose_.vertices, bin)
                                       : pose_.landmarks);
        } catch (const std::exception&) {
            renderer_.setLandmarks(pose_.landmarks);  // degenerate camera: keep the pose's own
        }
    }
    // Device pixels, so that a high-DPI screen gets the same camera as the CPU at that size.
    const int w = std::max(1, static_cast<int>(std::lround(width() * devicePixelRatioF())));
    const int h = std::max(1, static_cast<int>(std::lround(height() * devicePixelRatioF())));
    try {
        const render::GlCamera cam = render::glCamera(s.camera.pinhole(), s.width, s.height, w, h);
        renderer_.draw(camera::flameToWorldMatrix(), cam.view, cam.projection, mode_,
                       landmarks_ && pose_.landmarks.rows() > 0);
    } catch (const std::exception& e) {
        // A degenerate camera (on the pivot): draw nothing rather than fail.
        renderer_.draw(Eigen::Matrix4f::Identity(), Eigen::Matrix4f::Identity(), Eigen::Matrix4f::Identity(), mode_,
                       false);
    }
    emit frameDrawn(static_cast<double>(timer.nsecsElapsed()) * 1e-6);
}

void ViewportWidget::mousePressEvent(QMouseEvent* e) {
    if (e->button() != Qt::LeftButton) return QOpenGLWidget::mousePressEvent(e);
    dragging_ = true;
    lastPos_ = e->position().toPoint();
    doc_->beginDrag();  // the whole drag is one undo step
}

void ViewportWidget::mouseMoveEvent(QMouseEvent* e) {
    if (!dragging_) return QOpenGLWidget::mouseMoveEvent(e);
    const QPoint p = e->position().toPoint(), d = p - lastPos_;
    lastPos_ = p;
    if (d.isNull()) return;
    // The head follows the mouse: dragging right turns its face to the
    // right, i.e. the camera moves toward -x (yaw decreases); dragging down
    // tips the top toward the viewer, i.e. the camera rises (pitch decreases).
    camera::OrbitCamera c = doc_->scene().camera;
    c.yaw -= kOrbitRadiansPerPixel * static_cast<float>(d.x());
    c.pitch = std::clamp(c.pitch - kOrbitRadiansPerPixel * static_cast<float>(d.y()), -kMaxPitch, kMaxPitch);
    doc_->setCamera(c, QStringLiteral("viewport.orbit"));
}

void ViewportWidget::mouseReleaseEvent(QMouseEvent* e) {
    if (e->button() != Qt::LeftButton || !dragging_) return QOpenGLWidget::mouseReleaseEvent(e);
    dragging_ = false;
    doc_->endDrag();
}

void ViewportWidget::wheelEvent(QWheelEvent* e) {
    const int steps = e->angleDelta().y();
    if (steps == 0) return;
    // 120 units per notch; each notch scales the distance by ~10%.
    camera::OrbitCamera c = doc_->scene().camera;
    c.radius = std::clamp(c.radius * std::pow(0.9f, static_cast<float>(steps) / 120.0f), kMinRadius, kMaxRadius);
    doc_->setCamera(c, QStringLiteral("viewport.zoom"));
    e->accept();
}

}  // namespace synthforge::widgets
