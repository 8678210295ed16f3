#pragma once
// The studio's Align tab: the scene's posed head over the current
// generator's density iso-surface (docs/studio.md, "Align").
//
//  - "Sample density" samples the generator's density on a grid around the
//    posed head on a worker thread (DensityJob: progress, Cancel), at the
//    chosen resolution. The grid is kept; the level slider re-extracts the
//    iso-surface from it (marching cubes) without sampling again.
//  - The head is drawn opaque, coloured by each vertex's distance to the
//    iso-surface (HeatScale, legend in mm), over the translucent surface.
//  - "Load fit…" reads a fit folder (align::loadAlignmentFit); Before/After
//    shows the head without or with the fit's correction. With "After" on,
//    activeCorrection() is the fit's and correctionChanged() tells the main
//    window to hand it to the generator view's pipeline, so its landmark and
//    segmentation overlays use the fitted map.
//  - The run panel (AlignRunPanel) runs `synthforge align` for the scene and
//    loads the fit it writes, switching to "After".
//
//  - The generator picker chooses "procedural" (sampled in-process as above)
//    or a TorchScript file. With a TorchScript file, "Sample density" runs
//    `synthforge density --generator F.pt --psi P` (DensityCliRun) into a
//    temporary folder and shows the iso-surface, posed head and per-vertex
//    distances it wrote; the level slider is off, since the CLI extracts at
//    the generator's own surface level. "Run alignment" passes the picked
//    generator too.
//
// The view does not follow scene edits by itself: a grid belongs to the pose
// it was sampled for, so after an edit it says the grid is stale and waits
// for "Sample density".

#include <memory>
#include <optional>
#include <vector>

#include <QString>
#include <QWidget>

#include "core/align/alignment_fit.h"
#include "core/align/marching_cubes.h"
#include "core/generate/sample_pipeline.h"
#include "core/io/mesh_io.h"
#include "widgets/align/density_cli_run.h"
#include "widgets/align/density_job.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QRadioButton;
class QSlider;
class QTemporaryDir;

namespace synthforge::widgets {

class AlignRunPanel;
class AlignViewport;
class GeneratorPicker;
class HeatLegend;
class SceneDocument;

class AlignView : public QWidget {
    Q_OBJECT
public:
    explicit AlignView(SceneDocument* doc, QWidget* parent = nullptr);
    ~AlignView() override;

    /// The studio's pipeline (uncorrected): its generator's density is sampled.
    void setPipeline(std::shared_ptr<const generate::SamplePipeline> pipeline);

    /// Grid cells along the head box's longest side (one of resolutions()).
    void setResolution(int cells);
    int resolution() const;
    static std::vector<int> resolutions() { return {32, 48, 64, 96, 128, 192}; }
    /// Starts sampling; false (and errorReported) without a density-capable generator.
    bool sampleDensity();
    void cancelSampling();
    bool sampling() const;

    void setLevel(float level);
    float level() const { return level_; }
    /// The field's range of the current grid (0, 0 without one).
    float fieldMin() const { return surface_.fieldMin; }
    float fieldMax() const { return surface_.fieldMax; }
    void setSurfaceOpacity(float alpha);
    void setHeatmapShown(bool on);

    /// Loads a fit folder or alignment.json. False, with a message, for a bad
    /// fit or one made for a head with another vertex count; the previous fit stays.
    bool loadFit(const QString& dirOrJson);
    bool hasFit() const { return fit_.has_value(); }
    const std::optional<align::AlignmentFit>& fit() const { return fit_; }
    /// After (true): the head with the fit's correction. Needs a fit.
    void setCorrected(bool after);
    bool corrected() const { return after_ && fit_; }
    /// The correction the studio's overlays should use now (After with a fit).
    std::optional<Eigen::Matrix4f> activeCorrection() const;
    /// The fit folder (or alignment.json) behind activeCorrection(), for a
    /// CLI's --alignment; empty when Before is shown or no fit is loaded.
    QString activeFitPath() const { return corrected() ? fitPath_ : QString(); }

