#pragma once
// The studio's explorer grid (docs/explore.md): rows and columns sweep two
// axes (the latent seed, yaw, pitch, FOV, jaw, a shape or expression
// component) around the current scene. Cells render on worker threads and
// fill in as they finish; clicking a cell loads it as the scene (one undo
// step); Ctrl+click marks cells, which export as scene files or as a sampler
// config that draws a dataset in the marked region. The same
// cells as `synthforge explore grid` (core/generate/explore/latent_grid.h).

#include <memory>
#include <set>
#include <utility>
#include <vector>

#include <QImage>
#include <QWidget>

#include "core/generate/explore/latent_grid.h"
#include "core/scene/scene.h"
#include "widgets/explore/cell_render_job.h"

class QComboBox;
class QDoubleSpinBox;
class QGridLayout;
class QLabel;
class QPushButton;
class QSpinBox;

namespace synthforge::widgets {

class SceneDocument;

class ExploreGrid : public QWidget {
    Q_OBJECT
public:
    explicit ExploreGrid(SceneDocument* doc, QWidget* parent = nullptr);
    ~ExploreGrid() override;

    /// Sets an axis from the same text as `explore grid --rows` (AXIS:FROM:TO:N).
    /// False, with the reason shown, when it does not parse.
    bool setAxis(bool rows, const QString& text);
    /// Starts rendering the grid around the current scene (tiles of `tile` pixels).
    /// False, with the reason shown, for bad axes.
    bool render();
    void setTileSize(int pixels) { tile_ = pixels; }
    /// Loads cell (row, col) as the scene (one undo step).
    void loadCell(int row, int col);
    /// Marks or unmarks a cell for export.
    void toggleMark(int row, int col);
    /// Writes each marked cell as DIR/cell_rR_cC.scene.json; returns the count.
    /// std::runtime_error naming the file when one cannot be written.
    int exportMarked(const QString& dir) const;
    /// Writes the marked region as a sampler config (a stratified sampler
    /// over the grid's axes, core/generate/explore/marked_cells_config.h)
    /// to `path`, which `generate --sampler-config` reads. Returns what was
    /// left out ("" when nothing); std::invalid_argument when the marks
    /// cannot become a config, std::runtime_error when the file cannot be written.
    QString exportMarkedConfig(const QString& path) const;

    int rows() const { return rowsN_; }
    int cols() const { return colsN_; }
    /// Cells rendered so far in the current grid.
    int filled() const { return filled_; }
    const std::set<std::pair<int, int>>& marked() const { return marked_; }
    /// The spec a cell was rendered from.
    const generate::SampleSpec& cellSpec(int row, int col) const;
    QWidget* cellWidget(int row, int col) const;
    QString status() const;

signals:
    /// Every cell of the grid started by render() has been drawn.
    void finished();

private:
    void cellReady(int generation, int index, const QImage& image);
    void rebuildCells();
    void showError(const QString& text);
    /// The current scene with cell (row, col)'s head, camera, latent and assets.
    scene::Scene sceneOfCell(int row, int col) const;
    QString axisText(bool rows) const;

    SceneDocument* doc_;
    QComboBox *rowAxis_, *colAxis_, *overlay_;
    QDoubleSpinBox *rowFrom_, *rowTo_, *colFrom_, *colTo_;
    QSpinBox *rowSteps_, *colSteps_;
    QPushButton *renderButton_, *exportButton_, *exportConfigButton_;
    QLabel* status_;
    QWidget* cellsHost_;
    QGridLayout* cellsLayout_;
    std::vector<QWidget*> cellWidgets_;
    std::vector<generate::SampleSpec> specs_;
    std::set<std::pair<int, int>> marked_;
    generate::GridRequest grid_;  ///< the axes of the grid shown (the editors may have changed since)
    int rowsN_ = 0, colsN_ = 0, filled_ = 0, tile_ = 160;
    int generation_ = 0;
    std::unique_ptr<CellRenderJob> job_;  ///< the running render (stopped when replaced or destroyed)
};

}  // namespace synthforge::widgets
