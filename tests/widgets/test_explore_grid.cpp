// The studio's explorer grid: a 4x4 grid around the scene fills, each cell
// showing the pipeline's render of its spec; clicking a cell loads it as the
// scene and undo restores the previous one; marked cells export as scene
// files that load back, and as a sampler config; a bad axis is a message, not a crash. A picture of
// the filled grid is saved for looking at.

#include <cmath>

#include <QDir>
#include <QLabel>
#include <QSignalSpy>
#include <QTest>
#include <QUndoStack>

#include "core/generate/sampler.h"
#include "core/head/default_head/model_source.h"
#include "core/scene/scene.h"
#include "widgets/explore/explore_grid.h"
#include "widgets/panels/scene_document.h"

using namespace synthforge;
using namespace synthforge::widgets;

class TestExploreGrid : public QObject {
    Q_OBJECT
private slots:
    void fillsLoadsUndoesMarksAndExports() {
        SceneDocument doc;
        scene::Scene start;
        start.zSeed = 3;
        doc.reset(start, std::make_shared<head::HeadModel>(head::loadHeadModel("default")));
        const scene::Scene before = doc.scene();  // padded to the model by reset()
        ExploreGrid grid(&doc);
        grid.setTileSize(96);
        grid.resize(700, 700);
        QVERIFY(grid.setAxis(true, QStringLiteral("yaw:-0.5:0.5:4")));
        QVERIFY(grid.setAxis(false, QStringLiteral("seed:0:3:4")));
        QSignalSpy done(&grid, &ExploreGrid::finished);
        QVERIFY(grid.render());
        QVERIFY(done.wait(60000));
        QCOMPARE(grid.filled(), 16);
        for (int r = 0; r < 4; ++r)
            for (int c = 0; c < 4; ++c) {
                const auto* cell = qobject_cast<QLabel*>(grid.cellWidget(r, c));
                QVERIFY(cell);
                QVERIFY(!cell->pixmap().isNull());
                QCOMPARE(cell->pixmap().width(), 96);
                QCOMPARE(grid.cellSpec(r, c).camera.yaw, static_cast<float>(-0.5 + r / 3.0));
            }
        // Looked at: the grid as the user sees it.
        grid.grab().save(QDir(QStringLiteral(SYNTHFORGE_WIDGET_TEST_OUT)).filePath(QStringLiteral("explore_grid.png")));

        // A click on cell (2, 1) loads it, as one undo step.
        QTest::mouseClick(grid.cellWidget(2, 1), Qt::LeftButton);
        QCOMPARE(doc.undoStack()->count(), 1);
        QCOMPARE(doc.scene().camera.yaw, grid.cellSpec(2, 1).camera.yaw);
        QCOMPARE(doc.scene().z, grid.cellSpec(2, 1).z);
        QCOMPARE(doc.scene().zSeed, std::uint64_t{3});  // the explicit z wins; the seed is kept
        doc.undoStack()->undo();
        QVERIFY(doc.scene() == before);

        // Ctrl+click marks (and unmarks); marked cells export as scenes that load back.
        QTest::mouseClick(grid.cellWidget(0, 0), Qt::LeftButton, Qt::ControlModifier);
        QTest::mouseClick(grid.cellWidget(3, 3), Qt::LeftButton, Qt::ControlModifier);
        QTest::mouseClick(grid.cellWidget(1, 2), Qt::LeftButton, Qt::ControlModifier);
        QTest::mouseClick(grid.cellWidget(1, 2), Qt::LeftButton, Qt::ControlModifier);
        QCOMPARE(grid.marked().size(), std::size_t{2});
        QCOMPARE(doc.undoStack()->count(), 1);  // marking is not editing (the undone step stays for redo)
        const QString dir = QDir::temp().filePath(QStringLiteral("synthforge_explore_export"));
        QDir(dir).removeRecursively();
        QDir().mkpath(dir);
        QCOMPARE(grid.exportMarked(dir), 2);
        const scene::Scene back = scene::loadScene(QDir(dir).filePath(QStringLiteral("cell_r3_c3.scene.json")).toStdString());
        QCOMPARE(back.camera.yaw, grid.cellSpec(3, 3).camera.yaw);
        QCOMPARE(back.z, grid.cellSpec(3, 3).z);

        // The same marks as a sampler config: the yaw rows 0 and 3 (-0.5 and
        // 0.5, step 1/3) become one stratified axis of four bins; the seed
        // columns are left out, which the note says.
        const QString config = QDir(dir).filePath(QStringLiteral("marked.sampler.json"));
        const QString note = grid.exportMarkedConfig(config);
        QVERIFY(note.contains(QStringLiteral("seed")));
        const generate::SamplerConfig c = generate::loadSamplerConfig(config.toStdString());
        QCOMPARE(c.sampling.kind, generate::SamplerKind::Stratified);
        QCOMPARE(c.sampling.axes.size(), std::size_t{1});
        QCOMPARE(QString::fromStdString(c.sampling.axes[0].name()), QStringLiteral("yaw"));
        QCOMPARE(c.sampling.bins, std::vector<int>{4});
        QVERIFY(std::abs(c.sampling.ranges[0].lo - (-0.5 - 1.0 / 6)) < 1e-9);
        QVERIFY(std::abs(c.sampling.ranges[0].hi - (0.5 + 1.0 / 6)) < 1e-9);
        QDir(dir).removeRecursively();
    }

    void aBadAxisIsAMessage() {
        SceneDocument doc;
        doc.reset(scene::Scene{}, std::make_shared<head::HeadModel>(head::loadHeadModel("default")));
        ExploreGrid grid(&doc);
        QVERIFY(!grid.setAxis(true, QStringLiteral("roll:0:1:3")));
        QVERIFY(grid.status().contains(QStringLiteral("rows")));
        QVERIFY(!grid.setAxis(false, QStringLiteral("yaw:0:1:99")));
        QVERIFY(grid.status().contains(QStringLiteral("columns")));
        QCOMPARE(grid.filled(), 0);
    }
};

QTEST_MAIN(TestExploreGrid)
#include "test_explore_grid.moc"
