// The run images view on event files written here with io::TensorBoardWriter
// (pictures whose colour encodes their step): tags, the slider's steps and
// snapping, the picture at a step (pixels), two runs at the nearest step at
// or before the chosen one, reload of a growing run with the decode cache,
// and a cut or corrupt file: what was read, plus a warning naming the file.
// With SYNTHFORGE_RUN_IMAGES_SCREENSHOT set, two runs compared are saved there.

#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QSignalSpy>
#include <QSlider>
#include <QTemporaryDir>
#include <QTest>

#include <opencv2/imgproc.hpp>

#include "core/io/tensorboard_writer.h"
#include "widgets/runs/run_images_view.h"

using namespace synthforge;
using namespace synthforge::widgets;

namespace {

constexpr double kStart = 1.7e9;  // wall times: 2023-11-14, one minute per 100 steps

/// The colour of a picture at `step` (RGB), distinct for the steps used here.
QColor stepColour(qint64 step, int run) {
    return QColor(static_cast<int>((step * 37) % 200) + 40, run == 0 ? 60 : 200,
                  static_cast<int>((step / 50) * 20) % 250);
}

/// A 96x64 "prediction grid": the step's colour with a white band on the
/// right (so a mirrored or rotated picture would fail the pixel checks), 2x3
/// tiles outlined, and the step written in it for screenshots.
cv::Mat picture(qint64 step, int run) {
    const QColor c = stepColour(step, run);
    cv::Mat m(64, 96, CV_8UC3, cv::Scalar(c.blue(), c.green(), c.red()));
    m.colRange(80, 96).setTo(cv::Scalar(255, 255, 255));
    for (int r = 0; r < 2; ++r)
        for (int col = 0; col < 3; ++col)
            cv::rectangle(m, cv::Rect(col * 26 + 2, r * 31 + 1, 24, 29), cv::Scalar(30, 30, 30), 1);
    cv::putText(m, std::to_string(step), cv::Point(6, 38), cv::FONT_HERSHEY_PLAIN, 0.9, cv::Scalar(255, 255, 255), 1);
    return m;
}

/// A run folder with "val/predictions" at `steps` and "train/inputs" every other one.
QString writeRun(const QString& dir, const std::vector<qint64>& steps, int run) {
    QDir().mkpath(dir);
    io::TensorBoardWriter tb(dir.toStdString());
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const double t = kStart + 0.6 * static_cast<double>(steps[i]);
        tb.addScalar("loss/total", 1.0 / (1 + steps[i]), steps[i], t);
        tb.addImage("val/predictions", picture(steps[i], run), steps[i], t);
        if (i % 2 == 0) tb.addImage("train/inputs", picture(steps[i] + 1, run), steps[i], t);
    }
    return QString::fromStdString(tb.path());
}

bool sameColour(const QColor& a, const QColor& b, int tolerance = 0) {
    return std::abs(a.red() - b.red()) <= tolerance && std::abs(a.green() - b.green()) <= tolerance &&
           std::abs(a.blue() - b.blue()) <= tolerance;
}

QString wallText(qint64 step) {
    return QDateTime::fromMSecsSinceEpoch(static_cast<qint64>((kStart + 0.6 * step) * 1000))
        .toString("yyyy-MM-dd HH:mm:ss");
}

}  // namespace

/// setRuns() and reload() read in the background: wait for the result.
static bool waitLoaded(synthforge::widgets::RunImagesView& view) {
    QSignalSpy spy(&view, &synthforge::widgets::RunImagesView::loaded);
    return spy.wait(10000);
}

