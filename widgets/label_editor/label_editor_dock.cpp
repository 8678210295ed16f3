#include "widgets/label_editor/label_editor_dock.h"

#include <cstdio>

#include <QAction>
#include <QActionGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardPaths>
#include <QToolBar>
#include <QUndoStack>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include "core/labelmap/brush.h"
#include "core/labelmap/recovery.h"
#include "widgets/label_editor/label_autosave.h"
#include "widgets/label_editor/label_canvas_view.h"
#include "widgets/label_editor/label_class_panel.h"
#include "widgets/label_editor/label_color_import_dialog.h"
#include "widgets/label_editor/label_edit_document.h"
#include "widgets/label_editor/label_file_actions.h"
#include "widgets/panels/generator_view.h"
#include "widgets/panels/scene_document.h"

namespace synthforge::widgets {

namespace {
constexpr int kMirrorResolution = 1024;  ///< docs/label_editor.md: ~1.2 s, 8 MiB for the default head
}

LabelEditorDock::LabelEditorDock(SceneDocument* scene, QWidget* parent)
    : QDockWidget(tr("Label map"), parent), scene_(scene), doc_(new LabelEditDocument(this)) {
    setObjectName(QStringLiteral("labelEditorDock"));
    auto* content = new QWidget(this);
    auto* box = new QVBoxLayout(content);
    box->setContentsMargins(4, 4, 4, 4);

    view_ = new LabelCanvasView(doc_, content);
    classes_ = new LabelClassPanel(doc_, content);
    files_ = new LabelFileActions(doc_, this);
    autosave_ = new LabelAutosave(doc_, this);
    unsavedRecovery_ = QDir(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation))
                           .filePath(QStringLiteral("label_editor/unsaved_label_map.png.recovery"));

    auto* bar = new QToolBar(content);
    bar->setIconSize(QSize(16, 16));
    box->addWidget(bar);
    auto* options = new QHBoxLayout;
    box->addLayout(options);
    auto* split = new QSplitter(Qt::Horizontal, content);
    split->addWidget(view_);
    split->addWidget(classes_);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    box->addWidget(split, 1);
    status_ = new QLabel(content);
    status_->setObjectName(QStringLiteral("labelEditorStatus"));
    box->addWidget(status_);
    setWidget(content);

    // Options row: brush size, fill mode, erase-to class, wireframe opacity.
    size_ = new QSpinBox(content);
    size_->setRange(labelmap::kMinBrushDiameter, labelmap::kMaxBrushDiameter);
    size_->setValue(doc_->brushSize());
    size_->setSuffix(tr(" px"));
    size_->setToolTip(tr("Brush diameter in texels ([ ] or Shift + wheel)"));
    fillMode_ = new QComboBox(content);
    fillMode_->addItem(tr("Fill UV island"), static_cast<int>(LabelFillMode::Island));
    fillMode_->addItem(tr("Fill class region in island"), static_cast<int>(LabelFillMode::ClassRegionInIsland));
    fillMode_->addItem(tr("Fill class region"), static_cast<int>(LabelFillMode::ClassRegion));
    eraseTo_ = new QComboBox(content);
    eraseTo_->setToolTip(tr("The class the eraser paints"));
    wireOpacity_ = new QSlider(Qt::Horizontal, content);
    wireOpacity_->setRange(0, 100);
    wireOpacity_->setValue(static_cast<int>(view_->wireframeOpacity() * 100));
    wireOpacity_->setMaximumWidth(90);
    wireOpacity_->setToolTip(tr("UV wireframe opacity"));
    options->addWidget(new QLabel(tr("Size"), content));
    options->addWidget(size_);
    options->addWidget(fillMode_);
    options->addWidget(new QLabel(tr("Erase to"), content));
    options->addWidget(eraseTo_);
    options->addWidget(new QLabel(tr("Wireframe"), content));
    options->addWidget(wireOpacity_);
    options->addStretch(1);

