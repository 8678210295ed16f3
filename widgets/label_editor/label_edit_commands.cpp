#include "widgets/label_editor/label_edit_commands.h"

#include "widgets/label_editor/label_edit_document.h"

namespace synthforge::widgets {

LabelStrokeCommand::LabelStrokeCommand(LabelEditDocument* doc, labelmap::StrokeRecord record, const QString& text)
    : QUndoCommand(text), doc_(doc), record_(std::move(record)) {}

void LabelStrokeCommand::undo() {
    doc_->applyUndo(record_);
    applied_ = false;
}

void LabelStrokeCommand::redo() {
    // push() calls redo() once on a stroke that is already on the canvas.
    if (applied_) return;
    doc_->applyRedo(record_);
    applied_ = true;
}

LabelClassesCommand::LabelClassesCommand(LabelEditDocument* doc, annotate::ClassTable before,
                                         std::vector<int> orderBefore, annotate::ClassTable after,
                                         std::vector<int> orderAfter, const QString& text)
    : QUndoCommand(text),
      doc_(doc),
      before_(std::move(before)),
      after_(std::move(after)),
      orderBefore_(std::move(orderBefore)),
      orderAfter_(std::move(orderAfter)) {}

void LabelClassesCommand::undo() { doc_->restoreClasses(before_, orderBefore_); }
void LabelClassesCommand::redo() { doc_->restoreClasses(after_, orderAfter_); }

}  // namespace synthforge::widgets
