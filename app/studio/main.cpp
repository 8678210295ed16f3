// synthforge-studio [scene.json] [--screenshot FILE]
//
// --screenshot renders the window once the first generator frame is on
// screen, saves QWidget::grab() to FILE and quits (the GUI test and the docs
// use it). Exit codes follow the CLI: 0 success, 1 failure, 2 bad usage.

#include <iostream>

#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>

#include "widgets/generator_view.h"
#include "widgets/main_window.h"

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
    if (!shot.isEmpty()) {
        window.setErrorDialogsEnabled(false);
        // A fixed size makes screenshots comparable between runs.
        window.resize(1400, 900);
        window.generatorView()->setSegmentationShown(true);
        window.generatorView()->setSegmentationOpacity(0.35);
        QObject::connect(window.generatorView(), &synthforge::widgets::GeneratorView::frameShown, &window, [&] {
            // Let the status bar and layout settle before grabbing.
            QTimer::singleShot(300, &window, [&] {
                const bool ok = window.grab().save(shot);
                if (!ok) std::cerr << "synthforge-studio: " << shot.toStdString() << ": cannot write\n";
                QApplication::exit(ok ? 0 : 1);
            });
        }, Qt::SingleShotConnection);
        QObject::connect(&window, &synthforge::widgets::MainWindow::errorReported, &window,
                         [] { QApplication::exit(1); });
        // Never hang a test: the default head takes seconds, not minutes.
        QTimer::singleShot(180000, &window, [] {
            std::cerr << "synthforge-studio: no frame within 180 s\n";
            QApplication::exit(1);
        });
    }
    window.show();
    if (!parser.positionalArguments().isEmpty()) {
        const QString path = parser.positionalArguments().front();
        // Open after the default model is up so that a bad file keeps a working studio.
        QObject::connect(&window, &synthforge::widgets::MainWindow::modelLoaded, &window,
                         [&window, path] { window.openScene(path); }, Qt::SingleShotConnection);
    }
    return QApplication::exec();
}