    buildActions();
    for (QAction* a : toolActions_) bar->addAction(a);
    bar->addSeparator();
    QAction* undo = doc_->undoStack()->createUndoAction(this, tr("Undo"));
    QAction* redo = doc_->undoStack()->createRedoAction(this, tr("Redo"));
    bar->addAction(undo);
    bar->addAction(redo);

    // The controls edit the document's brush and follow it (the canvas's
    // keys and the 3D viewport use the same brush).
    connect(size_, &QSpinBox::valueChanged, doc_, &LabelEditDocument::setBrushSize);
    connect(doc_, &LabelEditDocument::brushSizeChanged, size_, &QSpinBox::setValue);
    connect(fillMode_, &QComboBox::currentIndexChanged, this,
            [this] { view_->setFillMode(static_cast<LabelFillMode>(fillMode_->currentData().toInt())); });
    connect(eraseTo_, &QComboBox::activated, this, [this] { view_->setEraseToClass(eraseTo_->currentData().toInt()); });
    connect(wireOpacity_, &QSlider::valueChanged, this, [this](int v) { view_->setWireframeOpacity(v / 100.0); });
    connect(view_, &LabelCanvasView::classPicked, this, &LabelEditorDock::selectClass);
    connect(classes_, &LabelClassPanel::classSelected, this, &LabelEditorDock::selectClass);
    connect(view_, &LabelCanvasView::toolMessage, this, [this](const QString& m, bool isError) {
        status_->setText(m);
        if (isError) std::fprintf(stderr, "label editor: %s\n", qPrintable(m));
    });
    connect(classes_, &LabelClassPanel::error, this, &LabelEditorDock::showError);
    connect(files_, &LabelFileActions::error, this, &LabelEditorDock::showError);
    connect(autosave_, &LabelAutosave::failed, this,
            [](const QString& m) { std::fprintf(stderr, "label editor: autosave failed: %s\n", qPrintable(m)); });
    connect(autosave_, &LabelAutosave::written, this,
            [this](const QString& p) { status_->setText(tr("Autosaved to %1").arg(p)); });
    connect(files_, &LabelFileActions::documentSaved, this, [this] {
        autosave_->discard();  // the unsaved map's recovery is obsolete
        updateRecoveryPath();
        autosave_->discard();
    });
    connect(files_, &LabelFileActions::documentLoaded, this, [this] {
        updateRecoveryPath();
        offerRecovery();
    });
    connect(doc_, &LabelEditDocument::mapChanged, this, &LabelEditorDock::labelMapEdited);
    connect(doc_, &LabelEditDocument::classesChanged, this, [this] {
        fillClassCombos();
        emit classesEdited();
    });
    connect(doc_, &LabelEditDocument::documentReset, this, [this] {
        fillClassCombos();
        if (!doc_->canvas().empty() && model_ && (!mirror_ || geometryPending_)) buildGeometry();
        emit labelMapReplaced();
    });
    connect(&geometryWatcher_, &QFutureWatcher<Geometry>::finished, this, &LabelEditorDock::geometryFinished);
    if (scene_) connect(scene_, &SceneDocument::modelChanged, this, [this] { setHeadModel(scene_->model()); });
    updateRecoveryPath();
}

LabelEditorDock::~LabelEditorDock() {
    // The worker only holds shared_ptrs, but its finished slot touches this.
    geometryWatcher_.waitForFinished();
}

QUndoStack* LabelEditorDock::undoStack() const { return doc_->undoStack(); }

