#pragma once
// The studio's Coverage tab (docs/explore.md): what one dataset covers, or
// two side by side (ours against another of ours, or against a landmark
// benchmark), as `synthforge explore coverage` computes it
// (core/dataset/coverage.h): the yaw x pitch heat maps, the first two FLAME
// shape and expression coefficients scattered, class pixel shares, landmark
// visibility rates and face sizes as Qt Charts. Reading runs off the GUI
// thread with a progress bar and a Stop button; a new computation or
// closing the tab stops the old one.

#include <atomic>
#include <memory>
#include <vector>

#include <QFutureWatcher>
#include <QString>
#include <QWidget>

#include "core/dataset/coverage.h"

class QChart;
class QChartView;
class QDoubleSpinBox;
class QGridLayout;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTimer;

namespace synthforge::widgets {

class CoverageView : public QWidget {
    Q_OBJECT
public:
    explicit CoverageView(QWidget* parent = nullptr);
    ~CoverageView() override;

    /// The folders to compare; `second` may be empty. Our datasets and the
    /// 300-W, LaPa and CelebAMask-HQ layouts are read (folder_coverage.h).
    void setDatasets(const QString& first, const QString& second = QString());
    QString firstDataset() const;
    /// Starts reading; false, with the reason shown, when no first folder is
    /// set or a computation is running.
    bool compute();
    /// Asks the running computation to stop (it ends at its next progress report).
    void stop();
    bool busy() const { return watcher_.isRunning(); }
    /// The pose histogram's settings for the next computation: bin size and
    /// the yaw and pitch spans (±degrees), as `explore coverage --bin
    /// --yaw-range --pitch-range`.
    void setPoseBins(double binDeg, double yawRangeDeg, double pitchRangeDeg);

    /// The coverages shown (empty before the first success).
    const std::vector<dataset::Coverage>& coverages() const { return shown_; }
    /// The chart named "shape", "expression", "classes", "visibility" or
    /// "face_size" (a step histogram: per bin two points at its edges, in %).
    QChart* chart(const QString& name) const;
    /// The pose heat map of dataset i as shown.
    QImage poseMap(int i) const;
    QString status() const;

signals:
    /// A computation ended (shown, failed or stopped).
    void finished();

private:
    struct Result {
        std::vector<dataset::Coverage> coverages;
        dataset::CoverageOptions options;  ///< what they were computed with
        QString error;  ///< empty on success
        bool stopped = false;
    };
    void done();
    void show(const std::vector<dataset::Coverage>& all, const dataset::CoverageOptions& options);
    void showError(const QString& text);
    QChartView* addChart(const QString& name, int row, int col, int colSpan = 1);

    QLineEdit *first_, *second_;
    QPushButton *compute_, *stop_;
    QProgressBar* progress_;
    QDoubleSpinBox *bin_, *yawRange_, *pitchRange_;
    QLabel* status_;
    QLabel* poseMaps_[2] = {nullptr, nullptr};
    QLabel* poseCaptions_[2] = {nullptr, nullptr};
    QGridLayout* grid_;
    std::vector<QChartView*> charts_;
    QFutureWatcher<Result> watcher_;
    QTimer* poll_;
    // Shared with the worker: what it has read, and whether to stop.
    struct Shared {
        std::atomic<std::uint64_t> done{0}, total{0};
        std::atomic<bool> stop{false};
    };
    std::shared_ptr<Shared> shared_;
    std::vector<dataset::Coverage> shown_;
};

}  // namespace synthforge::widgets
