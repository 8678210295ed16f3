#pragma once
// The alignment view's run controls: samples, steps and the fit folder,
// Run and Stop, the command's progress, and its losses charted live as
// losses.csv grows (one line per loss, log scale, in the run centre's
// chart). A run that succeeds hands its folder on (fitReady) to be loaded.

#include <functional>

#include <QString>
#include <QWidget>

#include "widgets/align/align_run.h"

class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace synthforge::widgets {

class ScalarChartView;

class AlignRunPanel : public QWidget {
    Q_OBJECT
public:
    explicit AlignRunPanel(QWidget* parent = nullptr);

    /// What the command is run for: the scene's head and generator, read at Run.
    void setSource(std::function<AlignRunOptions()> source) { source_ = std::move(source); }
    AlignRun* run() const { return run_; }
    ScalarChartView* chart() const { return chart_; }
    QSpinBox* samplesBox() const { return samples_; }
    QSpinBox* stepsBox() const { return steps_; }
    QLineEdit* outDirEdit() const { return outDir_; }
    QPushButton* runButton() const { return runButton_; }
    QPushButton* stopButton() const { return stopButton_; }
    QLabel* statusLabel() const { return status_; }
    /// The options Run would use now.
    AlignRunOptions options() const;

public slots:
    /// Starts the command; false (and errorReported) when it cannot.
    bool startRun();
    void stopRun();

signals:
    void fitReady(const QString& dir);
    void errorReported(const QString& title, const QString& message);

private:
    void lossesAppended();
    void finished(bool ok, bool stopped, int exitCode, const QString& message);
    void browse();

    std::function<AlignRunOptions()> source_;
    AlignRun* run_;
    QSpinBox* samples_;
    QSpinBox* steps_;
    QLineEdit* outDir_;
    QPushButton* runButton_;
    QPushButton* stopButton_;
    QProgressBar* progress_;
    QLabel* status_;
    ScalarChartView* chart_;
};

}  // namespace synthforge::widgets
