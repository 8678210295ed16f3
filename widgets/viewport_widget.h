#pragma once
// The 3D viewport: the scene's posed head drawn with OpenGL 3.3 core
// (render/MeshRenderer) through exactly the scene camera (render/gl_camera.h),
// so it shows what the generator's annotations see.
//
// Mouse: left drag orbits (yaw, pitch), the wheel zooms (radius). Edits go
// through the SceneDocument, so the camera panel follows and undo works; a
// drag is one undo step (beginDrag/endDrag), each wheel notch one.

#include <memory>

#include <QOpenGLWidget>
#include <QPoint>

#include "core/head/head_model.h"
#include "core/head/lbs.h"
#include "render/mesh_renderer.h"

namespace synthforge::widgets {

class SceneDocument;

class ViewportWidget : public QOpenGLWidget {
    Q_OBJECT
public:
    /// Radians of yaw/pitch per pixel of drag.
    static constexpr float kOrbitRadiansPerPixel = 0.01f;

    explicit ViewportWidget(SceneDocument* doc, QWidget* parent = nullptr);
    ~ViewportWidget() override;

    void setMode(render::MeshRenderer::Mode mode);
    render::MeshRenderer::Mode mode() const { return mode_; }
    void setLandmarksShown(bool on);
    bool landmarksShown() const { return landmarks_; }
    /// Empty while GL works; otherwise why the viewport cannot draw.
    QString glError() const { return glError_; }

signals:
    /// After each paint, with the time spent in paintGL (CPU side) in ms.
    void frameDrawn(double ms);

protected:
    void initializeGL() override;
    void paintGL() override;
    void mousePressEvent(QMouseEvent* e) override;
    void mouseMoveEvent(QMouseEvent* e) override;
    void mouseReleaseEvent(QMouseEvent* e) override;
    void wheelEvent(QWheelEvent* e) override;

private:
    void sceneChanged();
    void modelChanged();
    void releaseGl();
    void clearPose();

    SceneDocument* doc_;
    render::MeshRenderer renderer_;
    render::MeshRenderer::Mode mode_ = render::MeshRenderer::Mode::Shaded;
    bool landmarks_ = true;
    // The pose is computed on the GUI thread when the head parameters
    // change (a few ms for the default head) and uploaded in paintGL.
    std::shared_ptr<const head::HeadModel> model_;
    head::HeadParams posedParams_;
    head::HeadPose pose_;
    bool topologyDirty_ = true, poseDirty_ = true;
    QString glError_;
    bool dragging_ = false;
    QPoint lastPos_;
};

}  // namespace synthforge::widgets
