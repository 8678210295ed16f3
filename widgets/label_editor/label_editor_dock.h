#pragma once
// The UV label map editor as a dock: the painting view
// (LabelCanvasView), a tool bar, the class list (LabelClassPanel), file
// actions and autosave. The engine is core/labelmap (docs/label_editor.md);
// this only wires it to widgets.
//
// The studio's map comes from the scene pipeline (for the default head,
// buildScenePipeline's default label map): the main window hands it over with
// setLabelMap(). connectGeneratorView() makes the generator view's
// segmentation follow every stroke, undo, class edit and load: strokes send
// only the changed rectangle (GeneratorView::editLabelMap, re-padded locally),
// since building a whole UvLabelMap takes longer than a frame.

#include <memory>

#include <QDockWidget>
#include <QFutureWatcher>
#include <QList>

#include "core/annotate/uv_label_map.h"
#include "core/head/head_model.h"
#include "core/labelmap/mirror_map.h"
#include "core/labelmap/uv_islands.h"

class QAction;
class QComboBox;
class QLabel;
class QSlider;
class QSpinBox;
class QUndoStack;

namespace synthforge::widgets {

class SceneDocument;
class LabelEditDocument;
class LabelCanvasView;
class LabelClassPanel;
class LabelFileActions;
class LabelAutosave;
class GeneratorView;

class LabelEditorDock : public QDockWidget {
    Q_OBJECT
public:
    /// Map side used when the head has no label map of its own (a FLAME file).
    static constexpr int kDefaultMapSize = 1024;

    /// `scene` may be null; when given, its model follows modelChanged().
    explicit LabelEditorDock(SceneDocument* scene, QWidget* parent = nullptr);
    ~LabelEditorDock() override;

    /// The head whose UV layout is edited: wireframe, UV islands and the
    /// mirror map (built on a worker thread, ~1.2 s for the default head).
    void setHeadModel(std::shared_ptr<const head::HeadModel> model);
    /// Starts editing this map (e.g. SamplePipeline::labels); clears the
    /// undo history. Null: a skin-filled kDefaultMapSize² map in the default
    /// table (for heads without a map). May offer a recovery file first.
    void setLabelMap(std::shared_ptr<const annotate::UvLabelMap> labels);
    /// The edited map as a lookup-ready UvLabelMap (built on demand, cached
    /// per revision; tens of ms at 1024²: for saving into a pipeline, not per
    /// stroke); null while the map is empty or smaller than a UvLabelMap allows.
    std::shared_ptr<const annotate::UvLabelMap> labelMap();
    /// Live segmentation: `view` gets the map now and after every change.
    void connectGeneratorView(GeneratorView* view);

    /// Message boxes on errors (off in tests; stderr always).
    void setErrorDialogsEnabled(bool on) { dialogs_ = on; }
    QString lastError() const { return lastError_; }
    /// The editor's own undo stack (put it in a QUndoGroup with the scene's).
    QUndoStack* undoStack() const;

    /// Menu actions: Open…, Save, Save as…, Import colour map…, Export colour
    /// preview…, Restore autosave…; and the tool actions (Brush B, Eraser E,
    /// Fill G, Lasso L, Eyedropper I, Pan H, Mirror M, Fit Ctrl+0, Wireframe W).
    QList<QAction*> fileActions() const { return fileActions_; }
    QList<QAction*> toolActions() const { return toolActions_; }

    /// Recovery: where autosaves go when the map has no file yet (default:
    /// <AppLocalData>/label_editor/unsaved_label_map.png.recovery).
    void setUnsavedRecoveryPath(const QString& path);
    /// Asks (a message box) whether to restore a newer recovery file; with
    /// dialogs off it only reports whether one is available. Returns whether
    /// the map was restored.
    bool offerRecovery();

    LabelEditDocument* document() const { return doc_; }
    LabelCanvasView* canvasView() const { return view_; }
    LabelClassPanel* classPanel() const { return classes_; }
    LabelFileActions* files() const { return files_; }
    LabelAutosave* autosave() const { return autosave_; }
    /// The brush controls; both edit and follow document()'s brush settings.
    QSpinBox* brushSizeBox() const { return size_; }
    QAction* mirrorAction() const { return mirrorAction_; }
    bool geometryReady() const { return mirror_ != nullptr; }
    /// The mirror map and UV islands of the current head and map size (built
    /// on a worker; null until geometryBuilt): for painters outside the dock
    /// (the 3D viewport) that use the document's brush.
    std::shared_ptr<const labelmap::MirrorMap> mirrorMap() const { return mirror_; }
    std::shared_ptr<const labelmap::UvIslandMap> islands() const { return islands_; }

signals:
    /// Texels in `dirtyUv` (map texels, row 0 = v 1) changed: a stroke,
    /// fill, undo, redo or import. document()->canvas().region() has them.
    void labelMapEdited(QRect dirtyUv);
    /// Names, colours, flip partners or the order of classes changed.
    void classesEdited();
    /// A new map and table (setLabelMap, load, restore).
    void labelMapReplaced();
    /// Mirror map and UV islands are built for the current head and size.
    void geometryBuilt();
    void errorShown(const QString& message);

private:
    struct Geometry {
        std::shared_ptr<const labelmap::MirrorMap> mirror;
        std::shared_ptr<const labelmap::UvIslandMap> islands;
        QString error;
        quint64 generation = 0;
    };
    void buildActions();
    void buildGeometry();
    void geometryFinished();
    void showError(const QString& title, const QString& message);
    void updateRecoveryPath();
    void selectClass(int id);
    void fillClassCombos();

    SceneDocument* scene_;
    LabelEditDocument* doc_;
    LabelCanvasView* view_;
    LabelClassPanel* classes_;
    LabelFileActions* files_;
    LabelAutosave* autosave_;
    QLabel* status_;
    QSpinBox* size_;
    QComboBox* fillMode_;
    QComboBox* eraseTo_;
    QSlider* wireOpacity_;
    QAction* mirrorAction_ = nullptr;
    QList<QAction*> fileActions_, toolActions_;

    std::shared_ptr<const head::HeadModel> model_;
    std::shared_ptr<const labelmap::MirrorMap> mirror_;
    std::shared_ptr<const labelmap::UvIslandMap> islands_;
    QFutureWatcher<Geometry> geometryWatcher_;
    quint64 geometryGeneration_ = 0;
    bool geometryPending_ = false;

    std::shared_ptr<const annotate::UvLabelMap> cached_;
    quint64 cachedRevision_ = ~quint64{0};
    QString unsavedRecovery_;
    QString lastError_;
    bool dialogs_ = true;
};

}  // namespace synthforge::widgets
