// synthforge-studio [scene.json] [--dataset DIR] [--screenshot FILE]
//
// --dataset opens a generated dataset folder in the Dataset dock.
// --screenshot renders the window once the first generator frame (and, with
// --dataset, the first dataset sample) is on screen, saves QWidget::grab()
// to FILE and quits (the GUI test and the docs use it). Exit codes follow the CLI: 0 success, 1 failure, 2 bad usage.

#include <iostream>
#include <memory>

#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>

#include "app/studio/main_window.h"
#include "widgets/dataset/dataset_browser.h"
#include "widgets/panels/generator_view.h"

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("SynthForge"));
    QApplication::setApplicationName(QStringLiteral("Studio"));
    QApplication::setApplicationVersion(QStringLiteral(SYNTHFORGE_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("SynthForge Studio: edit a head, camera and latent, see the generator's sample"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                        QStringLiteral("Save a picture of the window after the first frame, then quit."),
                                        QStringLiteral("FILE"));
    parser.addOption(screenshot);
    const QCommandLineOption dataset(QStringLiteral("dataset"),
                                     QStringLiteral("Open a generated dataset folder in the dataset browser."),
                                     QStringLiteral("DIR"));
    parser.addOption(dataset);
    parser.addPositionalArgument(QStringLiteral("scene"), QStringLiteral("Scene or dataset annotation JSON to open"),
                                 QStringLiteral("[scene.json]"));
    if (!parser.parse(QApplication::arguments())) {
        std::cerr << parser.errorText().toStdString() << "\n";
        return 2;
    }
    if (parser.isSet(QStringLiteral("help"))) parser.showHelp(0);
    if (parser.isSet(QStringLiteral("version"))) parser.showVersion();
    if (parser.positionalArguments().size() > 1) {
        std::cerr << "synthforge-studio: at most one scene file\n";
        return 2;
    }

    synthforge::widgets::MainWindow window;
    const QString shot = parser.value(screenshot);
    const QString datasetDir = parser.value(dataset);
    if (!shot.isEmpty()) {
        window.setErrorDialogsEnabled(false);
        // A fixed size makes screenshots comparable between runs.
        window.resize(1400, 900);
        window.generatorView()->setSegmentationShown(true);
        window.generatorView()->setSegmentationOpacity(0.35);
        // Grab once everything asked for is on screen: the generator frame,
        // and the first dataset sample when --dataset is given.
        auto waiting = std::make_shared<int>(datasetDir.isEmpty() ? 1 : 2);
        auto ready = [&window, waiting, shot] {
            if (--*waiting > 0) return;
            // Let the status bar and layout settle before grabbing.
            QTimer::singleShot(300, &window, [&window, shot] {
                const bool ok = window.grab().save(shot);
                if (!ok) std::cerr << "synthforge-studio: " << shot.toStdString() << ": cannot write\n";
                QApplication::exit(ok ? 0 : 1);
            });
        };
        QObject::connect(window.generatorView(), &synthforge::widgets::GeneratorView::frameShown, &window, ready,
                         Qt::SingleShotConnection);
        if (!datasetDir.isEmpty())
            QObject::connect(window.datasetBrowser(), &synthforge::widgets::DatasetBrowser::sampleShown, &window, ready,
                             Qt::SingleShotConnection);
        QObject::connect(&window, &synthforge::widgets::MainWindow::errorReported, &window,
                         [] { QApplication::exit(1); });
        // Never hang a test: the default head takes seconds, not minutes.
        QTimer::singleShot(180000, &window, [] {
            std::cerr << "synthforge-studio: no frame within 180 s\n";
            QApplication::exit(1);
        });
    }
    window.show();
    // Queued so that the event loop runs: a bad folder is reported (dialog +
    // stderr; exit 1 with --screenshot) and otherwise the studio goes on.
    if (!datasetDir.isEmpty())
        QTimer::singleShot(0, &window, [&window, datasetDir] { window.openDataset(datasetDir); });
    if (!parser.positionalArguments().isEmpty()) {
        const QString path = parser.positionalArguments().front();
        // Open after the default model is up so that a bad file keeps a working studio.
        QObject::connect(&window, &synthforge::widgets::MainWindow::modelLoaded, &window,
                         [&window, path] { window.openScene(path); }, Qt::SingleShotConnection);
    }
    return QApplication::exec();
}
