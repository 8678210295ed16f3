#pragma once
// One undoable scene edit: the scene before and after. Scenes are a few kB,
// so storing both is simpler and safer than per-field diffs. Commands made
// during the same drag on the same parameter merge (Qt's id()/mergeWith()).

#include <QUndoCommand>

#include "core/scene/scene.h"

namespace synthforge::widgets {

class SceneDocument;

class SceneEditCommand : public QUndoCommand {
public:
    /// `dragId` 0 means "not part of a drag": such commands never merge.
    SceneEditCommand(SceneDocument* doc, scene::Scene before, scene::Scene after, const QString& text,
                     const QString& key, int dragId);

    void undo() override;
    void redo() override;
    int id() const override;
    bool mergeWith(const QUndoCommand* other) override;

private:
    SceneDocument* doc_;
    scene::Scene before_, after_;
    QString key_;
    int dragId_;
};

}  // namespace synthforge::widgets
