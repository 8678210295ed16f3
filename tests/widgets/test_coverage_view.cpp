// The studio's Coverage tab: two generated datasets read off the GUI thread
// show as heat maps and charts holding exactly the numbers
// core/dataset/coverage.h computes (the core test recomputes those from the
// files); a folder that is no dataset is a message naming it, not a crash.
// A picture of the filled tab is saved for looking at.

#include <numeric>

#include <QBarSet>
#include <QChart>
#include <QDir>
#include <QHorizontalBarSeries>
#include <QLineSeries>
#include <QScatterSeries>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "core/dataset/coverage.h"
#include "tests/support/tiny_dataset.h"
#include "widgets/explore/coverage_view.h"

using namespace synthforge;
using namespace synthforge::widgets;

class TestCoverageView : public QObject {
    Q_OBJECT
private slots:
    void twoDatasetsShowTheirNumbers() {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const std::filesystem::path root = tmp.path().toStdString();
        const auto a = root / "ours_a", b = root / "ours_b";
        testutil::writeTinyDataset(a, 12, 1);
        testutil::writeTinyDataset(b, 7, 2);
        const dataset::Coverage ca = dataset::computeCoverage(a.string()), cb = dataset::computeCoverage(b.string());

        CoverageView view;
        view.resize(1300, 1400);
        view.setDatasets(QString::fromStdString(a.string()), QString::fromStdString(b.string()));
        QSignalSpy done(&view, &CoverageView::finished);
        QVERIFY(view.compute());
        QVERIFY(view.busy() || done.count() == 1);
        QVERIFY(done.count() == 1 || done.wait(60000));
        QCOMPARE(view.coverages().size(), std::size_t{2});
        QCOMPARE(view.coverages()[0].samples, std::uint64_t{12});
        QCOMPARE(view.coverages()[1].samples, std::uint64_t{7});
        QVERIFY(view.status().contains(QStringLiteral("ours_a: 12 samples")));

        // Heat maps: one per dataset, the pose bins' size.
        QCOMPARE(view.poseMap(0).width(), ca.yawBins * 14);
        QCOMPARE(view.poseMap(1).height(), cb.pitchBins * 14);

        // Shape scatter: each dataset's points, in order.
        const auto scatter = view.chart(QStringLiteral("shape"))->series();
        QCOMPARE(scatter.size(), 2);
        const auto* sa = qobject_cast<QScatterSeries*>(scatter[0]);
        QVERIFY(sa);
        QCOMPARE(sa->count(), 12);
        QCOMPARE(sa->at(3).x(), static_cast<double>(ca.shapeScatter[3][0]));
        QCOMPARE(sa->at(3).y(), static_cast<double>(ca.shapeScatter[3][1]));
        QCOMPARE(qobject_cast<QScatterSeries*>(view.chart(QStringLiteral("expression"))->series()[1])->count(), 7);

        // Class shares in per cent, for every class present in either set.
        const auto* bars = qobject_cast<QHorizontalBarSeries*>(view.chart(QStringLiteral("classes"))->series()[0]);
        QVERIFY(bars);
        const double totalA = static_cast<double>(std::accumulate(ca.classPixels.begin(), ca.classPixels.end(), std::uint64_t{0}));
        std::vector<double> sharesA;
        for (int k = 0; k < 256; ++k)
            if (ca.classPixels[k] > 0 || cb.classPixels[k] > 0) sharesA.push_back(100.0 * ca.classPixels[k] / totalA);
        QCOMPARE(bars->barSets()[0]->count(), static_cast<int>(sharesA.size()));
        QVERIFY(sharesA.size() >= 5);  // background, skin, brows, eyes, lips at least
        for (std::size_t j = 0; j < sharesA.size(); ++j) QCOMPARE(bars->barSets()[0]->at(static_cast<int>(j)), sharesA[j]);

        // Visibility: 68 landmarks, each rate from the counts.
        const auto* vis = qobject_cast<QLineSeries*>(view.chart(QStringLiteral("visibility"))->series()[0]);
        QCOMPARE(vis->count(), 68);
        QCOMPARE(vis->at(30).y(), 100.0 * ca.landmarkVisible[30] / ca.landmarkSamples);

        // Face sizes: a step histogram in per cent of the samples (each bin
        // drawn as the two points at its edges, between a start and an end at 0).
        const auto* sizes = qobject_cast<QLineSeries*>(view.chart(QStringLiteral("face_size"))->series()[1]);
        QVERIFY(sizes);
        QCOMPARE(sizes->count(), 2 * static_cast<int>(cb.faceSize.size()) + 2);
        double sum = 0;
        for (int j = 1; j + 1 < sizes->count(); j += 2) sum += sizes->at(j).y();
        QVERIFY(std::abs(sum - 100.0) < 1e-9);
        for (std::size_t b = 0; b < cb.faceSize.size(); ++b)
            QCOMPARE(sizes->at(static_cast<int>(2 * b + 1)).y(), 100.0 * cb.faceSize[b] / 7.0);

        // Other bins: the histogram the CLI's --bin 15 --yaw-range 60 would give.
        view.setPoseBins(15, 60, 60);
        QSignalSpy again(&view, &CoverageView::finished);
        QVERIFY(view.compute());
        QVERIFY(again.count() == 1 || again.wait(60000));
        dataset::CoverageOptions o;
        o.binDeg = 15;
        o.yawRangeDeg = o.pitchRangeDeg = 60;
        const dataset::Coverage c15 = dataset::computeCoverage(a.string(), o);
        QCOMPARE(view.coverages()[0].yawBins, 8);
        QCOMPARE(view.coverages()[0].yawPitch, c15.yawPitch);
        QCOMPARE(view.poseMap(0).width(), 8 * 14);
        view.setPoseBins(10, 90, 60);
        QVERIFY(view.compute());
        QVERIFY(again.wait(60000));

        // Looked at: the tab as the user sees it (after the charts' layout,
        // which Qt Charts does on the next pass of the event loop).
        QTest::qWait(100);
        view.grab().save(QDir(QStringLiteral(SYNTHFORGE_WIDGET_TEST_OUT)).filePath(QStringLiteral("coverage_view.png")));
    }

    void aFolderThatIsNoDatasetIsAMessage() {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        CoverageView view;
        QVERIFY(!view.compute());  // nothing picked yet
        QVERIFY(view.status().contains(QStringLiteral("Pick")));
        const QString empty = tmp.filePath(QStringLiteral("empty"));
        QDir().mkpath(empty);
        view.setDatasets(empty);
        QSignalSpy done(&view, &CoverageView::finished);
        QVERIFY(view.compute());
        QVERIFY(done.count() == 1 || done.wait(30000));
        QVERIFY(view.coverages().empty());
        QVERIFY2(view.status().contains(QStringLiteral("empty")), qPrintable(view.status()));
        QVERIFY2(view.status().contains(QStringLiteral("not a dataset in a known format")), qPrintable(view.status()));
    }
};

QTEST_MAIN(TestCoverageView)
#include "test_coverage_view.moc"