class TestRunImagesView : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        runA_ = dir_.filePath("small");
        runB_ = dir_.filePath("large");
        writeRun(runA_, {0, 100, 200, 300}, 0);
        writeRun(runA_, {400, 500}, 0);  // a second file, as a resumed run writes
        writeRun(runB_, {50, 150, 250}, 1);
    }

    void oneRunStepsAndPixels() {
        RunImagesView view;
        view.resize(900, 600);
        view.setRuns(runA_);
        QVERIFY(waitLoaded(view));
        QCOMPARE(view.runCount(), 1);
        QCOMPARE(view.tags(), (QStringList{"train/inputs", "val/predictions"}));
        QCOMPARE(view.currentTag(), QStringLiteral("val/predictions"));
        QCOMPARE(view.steps(), (QVector<qint64>{0, 100, 200, 300, 400, 500}));
        QCOMPARE(view.stepSlider()->maximum(), 5);
        QCOMPARE(view.currentStep(), 500);  // starts at the newest
        QVERIFY(view.warningText().isEmpty());

        view.setCurrentStep(250);  // snaps down to an existing step
        QCOMPARE(view.currentStep(), 200);
        QCOMPARE(view.stepSlider()->value(), 2);
        QCOMPARE(view.stepText(), QStringLiteral("step 200 (3 of 6)  %1").arg(wallText(200)));
        QImage shown = view.shownImage(0);
        QCOMPARE(shown.size(), QSize(96, 64));
        QVERIFY(sameColour(shown.pixelColor(10, 5), stepColour(200, 0)));
        QVERIFY(sameColour(shown.pixelColor(90, 40), Qt::white));
        QCOMPARE(view.shownStep(0), 200);

        // The slider moves by its stops; a stop is a step.
        QSignalSpy shownSteps(&view, &RunImagesView::stepShown);
        view.stepSlider()->setValue(4);
        QCOMPARE(view.currentStep(), 400);
        QCOMPARE(shownSteps.size(), 1);
        QCOMPARE(shownSteps.front().front().toLongLong(), 400);
        QVERIFY(sameColour(view.shownImage(0).pixelColor(10, 5), stepColour(400, 0)));
        view.setCurrentStep(-5);
        QCOMPARE(view.currentStep(), 0);

        // The other tag: its own steps, the step kept where it exists.
        view.setCurrentStep(200);
        QVERIFY(view.setCurrentTag("train/inputs"));
        QCOMPARE(view.steps(), (QVector<qint64>{0, 200, 400}));
        QCOMPARE(view.currentStep(), 200);
        QVERIFY(sameColour(view.shownImage(0).pixelColor(10, 5), stepColour(201, 0)));
        QVERIFY(!view.setCurrentTag("no/such"));

        // What is on screen: the picture scaled to fit, keeping its aspect.
        view.setCurrentTag("val/predictions");
        view.setCurrentStep(300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QWidget* pane = view.imagePane(0);
        const QImage grabbed = pane->grab().toImage();
        const QPoint centre(pane->width() / 2, pane->height() / 2);
        QVERIFY2(sameColour(grabbed.pixelColor(centre - QPoint(pane->width() / 8, 0)), stepColour(300, 0), 2),
                 qPrintable(grabbed.pixelColor(centre).name()));
        // A 3:2 picture in a wider pane: centred, its extent on screen 3:2.
        QVERIFY(pane->width() > pane->height() * 3 / 2);
        const QColor backdrop = grabbed.pixelColor(1, pane->height() - 2);
        int left = 0, right = pane->width() - 1, top = 0, bottom = pane->height() - 1;
        while (left < right && grabbed.pixelColor(left, centre.y()) == backdrop) ++left;
        while (right > left && grabbed.pixelColor(right, centre.y()) == backdrop) --right;
        while (top < bottom && grabbed.pixelColor(left + 3, top) != grabbed.pixelColor(left + 3, centre.y())) ++top;
        while (bottom > top && grabbed.pixelColor(left + 3, bottom) == backdrop) --bottom;
        const double shownWidth = right - left + 1, shownHeight = bottom - top + 1;
        QVERIFY2(std::abs(shownWidth / shownHeight - 1.5) < 0.02,
                 qPrintable(QString("%1 x %2").arg(shownWidth).arg(shownHeight)));
        QVERIFY(std::abs((left + right) / 2 - centre.x()) <= 2);
        QVERIFY(sameColour(grabbed.pixelColor(right - 2, centre.y()), Qt::white, 2));  // the band is on the right
    }

    void twoRunsAtTheNearestEarlierStep() {
        RunImagesView view;
        view.setRuns(runA_, runB_);
        QVERIFY(waitLoaded(view));
        QCOMPARE(view.runCount(), 2);
        QCOMPARE(view.steps(), (QVector<qint64>{0, 50, 100, 150, 200, 250, 300, 400, 500}));
        view.setCurrentStep(100);
        QCOMPARE(view.shownStep(0), 100);
        QCOMPARE(view.shownStep(1), 50);
        QVERIFY(sameColour(view.shownImage(1).pixelColor(10, 5), stepColour(50, 1)));
        view.setCurrentStep(500);
        QCOMPARE(view.shownStep(1), 250);
        view.setCurrentStep(0);
        QCOMPARE(view.shownStep(1), -1);  // B starts at 50
        QVERIFY(view.shownImage(1).isNull());
        QVERIFY(view.imagePane(1)->isVisibleTo(&view));
        // B has no "train/inputs" at or before... it has them at 50 and 250.
        view.setCurrentTag("train/inputs");
        view.setCurrentStep(260);
        QCOMPARE(view.shownStep(0), 200);
        QCOMPARE(view.shownStep(1), 250);
    }

    void reloadFollowsALiveRunAndKeepsDecodedPictures() {
        QTemporaryDir live;
        const QString run = live.filePath("live");
        QDir().mkpath(run);
        io::TensorBoardWriter tb(run.toStdString());
        for (qint64 s : {10, 20, 30}) tb.addImage("val/predictions", picture(s, 0), s, kStart + s);
        tb.flush();
        RunImagesView view;
        view.setRuns(run);
        QVERIFY(waitLoaded(view));
        QCOMPARE(view.steps(), (QVector<qint64>{10, 20, 30}));
        QCOMPARE(view.currentStep(), 30);
        view.setCurrentStep(10);
        view.setCurrentStep(20);
        view.setCurrentStep(30);
        const int decoded = view.decodedImages();
        QCOMPARE(decoded, 3);

        tb.addImage("val/predictions", picture(40, 0), 40, kStart + 40);
        tb.flush();
        view.reload();  // at the last step: follows the new one
        QVERIFY(waitLoaded(view));
        QCOMPARE(view.steps(), (QVector<qint64>{10, 20, 30, 40}));
        QCOMPARE(view.currentStep(), 40);
        QCOMPARE(view.decodedImages(), decoded + 1);
        view.setCurrentStep(20);  // decoded before the reload: from the cache
        view.setCurrentStep(10);
        QCOMPARE(view.decodedImages(), decoded + 1);
        QVERIFY(sameColour(view.shownImage(0).pixelColor(10, 5), stepColour(10, 0)));

        tb.addImage("val/predictions", picture(50, 0), 50, kStart + 50);
        tb.flush();
        view.reload();  // not at the end: stays at step 10
        QVERIFY(waitLoaded(view));
        QCOMPARE(view.currentStep(), 10);
        QCOMPARE(view.steps().size(), 4 + 1);
    }

    void cutAndCorruptFilesShowWhatWasRead() {
        QTemporaryDir tmp;
        const QString run = tmp.filePath("damaged");
        const QString path = writeRun(run, {0, 100, 200, 300}, 0);
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadWrite));
        const QByteArray whole = f.readAll();
        // Cut into the last record (the "train/inputs"-less step 300 is the last).
        QVERIFY(f.resize(whole.size() - 20));
        f.close();
        RunImagesView view;
        view.setRuns(run);
        QVERIFY(waitLoaded(view));
        QCOMPARE(view.steps(), (QVector<qint64>{0, 100, 200}));
        const QString name = "damaged/" + QFileInfo(path).fileName();
        QVERIFY2(view.warningText().startsWith(name + ": the last "), qPrintable(view.warningText()));
        QVERIFY(view.warningText().contains("not a complete record"));
        bool bannerShown = false;  // the warning is on screen, not only in warningText()
        for (QLabel* label : view.findChildren<QLabel*>())
            bannerShown = bannerShown || (label->text() == view.warningText() && label->isVisibleTo(&view));
        QVERIFY(bannerShown);

        // A flipped byte inside the picture of step 200: steps 0 and 100 remain.
        QByteArray corrupt = whole;
        const QByteArray marker = QByteArray("val/predictions");
        int at = -1;
        for (int k = 0; k < 3; ++k) at = corrupt.indexOf(marker, at + 1);  // the third picture (step 200)
        QVERIFY(at > 0);
        corrupt[at + 60] = static_cast<char>(corrupt[at + 60] ^ 0x5a);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        QCOMPARE(f.write(corrupt), corrupt.size());
        f.close();
        // reload() follows appends, as TensorBoard does; a file rewritten in
        // place is read afresh when the view is pointed at it again.
        view.setRuns(run);
        QVERIFY(waitLoaded(view));
        QCOMPARE(view.steps(), (QVector<qint64>{0, 100}));
        QVERIFY2(view.warningText().startsWith(name + ": unreadable from offset "), qPrintable(view.warningText()));
        QVERIFY(view.warningText().contains("CRC mismatch"));
        // val/predictions at 0 and 100, train/inputs at 0.
        QVERIFY(view.warningText().endsWith("showing the 3 images before it"));
        QVERIFY(sameColour(view.shownImage(0).pixelColor(10, 5), stepColour(100, 0)));

        // No event files at all; a folder that does not exist.
        const QString empty = tmp.filePath("empty");
        QDir().mkpath(empty);
        view.setRuns(empty, tmp.filePath("missing"));
        QVERIFY(waitLoaded(view));
        QVERIFY(view.steps().isEmpty());
        QCOMPARE(view.currentStep(), -1);
        QVERIFY(view.warningText().contains("empty: no event files"));
        QVERIFY(view.warningText().contains("missing: no such folder"));
        QVERIFY(view.shownImage(0).isNull());
    }

    void screenshot() {
        QTemporaryDir tmp;
        QString out = qEnvironmentVariable("SYNTHFORGE_RUN_IMAGES_SCREENSHOT");
        if (out.isEmpty()) out = tmp.filePath("run_images.png");
        RunImagesView view;
        view.resize(1200, 560);
        view.setRuns(runA_, runB_);
        QVERIFY(waitLoaded(view));
        view.setCurrentStep(200);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QTest::qWait(50);
        QVERIFY(view.grab().save(out));
        QCOMPARE(QImage(out).size(), QSize(1200, 560));
    }

private:
    QTemporaryDir dir_;
    QString runA_, runB_;
};

QTEST_MAIN(TestRunImagesView)
#include "test_run_images_view.moc"
