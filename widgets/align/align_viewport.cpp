#include "widgets/align/align_viewport.h"

#include <algorithm>
#include <cmath>
#include <iostream>

#include <QMouseEvent>
#include <QOpenGLContext>
#include <QWheelEvent>

#include "render/gl_camera.h"

namespace synthforge::widgets {

namespace {
constexpr float kRadiansPerPixel = 0.01f;
constexpr float kMaxPitch = 1.4f;
}  // namespace

AlignViewport::AlignViewport(QWidget* parent) : QOpenGLWidget(parent) {
    QSurfaceFormat f = format();
    f.setVersion(3, 3);
    f.setProfile(QSurfaceFormat::CoreProfile);
    f.setDepthBufferSize(24);
    setFormat(f);
    // A three-quarter view shows the profile, where misalignment is easiest to see.
    camera_.yaw = 0.6f;
    camera_.pitch = -0.1f;
    setMinimumSize(240, 240);
    setFocusPolicy(Qt::StrongFocus);
}

AlignViewport::~AlignViewport() { releaseGl(); }

void AlignViewport::releaseGl() {
    if (!context() || !renderer_.initialized()) return;
    makeCurrent();
    renderer_.release();
    doneCurrent();
}

void AlignViewport::setHead(const io::TriMesh& mesh, const std::vector<Eigen::Vector3f>& colours) {
    head_ = mesh;
    headColours_ = colours;
    headDirty_ = true;
    if (frameRadius_ == 0.0f) frameHead();
    update();
}

void AlignViewport::frameHead() {
    if (head_.positions.rows() == 0) return;
    const Eigen::Vector3f lo = head_.positions.colwise().minCoeff(), hi = head_.positions.colwise().maxCoeff();
    frameCentre_ = 0.5f * (lo + hi);
    // The head is taller than it is wide (the neck): height and width are
    // fitted separately, with a little room for turning it.
    const Eigen::Vector3f size = hi - lo;
    frameRadius_ = 0.55f * std::max(size.x(), size.z());
    frameHalfHeight_ = 0.55f * size.y();
    update();
}

void AlignViewport::setHeadColours(const std::vector<Eigen::Vector3f>& colours) {
    headColours_ = colours;
    coloursDirty_ = true;
    update();
}

void AlignViewport::setSurface(const io::TriMesh& mesh) {
    surface_ = mesh;
    surfaceDirty_ = true;
    update();
}

void AlignViewport::setSurfaceOpacity(float alpha) {
    surfaceAlpha_ = std::clamp(alpha, 0.0f, 1.0f);
    update();
}

void AlignViewport::setHeadVisible(bool on) {
    headVisible_ = on;
    update();
}

void AlignViewport::setView(float yaw, float pitch, float zoom) {
    camera_.yaw = yaw;
    camera_.pitch = std::clamp(pitch, -kMaxPitch, kMaxPitch);
    zoom_ = std::clamp(zoom, 0.25f, 8.0f);
    update();
}

void AlignViewport::initializeGL() {
    connect(context(), &QOpenGLContext::aboutToBeDestroyed, this, &AlignViewport::releaseGl, Qt::UniqueConnection);
    QString error;
    if (!renderer_.initialize(&error)) {
        glError_ = error;
        std::cerr << "synthforge-studio: align view: " << error.toStdString() << std::endl;
        return;
    }
    glError_.clear();
    headDirty_ = surfaceDirty_ = true;  // a new context starts empty
}

void AlignViewport::paintGL() {
    if (!renderer_.initialized()) return;
    if (headDirty_) {
        // Colours that do not fit (a stale heatmap) fall back to plain clay.
        const bool fit = headColours_.size() == static_cast<std::size_t>(head_.positions.rows());
        renderer_.setMesh(HeadSlot, head_, fit ? headColours_ : std::vector<Eigen::Vector3f>{}, headColour());
        headDirty_ = coloursDirty_ = false;
    } else if (coloursDirty_) {
        if (headColours_.size() == static_cast<std::size_t>(head_.positions.rows()))
            renderer_.setColours(HeadSlot, headColours_);
        else
            renderer_.setMesh(HeadSlot, head_, {}, headColour());
        coloursDirty_ = false;
    }
    if (surfaceDirty_) {
        renderer_.setMesh(SurfaceSlot, surface_, {}, surfaceColour());
        surfaceDirty_ = false;
    }
    renderer_.setVisible(HeadSlot, headVisible_);
    renderer_.setOpacity(SurfaceSlot, surfaceAlpha_);
    const int w = std::max(1, static_cast<int>(width() * devicePixelRatioF()));
    const int h = std::max(1, static_cast<int>(height() * devicePixelRatioF()));
    if (frameRadius_ > 0.0f) {
        // The projection is scaled to the view's height: the head's height
        // sets the angle, unless its width would not fit a narrow view.
        camera_.pivot = frameCentre_;
        const float distance = std::max((camera_.position() - frameCentre_).norm(), 1.5f * frameHalfHeight_);
        const float aspect = static_cast<float>(h) / static_cast<float>(w);
        const float half = std::max(std::atan(frameHalfHeight_ / distance), std::atan(frameRadius_ / distance) * aspect) / zoom_;
        camera_.eg3dFovDeg = camera::eg3dFovFromFocal(0.5f / std::tan(std::min(half, 1.4f)));
    }
    const render::GlCamera cam = render::glCamera(camera_.pinhole(), w, h, w, h);
    renderer_.draw(cam.view, cam.projection);
}

void AlignViewport::mousePressEvent(QMouseEvent* e) {
    if (e->button() != Qt::LeftButton) return QOpenGLWidget::mousePressEvent(e);
    dragging_ = true;
    lastPos_ = e->position();
}

void AlignViewport::mouseMoveEvent(QMouseEvent* e) {
    if (!dragging_) return QOpenGLWidget::mouseMoveEvent(e);
    const QPointF d = e->position() - lastPos_;
    lastPos_ = e->position();
    setView(camera_.yaw - static_cast<float>(d.x()) * kRadiansPerPixel,
            camera_.pitch - static_cast<float>(d.y()) * kRadiansPerPixel, zoom_);
}

void AlignViewport::mouseReleaseEvent(QMouseEvent* e) {
    if (e->button() == Qt::LeftButton) dragging_ = false;
    QOpenGLWidget::mouseReleaseEvent(e);
}

void AlignViewport::wheelEvent(QWheelEvent* e) {
    const int delta = e->angleDelta().y();
    if (delta == 0) return;
    setView(camera_.yaw, camera_.pitch, zoom_ * (delta > 0 ? 1.1f : 1.0f / 1.1f));
}

}  // namespace synthforge::widgets
