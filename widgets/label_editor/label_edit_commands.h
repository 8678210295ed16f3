#pragma once
// Undo commands of the label editor. A stroke command holds one
// labelmap::StrokeRecord (the changed tiles' XOR deltas), never the map: the
// record's delta both undoes and redoes it. Strokes are never merged.

#include <vector>

#include <QUndoCommand>

#include "core/annotate/class_table.h"
#include "core/labelmap/label_canvas.h"

namespace synthforge::widgets {

class LabelEditDocument;

class LabelStrokeCommand : public QUndoCommand {
public:
    /// `record` is already applied: the first redo() (QUndoStack::push) does nothing.
    LabelStrokeCommand(LabelEditDocument* doc, labelmap::StrokeRecord record, const QString& text);
    void undo() override;
    void redo() override;
    const labelmap::StrokeRecord& record() const { return record_; }

private:
    LabelEditDocument* doc_;
    labelmap::StrokeRecord record_;
    bool applied_ = true;
};

/// A class table edit (add, rename, recolour, reorder, flip partners).
class LabelClassesCommand : public QUndoCommand {
public:
    LabelClassesCommand(LabelEditDocument* doc, annotate::ClassTable before, std::vector<int> orderBefore,
                        annotate::ClassTable after, std::vector<int> orderAfter, const QString& text);
    void undo() override;
    void redo() override;

private:
    LabelEditDocument* doc_;
    annotate::ClassTable before_, after_;
    std::vector<int> orderBefore_, orderAfter_;
};

}  // namespace synthforge::widgets
