#pragma once
// The dataset browser: opens a generated dataset folder, shows its samples
// as thumbnails, steps through them (Page Down / Page Up, or Alt+Right /
// Alt+Left) and shows the selected one with its *stored* annotations
// overlaid (landmarks coloured by visibility, segmentation in the manifest's
// classes, depth colour map). "Open as scene" hands the sample's annotation
// JSON to the editor; when the editor's re-render comes back, compareWith()
// shows the largest pixel difference to the stored image: 0 is the visible
// proof that the dataset is reproducible with this build.
//
// The selected sample is decoded on a worker thread (QtConcurrent); stepping
// faster than decoding coalesces into one load of the latest selection.

#include <memory>

#include <QFutureWatcher>
#include <QWidget>
#include <opencv2/core/mat.hpp>

#include "widgets/dataset/dataset_index.h"
#include "widgets/dataset/stored_sample.h"

class QAction;
class QCheckBox;
class QComboBox;
class QLabel;
class QListView;
class QPushButton;
class QSlider;

namespace synthforge::widgets {

class DatasetModel;

class DatasetBrowser : public QWidget {
    Q_OBJECT
public:
    explicit DatasetBrowser(QWidget* parent = nullptr);
    ~DatasetBrowser() override;

    /// Opens a dataset folder and selects its first sample. A folder that is
    /// not a valid dataset emits errorReported and returns false; the
    /// previously open dataset and selection stay.
    bool openDataset(const QString& dir);
    QString datasetDir() const;
    int sampleCount() const;
    DatasetModel* model() const { return model_; }
    const DatasetIndex* index() const { return index_.get(); }

    int currentRow() const { return row_; }
    void setCurrentRow(int row);
    /// The sample on screen (null before the first one has loaded).
    std::shared_ptr<const StoredSample> shownSample() const { return shown_; }
    /// The picture as shown (stored image or depth, plus the overlays), BGR.
    cv::Mat composed() const;

    void setLandmarksShown(bool on);
    void setSegmentationShown(bool on);
    /// Depth (or normals) colour map as the base instead of the image.
    void setDepthShown(bool on);
    void setNormalsShown(bool on);

    /// Next / previous sample; their shortcuts work anywhere in the window
    /// once the actions are in a menu (MainWindow puts them in View).
    QAction* nextAction() const { return next_; }
    QAction* previousAction() const { return previous_; }

    /// Sets the "Compare with stored" indicator from the editor's re-render of
    /// the sample last opened as a scene. Returns the max absolute difference
    /// over all pixels and channels, or -1 when the sizes differ.
    int compareWith(const cv::Mat& renderedBgr);
    int lastDifference() const { return lastDiff_; }

public slots:
    void nextSample();
    void previousSample();
    /// Emits openAsSceneRequested for the shown sample and remembers its
    /// stored image for compareWith().
    void openAsScene();
    /// Emits predictRequested for the open dataset's images/ folder.
    void predictOnImages();

signals:
    void sampleShown(int row);
    void openAsSceneRequested(const QString& annotationPath);
    /// "Predict…": run a trained network on these images (MainWindow opens
    /// the run centre's New run dialog for `synthforge predict` with them).
    void predictRequested(const QString& imagesDir);
    void compared(int maxDifference);
    void errorReported(const QString& title, const QString& message);

protected:
    void resizeEvent(QResizeEvent* e) override;

private:
    struct Loaded {
        std::shared_ptr<const StoredSample> sample;
        std::shared_ptr<const DatasetIndex> index;  ///< the dataset it came from
        int row = -1;
        QString error;
    };
    void currentChanged(int row);
    void startLoad();
    void loadFinished();
    void redraw();

    std::shared_ptr<const DatasetIndex> index_;
    DatasetModel* model_;
    QFutureWatcher<Loaded> loader_;
    std::shared_ptr<const StoredSample> shown_;
    int row_ = -1;
    cv::Mat compareRef_;  ///< stored image of the sample last opened as a scene
    QString compareName_;
    int lastDiff_ = -1;

    QListView* list_;
    QLabel* picture_;
    QLabel* caption_;
    QLabel* compare_;
    QCheckBox* landmarks_;
    QCheckBox* segmentation_;
    QComboBox* base_;  ///< Image, Depth, Normals
    QSlider* opacity_;
    QPushButton* openScene_;
    QPushButton* predict_;
    QAction* next_;
    QAction* previous_;
};

}  // namespace synthforge::widgets
