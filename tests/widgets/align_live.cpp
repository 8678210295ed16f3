// The Align tab in the whole studio window under a real X server
// (xvfb-run, Mesa's software OpenGL): a fake `synthforge align` run plots its
// losses and loads its fit ("After"), the density is sampled, and the GL view
// draws the head with its residual heatmap through the translucent
// iso-surface. The window is saved (SYNTHFORGE_ALIGN_SCREENSHOT, default
// align_screenshot.png in the working folder) and its pixels checked: both
// surfaces and the heatmap's range of colours must be there.

#include <QDir>
#include <QDockWidget>
#include <QSignalSpy>
#include <QSpinBox>
#include <QLineEdit>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

#include "app/studio/main_window.h"
#include "core/align/alignment_fit.h"
#include "core/camera/orbit_camera.h"
#include "widgets/align/align_run.h"
#include "widgets/align/align_run_panel.h"
#include "widgets/align/align_view.h"
#include "widgets/align/align_viewport.h"
#include "widgets/align/heat_scale.h"
#include "widgets/panels/generator_view.h"
#include "widgets/panels/scene_document.h"
#include "widgets/runs/scalar_chart_view.h"

using namespace synthforge;
using namespace synthforge::widgets;

namespace {

struct PixelCounts {
    int content = 0;  ///< not the background
    int low = 0;      ///< the heatmap's low end (violet, blue: blue above green)
    int high = 0;     ///< its high end (green, yellow: green above blue)
};

bool isBackground(const QColor& c) {
    const QColor bg = QColor::fromRgbF(0.12f, 0.13f, 0.15f);
    return std::abs(c.red() - bg.red()) + std::abs(c.green() - bg.green()) + std::abs(c.blue() - bg.blue()) < 12;
}

PixelCounts countPixels(const QImage& img) {
    PixelCounts n;
    for (int y = 0; y < img.height(); y += 2)
        for (int x = 0; x < img.width(); x += 2) {
            const QColor c = img.pixelColor(x, y);
            if (isBackground(c)) continue;
            ++n.content;
            if (c.blue() > c.green() + 20) ++n.low;
            if (c.green() > c.blue() + 20 && c.green() > 100) ++n.high;
        }
    return n;
}

/// Pixels (every 2nd) that the translucent surface changed, and how much lighter they got on average.
std::pair<int, double> surfaceTint(const QImage& without, const QImage& with) {
    int changed = 0;
    double lighter = 0;
    for (int y = 0; y < without.height() && y < with.height(); y += 2)
        for (int x = 0; x < without.width() && x < with.width(); x += 2) {
            const QColor a = without.pixelColor(x, y), b = with.pixelColor(x, y);
            const int d = std::abs(a.red() - b.red()) + std::abs(a.green() - b.green()) + std::abs(a.blue() - b.blue());
            if (d < 30) continue;
            ++changed;
            lighter += (b.red() + b.green() + b.blue() - a.red() - a.green() - a.blue()) / 3.0;
        }
    return {changed, changed ? lighter / changed : 0.0};
}

}  // namespace

