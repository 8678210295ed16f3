#pragma once
// The alignment view's 3D view: the posed head (coloured by its residual, or
// plain) over the generator's iso-surface (translucent), both in generator
// world, drawn with render::SurfaceRenderer through an orbit camera of its
// own (left drag orbits, the wheel zooms) that frames the head whatever the
// view's shape. It does not move the scene's
// camera: looking around the fit should not edit the scene.
//
// Meshes set while the GL context is not current are kept and uploaded at
// the next paint.

#include <optional>
#include <vector>

#include <QOpenGLWidget>
#include <QPointF>

#include <Eigen/Core>

#include "core/camera/orbit_camera.h"
#include "core/io/mesh_io.h"
#include "render/surface_renderer.h"

namespace synthforge::widgets {

class AlignViewport : public QOpenGLWidget {
    Q_OBJECT
public:
    enum Slot : int { HeadSlot = 0, SurfaceSlot = 1 };

    explicit AlignViewport(QWidget* parent = nullptr);
    ~AlignViewport() override;

    /// The head mesh with one colour per vertex (empty: plain clay).
    void setHead(const io::TriMesh& mesh, const std::vector<Eigen::Vector3f>& colours);
    void setHeadColours(const std::vector<Eigen::Vector3f>& colours);
    void setSurface(const io::TriMesh& mesh);
    /// 0 (invisible) .. 1 (opaque).
    void setSurfaceOpacity(float alpha);
    float surfaceOpacity() const { return surfaceAlpha_; }
    void setHeadVisible(bool on);

    /// The orbit camera's angles (radians) and zoom (1: the head's bounding
    /// sphere just fits the view's shorter side; 2: twice as large).
    void setView(float yaw, float pitch, float zoom = 1.0f);
    float zoom() const { return zoom_; }
    /// Looks at the current head's bounding box centre and fits its size
    /// (done for the first head; later heads keep the framing).
    void frameHead();
    /// The camera of the last frame drawn.
    const camera::OrbitCamera& viewCamera() const { return camera_; }

    /// Empty while GL works; otherwise why nothing can be drawn.
    QString glError() const { return glError_; }
    /// Triangles on the GPU per slot (0 before the first paint).
    int drawnTriangles(Slot slot) const { return renderer_.triangles(slot); }

    static Eigen::Vector3f headColour() { return {0.86f, 0.69f, 0.58f}; }
    /// A pale grey: the heatmap's ramp runs through violet, blue, green and
    /// yellow, so a hue of its own would read as a residual.
    static Eigen::Vector3f surfaceColour() { return {0.88f, 0.9f, 0.93f}; }

protected:
    void initializeGL() override;
    void paintGL() override;
    void mousePressEvent(QMouseEvent* e) override;
    void mouseMoveEvent(QMouseEvent* e) override;
    void mouseReleaseEvent(QMouseEvent* e) override;
    void wheelEvent(QWheelEvent* e) override;

private:
    void releaseGl();

    render::SurfaceRenderer renderer_;
    camera::OrbitCamera camera_;
    io::TriMesh head_, surface_;
    std::vector<Eigen::Vector3f> headColours_;
    bool headDirty_ = false, coloursDirty_ = false, surfaceDirty_ = false;
    bool headVisible_ = true;
    float surfaceAlpha_ = 0.35f;
    QString glError_;
    Eigen::Vector3f frameCentre_ = camera::defaultPivot();
    float frameRadius_ = 0.0f;  ///< half the head's width or depth, whichever is larger; 0: nothing framed yet
    float frameHalfHeight_ = 0.0f;
    float zoom_ = 1.0f;
    bool dragging_ = false;
    QPointF lastPos_;
};

}  // namespace synthforge::widgets
