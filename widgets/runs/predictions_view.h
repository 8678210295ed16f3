#pragma once
// The run centre's view of a `synthforge predict` run: every input image of
// its predictions.json as a thumbnail of its landmark overlay (failed images
// marked, with the reason), and the chosen image large, its landmark overlay
// beside its segmentation overlay. So a researcher sees how the network does
// on their own photos without leaving the studio.
//
// predictions.json is read on a worker thread (thumbnails decode PNGs);
// an unreadable or newer file shows an error in the view, never a crash.

#include <QFutureWatcher>
#include <QImage>
#include <QString>
#include <QVector>
#include <QWidget>

class QLabel;
class QListWidget;

namespace synthforge::widgets {

class PredictionsView : public QWidget {
    Q_OBJECT
public:
    explicit PredictionsView(QWidget* parent = nullptr);
    ~PredictionsView() override;

    /// Shows the predictions of the run in `dir` (empty: none). Read in the
    /// background; loaded() follows.
    void setRun(const QString& dir);
    /// Reads the folder again (a predict run still writing).
    void reload();

    /// Images listed in predictions.json.
    int imageCount() const { return static_cast<int>(items_.size()); }
    /// How many of them failed.
    int failedCount() const;
    /// Selects image k; its overlays are shown large.
    void setCurrent(int k);
    int current() const;
    /// The large pictures shown now: 0 landmark overlay, 1 segmentation overlay.
    QImage shownImage(int which) const;
    /// The error text ("" when the file was read).
    QString errorText() const;
    QListWidget* list() const { return list_; }

signals:
    void loaded();

public:
    struct Item {
        QString name, input, status, error, overlay, segOverlay;
        QImage thumbnail;
    };
    struct Read {
        QString dir;
        QVector<Item> items;
        QString summary, error;
    };
    /// Reads `dir`/predictions.json and the thumbnails (any thread).
    static Read readPredictions(const QString& dir);

private:
    void readFinished();
    void showCurrent();

    QString dir_;
    QVector<Item> items_;
    QFutureWatcher<Read> watcher_;
    bool busy_ = false, again_ = false;
    QLabel* summary_;
    QLabel* error_;
    QListWidget* list_;
    QLabel* large_[2];
    QImage shown_[2];
};

}  // namespace synthforge::widgets
