#include "app/studio/main_window.h"

#include <iostream>

#include <QAction>
#include <QActionGroup>
#include <QCheckBox>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QVBoxLayout>
#include <QUndoGroup>
#include <QUndoStack>
#include <QtConcurrent/QtConcurrentRun>
#include <opencv2/core/version.hpp>

#include "app/studio/export_tasks.h"
#include "core/scene/scene_pipeline.h"
#include "widgets/align/align_view.h"
#include "widgets/dataset/dataset_browser.h"
#include "widgets/dataset/translation_compare.h"
#include "widgets/label_editor/label_editor_dock.h"
#include "widgets/label_editor/label_file_actions.h"
#include "widgets/panels/camera_panel.h"
#include "widgets/panels/generator_view.h"
#include "widgets/explore/coverage_view.h"
#include "widgets/explore/explore_grid.h"
#include "widgets/explore/interp_strip.h"
#include "widgets/panels/head_panel.h"
#include "widgets/panels/latent_panel.h"
#include "widgets/panels/scene_document.h"
#include "widgets/runs/run_centre.h"
#include "widgets/viewport/viewport_widget.h"

namespace synthforge::widgets {

namespace {
QDockWidget* dock(QMainWindow* w, const QString& title, const QString& objectName, QWidget* content,
                  Qt::DockWidgetArea area) {
    auto* d = new QDockWidget(title, w);
    d->setObjectName(objectName);  // saveState() identifies docks by object name
    d->setWidget(content);
    w->addDockWidget(area, d);
    return d;
}
}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent), doc_(new SceneDocument(this)) {
    view_ = new GeneratorView(doc_, this);
    tabs_ = new QTabWidget(this);
    tabs_->setObjectName(QStringLiteral("centralTabs"));
    tabs_->setDocumentMode(true);
    tabs_->addTab(view_, tr("Generator"));
    viewportPage_ = new QWidget;
    auto* viewportLayout = new QVBoxLayout(viewportPage_);
    viewportLayout->setContentsMargins(0, 0, 0, 0);
    tabs_->addTab(viewportPage_, tr("3D viewport"));
    explore_ = new ExploreGrid(doc_);
    explore_->setObjectName(QStringLiteral("exploreGrid"));
    tabs_->addTab(explore_, tr("Explore"));
    interp_ = new InterpStrip(doc_);
    interp_->setObjectName(QStringLiteral("interpStrip"));
    tabs_->addTab(interp_, tr("Interpolate"));
    // What a dataset covers, or two side by side (docs/explore.md).
    coverage_ = new CoverageView;
    coverage_->setObjectName(QStringLiteral("coverageView"));
    tabs_->addTab(coverage_, tr("Coverage"));
    // A translated dataset against its source (realism transfer, docs/transfer.md).
    compare_ = new TranslationCompare;
    compare_->setObjectName(QStringLiteral("translationCompare"));
    tabs_->addTab(compare_, tr("Compare"));
    // The head against the generator's density and the fitted correction (docs/alignment.md).
    align_ = new AlignView(doc_);
    align_->setObjectName(QStringLiteral("alignView"));
    tabs_->addTab(align_, tr("Align"));
    runs_ = new RunCentre;
    runs_->setObjectName(QStringLiteral("runCentre"));
    tabs_->addTab(runs_, tr("Runs"));
    connect(tabs_, &QTabWidget::currentChanged, this, [this](int index) {
        if (tabs_->widget(index) == viewportPage_) ensureViewport();
    });
    setCentralWidget(tabs_);
    headPanel_ = new HeadPanel(doc_);
    cameraPanel_ = new CameraPanel(doc_);
    latentPanel_ = new LatentPanel(doc_);
    dock(this, tr("Head"), QStringLiteral("dock.head"), headPanel_, Qt::LeftDockWidgetArea);
    dock(this, tr("Camera"), QStringLiteral("dock.camera"), cameraPanel_, Qt::RightDockWidgetArea);
    dock(this, tr("Latent"), QStringLiteral("dock.latent"), latentPanel_, Qt::RightDockWidgetArea);
    browser_ = new DatasetBrowser;
    browserDock_ = dock(this, tr("Dataset"), QStringLiteral("dock.dataset"), browser_, Qt::BottomDockWidgetArea);
    connect(browser_, &DatasetBrowser::errorReported, this, &MainWindow::reportError);
    connect(compare_, &TranslationCompare::errorReported, this, &MainWindow::reportError);
    connect(align_, &AlignView::correctionChanged, this, &MainWindow::applyCorrection);
    align_->setErrorDialogsEnabled(false);  // reportError shows them, or not in tests
    connect(align_, &AlignView::errorReported, this, &MainWindow::reportError);
    // The UV label editor: tabbed with the dataset browser (both want width).
    labelDock_ = new LabelEditorDock(doc_, this);
    labelDock_->setObjectName(QStringLiteral("dock.labels"));
    addDockWidget(Qt::BottomDockWidgetArea, labelDock_);
    tabifyDockWidget(browserDock_, labelDock_);
    browserDock_->raise();
    labelDock_->connectGeneratorView(view_);
    undoGroup_ = new QUndoGroup(this);
    undoGroup_->addStack(doc_->undoStack());
    undoGroup_->addStack(labelDock_->undoStack());
    undoGroup_->setActiveStack(doc_->undoStack());
    connect(qApp, &QApplication::focusChanged, this, [this](QWidget*, QWidget* now) {
        if (!now) return;  // focus left the application: keep the last choice
        undoGroup_->setActiveStack(labelDock_->isAncestorOf(now) ? labelDock_->undoStack() : doc_->undoStack());
    });
    connect(browser_, &DatasetBrowser::openAsSceneRequested, this, &MainWindow::openBrowserSampleAsScene);
    // Predictions on the dataset's images are a predict run: the run centre
    // launches it and its Predictions tab shows the results.
    connect(browser_, &DatasetBrowser::predictRequested, this, [this](const QString& imagesDir) {
        tabs_->setCurrentWidget(runs_);
        runs_->newRunWith(QStringLiteral("predict"), {QStringLiteral("--images"), imagesDir});
    });
    connect(view_, &GeneratorView::frameShown, this, [this] {
        // GeneratorView drops frames of outdated scenes, so the first frame
        // after the sample's scene was applied is its re-render.
        // While another head model loads, frames still show the old scene.
        if (!compareNextFrame_ || loadingModel() || !view_->lastSample()) return;
        compareNextFrame_ = false;
        browser_->compareWith(view_->lastSample()->image.image);
    });

    deviceLabel_ = new QLabel(tr("device: cpu"), this);  // the procedural generator runs on the CPU
    modelLabel_ = new QLabel(tr("model: loading…"), this);
    timeLabel_ = new QLabel(tr("generator: – ms"), this);
    statusBar()->addWidget(deviceLabel_);
    statusBar()->addWidget(modelLabel_);
    statusBar()->addPermanentWidget(timeLabel_);
    connect(view_, &GeneratorView::frameShown, this,
            [this](double ms) { timeLabel_->setText(tr("generator: %1 ms").arg(ms, 0, 'f', 0)); });
    connect(&loader_, &QFutureWatcher<Loaded>::finished, this, &MainWindow::modelLoadFinished);
    connect(doc_->undoStack(), &QUndoStack::cleanChanged, this, &MainWindow::updateTitle);

    buildMenus();
    resize(1400, 900);
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("mainWindow/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("mainWindow/state")).toByteArray());
    updateTitle();
    startModelLoad(scene::Scene{});  // the default head, frontal, z seed 0
}

MainWindow::~MainWindow() { loader_.waitForFinished(); }

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("Open &head model…"), this, [this] {
        const QString p = QFileDialog::getOpenFileName(this, tr("Open head model"), {},
                                                       tr("Head models (*.safetensors *.pkl *.npz);;All files (*)"));
        if (!p.isEmpty()) openHeadModel(p);
    });
    QAction* open = file->addAction(tr("&Open scene…"), this, [this] {
        if (!maybeSave()) return;
        const QString p = QFileDialog::getOpenFileName(this, tr("Open scene or annotation"), {},
                                                       tr("Scenes and annotations (*.json);;All files (*)"));
        if (!p.isEmpty()) openScene(p);
    });
    open->setShortcut(QKeySequence::Open);
    QAction* save = file->addAction(tr("&Save scene"), this, [this] {
        QString p = doc_->filePath();
        if (p.isEmpty())
            p = QFileDialog::getSaveFileName(this, tr("Save scene"), QStringLiteral("scene.json"), tr("Scenes (*.json)"));
        if (!p.isEmpty()) saveSceneTo(p);
    });
    save->setShortcut(QKeySequence::Save);
    QAction* saveAs = file->addAction(tr("Save scene &as…"), this, [this] {
        const QString p = QFileDialog::getSaveFileName(this, tr("Save scene as"), doc_->filePath(), tr("Scenes (*.json)"));
        if (!p.isEmpty()) saveSceneTo(p);
    });
    saveAs->setShortcut(QKeySequence::SaveAs);
    QAction* openDs = file->addAction(tr("Open &dataset…"), this, [this] {
        const QString d = QFileDialog::getExistingDirectory(this, tr("Open a generated dataset folder"));
        if (!d.isEmpty()) openDataset(d);
    });
    openDs->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    QMenu* exportMenu = file->addMenu(tr("&Export"));
    exportMenu->addAction(tr("Current &sample…"), this, [this] {
        const QString d = QFileDialog::getExistingDirectory(this, tr("Export the current sample to"));
        if (!d.isEmpty()) exportSample(d);
    });
    QAction* meshAction = exportMenu->addAction(tr("Posed &mesh…"), this, [this] {
        const QString p = QFileDialog::getSaveFileName(
            this, tr("Export the posed mesh"), QStringLiteral("head.obj"),
            tr("Wavefront OBJ (*.obj);;Stanford PLY (*.ply);;glTF 2 (*.gltf);;glTF 2 binary (*.glb)"));
        if (!p.isEmpty()) exportPosedMesh(p);
    });
    meshAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    QAction* shot = exportMenu->addAction(tr("Screenshot of the &view…"), this, [this] {
        const QString p = QFileDialog::getSaveFileName(this, tr("Save a screenshot of the view"),
                                                       QStringLiteral("view.png"), tr("Images (*.png *.jpg)"));
        if (!p.isEmpty()) saveScreenshot(p, Screenshot::CurrentView);
    });
    shot->setShortcut(QKeySequence(Qt::Key_F12));
    exportMenu->addAction(tr("Screenshot of the &window…"), this, [this] {
        const QString p = QFileDialog::getSaveFileName(this, tr("Save a screenshot of the window"),
                                                       QStringLiteral("window.png"), tr("Images (*.png *.jpg)"));
        if (!p.isEmpty()) saveScreenshot(p, Screenshot::Window);
    });
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    QAction* undo = undoGroup_->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    QAction* redo = undoGroup_->createRedoAction(this, tr("&Redo"));
    redo->setShortcut(QKeySequence::Redo);
    edit->addAction(undo);
    edit->addAction(redo);

    QMenu* viewMenu = menuBar()->addMenu(tr("&View"));
    for (QDockWidget* d : findChildren<QDockWidget*>()) viewMenu->addAction(d->toggleViewAction());
    viewMenu->addSeparator();
    QAction* lm = viewMenu->addAction(tr("Landmarks overlay"));
    lm->setCheckable(true);
    lm->setChecked(view_->landmarksBox()->isChecked());
    connect(lm, &QAction::toggled, view_, &GeneratorView::setLandmarksShown);
    connect(view_->landmarksBox(), &QCheckBox::toggled, lm, &QAction::setChecked);
    QAction* seg = viewMenu->addAction(tr("Segmentation overlay"));
    seg->setCheckable(true);
    connect(seg, &QAction::toggled, view_, &GeneratorView::setSegmentationShown);
    connect(view_->segmentationBox(), &QCheckBox::toggled, seg, &QAction::setChecked);
    viewMenu->addAction(tr("3D viewport"), this, [this] { showViewport(); });
    // Viewport draw modes: one of three, like Blender's viewport shading (Z pie).
    QMenu* shading = viewMenu->addMenu(tr("Viewport &shading"));
    auto* modes = new QActionGroup(this);
    const std::pair<QString, render::MeshRenderer::Mode> modeList[] = {
        {tr("&Shaded"), render::MeshRenderer::Mode::Shaded},
        {tr("&Textured (generator albedo)"), render::MeshRenderer::Mode::Textured},
        {tr("&Wireframe"), render::MeshRenderer::Mode::Wireframe}};
    int key = 0;
    for (const auto& [label, mode] : modeList) {
        QAction* a = shading->addAction(label);
        a->setCheckable(true);
        a->setChecked(mode == render::MeshRenderer::Mode::Shaded);
        a->setShortcut(QKeySequence(Qt::ALT | static_cast<Qt::Key>(Qt::Key_1 + key++)));
        modes->addAction(a);
        connect(a, &QAction::triggered, this, [this, mode = mode] { showViewport()->setMode(mode); });
    }
    QAction* hud = viewMenu->addAction(tr("Viewport &HUD"));
    hud->setCheckable(true);
    hud->setChecked(true);
    hud->setShortcut(QKeySequence(Qt::Key_F3));
    connect(hud, &QAction::toggled, this, [this](bool on) { showViewport()->setHudShown(on); });
    viewMenu->addAction(tr("Reset viewport &pan"), this, [this] { showViewport()->resetPan(); });
    QAction* vlm = viewMenu->addAction(tr("Viewport landmarks"));
    vlm->setCheckable(true);
    vlm->setChecked(true);
    connect(vlm, &QAction::toggled, this, [this](bool on) { showViewport()->setLandmarksShown(on); });
    viewMenu->addAction(tr("Show image"), this, [this] { view_->setBase(GeneratorView::Base::Image); });
    viewMenu->addAction(tr("Show depth"), this, [this] { view_->setBase(GeneratorView::Base::Depth); });
    viewMenu->addAction(tr("Show normals"), this, [this] { view_->setBase(GeneratorView::Base::Normals); });
    viewMenu->addSeparator();
    // In a menu, the browser's next/previous shortcuts work wherever the focus is.
    viewMenu->addAction(browser_->nextAction());
    viewMenu->addAction(browser_->previousAction());

    QMenu* labels = menuBar()->addMenu(tr("&Labels"));
    for (QAction* a : labelDock_->fileActions()) labels->addAction(a);
    labels->addSeparator();
    for (QAction* a : labelDock_->toolActions()) labels->addAction(a);
    labels->addSeparator();
    // Owned here (the viewport is created on first use); opens the viewport.
    paint3d_ = labels->addAction(tr("&Paint labels on the 3D head"));
    paint3d_->setCheckable(true);
    paint3d_->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P));
    paint3d_->setToolTip(tr("Left drag in the 3D viewport paints the label map with the editor's brush; "
                            "Alt+drag orbits"));
    connect(paint3d_, &QAction::toggled, this, [this](bool on) {
        if (on || viewport_) showViewport()->setPaintMode(on);
    });

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About SynthForge Studio"), this, &MainWindow::about);
}

