#pragma once
// The 3D viewport: the scene's posed head drawn with OpenGL 3.3 core
// (render/MeshRenderer) through exactly the scene camera (render/gl_camera.h),
// so it shows what the generator's annotations see.
//
// Modes: shaded, textured (the procedural generator's albedo for the scene's
// z, baked on a worker thread; shaded until it arrives) and wireframe. The 68
// landmarks are drawn as points coloured by the annotations' visibility
// (green visible, red occluded), computed as annotate() does at the scene's
// resolution (widgets/viewport_picking.h).
//
// Mouse: left drag orbits (yaw, pitch), middle drag or Shift + left drag pans
// (moves the camera's look-at pivot), the wheel zooms (radius). Edits go
// through the SceneDocument, so the camera panel follows and undo works; a
// drag is one undo step (beginDrag/endDrag), each wheel notch one.
//
// Paint mode (setPaintTarget, setPaintMode or paintModeAction()): left drag
// paints the label editor's map on the head instead of orbiting, with the
// editor's class, brush diameter (as screen pixels) and mirror toggle; Alt +
// left drag still orbits. A drag is one undo step on the editor's stack;
// widgets/viewport_paint.h has the hit -> UV -> stroke logic. A circle at
// the cursor shows the brush's screen size. While painting, the head shows
// the map being edited in class colours (as its texture, refreshed once per
// frame after changes) instead of the albedo; wireframe mode stays as it is.
//
// A Dear ImGui HUD (widgets/imgui_qt_bridge.h, widgets/viewport_hud.h) shows
// frame time, fps, the edit-to-frame latency (last and p95), and what is
// under the cursor: class, depth, triangle, vertex and nearest landmark, with
// the landmark's index next to it when the cursor is close.
//
// Latency: an edit of the document starts a clock (the first edit since the
// last painted frame); the frame painted after it stops it when
// QOpenGLWidget::frameSwapped says the window presented it. The span covers
// the forward pass (LBS, on the GUI thread in the document's change signal),
// the landmark visibility, the upload, the draw, the HUD and the swap. A
// frame painted for grabFramebuffer() is never presented: it drops the
// waiting edits instead of timing them.

#include <functional>
#include <memory>

#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QImage>
#include <QOpenGLWidget>
#include <QPoint>
#include <QPointF>
#include <QPointer>

#include "core/generate/appearance.h"
#include "core/generate/sample_pipeline.h"
#include "core/head/head_model.h"
#include "core/head/lbs.h"
#include "render/mesh_renderer.h"
#include "widgets/frame_stats.h"
#include "widgets/viewport_hud.h"
#include "widgets/viewport_paint.h"
#include "widgets/viewport_picking.h"

class QAction;

namespace synthforge::widgets {

class ImGuiQtBridge;
class LabelEditorDock;
class SceneDocument;

class ViewportWidget : public QOpenGLWidget {
    Q_OBJECT
public:
    /// Radians of yaw/pitch per pixel of drag.
    static constexpr float kOrbitRadiansPerPixel = 0.01f;
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
    double p95FrameMs() const { return stats_.latencyPercentile(95.0); }
    const FrameStats& frameStats() const { return stats_; }
    /// The last head forward pass (LBS) on an edit, ms: part of the latency.
    double lastForwardMs() const { return lastForwardMs_; }
    void clearFrameStats() { stats_.clear(); }

    /// What the HUD reports for the cursor at `pos` (logical pixels), computed now.
    HudHover hoverAt(QPointF pos);
    /// The last hover the HUD showed.
    const HudHover& hover() const { return hover_; }
    /// Per landmark 1 = visible as annotate() says at the scene's size (empty without landmarks).
    const std::vector<std::uint8_t>& landmarkVisibility();
    /// True once the albedo for the current z is on the GPU (textured mode).
    bool albedoCurrent() const;

