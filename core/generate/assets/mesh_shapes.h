#pragma once
// Small mesh-building helpers shared by the asset builders.

#include <vector>

#include <Eigen/Core>

#include "core/generate/assets/asset_mesh.h"

namespace synthforge::generate {

/// A closed box-section tube along `points` (at least two): at each point
/// the section spans +-halfUp along `upHint` (made perpendicular to the
/// path) and +-halfSide across; both ends are capped.
void addTube(AssetMesh& mesh, const std::vector<Eigen::Vector3f>& points, const Eigen::Vector3f& upHint,
             float halfUp, float halfSide);

/// Largest value of `coordinate(v)` over `candidates` whose rest position
/// passes `inside(p)`; `fallback` when none does.
template <class Inside, class Coordinate>
float maxOver(const head::HeadModel& model, const std::vector<std::int32_t>& candidates, Inside inside,
              Coordinate coordinate, float fallback) {
    bool any = false;
    float best = fallback;
    for (std::int32_t v : candidates) {
        const Eigen::Vector3f p = model.vTemplate.row(v).transpose();
        if (!inside(p)) continue;
        const float c = coordinate(p);
        if (!any || c > best) best = c, any = true;
    }
    return best;
}

}  // namespace synthforge::generate