void MainWindow::ensureViewport() {
    if (viewport_) return;
    // Created on first use: a QOpenGLWidget switches its window to GL
    // composition, which sessions that never open the viewport should not pay for.
    viewport_ = new ViewportWidget(doc_, viewportPage_);
    viewport_->setPipeline(pipeline_);  // class names in the HUD, the albedo texture
    viewport_->setPaintTarget(labelDock_);
    // The HUD names classes from the map as edited, like the generator view's overlay.
    viewport_->setLiveLabelSource([this] { return annotate::LiveLabels{&view_->liveLabels(), &view_->liveClasses()}; });
    connect(viewport_, &ViewportWidget::paintModeChanged, paint3d_, &QAction::setChecked);
    viewportPage_->layout()->addWidget(viewport_);
    viewportLabel_ = new QLabel(this);
    statusBar()->insertPermanentWidget(0, viewportLabel_);
    connect(viewport_, &ViewportWidget::framePresented, this, [this](double ms) {
        viewportLabel_->setText(tr("viewport: edit→frame %1 ms, p95 %2 ms")
                                    .arg(ms, 0, 'f', 1)
                                    .arg(viewport_->p95FrameMs(), 0, 'f', 1));
    });
}

void MainWindow::applyCorrection() {
    if (!pipeline_) return;
    // A TorchScript generator renders in the CLI, which applies the fit itself
    // (and refuses one made for another generator, shown in the tab).
    view_->setCliAlignment(align_->activeFitPath());
    const std::optional<Eigen::Matrix4f> c = align_->activeCorrection();
    if (!c) {
        view_->setPipeline(pipeline_);
        return;
    }
    // A copy that shares the model, generator and labels; only the correction differs.
    auto corrected = std::make_shared<generate::SamplePipeline>(*pipeline_);
    corrected->correction = *c;
    view_->setPipeline(std::move(corrected));
}