    /// The label editor whose map, class, brush size and mirror toggle paint
    /// mode uses (null: none; paint mode then does nothing).
    void setPaintTarget(LabelEditorDock* editor);
    /// Where the HUD reads classes while the label editor edits the map (its
    /// strokes are not in the pipeline's map); without one, the pipeline's.
    void setLiveLabelSource(std::function<LiveLabels()> source) { liveLabels_ = std::move(source); }
    LabelEditorDock* paintTarget() const { return paintTarget_; }
    /// Paint mode: left drag paints on the head, Alt + left drag orbits.
    void setPaintMode(bool on);
    bool paintMode() const { return paintMode_; }
    /// Checkable "Paint labels on the 3D head" (Ctrl+Shift+P) for a menu;
    /// enabled while a paint target is set.
    QAction* paintModeAction() const { return paintAction_; }
    /// What a paint stroke at `pos` (logical pixels) would hit, computed now.
    SurfacePoint paintPickAt(QPointF pos);

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
    struct AlbedoJob {
        const head::HeadModel* model = nullptr;
        std::shared_ptr<const generate::AppearanceAtlas> atlas;
        Eigen::VectorXf z;
        QImage image;
        QString error;
    };
    void sceneChanged();
    void modelChanged();
    void releaseGl();
    void clearPose();
    void onFrameSwapped();
    void updateLandmarks();
    void requestAlbedo();
    void albedoFinished();
    Eigen::VectorXf currentLatent() const;
    void beginPaint(QPointF pos);
    void continuePaint(QPointF pos);
    void endPaint();
    void cancelPaint();
    int deviceWidth() const;
    int deviceHeight() const;

    SceneDocument* doc_;
    std::shared_ptr<const generate::SamplePipeline> pipeline_;
    std::function<LiveLabels()> liveLabels_;
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
    // the CPU caches below remember the version they were computed for.
    quint64 viewVersion_ = 1;
    quint64 landmarkVersion_ = 0;
    head::RowMatX3f placedLandmarks_;      ///< FLAME metres, the camera's contour bin
    raster::Vertices landmarksCamera_;     ///< camera space
    std::vector<std::uint8_t> landmarkVisible_;
    bool landmarkUploadPending_ = false;
    quint64 pickVersion_ = 0;
    int pickW_ = 0, pickH_ = 0;
    WindowRaster pickRaster_;  ///< the viewport's pixels (device), for the cursor
    HudHover hover_;
    QPointF hoverPos_;
    bool hoverInside_ = false;

    // Timing (see the header comment).
    QElapsedTimer clock_;
    qint64 pendingEditNs_ = -1, frameEditNs_ = -1;
    double lastPaintMs_ = 0.0, lastForwardMs_ = 0.0;
    /// paintGL runs for the screen (inside paintEvent, a swap follows) or for
    /// grabFramebuffer() (no swap): only the former can stop the clock.
    bool inPaintEvent_ = false;
    FrameStats stats_;

    // Textured mode.
    QFutureWatcher<AlbedoJob> albedoWatcher_;
    std::shared_ptr<const generate::AppearanceAtlas> atlas_;
    const head::HeadModel* atlasModel_ = nullptr;
    Eigen::VectorXf albedoZ_, jobZ_;
    QImage albedoImage_;
    bool albedoUploadPending_ = false, albedoOnGpu_ = false;

    // Paint mode.
    QPointer<LabelEditorDock> paintTarget_;
    QAction* paintAction_ = nullptr;
    bool paintMode_ = false;
    SurfacePicker paintPicker_;  ///< per view, like pickRaster_
    quint64 paintPickVersion_ = 0;
    int paintPickW_ = 0, paintPickH_ = 0;
    std::unique_ptr<SurfaceStroke> stroke_;
    bool labelsOnGpu_ = false, labelUploadPending_ = false;
    bool showsLabels() const;

    enum class Drag { None, Orbit, Pan, Paint };
    Drag drag_ = Drag::None;
    QPointF lastPos_;
};

}  // namespace synthforge::widgets
