#pragma once
// Small mesh-building helpers shared by the asset builders.

#include <functional>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "core/generate/assets/asset_mesh.h"
#include "core/generate/assets/head_frame.h"

namespace synthforge::generate {

/// A closed box-section tube along `points` (at least two): at each point
/// the section spans +-halfUp along `upHint` (made perpendicular to the
/// path) and +-halfSide across; both ends are capped.
void addTube(AssetMesh& mesh, const std::vector<Eigen::Vector3f>& points, const Eigen::Vector3f& upHint,
             float halfUp, float halfSide);

/// A shell over part of the template's skin (hats, hair, beards, masks).
struct SkinShell {
    std::vector<int> shellIndex;  ///< per template vertex: its shell vertex, -1 when outside
    /// Template edges (a, b) used by one shell face only, in the shell's
    /// winding: where the shell ends.
    std::vector<std::pair<int, int>> rim;
};

/// Copies every template face whose three corners are `selected` into
/// `mesh`, each corner v placed at position(v) and bound to v (so the shell
/// follows every head shape and expression), with strand(v) as its strand
/// coordinate when given. With `closeRim`, a band from each rim edge back to
/// the skin (0.5 mm out along the normal) closes the shell so that no gap
/// shows from the side or below.
SkinShell addSkinShell(AssetMesh& mesh, const head::HeadModel& model, const AssetHeadFrame& frame,
                       const std::vector<std::uint8_t>& selected,
                       const std::function<Eigen::Vector3f(int)>& position,
                       const std::function<float(int)>& strand = nullptr, bool closeRim = true);

/// Per template vertex: the distance along the mesh's edges to the nearest
/// vertex that is not `selected` (0 for those; +inf where nothing
/// unselected is reachable). Tapers shells toward their edges.
std::vector<float> distanceInside(const head::HeadModel& model, const std::vector<std::uint8_t>& selected);

/// Per template vertex: its neighbours along the mesh's edges.
std::vector<std::vector<std::int32_t>> vertexNeighbours(const head::HeadModel& model);

/// Smoothstep from 0 at `edge0` to 1 at `edge1`.
float smoothStep(float edge0, float edge1, float x);

/// A smooth pseudo-random value in -1..1 varying over about 1 unit of t,
/// the same for the same (t, seed): value noise with a smooth blend.
float valueNoise1(float t, float seed);

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