ViewportWidget* MainWindow::showViewport() {
    ensureViewport();
    tabs_->setCurrentWidget(viewportPage_);
    return viewport_;
}

void MainWindow::setErrorDialogsEnabled(bool on) {
    dialogs_ = on;
    labelDock_->setErrorDialogsEnabled(on);
}

bool MainWindow::loadingModel() const { return loader_.isRunning(); }

void MainWindow::startModelLoad(const scene::Scene& scene) {
    if (loader_.isRunning()) {
        reportError(tr("Busy"), tr("A head model is still loading; try again when it is done."));
        return;
    }
    modelLabel_->setText(tr("model: loading %1…").arg(QString::fromStdString(scene.headModel)));
    loader_.setFuture(QtConcurrent::run([scene]() -> Loaded {
        Loaded r;
        r.scene = scene;
        try {
            // The in-process pipeline is always the procedural one (overlay
            // classes, viewport, Align); a TorchScript "generator" in the scene
            // is the Generator tab's picker's, which renders it through the CLI.
            r.pipeline = std::make_shared<const generate::SamplePipeline>(
                scene::buildScenePipeline(scene.headModel, "procedural", scene.width, scene.height));
            scene.params.validateFor(*r.pipeline->model);
        } catch (const std::exception& e) {
            r.error = QString::fromStdString(e.what());
        }
        return r;
    }));
}