    const io::TriMesh& headMesh() const { return head_; }
    const align::IsoSurface& surface() const { return surface_; }
    /// Per head vertex, generator units (empty without a surface).
    const std::vector<float>& residuals() const { return residuals_; }
    /// The GL view; null until the view was first shown.
    AlignViewport* viewport() const { return viewport_; }
    /// Creates the GL view now (showEvent does it).
    AlignViewport* ensureViewport();
    /// The head's colours as drawn (empty: plain, without heatmap or surface).
    const std::vector<Eigen::Vector3f>& headColours() const { return colours_; }
    float surfaceOpacity() const { return opacity_; }
    HeatLegend* legend() const { return legend_; }
    AlignRunPanel* runPanel() const { return runPanel_; }
    GeneratorPicker* generatorPicker() const { return picker_; }
    DensityCliRun* densityCli() const { return cliRun_; }
    /// True while the shown surface is the CLI's (a TorchScript generator's).
    bool showingCliDensity() const { return cli_.has_value(); }
    /// The seed and index `synthforge density` is run for: the scene's z_seed
    /// and sample 0 when its latent is drawn from that seed, else 0 and 0.
    std::pair<quint64, quint64> cliSample() const;
    QSlider* levelSlider() const { return levelSlider_; }
    QLabel* statusLabel() const { return status_; }

    /// Off in tests: errors go to errorReported only, no message box.
    void setErrorDialogsEnabled(bool on) { dialogs_ = on; }

protected:
    void showEvent(QShowEvent* e) override;

signals:
    void densityReady();
    void densityFailed(const QString& message);
    /// The surface or the head changed (level, before/after, new grid).
    void geometryChanged();
    void correctionChanged();
    void errorReported(const QString& title, const QString& message);

private:
    void densityDone(std::shared_ptr<const DensityResult> result);
    bool sampleWithCli();
    void cliFinished(bool ok, bool stopped, const QString& message);
    void samplingEnded();
    void reextract();
    void rebuildHead();
    void updateColours();
    void levelSliderMoved(int value);
    void syncLevelSlider();
    void updateFitLabel();
    void report(const QString& title, const QString& message);
    void browseFit();

    SceneDocument* doc_;
    std::shared_ptr<const generate::SamplePipeline> pipeline_;
    std::unique_ptr<DensityJob> job_;
    quint64 jobGeneration_ = 0;
    std::shared_ptr<const DensityResult> result_;
    std::optional<DensityOutputs> cli_;  ///< the CLI's surface, head and distances
    std::unique_ptr<QTemporaryDir> cliDir_;
    align::IsoSurface surface_;
    float level_;
    io::TriMesh head_;
    std::vector<float> residuals_;
    std::vector<Eigen::Vector3f> colours_;
    float opacity_ = 0.35f;  ///< light enough to read the heatmap through
    std::optional<align::AlignmentFit> fit_;
    QString fitPath_;
    bool after_ = false, heatmap_ = true, dialogs_ = true, stale_ = false;

    QWidget* viewPlace_;
    GeneratorPicker* picker_;
    DensityCliRun* cliRun_;
    QPushButton* resetLevel_;
    AlignViewport* viewport_ = nullptr;
    HeatLegend* legend_;
    AlignRunPanel* runPanel_;
    QComboBox* resolutionBox_;
    QPushButton* sampleButton_;
    QPushButton* cancelButton_;
    QProgressBar* progress_;
    QSlider* levelSlider_;
    QLabel* levelLabel_;
    QSlider* opacitySlider_;
    QCheckBox* heatmapBox_;
    QLabel* residualLabel_;
    QLabel* fitLabel_;
    QRadioButton* beforeButton_;
    QRadioButton* afterButton_;
    QLabel* status_;
};

}  // namespace synthforge::widgets
