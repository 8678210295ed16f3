// The explorer's interpolation strip: A and B from the current scene, N
// frames rendered off the GUI thread, the ends equal to A and B and the
// middle in between; a click loads a frame as the scene and undo restores
// it; frames export as scene files; mismatched ends are a message. A
// picture is saved for looking at.

#include <QDir>
#include <QFileInfo>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/videoio.hpp>
#include <QLabel>
#include <QSignalSpy>
#include <QTest>
#include <QUndoStack>

#include "core/head/default_head/model_source.h"
#include "core/scene/scene.h"
#include "widgets/explore/interp_strip.h"
#include "widgets/panels/scene_document.h"

using namespace synthforge;
using namespace synthforge::widgets;

class TestInterpStrip : public QObject {
    Q_OBJECT
private slots:
    void rendersLoadsUndoesAndExports() {
        SceneDocument doc;
        scene::Scene a;
        a.camera.yaw = 0.5f;
        a.zSeed = 1;
        doc.reset(a, std::make_shared<head::HeadModel>(head::loadHeadModel("default")));
        InterpStrip strip(&doc);
        strip.resize(900, 260);
        QVERIFY(!strip.render());  // no ends yet
        QVERIFY(strip.status().contains(QStringLiteral("A and B")));
        strip.setEnd(true);
        scene::Scene b = doc.scene();
        b.camera.yaw = -0.5f;
        b.zSeed = 7;
        b.params.expr[0] = 2.0f;
        doc.apply(b, QStringLiteral("edit"));
        strip.setEnd(false);
        strip.setFrames(5);
        QSignalSpy done(&strip, &InterpStrip::finished);
        QVERIFY(strip.render());
        QVERIFY(done.wait(60000));
        QCOMPARE(strip.frameCount(), 5);
        QCOMPARE(strip.filled(), 5);
        QCOMPARE(strip.frameScene(0).camera.yaw, 0.5f);
        QCOMPARE(strip.frameScene(4).camera.yaw, -0.5f);
        QCOMPARE(strip.frameScene(2).camera.yaw, 0.0f);
        QCOMPARE(strip.frameScene(2).params.expr[0], 1.0f);
        QVERIFY(!qobject_cast<QLabel*>(strip.frameWidget(3))->pixmap().isNull());
        strip.grab().save(QDir(QStringLiteral(SYNTHFORGE_WIDGET_TEST_OUT)).filePath(QStringLiteral("interp_strip.png")));

        const scene::Scene before = doc.scene();
        const int steps = doc.undoStack()->count();
        QTest::mouseClick(strip.frameWidget(2), Qt::LeftButton);
        QCOMPARE(doc.undoStack()->count(), steps + 1);
        QCOMPARE(doc.scene().camera.yaw, 0.0f);
        doc.undoStack()->undo();
        QVERIFY(doc.scene() == before);

        const QString dir = QDir::temp().filePath(QStringLiteral("synthforge_interp_export"));
        QDir(dir).removeRecursively();
        QDir().mkpath(dir);
        QCOMPARE(strip.exportFrames(dir), 5);
        const scene::Scene back = scene::loadScene(QDir(dir).filePath(QStringLiteral("frame_0004.scene.json")).toStdString());
        QVERIFY(back == strip.frameScene(4));

        // Full-size images with their annotations and a video of the frames.
        const QString video = QDir(dir).filePath(QStringLiteral("interpolation.mp4"));
        strip.exportImages(dir, video);
        for (int k = 0; k < 5; ++k) {
            const QString stem = QDir(dir).filePath(QStringLiteral("frame_%1").arg(k, 4, 10, QLatin1Char('0')));
            const cv::Mat img = cv::imread((stem + QStringLiteral(".png")).toStdString());
            QCOMPARE(img.cols, strip.frameScene(k).width);
            QVERIFY(QFileInfo::exists(stem + QStringLiteral(".json")));
        }
        // The last frame's annotation opens as the last frame's scene.
        const scene::Scene last = scene::loadScene(QDir(dir).filePath(QStringLiteral("frame_0004.json")).toStdString());
        QCOMPARE(last.camera.yaw, strip.frameScene(4).camera.yaw);
        cv::VideoCapture cap(video.toStdString(), cv::CAP_FFMPEG);
        int decoded = 0;
        cv::Mat f;
        while (cap.read(f)) ++decoded;
        QCOMPARE(decoded, 5);
        QDir(dir).removeRecursively();

        // Ends that cannot be interpolated (another image size) are a message.
        scene::Scene other = doc.scene();
        other.width = 256;
        doc.apply(other, QStringLiteral("size"));
        strip.setEnd(false);
        QVERIFY(!strip.render());
        QVERIFY(!strip.status().isEmpty());
    }
};

QTEST_MAIN(TestInterpStrip)
#include "test_interp_strip.moc"
