#include "core/align/density_grid.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

namespace synthforge::align {

namespace {

bool finite(const Eigen::Vector3f& v) { return v.allFinite(); }

}  // namespace

Box boundsAround(const Eigen::Ref<const camera::Points3f>& points, float margin) {
    if (points.rows() == 0) throw std::invalid_argument("boundsAround: no points");
    if (!points.allFinite()) throw std::invalid_argument("boundsAround: points are not finite");
    if (!(margin >= 0.0f) || !std::isfinite(margin))
        throw std::invalid_argument("boundsAround: margin must be finite and >= 0 (got " + std::to_string(margin) + ")");
    Box b;
    b.lo = points.colwise().minCoeff().transpose() - Eigen::Vector3f::Constant(margin);
    b.hi = points.colwise().maxCoeff().transpose() + Eigen::Vector3f::Constant(margin);
    return b;
}

Box headBounds(const head::RowMatX3f& flameVertices, float margin) {
    return boundsAround(camera::transformPoints(camera::flameToWorldMatrix(), flameVertices), margin);
}

ScalarGrid layoutGrid(const GridSpec& spec) {
    const Box& b = spec.bounds;
    if (!finite(b.lo) || !finite(b.hi)) throw std::invalid_argument("grid bounds: not finite");
    for (int a = 0; a < 3; ++a)
        if (!(b.hi[a] > b.lo[a]))
            throw std::invalid_argument("grid bounds: hi must be greater than lo on every axis (axis " +
                                        std::to_string(a) + ": lo " + std::to_string(b.lo[a]) + ", hi " +
                                        std::to_string(b.hi[a]) + ")");
    const Eigen::Vector3f extent = b.hi - b.lo;
    float cell = 0.0f;
    if (spec.cellSize != 0.0f) {
        if (!(spec.cellSize > 0.0f) || !std::isfinite(spec.cellSize))
            throw std::invalid_argument("grid cell size: must be finite and > 0 (got " + std::to_string(spec.cellSize) + ")");
        cell = spec.cellSize;
    } else {
        if (spec.resolution < 1 || spec.resolution > kMaxCellsPerAxis)
            throw std::invalid_argument("grid resolution: must be in 1.." + std::to_string(kMaxCellsPerAxis) +
                                        " cells (got " + std::to_string(spec.resolution) + ")");
        cell = extent.maxCoeff() / static_cast<float>(spec.resolution);
    }
    ScalarGrid g;
    g.spacing = cell;
    for (int a = 0; a < 3; ++a) {
        // Rounding guards the longest axis against 64.0000001 becoming 65 cells.
        const double cells = std::ceil(static_cast<double>(extent[a]) / cell - 1e-4);
        if (cells > kMaxCellsPerAxis)
            throw std::invalid_argument("grid cell size: " + std::to_string(cell) + " gives " +
                                        std::to_string(static_cast<long long>(cells)) + " cells on axis " +
                                        std::to_string(a) + ", more than " + std::to_string(kMaxCellsPerAxis));
        const int n = std::max(1, static_cast<int>(cells));
        g.dims[a] = n + 1;
        // Centre the whole cells on the requested box.
        g.origin[a] = 0.5f * (b.lo[a] + b.hi[a]) - 0.5f * static_cast<float>(n) * cell;
    }
    return g;
}

ScalarGrid sampleField(const GridSpec& spec, const FieldFunction& field, const SampleOptions& options,
                       jobs::ProgressSink* progress, const jobs::CancelToken* cancel) {
    if (!field) throw std::invalid_argument("sampleField: no field");
    if (options.threads < 0) throw std::invalid_argument("sampleField: threads must be >= 0");
    if (options.slabsPerCall < 0) throw std::invalid_argument("sampleField: slabsPerCall must be >= 0");
    ScalarGrid g = layoutGrid(spec);
    g.values.assign(static_cast<std::size_t>(g.dims.x()) * g.dims.y() * g.dims.z(), 0.0f);
    const int nz = g.dims.z();
    const std::size_t slab = static_cast<std::size_t>(g.dims.x()) * g.dims.y();
    const int perCall = options.slabsPerCall > 0
                            ? options.slabsPerCall
                            : std::max(1, static_cast<int>(static_cast<std::size_t>(kPointsPerBatch) / slab));
    const int batches = (nz + perCall - 1) / perCall;
    jobs::ProgressTracker tracker(progress, "density", static_cast<std::uint64_t>(nz));

    auto sampleBatch = [&](int b) {
        const int k0 = b * perCall, k1 = std::min(nz, k0 + perCall);
        const std::size_t n = slab * static_cast<std::size_t>(k1 - k0);
        camera::Points3f pts(static_cast<Eigen::Index>(n), 3);
        Eigen::Index row = 0;
        for (int k = k0; k < k1; ++k)
            for (int j = 0; j < g.dims.y(); ++j)
                for (int i = 0; i < g.dims.x(); ++i) pts.row(row++) = g.point(i, j, k).transpose();
        const std::vector<float> v = field(pts);
        if (v.size() != n)
            throw std::runtime_error("density field returned " + std::to_string(v.size()) + " values for " +
                                     std::to_string(n) + " points");
        std::copy(v.begin(), v.end(), g.values.begin() + static_cast<std::ptrdiff_t>(g.index(0, 0, k0)));
        tracker.advance(static_cast<std::uint64_t>(k1 - k0));
    };

    int threads = options.threads == 0 ? static_cast<int>(std::thread::hardware_concurrency()) : options.threads;
    threads = std::max(1, std::min(threads, batches));
    if (threads == 1) {
        for (int b = 0; b < batches; ++b) {
            if (cancel) cancel->throwIfCancelled();
            sampleBatch(b);
        }
    } else {
        // Workers take batches in order; the first error (or cancellation)
        // stops the others before their next batch and is rethrown here.
        std::atomic<int> next{0};
        std::atomic<bool> failed{false};
        std::exception_ptr error;
        std::mutex errorMutex;
        std::vector<std::thread> pool;
        for (int t = 0; t < threads; ++t)
            pool.emplace_back([&] {
                try {
                    for (int b = next++; b < batches && !failed.load(); b = next++) {
                        if (cancel) cancel->throwIfCancelled();
                        sampleBatch(b);
                    }
                } catch (...) {
                    std::lock_guard<std::mutex> lock(errorMutex);
                    if (!error) error = std::current_exception();
                    failed = true;
                }
            });
        for (std::thread& t : pool) t.join();
        if (error) std::rethrow_exception(error);
    }
    tracker.finish();
    return g;
}

ScalarGrid sampleDensity(const generate::Generator& generator, const generate::GeneratorInput& input,
                         const GridSpec& spec, SampleOptions options, jobs::ProgressSink* progress,
                         const jobs::CancelToken* cancel) {
    const generate::GeneratorCapabilities caps = generator.capabilities();
    if (!caps.density)
        throw std::invalid_argument("generator '" + caps.name + "' has no density (capabilities().density is false)");
    if (!caps.threadSafe) options.threads = 1;
    return sampleField(
        spec, [&](const camera::Points3f& pts) { return generator.density(input, pts); }, options, progress, cancel);
}

}  // namespace synthforge::align
