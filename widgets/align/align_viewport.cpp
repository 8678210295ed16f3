#include "widgets/align/align_viewport.h"

#include <algorithm>
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
    camera_.eg3dFovDeg = 16.0f;
    setMinimumSize(320, 320);
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

void AlignViewport::setView(float yaw, float pitch, float eg3dFovDeg) {
    camera_.yaw = yaw;
    camera_.pitch = std::clamp(pitch, -kMaxPitch, kMaxPitch);
    camera_.eg3dFovDeg = std::clamp(eg3dFovDeg, 4.0f, 60.0f);
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
            camera_.pitch - static_cast<float>(d.y()) * kRadiansPerPixel, camera_.eg3dFovDeg);
}

void AlignViewport::mouseReleaseEvent(QMouseEvent* e) {
    if (e->button() == Qt::LeftButton) dragging_ = false;
    QOpenGLWidget::mouseReleaseEvent(e);
}

void AlignViewport::wheelEvent(QWheelEvent* e) {
    const int delta = e->angleDelta().y();
    if (delta == 0) return;
    setView(camera_.yaw, camera_.pitch, camera_.eg3dFovDeg * (delta > 0 ? 0.9f : 1.0f / 0.9f));
}

}  // namespace synthforge::widgets
