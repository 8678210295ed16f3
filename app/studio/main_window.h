#pragma once
// The studio's main window: the generator view and the 3D viewport as tabs
// in the centre (the viewport's GL widget is created when its tab is first
// shown, so a session that never opens it needs no OpenGL), Head, Camera
// and Latent panels as docks (layout kept in QSettings), File/Edit/View/Help
// menus with the standard shortcuts, and a status bar with the device, the
// model and the last generator time. A Dataset dock browses a generated
// dataset; "Open as scene" there loads a sample into the editor and compares
// the re-render with the stored image. The Align tab's fitted correction,
// when shown "after", is handed to the generator view's pipeline.
//
// Loading a head model is slow (seconds), so it runs on a worker thread; a
// scene that needs another model is applied only once that model loaded, so
// a bad file of any kind leaves the previous state untouched.

#include <functional>
#include <memory>

#include <QFuture>
#include <QFutureWatcher>
#include <QMainWindow>

#include "core/generate/sample_pipeline.h"
#include "core/scene/scene.h"

class QAction;
class QDockWidget;
class QLabel;
class QTabWidget;
class QUndoGroup;

namespace synthforge::widgets {

class AlignView;
class CameraPanel;
class DatasetBrowser;
class CoverageView;
class ExploreGrid;
class InterpStrip;
class TranslationCompare;
class GeneratorView;
class HeadPanel;
class LabelEditorDock;
class LatentPanel;
class RunCentre;
class SceneDocument;
class ViewportWidget;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    SceneDocument* document() const { return doc_; }
    GeneratorView* generatorView() const { return view_; }
    HeadPanel* headPanel() const { return headPanel_; }
    CameraPanel* cameraPanel() const { return cameraPanel_; }
    DatasetBrowser* datasetBrowser() const { return browser_; }
    LabelEditorDock* labelEditor() const { return labelDock_; }
    /// The Runs tab: launch, monitor, compare, stop and resume jobs.
    RunCentre* runCentre() const { return runs_; }
    ExploreGrid* exploreGrid() const { return explore_; }
    InterpStrip* interpStrip() const { return interp_; }
    CoverageView* coverageView() const { return coverage_; }
    TranslationCompare* translationCompare() const { return compare_; }
    /// The Align tab: the head over the generator's density iso-surface, fits
    /// and their before/after, `synthforge align` runs.
    AlignView* alignView() const { return align_; }
    /// What closing the window does with jobs running on this machine:
    /// ask (default), stop them (each checkpoints first) or leave them running
    /// (the studio re-attaches on its next start). Tests choose without a dialog.
    enum class RunningJobsOnClose { Ask, Stop, Leave };
    void setRunningJobsOnClose(RunningJobsOnClose policy) { onClose_ = policy; }
    /// Edit > Undo/Redo act on the scene's stack or, while the focus is in the
    /// label editor, on the editor's.
    QUndoGroup* undoGroup() const { return undoGroup_; }
    /// The 3D viewport; null until its tab was first shown.
    ViewportWidget* viewport() const { return viewport_; }
    /// Selects the 3D viewport tab (creating the viewport) and returns it.
    ViewportWidget* showViewport();

    /// Opens a scene or dataset annotation JSON. Returns false (and reports)
    /// when the file is bad; the current scene is kept. A scene naming
    /// another head model is applied when that model has loaded (modelLoaded).
    bool openScene(const QString& path);
    /// Loads a head model ("default" or a file) for the current scene.
    void openHeadModel(const QString& path);
    /// Opens a generated dataset folder in the Dataset dock (shown if
    /// hidden). Returns false (and reports) for a folder that is not a valid
    /// dataset; the previously open dataset stays.
    bool openDataset(const QString& dir);
    bool saveSceneTo(const QString& path);
    /// File > Export. Each writes on a worker thread and returns at once; the
    /// future holds the error message ("" on success), which is also reported
    /// (status bar, or an error dialog) on the GUI thread when it finishes.
    ///
    /// The last generated sample as a one-sample dataset folder (images/,
    /// seg/, depth/, annotations/ with 000000 names).
    QFuture<QString> exportSample(const QString& dir);
    /// The posed mesh of the current scene (.obj, .ply, .gltf, .glb).
    QFuture<QString> exportPosedMesh(const QString& path);
    enum class Screenshot { Window, CurrentView };
    /// The whole window, or the centre tab on screen (generator view or 3D viewport).
    QFuture<QString> saveScreenshot(const QString& path, Screenshot what);

    /// Off in tests: errors are written to stderr and kept in lastError()
    /// instead of a modal QMessageBox (the label editor's too).
    void setErrorDialogsEnabled(bool on);
    QString lastError() const { return lastError_; }
    bool loadingModel() const;

signals:
    void modelLoaded();
    void errorReported(const QString& message);

protected:
    void closeEvent(QCloseEvent* e) override;

private:
    struct Loaded {
        std::shared_ptr<const generate::SamplePipeline> pipeline;
        scene::Scene scene;
        QString error;
    };
    void buildMenus();
    void startModelLoad(const scene::Scene& scene);
    void modelLoadFinished();
    void reportError(const QString& title, const QString& message);
    void updateTitle();
    void about();
    void openBrowserSampleAsScene(const QString& annotationPath);
    void ensureViewport();
    /// Hands the generator view the studio's pipeline, with the Align tab's
    /// fitted correction when "After" is on (its overlays then use the fit).
    void applyCorrection();
    QFuture<QString> runExport(const QString& what, std::function<void()> job);
    /// Asks to save unsaved scene edits. False when the user cancels.
    bool maybeSave();
    /// The same for the label editor's map.
    bool maybeSaveLabels();
    /// Asks what to do with jobs still running. False when the user cancels.
    bool settleRunningJobs();

    SceneDocument* doc_;
    GeneratorView* view_;
    QTabWidget* tabs_;
    QWidget* viewportPage_;
    ViewportWidget* viewport_ = nullptr;
    HeadPanel* headPanel_;
    CameraPanel* cameraPanel_;
    LatentPanel* latentPanel_;
    DatasetBrowser* browser_;
    QDockWidget* browserDock_;
    LabelEditorDock* labelDock_;
    RunCentre* runs_;
    ExploreGrid* explore_;
    InterpStrip* interp_;
    CoverageView* coverage_;
    TranslationCompare* compare_;
    AlignView* align_;
    RunningJobsOnClose onClose_ = RunningJobsOnClose::Ask;
    QUndoGroup* undoGroup_;
    bool compareNextFrame_ = false;  ///< the next frame is the re-render of a browser sample
    QLabel* deviceLabel_;
    QLabel* modelLabel_;
    QLabel* timeLabel_;
    QLabel* viewportLabel_ = nullptr;  ///< created with the viewport
    QAction* paint3d_ = nullptr;       ///< Labels > Paint labels on the 3D head
    QFutureWatcher<Loaded> loader_;
    std::shared_ptr<const generate::SamplePipeline> pipeline_;
    bool dialogs_ = true;
    QString lastError_;
};

}  // namespace synthforge::widgets
