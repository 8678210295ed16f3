#pragma once
// What the label editor edits: the UV label map (a labelmap::LabelCanvas),
// its class table, the display order of the classes, and the undo stack every
// change goes through. The canvas view, the class panel, the file actions and
// the autosave all work on this one object; it also keeps the map's picture in
// class colours, refreshed only where a change landed.
//
// Every change to the map is a StrokeRecord already applied to the canvas and
// pushed here (pushStroke); undo/redo replay the record. Class ids never
// change: renaming, recolouring and reordering edit names, colours and the
// display order, so maps painted earlier keep their meaning.
//
// The brush settings (diameter, mirror painting, the class a brush stroke
// paints) live here too, not in one view: the 2D canvas, the dock's controls
// and the 3D viewport's paint tool all paint with the same brush and follow
// its change signals. They are tool settings, not part of the map: changing
// them is no undo step and does not bump revision().

#include <memory>
#include <vector>

#include <QImage>
#include <QObject>
#include <QRect>
#include <QString>

#include "core/annotate/class_table.h"
#include "core/labelmap/label_canvas.h"

class QUndoStack;

namespace synthforge::widgets {

class LabelEditDocument : public QObject {
    Q_OBJECT
public:
    explicit LabelEditDocument(QObject* parent = nullptr);

    const labelmap::LabelCanvas& canvas() const { return canvas_; }
    labelmap::LabelCanvas& canvas() { return canvas_; }
    const annotate::ClassTable& classes() const { return classes_; }
    /// Class ids in the order the class list shows them (number keys follow it).
    const std::vector<int>& order() const { return order_; }
    QUndoStack* undoStack() const { return undo_; }
    /// The map in class colours (ARGB32, canvas-sized).
    const QImage& colorImage() const { return image_; }

    /// Replaces map and table (load, new head, restore) and clears the undo
    /// history. The display order is kept for ids that still exist.
    void reset(labelmap::LabelCanvas canvas, annotate::ClassTable classes);

    /// Records an edit already applied to the canvas as one undo step.
    /// An empty record is ignored.
    void pushStroke(labelmap::StrokeRecord record, const QString& text);
    /// Replaces the class table (and display order) as one undo step. The
    /// table must hold every id the map uses: returns false (nothing changed)
    /// and sets `error` otherwise.
    bool editClasses(annotate::ClassTable table, std::vector<int> order, const QString& text, QString* error);

    /// Used by the undo commands: apply and notify.
    void applyUndo(const labelmap::StrokeRecord& record);
    void applyRedo(const labelmap::StrokeRecord& record);
    void restoreClasses(const annotate::ClassTable& table, const std::vector<int>& order);

    /// Repaints `rect` of colorImage() from the canvas and emits mapChanged.
    void refresh(const labelmap::TexelRect& rect);
    /// The same during a drag, before the stroke is recorded: repaints and
    /// emits previewChanged only (listeners that are costly per change, like
    /// the live segmentation, wait for the stroke's mapChanged).
    void refreshPreview(const labelmap::TexelRect& rect);
    /// Bumped on every change (autosave and "modified" checks compare it).
    quint64 revision() const { return revision_; }

    /// Brush diameter in texels (the 3D viewport takes it as screen pixels).
    int brushSize() const { return brushSize_; }
    /// Clamped to labelmap::kMinBrushDiameter..kMaxBrushDiameter.
    void setBrushSize(int diameter);
    /// Mirror painting: strokes also paint their mirror image in the flip partner class.
    bool mirrorEnabled() const { return mirrorOn_; }
    void setMirrorEnabled(bool on);
    /// The class id a brush stroke paints now (the current class, or the
    /// erase-to class while the eraser is the tool), set by the canvas view.
    int brushClass() const { return brushClass_; }
    void setBrushClass(int id);

signals:
    /// Texels in `dirty` (canvas coordinates) changed (a stroke, undo, redo,
    /// an import). Not emitted by reset() or class edits.
    void mapChanged(QRect dirty);
    /// Texels changed by a stroke still in progress.
    void previewChanged(QRect dirty);
    /// Names, colours, flips or the order of classes changed.
    void classesChanged();
    /// reset() is about to replace the map (open edits must end now).
    void aboutToReset();
    /// Map and table were replaced wholesale (reset()); neither mapChanged
    /// nor classesChanged is emitted for it.
    void documentReset();
    /// The brush settings changed (only on a real change).
    void brushSizeChanged(int diameter);
    void mirrorEnabledChanged(bool on);
    void brushClassChanged(int id);

private:
    void repaint(const labelmap::TexelRect& rect);
    void fixOrder();

    labelmap::LabelCanvas canvas_;
    annotate::ClassTable classes_;
    std::vector<int> order_;
    QUndoStack* undo_;
    QImage image_;
    quint64 revision_ = 0;
    int brushSize_ = 9;
    bool mirrorOn_ = false;
    int brushClass_ = 1;
};

/// Helpers shared by the editor's widgets.
inline QRect toQRect(const labelmap::TexelRect& r) { return QRect(r.x, r.y, r.width, r.height); }

}  // namespace synthforge::widgets
