// The dataset browser on a tiny generated dataset (default head, 64x64, 3
// samples): it opens, steps next/previous, overlays the stored annotations,
// "Open as scene" re-renders the sample identically (difference 0),
// "Predict…" opens the run centre's predict dialog on the images, and a
// corrupt manifest or a non-dataset folder keeps the previous state.

#include <QAction>
#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTabWidget>
#include <QPushButton>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <opencv2/core.hpp>

#include "app/studio/main_window.h"
#include "core/generate/dataset_writer.h"
#include "core/scene/scene_pipeline.h"
#include "widgets/dataset/dataset_browser.h"
#include "widgets/dataset/dataset_model.h"
#include "widgets/panels/generator_view.h"
#include "widgets/panels/scene_document.h"
#include "widgets/runs/run_centre.h"
#include "widgets/runs/run_launcher.h"

using namespace synthforge;
using namespace synthforge::widgets;

class TestDatasetBrowser : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("SynthForgeTest"));
        QVERIFY(dir_.isValid());
        // The same pipeline the studio builds for a scene, so the re-render must match.
        const generate::SamplePipeline p = scene::buildScenePipeline("default", "procedural", 64, 64);
        generate::DatasetOptions o;
        o.outDir = dir_.filePath(QStringLiteral("ds")).toStdString();
        o.count = 3;
        o.seed = 5;
        o.workers = 1;
        o.headSource = "default";
        o.normals = true;
        QCOMPARE(generate::writeDataset(p, o).written, 3u);

        window_ = new MainWindow;
        window_->setErrorDialogsEnabled(false);
        QSignalSpy frames(window_->generatorView(), &GeneratorView::frameShown);
        QVERIFY(frames.wait(120000));
    }
    void cleanupTestCase() { delete window_; }

    void opensAndSteps() {
        DatasetBrowser* b = window_->datasetBrowser();
        QSignalSpy shown(b, &DatasetBrowser::sampleShown);
        QVERIFY(window_->openDataset(dir_.filePath(QStringLiteral("ds"))));
        QCOMPARE(b->sampleCount(), 3);
        QVERIFY(shown.wait(30000));
        QCOMPARE(b->currentRow(), 0);
        QCOMPARE(b->shownSample()->image.cols, 64);

        b->nextAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(b->shownSample()->row, std::size_t{1}, 30000);
        b->nextSample();
        b->nextSample();  // stops at the last sample
        QTRY_COMPARE_WITH_TIMEOUT(b->shownSample()->row, std::size_t{2}, 30000);
        QCOMPARE(b->currentRow(), 2);
        b->previousAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(b->shownSample()->row, std::size_t{1}, 30000);
        QVERIFY(b->previousAction()->shortcuts().contains(QKeySequence(Qt::Key_PageUp)));
        QVERIFY(b->nextAction()->shortcuts().contains(QKeySequence(Qt::Key_PageDown)));

        // Thumbnails load lazily on the model's pool and end up in its cache.
        // A grey placeholder first, then the sample's picture.
        auto thumb = [b] { return b->model()->data(b->model()->index(0), Qt::DecorationRole).value<QImage>(); };
        QCOMPARE(thumb().width(), DatasetModel::kThumbnailSize);
        QTRY_VERIFY_WITH_TIMEOUT(thumb().pixelColor(DatasetModel::kThumbnailSize / 2, DatasetModel::kThumbnailSize / 2) !=
                                     QColor(200, 200, 200), 30000);
        QVERIFY(b->model()->cachedThumbnails() >= 1);
    }

    void overlaysChangeThePicture() {
        DatasetBrowser* b = window_->datasetBrowser();
        QVERIFY(b->shownSample());
        b->setDepthShown(false);
        b->setLandmarksShown(false);
        b->setSegmentationShown(false);
        const cv::Mat plain = b->composed();
        QCOMPARE(cv::norm(plain, b->shownSample()->image, cv::NORM_INF), 0.0);
        b->setLandmarksShown(true);
        QVERIFY(cv::norm(b->composed(), plain, cv::NORM_INF) > 0);
        b->setLandmarksShown(false);
        b->setSegmentationShown(true);
        QVERIFY(!b->shownSample()->seg.empty());
        QVERIFY(cv::norm(b->composed(), plain, cv::NORM_INF) > 0);
        b->setDepthShown(true);
        const cv::Mat depth = b->composed();
        QVERIFY(cv::norm(depth, plain, cv::NORM_INF) > 0);
        // Normals: the stored normals/ PNG as it looks in a viewer (file RGB
        // = xyz, OpenCV camera axes). Visible surface faces the camera
        // (z < 0), so blue stays below the middle over the whole head.
        b->setNormalsShown(true);
        b->setSegmentationShown(false);
        const cv::Mat normals = b->composed();
        QVERIFY(!b->shownSample()->normals.empty());
        QCOMPARE(cv::norm(normals, b->shownSample()->normals, cv::NORM_INF), 0.0);
        QVERIFY(cv::norm(normals, depth, cv::NORM_INF) > 0);
        const cv::Mat head = b->shownSample()->seg != 0;
        QVERIFY(cv::countNonZero(head) > 100);
        const cv::Scalar meanBgr = cv::mean(normals, head);
        QVERIFY2(meanBgr[0] < 100, qPrintable(QStringLiteral("mean blue %1").arg(meanBgr[0])));
        b->setDepthShown(false);
        b->setLandmarksShown(true);
    }

    void openAsSceneReproducesTheStoredImage() {
        DatasetBrowser* b = window_->datasetBrowser();
        for (int row : {1, 2}) {
            b->setCurrentRow(row);
            QTRY_COMPARE_WITH_TIMEOUT(b->shownSample()->row, static_cast<std::size_t>(row), 30000);
            QSignalSpy compared(b, &DatasetBrowser::compared);
            b->openAsScene();
            QVERIFY(compared.wait(60000));
            QCOMPARE(compared.front().front().toInt(), 0);
            QCOMPARE(b->lastDifference(), 0);
            QCOMPARE(window_->document()->scene().width, 64);
        }
    }

    void predictOpensAPredictRunOnTheImagesInTheRunCentre() {
        DatasetBrowser* b = window_->datasetBrowser();
        QCOMPARE(b->datasetDir(), QDir::cleanPath(dir_.filePath(QStringLiteral("ds"))));  // opened by opensAndSteps
        QString gotCommand;
        QStringList gotOptions;
        window_->runCentre()->setLaunchPrompt([&](const QString& command, const QStringList& initial) {
            gotCommand = command;
            gotOptions = initial;
            return LaunchRequest{};  // the user cancels the dialog: nothing runs
        });
        QSignalSpy requested(b, &DatasetBrowser::predictRequested);
        auto* button = b->findChild<QPushButton*>(QStringLiteral("predictButton"));
        QVERIFY(button);
        QVERIFY(button->isEnabled());
        button->click();
        QCOMPARE(requested.size(), 1);
        const QString images = QDir(dir_.filePath(QStringLiteral("ds"))).filePath(QStringLiteral("images"));
        QCOMPARE(requested.front().front().toString(), images);
        QCOMPARE(gotCommand, QStringLiteral("predict"));
        QCOMPARE(gotOptions, (QStringList{QStringLiteral("--images"), images}));
        // The run centre is where the run will show: its tab is brought forward.
        auto* tabs = window_->findChild<QTabWidget*>(QStringLiteral("centralTabs"));
        QVERIFY(tabs);
        QCOMPARE(tabs->currentWidget(), static_cast<QWidget*>(window_->runCentre()));
        tabs->setCurrentIndex(0);
        window_->runCentre()->setLaunchPrompt({});
    }

    void badFoldersKeepThePreviousState() {
        DatasetBrowser* b = window_->datasetBrowser();
        const QString before = b->datasetDir();
        const int row = b->currentRow();
        QTemporaryDir bad;
        QFile f(bad.filePath(QStringLiteral("manifest.json")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"format\": \"synthforge-dataset\", \"version\": 1, \"width\": ");
        f.close();
        QVERIFY(!window_->openDataset(bad.path()));
        QVERIFY(window_->lastError().contains(QStringLiteral("manifest.json")));
        QCOMPARE(b->datasetDir(), before);
        QCOMPARE(b->sampleCount(), 3);
        QCOMPARE(b->currentRow(), row);

        QTemporaryDir empty;  // no manifest: not a dataset
        QVERIFY(!window_->openDataset(empty.path()));
        QVERIFY(window_->lastError().contains(QStringLiteral("not a SynthForge dataset")));
        QVERIFY(!window_->openDataset(empty.filePath(QStringLiteral("missing"))));
        QCOMPARE(b->datasetDir(), before);
        QVERIFY(b->shownSample());
    }

private:
    QTemporaryDir dir_;
    MainWindow* window_ = nullptr;
};

QTEST_MAIN(TestDatasetBrowser)
#include "test_dataset_browser.moc"