void LabelEditorDock::buildActions() {
    auto* group = new QActionGroup(this);
    auto tool = [&](const QString& text, const QString& key, LabelTool t, const QString& tip) {
        auto* a = new QAction(text, this);
        a->setCheckable(true);
        a->setShortcut(QKeySequence(key));
        a->setShortcutContext(Qt::WidgetWithChildrenShortcut);  // only while the editor has focus
        a->setToolTip(tip + QStringLiteral(" (%1)").arg(key));
        a->setData(static_cast<int>(t));
        group->addAction(a);
        addAction(a);
        toolActions_ << a;
        connect(a, &QAction::triggered, this, [this, t] { view_->setTool(t); });
        return a;
    };
    tool(tr("Brush"), QStringLiteral("B"), LabelTool::Brush, tr("Round brush"))->setChecked(true);
    tool(tr("Eraser"), QStringLiteral("E"), LabelTool::Eraser, tr("Paints the erase-to class"));
    tool(tr("Fill"), QStringLiteral("G"), LabelTool::Fill, tr("Flood fill (mode in the options row)"));
    tool(tr("Lasso"), QStringLiteral("L"), LabelTool::Lasso, tr("Polygon / lasso fill"));
    tool(tr("Pick"), QStringLiteral("I"), LabelTool::Eyedropper, tr("Eyedropper"));
    tool(tr("Pan"), QStringLiteral("H"), LabelTool::Pan, tr("Pan (or Space + drag, middle drag)"));
    connect(view_, &LabelCanvasView::toolChanged, this, [this](LabelTool t) {
        for (QAction* a : toolActions_)
            if (a->isCheckable() && a->data().isValid() && a->data().toInt() == static_cast<int>(t)) a->setChecked(true);
    });

    mirrorAction_ = new QAction(tr("Mirror"), this);
    mirrorAction_->setCheckable(true);
    mirrorAction_->setShortcut(QKeySequence(QStringLiteral("M")));
    mirrorAction_->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    mirrorAction_->setToolTip(tr("Mirror painting: the stroke's mirror image in the flip partner class (M)"));
    mirrorAction_->setChecked(doc_->mirrorEnabled());
    connect(mirrorAction_, &QAction::toggled, doc_, &LabelEditDocument::setMirrorEnabled);
    connect(doc_, &LabelEditDocument::mirrorEnabledChanged, this, [this](bool on) {
        mirrorAction_->setChecked(on);
        if (on && !view_->mirrorReady()) status_->setText(tr("Mirror map is still being built; strokes are not mirrored yet"));
    });
    auto* wire = new QAction(tr("Wireframe"), this);
    wire->setCheckable(true);
    wire->setChecked(view_->wireframeShown());
    wire->setShortcut(QKeySequence(QStringLiteral("W")));
    wire->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    wire->setToolTip(tr("Show the head's UV wireframe (W)"));
    connect(wire, &QAction::toggled, view_, &LabelCanvasView::setWireframeShown);
    auto* fit = new QAction(tr("Fit"), this);
    fit->setShortcut(QKeySequence(QStringLiteral("Ctrl+0")));
    fit->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    fit->setToolTip(tr("Fit the map into the view (Ctrl+0)"));
    connect(fit, &QAction::triggered, view_, &LabelCanvasView::fitToView);
    for (QAction* a : {mirrorAction_, wire, fit}) {
        addAction(a);
        toolActions_ << a;
    }

    auto file = [&](const QString& text, auto slot) {
        auto* a = new QAction(text, this);
        connect(a, &QAction::triggered, this, slot);
        fileActions_ << a;
        return a;
    };
    const QString mapFilter = tr("Label map (*.png)");
    file(tr("Open label map…"), [this, mapFilter] {
        const QString p = QFileDialog::getOpenFileName(this, tr("Open label map"), {}, mapFilter);
        if (!p.isEmpty()) files_->load(p);
    });
    file(tr("Save label map"), [this, mapFilter] {
        QString p = files_->documentPath();
        if (p.isEmpty()) p = QFileDialog::getSaveFileName(this, tr("Save label map"), {}, mapFilter);
        if (!p.isEmpty()) files_->save(p);
    });
    file(tr("Save label map as…"), [this, mapFilter] {
        const QString p = QFileDialog::getSaveFileName(this, tr("Save label map"), files_->documentPath(), mapFilter);
        if (!p.isEmpty()) files_->save(p);
    });
    file(tr("Import colour-coded map…"), [this] {
        const QString p = QFileDialog::getOpenFileName(this, tr("Import colour-coded map"), {},
                                                       tr("Images (*.png *.jpg *.jpeg *.bmp *.tif *.tiff)"));
        if (p.isEmpty()) return;
        files_->importColorMap(p, [this](labelmap::ColorImport& import) {
            LabelColorImportDialog dialog(import, doc_->classes(), this);
            if (dialog.exec() != QDialog::Accepted) return false;
            labelmap::assignUnmatched(import, dialog.assignments(), dialog.fallback(), doc_->classes());
            return true;
        });
    });
    file(tr("Export colour preview…"), [this] {
        const QString p = QFileDialog::getSaveFileName(this, tr("Export colour preview"), {}, tr("PNG (*.png)"));
        if (!p.isEmpty()) files_->exportPreview(p);
    });
    file(tr("Restore autosave…"), [this] {
        if (!offerRecovery()) status_->setText(tr("No autosave newer than the saved map"));
    });
}

