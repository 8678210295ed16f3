// The brush belongs to the label editor's LabelEditDocument: the 3D
// viewport's paint tool observes the document (not the editor's widgets), and
// the dock's controls and the canvas view follow the document too. No GL is
// needed: the viewport is never shown.

#include <QAction>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>
#include <opencv2/core.hpp>

#include "core/annotate/class_table.h"
#include "core/annotate/uv_label_map.h"
#include "core/labelmap/brush.h"
#include "widgets/label_editor/label_canvas_view.h"
#include "widgets/label_editor/label_edit_document.h"
#include "widgets/label_editor/label_editor_dock.h"
#include "widgets/panels/scene_document.h"
#include "widgets/viewport/viewport_paint_tool.h"
#include "widgets/viewport/viewport_widget.h"

using namespace synthforge;
using namespace synthforge::widgets;

class TestViewportBrush : public QObject {
    Q_OBJECT
private slots:
    void init() {
        scene_ = std::make_unique<SceneDocument>();
        viewport_ = std::make_unique<ViewportWidget>(scene_.get());
        dock_ = std::make_unique<LabelEditorDock>(nullptr);
        dock_->setErrorDialogsEnabled(false);
        dock_->setUnsavedRecoveryPath(dir_.filePath(QStringLiteral("unsaved.png.recovery")));
        const cv::Mat ids(64, 64, CV_8UC1, cv::Scalar(annotate::kSkin));
        dock_->setLabelMap(std::make_shared<annotate::UvLabelMap>(ids, annotate::ClassTable::defaultTable(), "t"));
    }
    void cleanup() {
        viewport_.reset();
        dock_.reset();
        scene_.reset();
    }

    void toolTakesTheDocumentsBrushWhenTargeted() {
        LabelEditDocument* doc = dock_->document();
        doc->setBrushSize(31);
        doc->setMirrorEnabled(true);
        dock_->canvasView()->setCurrentClass(annotate::kBeard);
        QCOMPARE(doc->brushClass(), int(annotate::kBeard));
        const ViewportPaintTool* tool = viewport_->paintTool();
        QCOMPARE(tool->target(), nullptr);
        viewport_->setPaintTarget(dock_.get());
        QCOMPARE(tool->target(), dock_.get());
        QCOMPARE(tool->brushSize(), 31);
        QVERIFY(tool->mirrorEnabled());
        QCOMPARE(tool->brushClass(), int(annotate::kBeard));
    }

    void documentChangesReachThePaintToolAndTheDock() {
        viewport_->setPaintTarget(dock_.get());
        const ViewportPaintTool* tool = viewport_->paintTool();
        LabelEditDocument* doc = dock_->document();
        QSignalSpy sizes(doc, &LabelEditDocument::brushSizeChanged);
        QSignalSpy mirrors(doc, &LabelEditDocument::mirrorEnabledChanged);

        doc->setBrushSize(23);
        QCOMPARE(sizes.count(), 1);
        QCOMPARE(tool->brushSize(), 23);
        QCOMPARE(dock_->brushSizeBox()->value(), 23);
        QCOMPARE(dock_->canvasView()->brushSize(), 23);
        doc->setBrushSize(23);  // no change, no signal
        QCOMPARE(sizes.count(), 1);
        doc->setBrushSize(100000);  // clamped
        QCOMPARE(doc->brushSize(), labelmap::kMaxBrushDiameter);
        QCOMPARE(tool->brushSize(), labelmap::kMaxBrushDiameter);
        QCOMPARE(dock_->brushSizeBox()->value(), labelmap::kMaxBrushDiameter);

        QVERIFY(!tool->mirrorEnabled());
        QVERIFY(!dock_->mirrorAction()->isChecked());
        doc->setMirrorEnabled(true);
        QCOMPARE(mirrors.count(), 1);
        QVERIFY(tool->mirrorEnabled());
        QVERIFY(dock_->mirrorAction()->isChecked());
        QVERIFY(dock_->canvasView()->mirrorEnabled());
        doc->setMirrorEnabled(false);
        QVERIFY(!tool->mirrorEnabled());
        QVERIFY(!dock_->mirrorAction()->isChecked());
    }

    void dockControlsEditTheDocument() {
        viewport_->setPaintTarget(dock_.get());
        const ViewportPaintTool* tool = viewport_->paintTool();
        LabelEditDocument* doc = dock_->document();
        dock_->brushSizeBox()->setValue(17);
        QCOMPARE(doc->brushSize(), 17);
        QCOMPARE(tool->brushSize(), 17);
        dock_->mirrorAction()->trigger();  // the M toggle
        QVERIFY(doc->mirrorEnabled());
        QVERIFY(tool->mirrorEnabled());
        // The canvas's own size keys go through the document as well.
        dock_->canvasView()->setBrushSize(5);
        QCOMPARE(doc->brushSize(), 5);
        QCOMPARE(tool->brushSize(), 5);
        QCOMPARE(dock_->brushSizeBox()->value(), 5);
        // The eraser paints its erase-to class.
        dock_->canvasView()->setCurrentClass(annotate::kNose);
        QCOMPARE(tool->brushClass(), int(annotate::kNose));
        dock_->canvasView()->setEraseToClass(annotate::kHair);
        dock_->canvasView()->setTool(LabelTool::Eraser);
        QCOMPARE(doc->brushClass(), int(annotate::kHair));
        QCOMPARE(tool->brushClass(), int(annotate::kHair));
        dock_->canvasView()->setTool(LabelTool::Brush);
        QCOMPARE(tool->brushClass(), int(annotate::kNose));
    }

    void retargetingFollowsTheNewDocumentOnly() {
        viewport_->setPaintTarget(dock_.get());
        const ViewportPaintTool* tool = viewport_->paintTool();
        LabelEditorDock other(nullptr);
        other.setErrorDialogsEnabled(false);
        other.setUnsavedRecoveryPath(dir_.filePath(QStringLiteral("other.png.recovery")));
        other.document()->setBrushSize(44);
        viewport_->setPaintTarget(&other);
        QCOMPARE(tool->brushSize(), 44);
        dock_->document()->setBrushSize(12);  // the old editor no longer drives the tool
        QCOMPARE(tool->brushSize(), 44);
        other.document()->setBrushSize(13);
        QCOMPARE(tool->brushSize(), 13);
        viewport_->setPaintTarget(nullptr);
        QVERIFY(!viewport_->paintModeAction()->isEnabled());
        other.document()->setBrushSize(14);
        QCOMPARE(tool->brushSize(), 13);
    }

private:
    QTemporaryDir dir_;
    std::unique_ptr<SceneDocument> scene_;
    std::unique_ptr<ViewportWidget> viewport_;
    std::unique_ptr<LabelEditorDock> dock_;
};

QTEST_MAIN(TestViewportBrush)
#include "test_viewport_brush.moc"
