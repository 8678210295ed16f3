#pragma once
// The 3D viewport: the scene's posed head drawn with OpenGL 3.3 core
// (render/MeshRenderer) through exactly the scene camera (render/gl_camera.h),
// so it shows what the generator's annotations see.
//
// Modes: shaded, textured (the procedural generator's albedo for the scene's
// z, baked on a worker thread; shaded until it arrives) and wireframe. The 68
// landmarks are drawn as points coloured by the annotations' visibility
// (green visible, red occluded), computed as annotate() does at the scene's
// resolution (core/raster/window_raster.h).
//
// Composed of small parts, each in its own file:
//  - OrbitController (orbit_controller.h): left drag orbits (yaw, pitch),
//    middle drag or Shift + left drag pans (moves the camera's look-at
//    pivot), the wheel zooms (radius), all through the SceneDocument, so the
//    camera panel follows and undo works;
//  - ViewportPaintTool (viewport_paint_tool.h): paint mode (setPaintTarget,
//    setPaintMode or paintModeAction()): left drag paints the label editor's
//    map on the head with the brush of its LabelEditDocument, which the tool
//    observes; Alt + left drag still orbits. A circle at the cursor shows the
//    brush's screen size. While painting, the head shows the map being
//    edited in class colours (as its texture, refreshed once per frame after
//    changes) instead of the albedo; wireframe mode stays as it is;
//  - AlbedoBake (albedo_bake.h): the textured mode's albedo, baked on a worker;
//  - LatencyMeter (latency_meter.h): the edit-to-frame latency. Its span
//    covers the forward pass (LBS, on the GUI thread in the document's change
//    signal), the landmark visibility, the upload, the draw, the HUD and the swap.
//
// A Dear ImGui HUD (imgui_qt_bridge.h, viewport_hud.h) shows frame time, fps,
// the edit-to-frame latency (last and p95), and what is under the cursor:
// class, depth, triangle, vertex and nearest landmark, with the landmark's
// index next to it when the cursor is close.

#include <functional>
#include <memory>

#include <QOpenGLWidget>
#include <QPointF>

#include "core/annotate/pixel_pick.h"
#include "core/generate/sample_pipeline.h"
#include "core/head/head_model.h"
#include "core/head/lbs.h"
#include "core/jobs/frame_stats.h"
#include "core/labelmap/surface_paint.h"
#include "core/raster/window_raster.h"
#include "render/mesh_renderer.h"
#include "widgets/viewport/latency_meter.h"
#include "widgets/viewport/orbit_controller.h"
#include "widgets/viewport/viewport_geometry.h"
#include "widgets/viewport/viewport_hud.h"

class QAction;

namespace synthforge::widgets {

class AlbedoBake;
class ImGuiQtBridge;
class LabelEditorDock;
class SceneDocument;
class ViewportPaintTool;

class ViewportWidget : public QOpenGLWidget {
    Q_OBJECT
public:
    /// Radians of yaw/pitch per pixel of drag.
    static constexpr float kOrbitRadiansPerPixel = OrbitController::kRadiansPerPixel;
    /// Logical pixels between the cursor and a landmark for its index label.
    static constexpr float kLandmarkLabelRadius = 10.0f;

    explicit ViewportWidget(SceneDocument* doc, QWidget* parent = nullptr);
    ~ViewportWidget() override;

    /// The pipeline the generator view renders with: its label map names the
    /// classes under the cursor and feeds the textured mode's appearance
    /// atlas (the generator's own). Without one the HUD shows no class and
    /// the texture has plain skin (no label-map features).
    void setPipeline(std::shared_ptr<const generate::SamplePipeline> pipeline);

    void setMode(render::MeshRenderer::Mode mode);
    render::MeshRenderer::Mode mode() const { return mode_; }
    void setLandmarksShown(bool on);
    bool landmarksShown() const { return landmarks_; }
    /// The ImGui HUD panel (landmark labels on hover stay either way).
    void setHudShown(bool on);
    bool hudShown() const { return hud_; }

    /// Pans by a drag of `delta` logical pixels: the content moves with it
    /// (the pivot moves the other way in the image plane, at its depth).
    void panBy(QPointF delta);
    /// Puts the pivot back to the default (one undo step; nothing when already there).
    void resetPan();

    /// p95 of the edit-to-presented-frame latency over the last
    /// FrameStats::kWindow edits, ms (0 before the first).
    double p95FrameMs() const { return latency_.stats().latencyPercentile(95.0); }
    const jobs::FrameStats& frameStats() const { return latency_.stats(); }
    /// The last head forward pass (LBS) on an edit, ms: part of the latency.
    double lastForwardMs() const { return lastForwardMs_; }
    void clearFrameStats() { latency_.clear(); }

    /// What the HUD reports for the cursor at `pos` (logical pixels), computed now.
    HudHover hoverAt(QPointF pos);
    /// The last hover the HUD showed.
    const HudHover& hover() const { return hover_; }
    /// Per landmark 1 = visible as annotate() says at the scene's size (empty without landmarks).
    const std::vector<std::uint8_t>& landmarkVisibility();
    /// True once the albedo for the current z is on the GPU (textured mode).
    bool albedoCurrent() const;

