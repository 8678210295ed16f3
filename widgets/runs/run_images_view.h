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
// last records allowed (a live run may be writing one), on a worker thread
// (never the GUI's), and incrementally: each file's read position is kept,
// so reload() reads only what a live run appended. A file that is cut short
// or has a corrupt record still shows the images before the damage, and a
// warning above the pictures names the file. Decoded pictures are kept in a
// cache keyed by (file, tag, step). loaded() says when a read has landed.

#include <QCache>
#include <QFutureWatcher>
#include <QImage>
#include <QMap>
#include <QString>
#include <QStringList>
#include <QVector>
#include <QWidget>

#include <vector>

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
    /// (runB empty for one run). Their event files are read in the
    /// background; loaded() follows.
    void setRuns(const QString& runA, const QString& runB = {});
    /// Reads what was appended to the runs' event files, keeping the tag and
    /// the step; when the slider was at the last step it moves on to the
    /// newest one. In the background; loaded() follows.
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

    /// Whether a read is in flight.
    bool busy() const { return busy_; }

signals:
    /// The chosen step changed (also on reload and on a tag change).
    void stepShown(qint64 step);
    /// A read of the runs' files has landed (after setRuns or reload).
    void loaded();

private:
    struct Entry {
        QString file;  ///< the event file, for the cache key
        double wallTime = 0;
        QByteArray encoded;  ///< PNG bytes as the event file holds them
    };
    struct FileCursor {
        qint64 offset = 0;  ///< end of the last complete record read
        QString error;      ///< set once a corrupt record ended the file
        int images = 0;     ///< pictures read from it so far
    };
    struct Run {
        QString dir;
        QString name;
        QMap<QString, QMap<qint64, Entry>> images;  ///< tag -> step -> picture
        QMap<QString, FileCursor> files;            ///< event file -> where reading goes on
    };
    struct RunCursor {
        QString dir, name;
        QMap<QString, FileCursor> files;
    };
    struct NewImage {
        QString tag;
        qint64 step = 0;
        Entry entry;
    };
    struct RunDelta {
        bool restarted = false;  ///< a file was rewritten: drop what was read before
        QMap<QString, FileCursor> files;
        std::vector<NewImage> images;
        QStringList warnings;
    };
    struct ReadResult {
        int generation = 0;
        std::vector<RunDelta> runs;
    };

    /// Runs on a worker thread: touches no member.
    static RunDelta readNew(const RunCursor& cursor);
    void startRead();
    void readFinished();
    void fillTags();
    void fillSteps(qint64 keep, bool followLast);
    void showStep();
    /// The entry run k shows at `step` for the current tag, or null.
    const Entry* entryAt(int k, qint64 step, qint64* at) const;
    QImage decode(const Entry& e, const QString& tag, qint64 step) const;

    QVector<Run> runs_;
    QFutureWatcher<ReadResult> reader_;
    int generation_ = 0;
    bool busy_ = false, again_ = false;
    bool followAfterRead_ = true;
    qint64 keepAfterRead_ = -1;
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