void MainWindow::modelLoadFinished() {
    Loaded r = loader_.result();
    if (!r.error.isEmpty()) {
        reportError(tr("Cannot open head model"), r.error);
        modelLabel_->setText(pipeline_ ? tr("model: %1").arg(QString::fromStdString(pipeline_->model->name))
                                       : tr("model: none"));
        return;
    }
    pipeline_ = r.pipeline;
    doc_->reset(r.scene, pipeline_->model);
    labelDock_->setHeadModel(pipeline_->model);
    // A new model brings its own map; unsaved label edits are offered for saving first.
    if (maybeSaveLabels()) labelDock_->setLabelMap(pipeline_->labels);
    applyCorrection();
    align_->setPipeline(pipeline_);
    if (viewport_) viewport_->setPipeline(pipeline_);
    modelLabel_->setText(tr("model: %1").arg(QString::fromStdString(pipeline_->model->name)));
    updateTitle();
    emit modelLoaded();
}

bool MainWindow::openScene(const QString& path) {
    scene::Scene s;
    try {
        s = scene::loadScene(path.toStdString());
        if (pipeline_ && s.headModel == doc_->scene().headModel) s.params.validateFor(*pipeline_->model);
    } catch (const std::exception& e) {
        reportError(tr("Cannot open scene"), QString::fromUtf8(e.what()));
        return false;
    }
    if (pipeline_ && s.headModel == doc_->scene().headModel) {
        doc_->reset(s, pipeline_->model);
        doc_->setFilePath(path);
    } else {
        // Another model: apply once it has loaded (or report and keep all).
        startModelLoad(s);
        connect(this, &MainWindow::modelLoaded, this, [this, path] { doc_->setFilePath(path); updateTitle(); },
                Qt::SingleShotConnection);
    }
    updateTitle();
    return true;
}

