#pragma once
// The generator's image for the current scene at the dataset resolution,
// with annotation overlays (landmarks coloured by visibility, segmentation
// with an opacity slider and a class legend, depth, normals). Under the
// cursor, a line below the picture names the pixel's class, depth and the
// nearest landmark, whose index is drawn next to it.
//
// Rendering runs on a worker thread (QtConcurrent), debounced by ~50 ms. At
// most one render runs at a time; edits made meanwhile are coalesced into
// one follow-up render of the latest scene, and a result for a scene that
// has since changed is dropped rather than shown.

#include <memory>

#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QTimer>
#include <QWidget>

#include "core/generate/sample_pipeline.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QSlider;

namespace synthforge::widgets {

class SceneDocument;

class GeneratorView : public QWidget {
    Q_OBJECT
public:
    enum class Base { Image, Depth, Normals };

    explicit GeneratorView(SceneDocument* doc, QWidget* parent = nullptr);
    ~GeneratorView() override;

    /// The pipeline renders go through (null: nothing to show yet).
    void setPipeline(std::shared_ptr<const generate::SamplePipeline> pipeline);
    std::shared_ptr<const generate::SamplePipeline> pipeline() const { return pipeline_; }

    /// The last sample shown (null before the first frame).
    std::shared_ptr<const generate::RenderedSample> lastSample() const { return last_; }
    /// The picture as shown (base + overlays), BGR.
    cv::Mat composed() const;
    double lastRenderMs() const { return lastMs_; }

    void setBase(Base b);
    void setLandmarksShown(bool on);
    void setSegmentationShown(bool on);
    void setSegmentationOpacity(double alpha);  ///< 0..1
    QCheckBox* landmarksBox() const { return landmarks_; }
    QCheckBox* segmentationBox() const { return segmentation_; }

    /// Requests a render now (skipping the debounce), e.g. after loading.
    void renderNow();

    /// What the cursor at `pos` (in picture() coordinates) points at: the
    /// hover line is updated and the nearest landmark within 8 screen pixels
    /// is labelled. The mouse calls it; tests may too.
    void hoverAt(QPoint pos);
    void clearHover();
    int hoveredLandmark() const { return hoverLandmark_; }
    QString hoverText() const;
    /// The label the picture is shown in.
    QLabel* picture() const { return picture_; }

signals:
    /// A new frame is on screen; `ms` is the worker's wall time for it.
    void frameShown(double ms);
    void renderFailed(const QString& message);

protected:
    void resizeEvent(QResizeEvent* e) override;
    bool eventFilter(QObject* watched, QEvent* e) override;

private:
    struct Result {
        std::shared_ptr<const generate::RenderedSample> sample;
        QString error;
        double ms = 0;
        quint64 generation = 0;
    };
    void start();
    void finished();
    void redraw();  // compose base + overlays and show
    void updateLegend();

    SceneDocument* doc_;
    std::shared_ptr<const generate::SamplePipeline> pipeline_;
    std::shared_ptr<const generate::RenderedSample> last_;
    QTimer debounce_;
    QFutureWatcher<Result> watcher_;
    quint64 generation_ = 0;  ///< bumped on every scene change
    bool pending_ = false;    ///< a change arrived while a render was running
    double lastMs_ = 0;

    QLabel* picture_;
    QLabel* legend_;
    QLabel* hoverLine_;
    QPoint hoverPos_{-1, -1};  ///< in picture_ coordinates; (-1, -1) = not hovering
    int hoverLandmark_ = -1;
    QComboBox* base_;
    QCheckBox* landmarks_;
    QCheckBox* segmentation_;
    QSlider* opacity_;
};

}  // namespace synthforge::widgets
