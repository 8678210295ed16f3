// The run centre's Verification view: fr_eval.json of the selected runs as
// a results table (runs sharing a name averaged), the first run's ROC plot,
// and a bad file named while the others still show. A picture is saved for
// looking at.

#include <QDir>
#include <QFile>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

#include <opencv2/imgcodecs.hpp>

#include "core/eval/roc_plot.h"
#include "widgets/runs/verification_view.h"

using namespace synthforge;
using namespace synthforge::widgets;

namespace {
void writeEval(const QString& dir, double lfw, double cfp) {
    QDir().mkpath(dir);
    QFile f(QDir(dir).filePath(QStringLiteral("fr_eval.json")));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QStringLiteral(R"({"format": "synthforge-fr-eval", "version": 1, "benchmarks": [
        {"name": "lfw", "accuracy": {"mean": %1, "std": 0.01}}, {"name": "cfp_fp", "accuracy": {"mean": %2, "std": 0.02}}]})")
                .arg(lfw)
                .arg(cfp)
                .toUtf8());
}
}  // namespace

class TestVerificationView : public QObject {
    Q_OBJECT
private slots:
    void showsTheTableTheRocAndNamesABadFile() {
        QTemporaryDir tmp;
        const QString a = tmp.filePath(QStringLiteral("synthetic_a")), b = tmp.filePath(QStringLiteral("transferred"));
        writeEval(a, 0.9, 0.7);
        writeEval(b, 0.95, 0.8);
        const std::vector<eval::RocPoint> roc{{0.1, 1e-3, 0.4}, {0.5, 1e-2, 0.7}, {1.0, 1e-1, 0.9}, {4.0, 1.0, 1.0}};
        cv::imwrite(QDir(a).filePath(QStringLiteral("roc.png")).toStdString(), eval::rocPlot({{"lfw", roc}}));
        const QString bad = tmp.filePath(QStringLiteral("broken"));
        QDir().mkpath(bad);
        QFile f(QDir(bad).filePath(QStringLiteral("fr_eval.json")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"format\": \"synthforge-fr-eval\", \"vers");
        f.close();

        VerificationView view;
        view.resize(760, 760);
        view.setRuns({a, b, bad});
        QCOMPARE(view.table()->rowCount(), 2);
        QCOMPARE(view.table()->columnCount(), 2);
        QCOMPARE(view.table()->verticalHeaderItem(0)->text(), QStringLiteral("synthetic_a"));
        QCOMPARE(view.table()->horizontalHeaderItem(1)->text(), QStringLiteral("cfp_fp"));
        QCOMPARE(view.table()->item(0, 0)->text(), QStringLiteral("0.9000"));
        QCOMPARE(view.table()->item(1, 1)->text(), QStringLiteral("0.8000"));
        QVERIFY(view.errorText().contains(QStringLiteral("broken/fr_eval.json")));
        QVERIFY(view.showsRoc());
        view.grab().save(QDir(QStringLiteral(SYNTHFORGE_WIDGET_TEST_OUT)).filePath(QStringLiteral("verification_view.png")));

        // Nothing selected: an empty table, no plot, no error.
        view.setRuns({});
        QCOMPARE(view.table()->rowCount(), 0);
        QVERIFY(!view.showsRoc());
        QVERIFY(view.errorText().isEmpty());
    }
};

QTEST_MAIN(TestVerificationView)
#include "test_verification_view.moc"
