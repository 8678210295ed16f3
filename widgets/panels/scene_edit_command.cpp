#include "widgets/panels/scene_edit_command.h"

#include "widgets/panels/scene_document.h"

namespace synthforge::widgets {

namespace {
constexpr int kSceneEditId = 0x5f5e;  // any constant: QUndoStack only merges equal ids
}

SceneEditCommand::SceneEditCommand(SceneDocument* doc, scene::Scene before, scene::Scene after, const QString& text,
                                   const QString& key, int dragId)
    : doc_(doc), before_(std::move(before)), after_(std::move(after)), key_(key), dragId_(dragId) {
    setText(text);
}

void SceneEditCommand::undo() { doc_->restore(before_); }
void SceneEditCommand::redo() { doc_->restore(after_); }

int SceneEditCommand::id() const { return dragId_ != 0 ? kSceneEditId : -1; }

bool SceneEditCommand::mergeWith(const QUndoCommand* other) {
    const auto* o = dynamic_cast<const SceneEditCommand*>(other);
    if (!o || o->dragId_ != dragId_ || o->key_ != key_) return false;
    after_ = o->after_;  // keep the state before the drag, take the latest after
    return true;
}

}  // namespace synthforge::widgets
