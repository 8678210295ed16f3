#pragma once
// The run centre's image view: the images that training runs write to their
// TensorBoard event files (the prediction grids, core/io/tensorboard_writer.h),
// for one run or two side by side. A tag combo picks the image series, a
// step slider moves over the steps that exist (it snaps to them), the label
// beside it shows the step and its wall time, and each run's picture is
// scaled to fit, keeping its aspect. With two runs each shows its image at
// the nearest step at or before the chosen one (runs log at different steps).
//
// Every events.out.tfevents.* file in a run's folder is read, incomplete
// last records allowed (a live run may be writing one). A file that is cut
// short or has a corrupt record still shows the images before the damage,
// and a warning above the pictures names the file. reload() re-reads the
// files for a live run; decoded pictures are kept in a cache keyed by
// (file, tag, step), so a reload decodes only what it has not seen.

#include <QCache>
#include <QImage>
#include <QMap>
#include <QString>
#include <QStringList>
#include <QVector>
#include <QWidget>

class QComboBox;
class QLabel;
class QSlider;

namespace synthforge::widgets {

class RunImagesView : public QWidget {
    Q_OBJECT
public:
    explicit RunImagesView(QWidget* parent = nullptr);
    ~RunImagesView() override;

    /// Shows the images of `runA`, or of `runA` and `runB` side by side
    /// (runB empty for one run). Reads their event files now.
    void setRuns(const QString& runA, const QString& runB = {});
    /// Re-reads the runs' event files, keeping the tag and the step; when
    /// the slider was at the last step it moves on to the newest one.
    void reload();

    int runCount() const { return runs_.size(); }
    /// Image tags of all runs, sorted.
    QStringList tags() const;
    QString currentTag() const;
    /// Picks an image series; false when no run has `tag`.
    bool setCurrentTag(const QString& tag);
    /// The steps of the current tag over all runs, ascending: the slider's stops.
    QVector<qint64> steps() const { return steps_; }
    /// The chosen step (-1 when there is none).
    qint64 currentStep() const;
    /// Moves the slider to the last step at or before `step` (the first
    /// step when all come after it).
    void setCurrentStep(qint64 step);

    /// The step and the decoded picture run k shows (-1 and a null image
    /// when it has none at or before the chosen step).
    qint64 shownStep(int run) const;
    QImage shownImage(int run) const;
    /// The warnings about the runs' files ("" when all read completely).
    QString warningText() const;
    /// The label beside the slider.
    QString stepText() const;

    QComboBox* tagCombo() const { return tagCombo_; }
    QSlider* stepSlider() const { return slider_; }
    /// The widget drawing run k's picture (for tests and screenshots).
    QWidget* imagePane(int run) const;
    /// Pictures decoded so far (cache misses), for tests of the cache.
    int decodedImages() const { return decoded_; }

signals:
    /// The chosen step changed (also on reload and on a tag change).
    void stepShown(qint64 step);

private:
    struct Entry {
        QString file;  ///< the event file, for the cache key
        double wallTime = 0;
        QByteArray encoded;  ///< PNG bytes as the event file holds them
    };
    struct Run {
        QString dir;
        QString name;
        QMap<QString, QMap<qint64, Entry>> images;  ///< tag -> step -> picture
    };

    void readRuns();
    void readRun(Run& run);
    void fillTags();
    void fillSteps(qint64 keep, bool followLast);
    void showStep();
    /// The entry run k shows at `step` for the current tag, or null.
    const Entry* entryAt(int k, qint64 step, qint64* at) const;
    QImage decode(const Entry& e, const QString& tag, qint64 step) const;

    QVector<Run> runs_;
    QVector<qint64> steps_;
    QStringList warnings_;
    QComboBox* tagCombo_ = nullptr;
    QSlider* slider_ = nullptr;
    QLabel* stepLabel_ = nullptr;
    QLabel* warning_ = nullptr;
    QVector<QWidget*> panes_;
    // Decoded pictures, in KiB (QImage's bytes / 1024): bounded so that
    // scrubbing a long run does not keep every grid in memory.
    mutable QCache<QString, QImage> cache_;
    mutable int decoded_ = 0;
};

}  // namespace synthforge::widgets