    /// The label editor whose map paint mode paints, with its document's
    /// class, brush size and mirror toggle (null: none; paint mode then does nothing).
    void setPaintTarget(LabelEditorDock* editor);
    /// Where the HUD reads classes while the label editor edits the map (its
    /// strokes are not in the pipeline's map); without one, the pipeline's.
    void setLiveLabelSource(std::function<annotate::LiveLabels()> source) { liveLabels_ = std::move(source); }
    LabelEditorDock* paintTarget() const;
    /// Paint mode: left drag paints on the head, Alt + left drag orbits.
    void setPaintMode(bool on);
    bool paintMode() const;
    /// Checkable "Paint labels on the 3D head" (Ctrl+Shift+P) for a menu;
    /// enabled while a paint target is set.
    QAction* paintModeAction() const;
    /// The paint tool (its brush follows the target's document).
    const ViewportPaintTool* paintTool() const { return paint_; }
    /// What a paint stroke at `pos` (logical pixels) would hit, computed now.
    labelmap::SurfacePoint paintPickAt(QPointF pos);

    /// Empty while GL works; otherwise why the viewport cannot draw.
    QString glError() const { return glError_; }

signals:
    /// After each paint, with the time spent in paintGL (CPU side) in ms.
    void frameDrawn(double ms);
    /// After each presented frame: the edit-to-frame latency in ms, or -1
    /// when no edit was waiting for this frame.
    void framePresented(double latencyMs);
    /// The textured mode's albedo for the current z arrived.
    void albedoReady();
    void paintModeChanged(bool on);

protected:
    void initializeGL() override;
    void paintGL() override;
    void paintEvent(QPaintEvent* e) override;
    void mousePressEvent(QMouseEvent* e) override;
    void mouseMoveEvent(QMouseEvent* e) override;
    void mouseReleaseEvent(QMouseEvent* e) override;
    void wheelEvent(QWheelEvent* e) override;
    void keyPressEvent(QKeyEvent* e) override;
    void keyReleaseEvent(QKeyEvent* e) override;
    void focusInEvent(QFocusEvent* e) override;
    void focusOutEvent(QFocusEvent* e) override;
    void leaveEvent(QEvent* e) override;

private:
    void sceneChanged();
    void modelChanged();
    void releaseGl();
    void clearPose();
    void onFrameSwapped();
    void updateLandmarks();
    void requestAlbedo();
    void albedoBaked();
    void paintModeToggled(bool on);
    Eigen::VectorXf currentLatent() const;
    int deviceWidth() const;
    int deviceHeight() const;
    /// The view as the orbit controller and the paint tool see it now.
    ViewportGeometry viewGeometry() const;

    SceneDocument* doc_;
    std::shared_ptr<const generate::SamplePipeline> pipeline_;
    std::function<annotate::LiveLabels()> liveLabels_;
    render::MeshRenderer renderer_;
    std::unique_ptr<ImGuiQtBridge> imgui_;
    render::MeshRenderer::Mode mode_ = render::MeshRenderer::Mode::Shaded;
    bool landmarks_ = true, hud_ = true;
    // The pose is computed on the GUI thread when the head parameters
    // change (a few ms for the default head) and uploaded in paintGL.
    std::shared_ptr<const head::HeadModel> model_;
    head::HeadParams posedParams_;
    head::HeadPose pose_;
    bool topologyDirty_ = true, poseDirty_ = true;
    QString glError_;

    // Anything that moves the image (pose, camera, size) bumps viewVersion_;
    // the CPU caches below (and the paint tool's) remember the version they
    // were computed for.
    quint64 viewVersion_ = 1;
    quint64 landmarkVersion_ = 0;
    head::RowMatX3f placedLandmarks_;      ///< FLAME metres, the camera's contour bin
    raster::Vertices landmarksCamera_;     ///< camera space
    std::vector<std::uint8_t> landmarkVisible_;
    bool landmarkUploadPending_ = false;
    quint64 pickVersion_ = 0;
    int pickW_ = 0, pickH_ = 0;
    raster::WindowRaster pickRaster_;  ///< the viewport's pixels (device), for the cursor
    HudHover hover_;
    QPointF hoverPos_;
    bool hoverInside_ = false;

    OrbitController orbit_;
    LatencyMeter latency_;
    double lastForwardMs_ = 0.0;
    /// paintGL runs for the screen (inside paintEvent, a swap follows) or for
    /// grabFramebuffer() (no swap): only the former can stop the latency clock.
    bool inPaintEvent_ = false;

    // The one texture slot shows the baked albedo, or the label map while painting.
    AlbedoBake* albedo_;
    bool albedoUploadPending_ = false, albedoOnGpu_ = false;
    ViewportPaintTool* paint_;
    bool labelsOnGpu_ = false, labelUploadPending_ = false;
};

}  // namespace synthforge::widgets
