#pragma once
// Paint mode of the 3D viewport: left drag paints the label editor's map on
// the head (core/labelmap/surface_paint.h has the hit -> UV -> stroke logic)
// with the brush of the editor's LabelEditDocument: its class, diameter (as
// screen pixels) and mirror toggle. The tool observes the document's brush
// signals and keeps its own copy of the brush, so it never reads the
// editor's widgets. A drag is one undo step on the document's stack.

#include <memory>

#include <QObject>
#include <QPointF>
#include <QPointer>

#include "core/labelmap/surface_paint.h"
#include "widgets/viewport/viewport_geometry.h"

class QAction;
class QImage;
class QWidget;

namespace synthforge::widgets {

class LabelEditorDock;
class LabelEditDocument;

class ViewportPaintTool : public QObject {
    Q_OBJECT
public:
    /// `view` owns the tool and its action (the shortcut works while it has focus).
    explicit ViewportPaintTool(QWidget* view);
    ~ViewportPaintTool() override;

    /// The label editor whose map and brush the tool uses (null: none; the
    /// tool then stays off).
    void setTarget(LabelEditorDock* editor);
    LabelEditorDock* target() const;
    /// The target's document (null without a target).
    LabelEditDocument* document() const;

    /// Paint mode on or off (off cancels a stroke in progress).
    void setEnabled(bool on);
    bool enabled() const { return enabled_; }
    /// Checkable "Paint labels on the 3D head" (Ctrl+Shift+P); enabled
    /// while a target is set.
    QAction* action() const { return action_; }

    /// The brush as last signalled by the document.
    int brushSize() const { return brushSize_; }
    bool mirrorEnabled() const { return mirror_; }
    int brushClass() const { return brushClass_; }

    /// A paint drag is in progress (from press to release or cancel).
    bool dragging() const { return dragging_; }
    /// What a stroke at `pos` (logical pixels) would hit in `view`, computed now.
    labelmap::SurfacePoint pickAt(QPointF pos, const ViewportGeometry& view);
    void begin(QPointF pos, const ViewportGeometry& view);
    void extend(QPointF pos, const ViewportGeometry& view);
    /// Ends the drag: the stroke becomes one undo step.
    void finish();
    /// Drops a stroke in progress (its texels are restored).
    void cancel();

    /// The map in class colours while painting on a head with UVs (null
    /// otherwise): what the viewport shows as the head's texture.
    const QImage* labelImage(const head::HeadModel* model) const;

signals:
    void enabledChanged(bool on);
    /// The map (or its live preview) changed: the shown labels are stale.
    void labelsChanged();
    /// Something the tool draws changed (the brush circle's size).
    void repaintNeeded();

private:
    void readBrush();

    QPointer<LabelEditorDock> target_;
    QAction* action_ = nullptr;
    bool enabled_ = false;
    bool dragging_ = false;
    int brushSize_ = 9;
    bool mirror_ = false;
    int brushClass_ = 1;
    labelmap::SurfacePicker picker_;  ///< per view: rebuilt when the view's version or size changes
    quint64 pickerVersion_ = 0;
    int pickerW_ = 0, pickerH_ = 0;
    std::unique_ptr<labelmap::SurfaceStroke> stroke_;
};

}  // namespace synthforge::widgets
