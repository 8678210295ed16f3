#include "core/generate/explore/marked_cells_config.h"

#include <algorithm>
#include <set>
#include <stdexcept>

namespace synthforge::generate {

namespace {

/// The marked steps of one axis as a range of bins centred on them.
void addAxis(SamplerConfig& out, const GridAxis& axis, const std::set<int>& steps) {
    const int lo = *steps.begin(), hi = *steps.rbegin();
    const double step = axis.steps > 1 ? (axis.to - axis.from) / (axis.steps - 1) : 0.0;
    double a = axis.value(lo) - 0.5 * step, b = axis.value(hi) + 0.5 * step;
    if (a > b) std::swap(a, b);  // a grid that runs from high to low
    out.sampling.axes.push_back(axis.axis);
    out.sampling.ranges.push_back(Range{a, b});
    // One bin per grid step between the outermost marks, so that the bins
    // stay centred on the grid's values even where an inner step is unmarked.
    out.sampling.bins.push_back(hi - lo + 1);
}

}  // namespace

MarkedCellsConfig samplerConfigForCells(const SamplerConfig& base, const GridRequest& grid,
                                        const std::vector<std::pair<int, int>>& cells) {
    if (cells.empty()) throw std::invalid_argument("no cells are marked");
    std::set<int> rows, cols;
    for (const auto& [r, c] : cells) {
        if (r < 0 || r >= grid.rows.steps || c < 0 || c >= grid.cols.steps)
            throw std::invalid_argument("cell (" + std::to_string(r) + ", " + std::to_string(c) + ") is outside the " +
                                        std::to_string(grid.rows.steps) + " x " + std::to_string(grid.cols.steps) +
                                        " grid");
        rows.insert(r);
        cols.insert(c);
    }
    if (grid.rows.seed && grid.cols.seed)
        throw std::invalid_argument("both axes are 'seed', which a sampler config cannot hold: export the cells as "
                                    "scenes instead");
    if (!grid.rows.seed && !grid.cols.seed && grid.rows.axis == grid.cols.axis)
        throw std::invalid_argument("both axes are '" + grid.rows.name() + "': pick two different axes");
    MarkedCellsConfig out{base, {}};
    out.config.sampling = SamplingConfig{};
    out.config.sampling.kind = SamplerKind::Stratified;
    for (const auto& [axis, steps] : {std::pair{&grid.rows, &rows}, std::pair{&grid.cols, &cols}}) {
        if (axis->seed) {
            out.note = "the 'seed' axis is left out: each sample draws its own latent code (appearance, lighting)";
            continue;
        }
        addAxis(out.config, *axis, *steps);
    }
    out.config.validate();
    return out;
}

}  // namespace synthforge::generate