void MainWindow::openHeadModel(const QString& path) {
    scene::Scene s = doc_->scene();
    s.headModel = path.toStdString();
    // Components beyond the new model's basis would not apply; start neutral.
    s.params.shape.resize(0);
    s.params.expr.resize(0);
    startModelLoad(s);
}

bool MainWindow::openDataset(const QString& dir) {
    if (!browser_->openDataset(dir)) return false;
    browserDock_->show();
    // The Coverage tab starts from the dataset being looked at.
    if (coverage_->firstDataset().isEmpty()) coverage_->setDatasets(dir);
    statusBar()->showMessage(tr("Dataset %1: %2 samples").arg(dir).arg(browser_->sampleCount()), 5000);
    return true;
}

void MainWindow::openBrowserSampleAsScene(const QString& annotationPath) {
    if (!openScene(annotationPath)) return;
    // Render now even if the scene equals the current one, so there is a frame to compare.
    compareNextFrame_ = true;
    if (!loadingModel()) view_->renderNow();
}

bool MainWindow::saveSceneTo(const QString& path) {
    try {
        scene::saveScene(doc_->scene(), path.toStdString());
    } catch (const std::exception& e) {
        reportError(tr("Cannot save scene"), QString::fromUtf8(e.what()));
        return false;
    }
    doc_->setFilePath(path);
    doc_->undoStack()->setClean();
    updateTitle();
    return true;
}

