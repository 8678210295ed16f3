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
//
// The generator is picked above the picture (GeneratorPicker): procedural
// (default) renders in process as above; a TorchScript file renders through
// `synthforge render --scene` (CliSceneRender), because LibTorch is kept out
// of the studio. Those runs are debounced by 300 ms, at most one runs at a
// time and the latest scene wins, as for the worker. The status line says
// which path rendered and how long it took, or why it failed. The choice is
// written into the scene's "generator" field (one undo step), and a scene
// opened with a .pt generator selects it when the file exists.
//
// Live relabelling (the label editor): setLabelMap() swaps the UV label map
// the segmentation is read from. The shown sample is relabelled at once from
// its raster (per-pixel UVs kept per sample, core/annotate/uv_relabel.h),
// without rendering again, so the overlay follows each stroke in the same
// event-loop turn; later renders use the new map too.

#include <memory>

#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QTimer>
#include <QWidget>

#include "core/annotate/uv_relabel.h"
#include "core/generate/sample_pipeline.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QSlider;

namespace synthforge::widgets {

class CliSceneRender;
class GeneratorPicker;
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

    /// Segmentation from this map instead of the pipeline's (null: the
    /// pipeline's again), e.g. the label editor's after a load. Relabels the
    /// shown sample now; kept across setPipeline(). Pads the map for live
    /// edits once (tens of ms at 1024²).
    void setLabelMap(std::shared_ptr<const annotate::UvLabelMap> labels);
    /// The live path, after each stroke: texels `dirty` of the map given to
    /// setLabelMap() now hold `region` (CV_8UC1 of dirty's size; an empty
    /// rectangle for a class table change only), `classes` is the map's
    /// table. Re-pads only around the rectangle and relabels the shown sample
    /// before returning; the next render builds a full UvLabelMap on its
    /// worker. Ignored (with renderFailed) without a map or for a bad rectangle.
    void editLabelMap(const cv::Mat& region, QRect dirty, const annotate::ClassTable& classes);
    /// The map segmentation is read from at the last render or setLabelMap
    /// (the editor's, else the pipeline's); live edits since then are not in it.
    std::shared_ptr<const annotate::UvLabelMap> labelMap() const;
    /// The map with every live edit (padded) and its classes, for other views
    /// that look labels up (the 3D viewport's HUD); empty without an editor map.
    const annotate::PaddedLabelMap& liveLabels() const { return live_; }
    const annotate::ClassTable& liveClasses() const { return liveClasses_; }
    /// Wall time of the last relabel (UV lookup, remap, compose and show).
    double lastRelabelMs() const { return relabelMs_; }

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

    GeneratorPicker* generatorPicker() const { return picker_; }
    /// True when renders go through the CLI (a TorchScript file is picked).
    bool throughCli() const;
    /// The CLI to run (tests); synthforgeProgram() by default.
    void setCliProgram(const QString& program);
    /// A fit folder handed to the CLI as --alignment (empty: none).
    void setCliAlignment(const QString& fitDir) { cliAlignment_ = fitDir; }
    /// Which path rendered the shown frame and its wall time, "rendering
    /// through synthforge…" while a CLI run is in flight, or the last error.
    QString statusText() const;

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
        std::shared_ptr<const annotate::UvLabelMap> labels;  ///< the editor's map it was rendered with
        quint64 liveRevision = 0;                            ///< liveRevision_ when it started
    };
    void start();
    void finished();
    void startCli();
    void cliFinished(std::shared_ptr<const generate::RenderedSample> sample, const QString& message, double ms);
    void pickerChanged();
    void syncPickerFromScene();  // the scene's "generator" field into the picker
    void redraw();  // compose base + overlays and show
    void updateLegend();
    void relabel();  // segmentation of last_ from labels_, no render
    const annotate::ClassTable* outputClasses() const;

    SceneDocument* doc_;
    std::shared_ptr<const generate::SamplePipeline> pipeline_;
    std::shared_ptr<const generate::RenderedSample> last_;
    QTimer debounce_;
    QFutureWatcher<Result> watcher_;
    quint64 generation_ = 0;  ///< bumped on every scene change
    bool pending_ = false;    ///< a change arrived while a render was running
    double lastMs_ = 0;
    std::shared_ptr<const annotate::UvLabelMap> labels_;  ///< the label editor's map (null: the pipeline's)
    annotate::PaddedLabelMap live_;    ///< labels_ plus live edits, padded (empty without labels_)
    annotate::ClassTable liveClasses_;
    quint64 liveRevision_ = 0;         ///< bumped per live edit
    bool labelsStale_ = false;         ///< live edits not yet in labels_
    annotate::PixelUvs pixelUvs_;                          ///< per-pixel UVs of uvSample_'s raster
    const generate::RenderedSample* uvSample_ = nullptr;
    double relabelMs_ = 0;

    GeneratorPicker* picker_;
    CliSceneRender* cli_;
    QLabel* status_;
    QString cliAlignment_;
    quint64 cliGeneration_ = 0;  ///< generation_ when the CLI run in flight started
    bool cliPending_ = false;    ///< a change arrived while a CLI run was in flight
    bool syncing_ = false;       ///< the picker is being set from the scene
    QString missingGenerator_;   ///< the scene's generator file that does not exist ("" if none)

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
