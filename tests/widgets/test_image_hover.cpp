// widgets/panels/image_hover.h: the fit transform matches how QLabel shows a
// KeepAspectRatio-scaled pixmap, the nearest landmark respects the distance
// and NaN points, and the pixel description names class, depth, landmark.

#include <cmath>
#include <limits>

#include <QTest>
#include <opencv2/core.hpp>

#include "widgets/panels/image_hover.h"

using namespace synthforge;
using namespace synthforge::widgets;

class TestImageHover : public QObject {
    Q_OBJECT
private slots:
    void fitCentresTheScaledImage() {
        const ImageFit wide = fitImage(QSize(64, 64), QSize(200, 100));  // limited by the height
        QCOMPARE(wide.scale, 100.0 / 64.0);
        QCOMPARE(wide.dx, 50.0);
        QCOMPARE(wide.dy, 0.0);
        const ImageFit tall = fitImage(QSize(100, 50), QSize(100, 300));
        QCOMPARE(tall.scale, 1.0);
        QCOMPARE(tall.dy, 125.0);
        // Round trip, and the image's far corner lands on the shown image's corner.
        const QPointF w(123.25, 77.5);
        QCOMPARE(wide.toWidget(wide.toImage(w)), w);
        QCOMPARE(wide.toWidget(QPointF(64, 64)), QPointF(150, 100));
        // Degenerate sizes give the identity, not a division by zero.
        QCOMPARE(fitImage(QSize(0, 0), QSize(10, 10)).scale, 1.0);
    }

    void nearestLandmarkWithinReach() {
        head::RowMatX2f lm(3, 2);
        lm << 10, 10, 20, 10, std::numeric_limits<float>::quiet_NaN(), 5;
        QCOMPARE(nearestLandmark(lm, QPointF(11, 10), 3), 0);
        QCOMPARE(nearestLandmark(lm, QPointF(16, 10), 5), 1);   // 4 from 1, 6 from 0
        QCOMPARE(nearestLandmark(lm, QPointF(15, 30), 5), -1);  // nothing within reach
        QCOMPARE(nearestLandmark(lm, QPointF(0, 5), 100), 0);   // the NaN point never matches
    }

    void describesClassDepthAndLandmark() {
        annotate::Annotations a;
        a.width = 4;
        a.height = 3;
        a.segmentation = cv::Mat(3, 4, CV_8UC1, cv::Scalar(annotate::kSkin));
        a.segmentation.at<std::uint8_t>(2, 3) = annotate::kNose;
        a.depth = cv::Mat(3, 4, CV_32FC1, cv::Scalar(2.5f));
        a.depth.at<float>(0, 0) = 0;
        a.landmarks2d.resize(2, 2);
        a.landmarks2d << 3.5f, 2.5f, 0.5f, 0.5f;
        a.landmarkVisible = {1, 0};
        const annotate::ClassTable& t = annotate::ClassTable::defaultTable();
        QCOMPARE(describePixel(a, &t, QPointF(3.9, 2.1), 0), QStringLiteral("x 3, y 2 · nose · depth 2.500 · landmark 0 (visible)"));
        QCOMPARE(describePixel(a, &t, QPointF(0.2, 0.7), 1), QStringLiteral("x 0, y 0 · skin · no surface · landmark 1 (occluded)"));
        QCOMPARE(describePixel(a, nullptr, QPointF(1, 1), -1), QStringLiteral("x 1, y 1 · class 1 · depth 2.500"));
        QVERIFY(describePixel(a, &t, QPointF(4.0, 1), -1).isEmpty());  // x = 4 is outside [0, 4)
        QVERIFY(describePixel(a, &t, QPointF(-0.1, 1), -1).isEmpty());
    }
};

QTEST_MAIN(TestImageHover)
#include "test_image_hover.moc"