void LabelEditorDock::fillClassCombos() {
    const int erase = view_->eraseToClass();
    eraseTo_->clear();
    for (const annotate::ClassEntry& c : doc_->classes().entries())
        eraseTo_->addItem(QString::fromStdString(c.name), c.id);
    int i = eraseTo_->findData(erase);
    if (i < 0) i = std::max(0, eraseTo_->findData(static_cast<int>(annotate::kSkin)));
    eraseTo_->setCurrentIndex(i);
    if (eraseTo_->count() > 0) view_->setEraseToClass(eraseTo_->currentData().toInt());
    if (!doc_->classes().findById(view_->currentClass()) && !doc_->order().empty()) selectClass(doc_->order().front());
}

void LabelEditorDock::selectClass(int id) {
    view_->setCurrentClass(id);
    classes_->setCurrentClass(id);
    if (const annotate::ClassEntry* c = doc_->classes().findById(id))
        status_->setText(tr("Class %1 (id %2)").arg(QString::fromStdString(c->name)).arg(id));
}

void LabelEditorDock::setHeadModel(std::shared_ptr<const head::HeadModel> model) {
    if (model == model_) return;
    model_ = std::move(model);
    view_->setHeadModel(model_);
    mirror_.reset();
    islands_.reset();
    view_->setMirrorMap(nullptr);
    view_->setIslands(nullptr);
    buildGeometry();
}

void LabelEditorDock::buildGeometry() {
    ++geometryGeneration_;
    if (!model_ || !model_->hasUv() || doc_->canvas().empty()) return;
    if (geometryWatcher_.isRunning()) {
        geometryPending_ = true;  // build again for the latest model/size when this one ends
        return;
    }
    geometryPending_ = false;
    status_->setText(tr("Building the mirror map and UV islands…"));
    auto model = model_;
    const int size = doc_->canvas().size();
    const quint64 generation = geometryGeneration_;
    geometryWatcher_.setFuture(QtConcurrent::run([model, size, generation]() -> Geometry {
        Geometry g;
        g.generation = generation;
        try {
            g.islands = std::make_shared<labelmap::UvIslandMap>(labelmap::UvIslandMap::build(*model, size));
            g.mirror = std::make_shared<labelmap::MirrorMap>(labelmap::MirrorMap::build(*model, kMirrorResolution));
        } catch (const std::exception& e) {
            g.error = QString::fromStdString(e.what());
        }
        return g;
    }));
}

void LabelEditorDock::geometryFinished() {
    const Geometry g = geometryWatcher_.result();
    if (geometryPending_ || g.generation != geometryGeneration_) {
        geometryPending_ = false;
        buildGeometry();
        return;
    }
    if (!g.error.isEmpty()) {
        status_->setText(tr("No mirror painting or island fill: %1").arg(g.error));
        std::fprintf(stderr, "label editor: %s\n", qPrintable(g.error));
        return;
    }
    mirror_ = g.mirror;
    islands_ = g.islands;
    view_->setMirrorMap(g.mirror);
    view_->setIslands(g.islands);
    status_->setText(tr("Mirror map ready"));
    emit geometryBuilt();
}

