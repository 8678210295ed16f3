#pragma once
// A scalar field (a generator's volume density) sampled on a regular grid of
// cubic cells, in generator-world units: what marching cubes turns into an
// iso-surface and what alignment compares the head mesh against.

#include <cstddef>
#include <functional>
#include <vector>

#include <Eigen/Core>

#include "core/camera/orbit_camera.h"
#include "core/generate/generator.h"
#include "core/head/head_model.h"
#include "core/jobs/progress.h"

namespace synthforge::align {

/// An axis-aligned box.
struct Box {
    Eigen::Vector3f lo = Eigen::Vector3f::Zero();
    Eigen::Vector3f hi = Eigen::Vector3f::Zero();
};

/// Values at the points origin + (i, j, k) * spacing, i fastest:
/// values[(k * dims.y() + j) * dims.x() + i].
struct ScalarGrid {
    Eigen::Vector3i dims = Eigen::Vector3i::Zero();  ///< points per axis (cells + 1)
    Eigen::Vector3f origin = Eigen::Vector3f::Zero();
    float spacing = 0.0f;                            ///< edge of a (cubic) cell
    std::vector<float> values;

    std::size_t index(int i, int j, int k) const {
        return (static_cast<std::size_t>(k) * dims.y() + j) * dims.x() + i;
    }
    float at(int i, int j, int k) const { return values[index(i, j, k)]; }
    Eigen::Vector3f point(int i, int j, int k) const {
        return origin + spacing * Eigen::Vector3f(static_cast<float>(i), static_cast<float>(j), static_cast<float>(k));
    }
    std::size_t size() const { return values.size(); }
};

/// Where to sample. The box is grown symmetrically to a whole number of cells.
struct GridSpec {
    Box bounds;
    int resolution = 64;    ///< cells along the box's longest side (used when cellSize is 0)
    float cellSize = 0.0f;  ///< explicit cell edge; > 0 overrides resolution
};

/// Largest number of cells along one axis (2^10): 1025^3 floats is 4.3 GB,
/// already past what an interactive tool should ask for by accident.
inline constexpr int kMaxCellsPerAxis = 1024;

/// The bounding box of `points` grown by `margin` on every side. Throws
/// std::invalid_argument for no points, non-finite values or a negative margin.
Box boundsAround(const Eigen::Ref<const camera::Points3f>& points, float margin);

/// The box around a posed head (FLAME metres, HeadPose::vertices) in
/// generator-world units (docs/design.md's FLAME-to-world map), plus `margin`
/// generator units on every side.
Box headBounds(const head::RowMatX3f& flameVertices, float margin);

/// The grid's dims, origin and spacing (values left empty). Throws
/// std::invalid_argument, naming the field, for a resolution outside
/// 1..kMaxCellsPerAxis, a negative or non-finite cell size, bounds that are
/// inverted, flat or not finite, or a cell size that gives more than
/// kMaxCellsPerAxis cells on an axis.
ScalarGrid layoutGrid(const GridSpec& spec);

/// A field queried in batches: world points in, one value per point out.
using FieldFunction = std::function<std::vector<float>(const camera::Points3f& points)>;

struct SampleOptions {
    /// Batches (calls of the field) queried at once, on this many threads.
    /// 0: the hardware's core count. The field must then be safe to call
    /// concurrently; 1 queries in order on the calling thread.
    int threads = 1;
    /// Whole z layers of points per call of the field. 0: enough layers for
    /// about kPointsPerBatch points, which spreads a field's per-call set-up
    /// (the procedural density rebuilds its triangle grid each call) over
    /// more points.
    int slabsPerCall = 1;
};

/// The batch size slabsPerCall = 0 aims for.
inline constexpr int kPointsPerBatch = 1 << 16;

/// Samples `field` on the grid `spec` describes, one batch of whole z-slabs
/// of points per call. Progress counts slabs (stage "density"); the cancel
/// token is checked between batches (jobs::Cancelled propagates). Throws
/// std::runtime_error when the field returns the wrong number of values,
/// std::invalid_argument for negative threads or slabsPerCall.
ScalarGrid sampleField(const GridSpec& spec, const FieldFunction& field, const SampleOptions& options = {},
                       jobs::ProgressSink* progress = nullptr, const jobs::CancelToken* cancel = nullptr);

/// Samples `generator.density(input, ...)`. Throws std::invalid_argument when
/// the generator has no density (capabilities().density is false), naming it.
/// Slabs run concurrently only when the generator is thread-safe.
ScalarGrid sampleDensity(const generate::Generator& generator, const generate::GeneratorInput& input,
                         const GridSpec& spec, SampleOptions options = {}, jobs::ProgressSink* progress = nullptr,
                         const jobs::CancelToken* cancel = nullptr);

}  // namespace synthforge::align
