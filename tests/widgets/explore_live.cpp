// The explorer's three tabs in the whole studio window under a real X server
// (xvfb-run): the Explore grid fills around the scene (a click loads a cell,
// undo restores the scene), the Interpolate strip
// fills between two scenes, the Coverage tab reads a generated dataset next
// to a second one. Each tab is saved as a picture of the window
// (SYNTHFORGE_EXPLORE_SCREENSHOT_DIR, default the working folder) and
// checked for what it must show, then looked at for the docs.

#include <QDir>
#include <QLabel>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

#include "app/studio/main_window.h"
#include "core/dataset/coverage.h"
#include "tests/support/tiny_dataset.h"
#include "widgets/explore/coverage_view.h"
#include "widgets/explore/explore_grid.h"
#include "widgets/explore/interp_strip.h"
#include "widgets/panels/generator_view.h"
#include "widgets/panels/scene_document.h"

using namespace synthforge;
using namespace synthforge::widgets;

namespace {

QString shotPath(const QString& name) {
    const QString dir = qEnvironmentVariable("SYNTHFORGE_EXPLORE_SCREENSHOT_DIR", QDir::currentPath());
    return QDir(dir).filePath(name);
}

/// Shows `page` in the central tabs and saves the window.
bool showAndGrab(MainWindow& w, QWidget* page, const QString& name) {
    auto* tabs = w.findChild<QTabWidget*>(QStringLiteral("centralTabs"));
    if (!tabs) return false;
    tabs->setCurrentWidget(page);
    QTest::qWait(300);  // let the layout settle on screen
    return w.grab().save(shotPath(name));
}

/// Non-background pixels in the picture (the tiles are renders of a head).
bool hasContent(const QPixmap& p) {
    const QImage img = p.toImage();
    if (img.isNull()) return false;
    const QRgb corner = img.pixel(0, 0);
    int differing = 0;
    for (int y = 0; y < img.height(); y += 4)
        for (int x = 0; x < img.width(); x += 4) differing += img.pixel(x, y) != corner;
    return differing > 20;
}

}  // namespace

class ExploreLive : public QObject {
    Q_OBJECT
private slots:
    void theThreeTabsInTheWindow() {
        QVERIFY2(QGuiApplication::platformName() == QStringLiteral("xcb"), "run under xvfb-run with QT_QPA_PLATFORM=xcb");
        MainWindow w;
        w.setErrorDialogsEnabled(false);
        w.resize(1500, 950);
        QSignalSpy frame(w.generatorView(), &GeneratorView::frameShown);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(frame.count() > 0 || frame.wait(180000));

        // Explore: a 4 x 4 grid of yaw x seed around the scene.
        ExploreGrid* grid = w.exploreGrid();
        QVERIFY(grid->setAxis(true, QStringLiteral("yaw:-0.6:0.6:4")));
        QVERIFY(grid->setAxis(false, QStringLiteral("seed:0:3:4")));
        QSignalSpy gridDone(grid, &ExploreGrid::finished);
        QVERIFY(grid->render());
        QVERIFY(gridDone.wait(120000));
        for (int r = 0; r < 4; ++r)
            for (int c = 0; c < 4; ++c) QVERIFY(hasContent(qobject_cast<QLabel*>(grid->cellWidget(r, c))->pixmap()));
        // A click loads the cell as the scene; undo restores the scene before.
        const scene::Scene beforeClick = w.document()->scene();
        QTest::mouseClick(grid->cellWidget(2, 3), Qt::LeftButton);
        QCOMPARE(w.document()->scene().camera.yaw, grid->cellSpec(2, 3).camera.yaw);
        QCOMPARE(w.document()->scene().z, grid->cellSpec(2, 3).z);
        w.document()->undoStack()->undo();
        QVERIFY(w.document()->scene() == beforeClick);
        QTest::mouseClick(grid->cellWidget(0, 0), Qt::LeftButton, Qt::ControlModifier);
        QTest::mouseClick(grid->cellWidget(1, 1), Qt::LeftButton, Qt::ControlModifier);
        QVERIFY(showAndGrab(w, grid, QStringLiteral("explore_window_grid.png")));

        // Interpolate: A = the scene turned left, B = turned right with another seed.
        InterpStrip* strip = w.interpStrip();
        scene::Scene a = w.document()->scene();
        a.camera.yaw = 0.5f;
        w.document()->apply(a, QStringLiteral("test: A"));
        strip->setEnd(true);
        scene::Scene b = a;
        b.camera.yaw = -0.5f;
        b.zSeed = 7;
        b.z.resize(0);
        w.document()->apply(b, QStringLiteral("test: B"));
        strip->setEnd(false);
        strip->setFrames(8);
        QSignalSpy stripDone(strip, &InterpStrip::finished);
        QVERIFY(strip->render());
        QVERIFY(stripDone.wait(120000));
        for (int k = 0; k < 8; ++k) QVERIFY(hasContent(qobject_cast<QLabel*>(strip->frameWidget(k))->pixmap()));
        QVERIFY(showAndGrab(w, strip, QStringLiteral("explore_window_interp.png")));

        // Coverage: two small generated datasets side by side.
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const std::filesystem::path root = tmp.path().toStdString();
        testutil::writeTinyDataset(root / "iid_a", 40, 1);
        testutil::writeTinyDataset(root / "iid_b", 25, 2);
        CoverageView* coverage = w.coverageView();
        coverage->setDatasets(QString::fromStdString((root / "iid_a").string()), QString::fromStdString((root / "iid_b").string()));
        QSignalSpy coverageDone(coverage, &CoverageView::finished);
        QVERIFY(coverage->compute());
        QVERIFY(coverageDone.count() == 1 || coverageDone.wait(60000));
        QCOMPARE(coverage->coverages().size(), std::size_t{2});
        QCOMPARE(coverage->coverages()[0].samples, std::uint64_t{40});
        QVERIFY(!coverage->poseMap(1).isNull());
        QVERIFY(showAndGrab(w, coverage, QStringLiteral("explore_window_coverage.png")));
        w.setRunningJobsOnClose(MainWindow::RunningJobsOnClose::Stop);
    }
};

QTEST_MAIN(ExploreLive)
#include "explore_live.moc"
