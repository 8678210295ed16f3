// The Align tab with a TorchScript generator in the whole studio window under
// a real X server (xvfb-run, Mesa's software OpenGL): the picker names the
// planted-answer module (moved 4 mm up and stretched 3 % sideways, so the
// heatmap has something to show), "Sample density" runs the real
// `synthforge density`, and the GL view draws the CLI's head with its
// per-vertex distances through the module's translucent iso-surface. The
// window is saved (SYNTHFORGE_ALIGN_TORCHSCRIPT_SCREENSHOT, default
// align_torchscript_screenshot.png in the working folder) and its pixels
// checked.

// planted_generator.h finds tools/ from the test data directory.
#define SYNTHFORGE_TEST_DATA_DIR SYNTHFORGE_TEST_SOURCE_DIR "/tests/data"

#include <QDir>
#include <QDockWidget>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

#include "app/studio/main_window.h"
#include "tests/support/planted_generator.h"
#include "widgets/align/align_view.h"
#include "widgets/align/align_viewport.h"
#include "widgets/align/density_cli_run.h"
#include "widgets/align/generator_picker.h"
#include "widgets/panels/generator_view.h"
#include "widgets/panels/scene_document.h"

using namespace synthforge;
using namespace synthforge::widgets;

class AlignTorchScriptLive : public QObject {
    Q_OBJECT
private slots:
    void aTorchScriptIsoSurfaceInTheWindow() {
        // Under CI a missing display must fail, never skip.
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
        for (QDockWidget* d : w.findChildren<QDockWidget*>())
            if (w.dockWidgetArea(d) == Qt::BottomDockWidgetArea) d->hide();

        testutil::PlantedGeneratorSpec spec;
        spec.imageSize = 32;
        spec.affine << 1.03f, 0.0f, 0.0f, 0.0f,  //
            0.0f, 1.0f, 0.0f, 0.004f,             //
            0.0f, 0.0f, 1.0f, 0.0f;
        const QString planted = QString::fromStdString(testutil::makePlantedGenerator(
            *w.document()->model(), spec, QDir(tmp.path()).filePath(QStringLiteral("m")).toStdString()));
        QVERIFY(QFileInfo(planted).isFile());

        AlignView* view = w.alignView();
        auto* tabs = w.findChild<QTabWidget*>(QStringLiteral("centralTabs"));
        QVERIFY(tabs);
        tabs->setCurrentWidget(view);
        QVERIFY(view->viewport());
        view->densityCli()->setProgram(QStringLiteral(SYNTHFORGE_CLI));
        view->generatorPicker()->setTorchScriptFile(planted);
        view->setResolution(64);
        QSignalSpy ready(view, &AlignView::densityReady);
        QSignalSpy errors(view, &AlignView::errorReported);
        QVERIFY(view->sampleDensity());
        QVERIFY2(ready.wait(300000), qPrintable(errors.isEmpty() ? QString() : errors.first().at(1).toString()));
        QVERIFY(view->showingCliDensity());
        QCOMPARE(view->residuals().size(), static_cast<std::size_t>(w.document()->model()->numVertices()));

        view->viewport()->setView(-0.5f, -0.1f);
        AlignViewport* gl = view->viewport();
        QTest::qWait(500);  // let the GL view paint
        QVERIFY2(gl->glError().isEmpty(), qPrintable(gl->glError()));
        const QString path = qEnvironmentVariable(
            "SYNTHFORGE_ALIGN_TORCHSCRIPT_SCREENSHOT",
            QDir::current().filePath(QStringLiteral("align_torchscript_screenshot.png")));
        QVERIFY(w.grab().save(path));  // before the checks, so a failure leaves a picture
        qInfo("saved %s", qPrintable(path));
        QVERIFY(gl->drawnTriangles(AlignViewport::HeadSlot) > 1000);
        QVERIFY(gl->drawnTriangles(AlignViewport::SurfaceSlot) > 1000);
        // The heatmap spans its ramp: violet-blue where the head meets the
        // module's surface, green-yellow where the stretch and shift moved it away.
        const QImage img = gl->grabFramebuffer();
        int low = 0, high = 0;
        for (int y = 0; y < img.height(); y += 2)
            for (int x = 0; x < img.width(); x += 2) {
                const QColor c = img.pixelColor(x, y);
                if (c.blue() > c.green() + 20) ++low;
                if (c.green() > c.blue() + 20 && c.green() > 100) ++high;
            }
        qInfo("GL view pixels (every 2nd): heatmap low %d, high %d", low, high);
        QVERIFY(low > 100);
        QVERIFY(high > 100);
    }
};

QTEST_MAIN(AlignTorchScriptLive)
#include "align_torchscript_live.moc"
