#pragma once
// The label editor's painting view: the UV label map in class colours at any
// zoom, the head's UV wireframe over it, and the tools. Mouse positions become
// continuous texel coordinates as (position - pan) / zoom and go to the
// labelmap engine unrounded (docs/label_editor.md, "Coordinates").
//
// Controls: left button uses the tool; Space + drag or the middle button
// pans; the wheel (or Ctrl + wheel, as in labelme) zooms about the cursor; Shift + wheel or [ ] change the brush
// diameter (a circle at the cursor shows it); Ctrl+0 fits the map; number keys
// 1..9, 0 pick the first ten classes of the class list.
//
// A brush or eraser drag paints into one open labelmap::CanvasEdit (shown
// live) and becomes one undo step on release. With mirror painting on, the
// mirrored stroke is drawn live as well, and on release the live edit is
// dropped (it restores its tiles) and the whole stroke is painted again by
// labelmap::paintStrokeMirrored, so the recorded result is exactly the engine's.

#include <memory>
#include <vector>

#include <Eigen/Core>
#include <QImage>
#include <QLineF>
#include <QWidget>

#include "core/head/head_model.h"
#include "core/labelmap/label_canvas.h"
#include "core/labelmap/mirror_map.h"
#include "core/labelmap/uv_islands.h"

namespace synthforge::widgets {

class LabelEditDocument;

enum class LabelTool { Brush, Eraser, Fill, Lasso, Eyedropper, Pan };
enum class LabelFillMode {
    Island,               ///< the whole UV island under the click
    ClassRegionInIsland,  ///< the clicked class region, stopped at the island border
    ClassRegion,          ///< the clicked class region, anywhere
};

class LabelCanvasView : public QWidget {
    Q_OBJECT
public:
    explicit LabelCanvasView(LabelEditDocument* doc, QWidget* parent = nullptr);
    ~LabelCanvasView() override;

    LabelTool tool() const { return tool_; }
    void setTool(LabelTool tool);
    /// Abandons a stroke or lasso in progress (its texels are restored).
    void cancelStroke();
    /// The document's brush diameter (shared with the dock and the 3D viewport).
    int brushSize() const;
    void setBrushSize(int diameter);  ///< clamped to 1..200
    int currentClass() const { return classId_; }
    void setCurrentClass(int id);
    int eraseToClass() const { return eraseTo_; }
    void setEraseToClass(int id);
    LabelFillMode fillMode() const { return fillMode_; }
    void setFillMode(LabelFillMode mode) { fillMode_ = mode; }
    /// The document's mirror painting toggle.
    bool mirrorEnabled() const;
    void setMirrorEnabled(bool on);
    /// The mirror map and UV islands (built elsewhere, on a worker); null until ready.
    void setMirrorMap(std::shared_ptr<const labelmap::MirrorMap> mirror) { mirror_ = std::move(mirror); }
    void setIslands(std::shared_ptr<const labelmap::UvIslandMap> islands) { islands_ = std::move(islands); }
    bool mirrorReady() const { return mirror_ && !mirror_->empty(); }

    /// UV wireframe of this model's UV triangles (null: none).
    void setHeadModel(std::shared_ptr<const head::HeadModel> model);
    void setWireframeShown(bool on);
    bool wireframeShown() const { return wireOn_; }
    void setWireframeOpacity(double alpha);  ///< 0..1
    double wireframeOpacity() const { return wireAlpha_; }

    double zoom() const { return zoom_; }
    QPointF pan() const { return pan_; }
    /// Zoom (screen pixels per texel) keeping the texel under `anchor` (widget
    /// coordinates) in place.
    void setZoom(double zoom, QPointF anchor);
    void setView(double zoom, QPointF pan);
    /// Fits the whole map into the view (Ctrl+0).
    void fitToView();
    /// Continuous texel coordinates of a widget position, and back.
    Eigen::Vector2f toTexel(QPointF widgetPos) const;
    QPointF toWidget(const Eigen::Vector2f& texel) const;

signals:
    /// The eyedropper or a number key chose a class.
    void classPicked(int id);
    /// The document's brush diameter changed (from here or elsewhere).
    void brushSizeChanged(int diameter);
    void toolChanged(LabelTool tool);
    void viewChanged();
    /// A tool could not do what was asked (shown in the status line / a message).
    void toolMessage(const QString& message, bool error);

protected:
    void paintEvent(QPaintEvent* e) override;
    void mousePressEvent(QMouseEvent* e) override;
    void mouseMoveEvent(QMouseEvent* e) override;
    void mouseReleaseEvent(QMouseEvent* e) override;
    void wheelEvent(QWheelEvent* e) override;
    void keyPressEvent(QKeyEvent* e) override;
    void keyReleaseEvent(QKeyEvent* e) override;
    void leaveEvent(QEvent* e) override;
    void resizeEvent(QResizeEvent* e) override;

private:
    void beginStroke(const Eigen::Vector2f& p);
    void continueStroke(const Eigen::Vector2f& p);
    void endStroke();
    void clickFill(const Eigen::Vector2f& p);
    void endLasso();
    void pick(const Eigen::Vector2f& p);
    int strokeClass() const { return tool_ == LabelTool::Eraser ? eraseTo_ : classId_; }
    /// Tells the document which class brush strokes paint now.
    void syncBrushClass();
    void updateCursorArea(QPointF oldPos, QPointF newPos);
    QRectF brushScreenRect(QPointF pos) const;
    const QImage& wireframe();

    LabelEditDocument* doc_;
    LabelTool tool_ = LabelTool::Brush;
    LabelFillMode fillMode_ = LabelFillMode::Island;
    int classId_ = 1;
    int eraseTo_ = 1;
    std::shared_ptr<const labelmap::MirrorMap> mirror_;
    std::shared_ptr<const labelmap::UvIslandMap> islands_;

    std::shared_ptr<const head::HeadModel> model_;
    std::vector<QLineF> uvEdges_;  ///< unique UV edges, u right and v up in [0, 1]
    bool wireOn_ = true;
    double wireAlpha_ = 0.35;
    QImage wireCache_;
    double wireZoom_ = 0;
    QPointF wirePan_;
    int wireCanvas_ = 0;

    double zoom_ = 1.0;
    QPointF pan_;
    bool fitted_ = false;

    std::unique_ptr<labelmap::CanvasEdit> edit_;
    std::vector<Eigen::Vector2f> points_;  ///< the stroke or lasso so far (texels)
    bool painting_ = false, lassoing_ = false, panning_ = false, spaceHeld_ = false;
    QPointF lastMouse_;
    QPointF cursor_{-1, -1};  ///< widget position of the cursor; x < 0 = outside
};

}  // namespace synthforge::widgets