void LabelEditorDock::setLabelMap(std::shared_ptr<const annotate::UvLabelMap> labels) {
    labelmap::LabelCanvas canvas;
    annotate::ClassTable table = annotate::ClassTable::defaultTable();
    if (labels && !labels->empty()) {
        canvas = labelmap::LabelCanvas::fromMat(labels->original());
        table = labels->classes();
    } else {
        canvas = labelmap::LabelCanvas(kDefaultMapSize, annotate::kSkin);
    }
    const int oldSize = doc_->canvas().size();
    doc_->reset(std::move(canvas), std::move(table));
    files_->setDocumentPath({});
    files_->markSaved();
    updateRecoveryPath();
    if (doc_->canvas().size() != oldSize || !mirror_) buildGeometry();
    selectClass(doc_->classes().findById(annotate::kSkin) ? annotate::kSkin : doc_->order().front());
    offerRecovery();
}

std::shared_ptr<const annotate::UvLabelMap> LabelEditorDock::labelMap() {
    if (cachedRevision_ == doc_->revision()) return cached_;
    cached_.reset();
    cachedRevision_ = doc_->revision();
    if (doc_->canvas().size() < annotate::kMinLabelMapSize) return cached_;
    try {
        cached_ = std::make_shared<annotate::UvLabelMap>(doc_->canvas().toMat(), doc_->classes(), "label editor");
    } catch (const std::exception& e) {
        // Cannot happen through the editor (tables are checked against the
        // map), but a bad map must never reach the renderer.
        std::fprintf(stderr, "label editor: %s\n", e.what());
    }
    return cached_;
}

void LabelEditorDock::connectGeneratorView(GeneratorView* view) {
    view->setLabelMap(labelMap());
    connect(this, &LabelEditorDock::labelMapReplaced, view, [this, view] { view->setLabelMap(labelMap()); });
    connect(this, &LabelEditorDock::labelMapEdited, view, [this, view](QRect r) {
        const labelmap::TexelRect t{r.x(), r.y(), r.width(), r.height()};
        view->editLabelMap(doc_->canvas().region(t), r, doc_->classes());
    });
    connect(this, &LabelEditorDock::classesEdited, view,
            [this, view] { view->editLabelMap(cv::Mat(), QRect(), doc_->classes()); });
}

void LabelEditorDock::setUnsavedRecoveryPath(const QString& path) {
    unsavedRecovery_ = path;
    updateRecoveryPath();
}

void LabelEditorDock::updateRecoveryPath() {
    const QString doc = files_->documentPath();
    autosave_->setDocumentPath(doc);
    autosave_->setRecoveryPath(doc.isEmpty() ? unsavedRecovery_
                                             : QString::fromStdString(labelmap::recoveryPathFor(doc.toStdString())));
    if (!autosave_->recoveryPath().isEmpty()) QDir().mkpath(QFileInfo(autosave_->recoveryPath()).absolutePath());
}

bool LabelEditorDock::offerRecovery() {
    if (!autosave_->available()) return false;
    if (!dialogs_) {
        status_->setText(tr("An autosave newer than the saved map is available (Restore autosave…)"));
        return false;
    }
    const auto answer = QMessageBox::question(
        this, tr("Restore the label map?"),
        tr("The label editor found an autosave newer than the saved map (%1). The last session probably ended "
           "without saving. Restore it?")
            .arg(autosave_->recoveryPath()),
        QMessageBox::Yes | QMessageBox::No, QMessageBox::Yes);
    if (answer != QMessageBox::Yes) {
        autosave_->discard();
        return false;
    }
    QString error;
    if (!autosave_->restore(&error)) {
        showError(tr("Cannot restore the autosave"), error);
        return false;
    }
    status_->setText(tr("Restored the autosave"));
    return true;
}

void LabelEditorDock::showError(const QString& title, const QString& message) {
    lastError_ = message;
    std::fprintf(stderr, "label editor: %s: %s\n", qPrintable(title), qPrintable(message));
    status_->setText(message);
    if (dialogs_) QMessageBox::critical(this, title, message);
    emit errorShown(message);
}

}  // namespace synthforge::widgets
