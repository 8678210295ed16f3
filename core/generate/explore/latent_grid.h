#pragma once
// A grid of renders sweeping two axes of one sample: rows and columns each
// step one parameter (yaw, pitch, fov, jaw, shape:K, expr:K, or the latent
// "seed") from a start to an end value, every other parameter held at the
// base sample's. `synthforge explore grid` writes it as one contact sheet;
// the studio's explorer shows the same cells.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/generate/sample_pipeline.h"
#include "core/jobs/progress.h"

namespace synthforge::generate {

struct GridAxis {
    /// The parameter; `seed` replaces the latent code z by the one sample
    /// `index` draws with seed round(value) (its appearance and lighting).
    SamplingAxis axis;
    bool seed = false;
    double from = 0, to = 0;
    int steps = 1;

    /// "AXIS:FROM:TO:N" (AXIS as in a sampler's axes, or "seed"); values in
    /// the axis's own units (setAxisValue), 1 <= N <= 64. Throws
    /// std::invalid_argument naming `field` and the accepted form.
    static GridAxis parse(const std::string& text, const std::string& field);
    /// The value of step i: from + (to - from) * i / (N - 1); `from` when N is 1.
    double value(int i) const;
    std::string name() const;
};

struct GridRequest {
    GridAxis rows, cols;
    std::uint64_t seed = 0, index = 0;  ///< the base sample
    /// A base sample given directly (the studio's scene) instead of drawn
    /// from (seed, index); the `seed` axis then draws z as sample `index`
    /// of that seed, so index 0 matches a scene's z_seed.
    std::optional<SampleSpec> base;
    /// Drawn over each cell: "none", "landmarks" or "segmentation".
    std::string overlay = "none";
};

/// The spec of cell (row, col): the base sample with both axes set.
SampleSpec gridCellSpec(const SamplePipeline& pipeline, const GridRequest& grid, int row, int col);

/// "yaw 0.40, expr:0 -1.00": what cell (row, col) sets.
std::string gridCellCaption(const GridRequest& grid, int row, int col);

struct GridCells {
    int rows = 0, cols = 0;
    std::vector<RenderedSample> cells;   ///< row-major
    std::vector<std::string> captions;   ///< "yaw 0.40, expr:0 -1.00" per cell
};

/// Renders every cell on `workers` threads (0: all cores), reporting each
/// finished cell. std::invalid_argument for an unknown overlay.
GridCells renderGrid(const SamplePipeline& pipeline, const GridRequest& grid, int workers = 0,
                     jobs::ProgressSink* progress = nullptr);

/// The cells as one contact sheet (each tile the render size), the
/// overlay drawn and the caption at each tile's bottom left.
cv::Mat gridSheet(const SamplePipeline& pipeline, const GridRequest& grid, const GridCells& cells);

}  // namespace synthforge::generate