QFuture<QString> MainWindow::runExport(const QString& what, std::function<void()> job) {
    QFuture<QString> done = QtConcurrent::run([job = std::move(job)]() -> QString {
        try {
            job();
            return {};
        } catch (const std::exception& e) {
            return QString::fromUtf8(e.what());
        }
    });
    done.then(this, [this, what](const QString& error) {
        if (error.isEmpty())
            statusBar()->showMessage(tr("Exported %1").arg(what), 5000);
        else
            reportError(tr("Cannot export"), error);
    });
    return done;
}

QFuture<QString> MainWindow::exportSample(const QString& dir) {
    const auto sample = view_->lastSample();
    if (!sample) {
        reportError(tr("Nothing to export"), tr("No generated sample yet."));
        return QtFuture::makeReadyFuture(tr("No generated sample yet."));
    }
    return runExport(dir, [dir, sample] { writeSampleFolder(dir, *sample); });
}

QFuture<QString> MainWindow::exportPosedMesh(const QString& path) {
    const auto model = doc_->model();
    if (!model) {
        reportError(tr("Nothing to export"), tr("No head model loaded yet."));
        return QtFuture::makeReadyFuture(tr("No head model loaded yet."));
    }
    const head::HeadParams params = doc_->scene().params;
    return runExport(path, [path, model, params] { writePosedMesh(path, *model, params); });
}

QFuture<QString> MainWindow::saveScreenshot(const QString& path, Screenshot what) {
    // Grabbing must happen on the GUI thread; encoding and writing need not.
    const QImage image = (what == Screenshot::Window ? grab() : tabs_->currentWidget()->grab()).toImage();
    return runExport(path, [path, image] { writeScreenshot(path, image); });
}

bool MainWindow::maybeSaveLabels() {
    LabelFileActions* files = labelDock_->files();
    if (!files->modified() || !dialogs_) return true;
    const auto answer = QMessageBox::warning(this, tr("Unsaved label map"),
                                             tr("The UV label map has unsaved edits. Save them?"),
                                             QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel);
    if (answer == QMessageBox::Cancel) return false;
    if (answer == QMessageBox::Discard) return true;
    QString p = files->documentPath();
    if (p.isEmpty())
        p = QFileDialog::getSaveFileName(this, tr("Save the label map"), QStringLiteral("labels.png"),
                                         tr("Class-id PNG (*.png)"));
    return !p.isEmpty() && files->save(p);
}