class AlignLive : public QObject {
    Q_OBJECT
private slots:
    void theAlignTabInTheWindow() {
        QVERIFY2(QGuiApplication::platformName() == QStringLiteral("xcb"), "run under xvfb-run with QT_QPA_PLATFORM=xcb");
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        MainWindow w;
        w.setErrorDialogsEnabled(false);
        w.resize(1500, 950);
        QSignalSpy frame(w.generatorView(), &GeneratorView::frameShown);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(frame.count() > 0 || frame.wait(180000));

        // The docks below are closed to give the tab the window's height, as
        // one would while working on a fit.
        for (QDockWidget* d : w.findChildren<QDockWidget*>())
            if (w.dockWidgetArea(d) == Qt::BottomDockWidgetArea) d->hide();
        AlignView* view = w.alignView();
        auto* tabs = w.findChild<QTabWidget*>(QStringLiteral("centralTabs"));
        QVERIFY(tabs);
        tabs->setCurrentWidget(view);
        QVERIFY(view->viewport());  // created on first show

        // A fit that moves the head 6 mm sideways and scales it 3 %: a run of the
        // fake command plots its losses and ends by loading it.
        align::AlignmentFit fit;
        fit.generatorName = "procedural";
        fit.headName = "default";
        fit.vertexCount = w.document()->model()->numVertices();
        fit.correction.block<3, 3>(0, 0) *= 1.03f;
        fit.correction(0, 3) = 0.006f;
        fit.nominalFlameToWorld = camera::flameToWorldMatrix();
        fit.samples = 8;
        fit.steps = 60;
        fit.final = {{"total", 0.0112}};
        const QString templ = QDir(tmp.path()).filePath(QStringLiteral("template"));
        align::saveAlignmentFit(templ.toStdString(), fit);
        qputenv("FAKE_ALIGN_FIT", templ.toUtf8());
        qputenv("FAKE_ALIGN_DELAY", "0.01");
        AlignRunPanel* panel = view->runPanel();
        panel->run()->setProgram(QStringLiteral(SYNTHFORGE_TEST_SOURCE_DIR "/tests/widgets/fake_align.sh"));
        panel->stepsBox()->setValue(60);
        panel->outDirEdit()->setText(QDir(tmp.path()).filePath(QStringLiteral("fit")));
        QSignalSpy finished(panel->run(), &AlignRun::finished);
        QVERIFY(panel->startRun());
        QVERIFY(finished.wait(60000));
        QVERIFY(finished.first().at(0).toBool());
        QVERIFY(view->corrected());
        QCOMPARE(panel->chart()->runNames().size(), 4);

        // The density around the head, and the head over its iso-surface.
        view->setResolution(64);
        QSignalSpy ready(view, &AlignView::densityReady);
        QVERIFY(view->sampleDensity());
        QVERIFY(ready.wait(120000));
        // From the side the fit moved the head away from: the translucent
        // iso-surface lies over the heatmap there.
        view->viewport()->setView(-0.5f, -0.1f);
        AlignViewport* gl = view->viewport();
        QVERIFY2(gl->glError().isEmpty(), qPrintable(gl->glError()));
        // The head alone first (surface fully transparent): the heatmap spans its scale.
        const float opacity = view->surfaceOpacity();
        view->setSurfaceOpacity(0.0f);
        QTest::qWait(300);
        const QImage headAlone = gl->grabFramebuffer();
        const PixelCounts head = countPixels(headAlone);
        view->setSurfaceOpacity(opacity);
        QTest::qWait(500);  // let the GL view paint
        QVERIFY(gl->drawnTriangles(AlignViewport::HeadSlot) > 1000);
        QVERIFY(gl->drawnTriangles(AlignViewport::SurfaceSlot) > 1000);
        const QString path = qEnvironmentVariable("SYNTHFORGE_ALIGN_SCREENSHOT",
                                                  QDir::current().filePath(QStringLiteral("align_screenshot.png")));
        QVERIFY(w.grab().save(path));  // before the checks, so a failure leaves a picture
        qInfo("saved %s", qPrintable(path));
        const QImage withSurface = gl->grabFramebuffer();
        const PixelCounts n = countPixels(withSurface);
        const auto [tinted, lighter] = surfaceTint(headAlone, withSurface);
        qInfo("GL view pixels (every 2nd), head alone: content %d, heatmap low %d, high %d", head.content, head.low,
              head.high);
        qInfo("with the iso-surface: content %d; %d pixels tinted, %.1f lighter on average", n.content, tinted,
              lighter);
        QVERIFY(head.content > 5000);
        QVERIFY(head.low > 200);   // the heatmap spans its scale
        QVERIFY(head.high > 200);
        QVERIFY(n.content >= head.content);  // the surface covers the head and reaches past it
        QVERIFY(tinted > 1000);              // it shows over the head
        QVERIFY(lighter > 10.0);             // as a pale veil
        QVERIFY(n.high > 100);               // with the heatmap still readable through it
    }
};

QTEST_MAIN(AlignLive)
#include "align_live.moc"
