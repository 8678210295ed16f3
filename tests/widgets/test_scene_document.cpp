// Undo merging and restore in the SceneDocument, and panel logic: a slider
// drag is one undo step, randomise/reset touch only their group.

#include <QLabel>
#include <QSignalSpy>
#include <QSlider>
#include <QTest>
#include <QUndoStack>

#include "widgets/panels/camera_panel.h"
#include "widgets/panels/head_panel.h"
#include "widgets/panels/param_slider.h"
#include "widgets/panels/scene_document.h"

using namespace synthforge;
using namespace synthforge::widgets;

namespace {
// A model with only basis sizes set is enough for the panels' logic.
std::shared_ptr<const head::HeadModel> fakeModel(int nShape, int nExpr) {
    auto m = std::make_shared<head::HeadModel>();
    m->shapedirs.resize(3, nShape);
    m->exprdirs.resize(3, nExpr);
    return m;
}
}  // namespace

class TestSceneDocument : public QObject {
    Q_OBJECT
private slots:
    void dragOfTwentyChangesIsOneUndoStep() {
        SceneDocument doc;
        doc.reset(scene::Scene{}, fakeModel(10, 5));
        doc.beginDrag();
        for (int i = 1; i <= 20; ++i) doc.setShape(2, 0.1f * i);
        doc.endDrag();
        QCOMPARE(doc.undoStack()->count(), 1);
        QCOMPARE(doc.scene().params.shape[2], 2.0f);
        doc.undoStack()->undo();
        QCOMPARE(doc.scene().params.shape[2], 0.0f);
        doc.undoStack()->redo();
        QCOMPARE(doc.scene().params.shape[2], 2.0f);
    }

    void twoDragsAreTwoSteps() {
        SceneDocument doc;
        doc.reset(scene::Scene{}, fakeModel(10, 5));
        for (int drag = 0; drag < 2; ++drag) {
            doc.beginDrag();
            for (int i = 1; i <= 5; ++i) doc.setExpr(1, 0.2f * i + drag);
            doc.endDrag();
        }
        QCOMPARE(doc.undoStack()->count(), 2);
        doc.undoStack()->undo();
        QCOMPARE(doc.scene().params.expr[1], 1.0f);
    }

    void editsOutsideADragNeverMerge() {
        SceneDocument doc;
        doc.reset(scene::Scene{}, fakeModel(4, 4));
        doc.setShape(0, 1.0f);
        doc.setShape(0, 2.0f);
        QCOMPARE(doc.undoStack()->count(), 2);
        // A drag on one parameter does not swallow another parameter's edit.
        doc.beginDrag();
        doc.setShape(1, 1.0f);
        doc.setExpr(1, 1.0f);
        doc.endDrag();
        QCOMPARE(doc.undoStack()->count(), 4);
    }

    void sliderDragThroughTheWidgetMerges() {
        SceneDocument doc;
        doc.reset(scene::Scene{}, fakeModel(6, 3));
        HeadPanel panel(&doc);
        QCOMPARE(static_cast<int>(panel.shapeSliders().size()), 6);
        QSlider* s = panel.shapeSliders()[3]->slider();
        s->setSliderDown(true);  // emits sliderPressed
        for (int i = 0; i < 20; ++i) s->setValue(s->value() + 5);
        s->setSliderDown(false);  // emits sliderReleased
        QCOMPARE(doc.undoStack()->count(), 1);
        QVERIFY(doc.scene().params.shape[3] > 0.9f);
        doc.undoStack()->undo();
        QCOMPARE(doc.scene().params.shape[3], 0.0f);
        QCOMPARE(panel.shapeSliders()[3]->value(), 0.0);  // the widget follows undo
    }

    void randomiseAndResetTouchOnlyTheirGroup() {
        SceneDocument doc;
        doc.reset(scene::Scene{}, fakeModel(8, 4));
        HeadPanel panel(&doc);
        panel.setRandomSeed(1);
        panel.randomise(HeadPanel::Group::Shape);
        QCOMPARE(doc.undoStack()->count(), 1);
        QVERIFY(doc.scene().params.shape.norm() > 0.0f);
        QCOMPARE(doc.scene().params.expr.norm(), 0.0f);
        QCOMPARE(doc.scene().params.pose.norm(), 0.0f);

        panel.setDistribution(HeadPanel::Distribution::Uniform);
        panel.randomise(HeadPanel::Group::Expression);
        const Eigen::VectorXf shape = doc.scene().params.shape;
        QVERIFY(doc.scene().params.expr.cwiseAbs().maxCoeff() <= 2.0f);
        QVERIFY(doc.scene().params.expr.norm() > 0.0f);

        panel.reset(HeadPanel::Group::Expression);
        QCOMPARE(doc.scene().params.expr.norm(), 0.0f);
        QVERIFY(doc.scene().params.shape == shape);
        QCOMPARE(doc.undoStack()->count(), 3);
        doc.undoStack()->undo();
        QVERIFY(doc.scene().params.expr.norm() > 0.0f);
    }

    void cameraFrontalAndRandom() {
        SceneDocument doc;
        doc.reset(scene::Scene{}, fakeModel(2, 2));
        CameraPanel panel(&doc);
        panel.randomCamera();
        const camera::OrbitCamera c = doc.scene().camera;
        QVERIFY(std::abs(c.yaw) <= 0.8f && std::abs(c.pitch) <= 0.8f);
        QVERIFY(c.eg3dFovDeg >= 18.0f && c.eg3dFovDeg <= 24.0f);
        panel.frontal();
        QCOMPARE(doc.scene().camera.yaw, 0.0f);
        QCOMPARE(doc.scene().camera.pitch, 0.0f);
        QCOMPARE(doc.undoStack()->count(), 2);
    }

    void cameraPanelShowsAndResetsThePan() {
        SceneDocument doc;
        doc.reset(scene::Scene{}, fakeModel(2, 2));
        CameraPanel panel(&doc);
        QCOMPARE(panel.pivotLabel()->text(), QStringLiteral("Looks at (0.000, 0.000, 0.200)"));
        panel.resetPan();  // nothing to reset: no undo step
        QCOMPARE(doc.undoStack()->count(), 0);
        camera::OrbitCamera panned = doc.scene().camera;
        panned.pivot = Eigen::Vector3f(0.05f, -0.1f, 0.2f);
        doc.setCamera(panned, QStringLiteral("pan"));
        QCOMPARE(panel.pivotLabel()->text(), QStringLiteral("Looks at (0.050, -0.100, 0.200)"));
        panel.resetPan();
        QVERIFY(doc.scene().camera.pivot == camera::defaultPivot());
        QCOMPARE(doc.undoStack()->count(), 2);
        doc.undoStack()->undo();  // the pan comes back
        QVERIFY(doc.scene().camera.pivot.isApprox(panned.pivot));
        QCOMPARE(panel.pivotLabel()->text(), QStringLiteral("Looks at (0.050, -0.100, 0.200)"));
    }

    void changedIsEmittedOncePerEdit() {
        SceneDocument doc;
        doc.reset(scene::Scene{}, fakeModel(2, 2));
        QSignalSpy spy(&doc, &SceneDocument::changed);
        doc.setZSeed(9);
        doc.setZSeed(9);  // no change: no step, no signal
        QCOMPARE(spy.count(), 1);
        QCOMPARE(doc.undoStack()->count(), 1);
    }
};

QTEST_MAIN(TestSceneDocument)
#include "test_scene_document.moc"
