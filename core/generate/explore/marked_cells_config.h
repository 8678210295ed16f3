#pragma once
// A sampler config for the region of an explorer grid that the user marked:
// "more of these" as a dataset. The grid's two axes become a stratified
// sampler's axes; each axis's range spans the marked cells' values, widened
// by half a grid step on both sides and cut into one bin per marked step, so
// every bin is centred on a marked row or column and a dataset of
// bins-product x k samples holds k draws around each marked value. Everything
// else (the other parameters, assets, effects) is drawn as the base config
// draws it. Non-rectangular marks are covered by their bounding box.
//
// The `seed` axis replaces the whole latent code and is no sampler range: it
// is left out (the dataset draws z as any dataset does), and the note says
// so. Marks on a seed-only grid cannot become a config.

#include <string>
#include <utility>
#include <vector>

#include "core/generate/explore/latent_grid.h"
#include "core/generate/sampler.h"

namespace synthforge::generate {

struct MarkedCellsConfig {
    SamplerConfig config;
    std::string note;  ///< what was left out and why ("" when nothing)
};

/// std::invalid_argument when `cells` is empty, holds a cell outside the
/// grid, or neither axis can be a sampler axis (both are `seed`), or the
/// result fails SamplerConfig::validate (an axis beyond the base config's
/// shape_components, say; the message names it).
MarkedCellsConfig samplerConfigForCells(const SamplerConfig& base, const GridRequest& grid,
                                        const std::vector<std::pair<int, int>>& cells);

}  // namespace synthforge::generate
