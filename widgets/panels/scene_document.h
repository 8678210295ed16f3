#pragma once
// The studio's document: the current scene, the head model it is edited
// against, and the undo stack that every edit goes through (docs/design.md).
//
// Edits that happen inside beginDrag()/endDrag() on the same parameter merge
// into one undo step, so a slider drag of any length undoes in one go; edits
// outside a drag never merge.

#include <memory>

#include <QObject>
#include <QString>

#include "core/head/head_model.h"
#include "core/scene/scene.h"

class QUndoStack;

namespace synthforge::widgets {

class SceneDocument : public QObject {
    Q_OBJECT
public:
    explicit SceneDocument(QObject* parent = nullptr);

    const scene::Scene& scene() const { return scene_; }
    QUndoStack* undoStack() const { return undo_; }
    /// The model the scene is edited against (null until one is loaded).
    std::shared_ptr<const head::HeadModel> model() const { return model_; }
    int numShape() const { return model_ ? model_->numShape() : 0; }
    int numExpr() const { return model_ ? model_->numExpr() : 0; }
    /// The file the scene was opened from or saved to ("" for a new one).
    QString filePath() const { return filePath_; }
    void setFilePath(const QString& path) { filePath_ = path; }

    /// Replaces scene and model without an undo step (open, new) and clears
    /// the undo history. Shape/expression vectors are padded to the model.
    void reset(const scene::Scene& scene, std::shared_ptr<const head::HeadModel> model);

    /// Edits. `key` identifies the parameter for drag merging.
    void setShape(int index, float sigma);
    void setExpr(int index, float sigma);
    void setPoseValue(int index, float radians);  ///< index into the 15 pose values
    void setCamera(const camera::OrbitCamera& camera, const QString& key = QStringLiteral("camera"));
    void setZSeed(std::uint64_t seed);
    /// A whole-scene edit as one undo step (randomise, reset, ...).
    void apply(const scene::Scene& scene, const QString& text);

    /// Brackets a continuous drag: edits in between merge per parameter.
    void beginDrag();
    void endDrag();
    bool dragging() const { return dragId_ != 0; }

    /// Used by the undo command: sets the scene and notifies.
    void restore(const scene::Scene& scene);

signals:
    void changed();
    void modelChanged();

private:
    void edit(const scene::Scene& after, const QString& text, const QString& key);
    scene::Scene padded(scene::Scene s) const;

    scene::Scene scene_;
    std::shared_ptr<const head::HeadModel> model_;
    QUndoStack* undo_;
    QString filePath_;
    int dragId_ = 0;  ///< non-zero while a drag is in progress
    int nextDragId_ = 1;
};

}  // namespace synthforge::widgets
