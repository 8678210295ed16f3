#include "core/labelmap/edit_history.h"

#include <utility>

namespace synthforge::labelmap {

void EditHistory::push(StrokeRecord record) {
    if (record.empty()) return;
    for (const StrokeRecord& r : redo_) bytes_ -= r.bytes();
    redo_.clear();
    bytes_ += record.bytes();
    undo_.push_back(std::move(record));
    trim();
}

void EditHistory::trim() {
    while (bytes_ > budget_ && undo_.size() > 1) {
        bytes_ -= undo_.front().bytes();
        undo_.pop_front();
        ++dropped_;
    }
}

TexelRect EditHistory::undo(LabelCanvas& canvas) {
    if (undo_.empty()) return {};
    const TexelRect r = canvas.undo(undo_.back());
    redo_.push_back(std::move(undo_.back()));
    undo_.pop_back();
    return r;
}

TexelRect EditHistory::redo(LabelCanvas& canvas) {
    if (redo_.empty()) return {};
    const TexelRect r = canvas.redo(redo_.back());
    undo_.push_back(std::move(redo_.back()));
    redo_.pop_back();
    return r;
}

void EditHistory::clear() {
    undo_.clear();
    redo_.clear();
    bytes_ = 0;
    dropped_ = 0;
}

}  // namespace synthforge::labelmap
