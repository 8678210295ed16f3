// The Compare tab on a tiny dataset and a planted "translation" of it (the
// images inverted, the manifest given a transfer record, a transfer eval
// report marking one sample as drifted): the split shows the source left
// and the translation right, pixel for pixel; the drifted sample is marked
// and its figures captioned; a folder that is not a translation is refused
// and what was open stays.

#include <QDir>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/dataset/image_files.h"
#include "core/dataset/sample_paths.h"
#include "core/generate/dataset_writer.h"
#include "core/io/file_util.h"
#include "core/scene/scene_pipeline.h"
#include "widgets/dataset/translation_compare.h"

using namespace synthforge;
using namespace synthforge::widgets;
namespace fs = std::filesystem;

class TestTranslationCompare : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(dir_.isValid());
        src_ = dir_.filePath(QStringLiteral("src")).toStdString();
        out_ = dir_.filePath(QStringLiteral("translated")).toStdString();
        const generate::SamplePipeline p = scene::buildScenePipeline("default", "procedural", 64, 64);
        generate::DatasetOptions o;
        o.outDir = src_;
        o.count = 3;
        o.seed = 6;
        o.workers = 1;
        o.headSource = "default";
        QCOMPARE(generate::writeDataset(p, o).written, 3u);
        fs::copy(src_, out_, fs::copy_options::recursive);
        for (const std::string& n : dataset::listCompleteSamples(out_)) {
            const std::string path = dataset::samplePaths(out_, n).image;
            cv::Mat img = dataset::readBgrImage(path);
            cv::imwrite(path, cv::Scalar(255, 255, 255) - img);
        }
        nlohmann::ordered_json m = nlohmann::ordered_json::parse(io::readFileText(out_ + "/manifest.json"));
        m["transfer"] = {{"source", src_}, {"method", "cyclegan"}};
        io::writeFileAtomic(out_ + "/manifest.json", m.dump(2) + "\n");
        // Sample 1's predicted landmarks: 34 points at (10, 20), left of a
        // middle divider, and 34 at (50, 40), right of it.
        std::string predicted;
        for (int j = 0; j < 68; ++j) predicted += std::string(j ? ", " : "") + (j < 34 ? "10, 20" : "50, 40");
        io::writeFileAtomic(out_ + "/transfer_eval.json", R"({"format": "synthforge-transfer-eval", "version": 1,
          "structure": {"samples": 3, "nme": {"source": 0.05, "translated": 0.07}, "max_nme_increase": 0.05,
                        "drifted": ["000001"],
                        "per_sample": [{"name": "000000", "nme_increase": 0.001},
                                       {"name": "000001", "nme_increase": 0.09, "translated_landmarks": [)" + predicted + R"(]},
                                       {"name": "000002", "nme_increase": -0.002}]},
          "identity": {"source_to_translated": 0.81, "same_identity": null, "different_identity": 0.42,
                       "per_sample": [{"name": "000001", "cosine": 0.64}]}})");
    }

    void composesSourceLeftAndTranslationRight() {
        const cv::Mat a(4, 8, CV_8UC3, cv::Scalar(10, 20, 30)), b(4, 8, CV_8UC3, cv::Scalar(200, 100, 50));
        const cv::Mat quarter = composeBeforeAfter(a, b, 0.25);  // split at column 2
        QCOMPARE(quarter.at<cv::Vec3b>(0, 0), cv::Vec3b(10, 20, 30));
        QCOMPARE(quarter.at<cv::Vec3b>(3, 1), cv::Vec3b(235, 235, 235));  // the divider, one column each side
        QCOMPARE(quarter.at<cv::Vec3b>(3, 2), cv::Vec3b(235, 235, 235));
        QCOMPARE(quarter.at<cv::Vec3b>(2, 3), cv::Vec3b(200, 100, 50));
        QCOMPARE(cv::norm(composeBeforeAfter(a, b, 1.0), a, cv::NORM_INF), 0.0);  // no divider at the ends
        QCOMPARE(cv::norm(composeBeforeAfter(a, b, -3.0), b, cv::NORM_INF), 0.0);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, composeBeforeAfter(a, cv::Mat(4, 7, CV_8UC3), 0.5));
    }

    void opensATranslationWithItsSourceAndReport() {
        TranslationCompare view;
        QVERIFY(view.openTranslation(QString::fromStdString(out_)));
        QCOMPARE(view.sourceDir(), QString::fromStdString(src_));
        QCOMPARE(view.sampleCount(), 3);
        QVERIFY(view.hasReport());
        QVERIFY(view.itemText(1).contains(QStringLiteral("ΔNME +0.090")));
        QVERIFY(view.itemText(1).contains(QStringLiteral("drifted")));
        QVERIFY(!view.itemText(2).contains(QStringLiteral("drifted")));
        QVERIFY(view.itemText(2).contains(QStringLiteral("-0.002")));
        view.setCurrentRow(1);
        QCOMPARE(view.currentRow(), 1);
        QVERIFY(view.caption().contains(QStringLiteral("NME change +0.090")));
        QVERIFY(view.caption().contains(QStringLiteral("Identity cosine source–translation 0.640 here, 0.810 over all samples")));
        view.setCurrentRow(0);  // no per-sample figure for it in the report
        QVERIFY(view.caption().contains(QStringLiteral("Identity cosine source–translation 0.810 over all samples")));
        view.setCurrentRow(1);
        // Without landmarks, the ends of the split are the two images exactly.
        view.setLandmarksShown(false);
        view.setPredictedShown(false);
        view.setSplit(1.0);
        // 64-pixel renders are shown six times enlarged, pixel for pixel.
        QCOMPARE(view.displayScale(), 6);
        cv::Mat source = dataset::readBgrImage(dataset::samplePaths(src_, "000001").image);
        cv::Mat translated = dataset::readBgrImage(dataset::samplePaths(out_, "000001").image);
        cv::resize(source, source, {}, 6, 6, cv::INTER_NEAREST);
        cv::resize(translated, translated, {}, 6, 6, cv::INTER_NEAREST);
        QCOMPARE(cv::norm(view.composed(), source, cv::NORM_INF), 0.0);
        view.setSplit(0.0);
        QCOMPARE(cv::norm(view.composed(), translated, cv::NORM_INF), 0.0);
        // The predicted landmarks: magenta crosses on the translated half only.
        view.setSplit(0.5);
        view.setPredictedShown(true);
        QVERIFY(view.predictedLandmarks() && view.predictedLandmarks()->size() == 136);
        QVERIFY(view.caption().contains(QStringLiteral("Crosses")));
        const auto magenta = [](const cv::Mat& m, int x0, int x1) {
            int n = 0;
            for (int y = 0; y < m.rows; ++y)
                for (int x = x0; x < x1; ++x) {
                    const cv::Vec3b p = m.at<cv::Vec3b>(y, x);
                    n += p[0] > 200 && p[1] < 80 && p[2] > 200;
                }
            return n;
        };
        const cv::Mat shown = view.composed();
        QCOMPARE(magenta(shown, 0, shown.cols / 2 - 2), 0);
        QVERIFY(magenta(shown, shown.cols / 2 + 2, shown.cols) > 5);
        // Landmarks are drawn over both halves.
        view.setPredictedShown(false);
        view.setLandmarksShown(true);
        QVERIFY(cv::norm(view.composed(), composeBeforeAfter(source, translated, 0.5), cv::NORM_INF) > 0);
    }

    void refusesWhatIsNotATranslationAndKeepsWhatWasOpen() {
        TranslationCompare view;
        QVERIFY(view.openTranslation(QString::fromStdString(out_)));
        QSignalSpy errors(&view, &TranslationCompare::errorReported);
        QVERIFY(!view.openTranslation(QString::fromStdString(src_)));  // a dataset, but not a translation
        QCOMPARE(errors.count(), 1);
        QVERIFY(errors.at(0).at(1).toString().contains(QStringLiteral("transfer.source")));
        QVERIFY(!view.openTranslation(dir_.filePath(QStringLiteral("nothing"))));
        QCOMPARE(errors.count(), 2);
        QCOMPARE(view.translatedDir(), QString::fromStdString(out_));
        QCOMPARE(view.sampleCount(), 3);
    }

    void screenshot() {
        TranslationCompare view;
        view.resize(900, 560);
        QVERIFY(view.openTranslation(QString::fromStdString(out_)));
        view.setCurrentRow(1);
        view.setSplit(0.45);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QVERIFY(view.grab().save(QDir(QStringLiteral(SYNTHFORGE_WIDGET_TEST_OUT)).filePath(QStringLiteral("translation_compare.png"))));
    }

private:
    QTemporaryDir dir_;
    std::string src_, out_;
};

QTEST_MAIN(TestTranslationCompare)
#include "test_translation_compare.moc"