bool MainWindow::maybeSave() {
    if (doc_->undoStack()->isClean() || !dialogs_) return true;
    const auto answer = QMessageBox::warning(this, tr("Unsaved changes"),
                                             tr("The scene has unsaved changes. Save them?"),
                                             QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel);
    if (answer == QMessageBox::Cancel) return false;
    if (answer == QMessageBox::Discard) return true;
    QString p = doc_->filePath();
    if (p.isEmpty())
        p = QFileDialog::getSaveFileName(this, tr("Save scene"), QStringLiteral("scene.json"), tr("Scenes (*.json)"));
    return !p.isEmpty() && saveSceneTo(p);
}

void MainWindow::reportError(const QString& title, const QString& message) {
    lastError_ = message;
    compareNextFrame_ = false;  // a failed load or render leaves nothing to compare
    std::cerr << "synthforge-studio: " << message.toStdString() << std::endl;
    emit errorReported(message);
    if (dialogs_) QMessageBox::critical(this, title, message);
}

void MainWindow::updateTitle() {
    const QString file = doc_->filePath().isEmpty() ? tr("untitled") : QFileInfo(doc_->filePath()).fileName();
    setWindowTitle(tr("%1%2 — SynthForge Studio").arg(file, doc_->undoStack()->isClean() ? QString() : QStringLiteral("*")));
}

void MainWindow::about() {
    const QString generator = pipeline_ ? QString::fromStdString(pipeline_->generator->capabilities().name + " " +
                                                                 pipeline_->generator->capabilities().version)
                                        : tr("not loaded");
    QMessageBox::about(this, tr("About SynthForge Studio"),
                       tr("<b>SynthForge Studio</b> %1<br>Synthetic face datasets with 3D-consistent annotations."
                          "<br><br>Qt %2 (built with %3)<br>OpenCV %4<br>Eigen %5.%6.%7<br>Generator: %8<br>Device: cpu")
                           .arg(QStringLiteral(SYNTHFORGE_VERSION), QString::fromLatin1(qVersion()),
                                QStringLiteral(QT_VERSION_STR), QStringLiteral(CV_VERSION))
                           .arg(EIGEN_WORLD_VERSION).arg(EIGEN_MAJOR_VERSION).arg(EIGEN_MINOR_VERSION)
                           .arg(generator));
}

bool MainWindow::settleRunningJobs() {
    const QStringList running = runs_->runningHere();
    if (running.isEmpty()) return true;
    RunningJobsOnClose choice = onClose_;
    if (choice == RunningJobsOnClose::Ask) {
        QMessageBox box(QMessageBox::Question, tr("Jobs are running"),
                        tr("%n job(s) started on this machine are still running.", nullptr,
                           static_cast<int>(running.size())),
                        QMessageBox::Cancel, this);
        box.setInformativeText(tr("Stop them (each writes a checkpoint first, so it can be resumed), or leave them "
                                  "running: the studio picks them up again when it next opens this workspace."));
        QPushButton* stop = box.addButton(tr("Stop jobs"), QMessageBox::DestructiveRole);
        QPushButton* leave = box.addButton(tr("Leave running"), QMessageBox::AcceptRole);
        box.setDefaultButton(leave);
        box.exec();
        if (box.clickedButton() == stop)
            choice = RunningJobsOnClose::Stop;
        else if (box.clickedButton() == leave)
            choice = RunningJobsOnClose::Leave;
        else
            return false;
    }
    if (choice == RunningJobsOnClose::Stop) runs_->stopRuns(running);
    return true;
}

void MainWindow::closeEvent(QCloseEvent* e) {
    if (!maybeSave() || !maybeSaveLabels() || !settleRunningJobs()) {
        e->ignore();
        return;
    }
    QSettings settings;
    settings.setValue(QStringLiteral("mainWindow/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("mainWindow/state"), saveState());
    QMainWindow::closeEvent(e);
}

}  // namespace synthforge::widgets
