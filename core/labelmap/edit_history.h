#pragma once
// An undo/redo stack of StrokeRecords with a memory budget, for the CLI and
// tests. (The studio keeps the same records in QUndoCommands instead; each
// command's undo()/redo() calls LabelCanvas::undo/redo.)

#include <cstddef>
#include <deque>
#include <vector>

#include "core/labelmap/label_canvas.h"

namespace synthforge::labelmap {

class EditHistory {
public:
    /// Default budget: 64 MiB of records, a few hundred large strokes on a
    /// 4096^2 map (docs/label_editor.md has the figures).
    static constexpr std::size_t kDefaultByteBudget = 64u << 20;

    explicit EditHistory(std::size_t byteBudget = kDefaultByteBudget) : budget_(byteBudget) {}

    /// Records a committed edit (an empty one is ignored) and drops the redo
    /// steps. While the records held exceed the budget, the oldest undo steps
    /// are dropped (the newest one is always kept).
    void push(StrokeRecord record);

    bool canUndo() const { return !undo_.empty(); }
    bool canRedo() const { return !redo_.empty(); }
    std::size_t undoCount() const { return undo_.size(); }
    std::size_t redoCount() const { return redo_.size(); }
    /// Bytes held by all records, undo and redo.
    std::size_t bytesHeld() const { return bytes_; }
    std::size_t byteBudget() const { return budget_; }
    /// Undo steps dropped for the budget since construction or clear().
    std::size_t droppedCount() const { return dropped_; }

    /// Undoes the newest step on `canvas` (the canvas the records were made
    /// on); returns the changed texels (empty when there is nothing to undo).
    TexelRect undo(LabelCanvas& canvas);
    TexelRect redo(LabelCanvas& canvas);
    /// Forgets everything (after loading another map).
    void clear();

private:
    void trim();
    std::deque<StrokeRecord> undo_;
    std::vector<StrokeRecord> redo_;
    std::size_t budget_, bytes_ = 0, dropped_ = 0;
};

}  // namespace synthforge::labelmap
