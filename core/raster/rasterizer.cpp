#include "core/raster/rasterizer.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>

namespace synthforge::raster {

namespace {

using i64 = std::int64_t;

constexpr i64 kOne = i64{1} << kSubpixelBits;  // one pixel in snapped units
constexpr i64 kHalf = kOne / 2;                 // pixel centre offset

/// A triangle ready to scan: snapped screen vertices in an order with positive
/// area ("canonical"), and where each canonical vertex came from.
struct Setup {
    i64 x[3], y[3];
    double invZ[3];
    int slot[3];  // original vertex position (0..2) of canonical vertex k
    i64 area;     // twice the snapped area, > 0
    bool topLeft[3];  // for the edge opposite canonical vertex k
    int xmin, xmax, ymin, ymax;  // inclusive pixel range, clipped to the image
    std::int32_t id;
};

/// floor(a / b) for b > 0.
i64 floorDiv(i64 a, i64 b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

/// Edge function of a -> b at p: positive on the inside of a positive-area triangle.
inline i64 edge(i64 ax, i64 ay, i64 bx, i64 by, i64 px, i64 py) {
    return (bx - ax) * (py - ay) - (by - ay) * (px - ax);
}

/// Top-left rule for the edge a -> b of a positive-area triangle (y down): a
/// left edge goes up (dy < 0); a top edge is horizontal going right. The
/// neighbour sees the same edge reversed, which is never top-left, so a pixel
/// centre exactly on it belongs to one triangle only.
inline bool isTopLeft(i64 dx, i64 dy) { return dy < 0 || (dy == 0 && dx > 0); }

enum class SetupResult { Ok, Near, Culled, Degenerate, Offscreen };

SetupResult setupTriangle(const Eigen::Ref<const Vertices>& v, const Intrinsics& k, const Eigen::Ref<const Triangles>& t,
                          std::int32_t f, int width, int height, const RasterOptions& opt, Setup& s) {
    i64 sx[3], sy[3];
    double iz[3];
    for (int c = 0; c < 3; ++c) {
        const auto row = v.row(t(f, c));
        const double z = row[2];
        if (!(z > opt.nearZ)) return SetupResult::Near;
        const double u = k.fx * (row[0] / z) + k.cx;
        const double w = k.fy * (row[1] / z) + k.cy;
        if (!(std::abs(u) < kGuardBandPixels) || !(std::abs(w) < kGuardBandPixels)) return SetupResult::Near;
        sx[c] = std::llround(u * kOne);
        sy[c] = std::llround(w * kOne);
        iz[c] = 1.0 / z;
    }
    const i64 area = edge(sx[0], sy[0], sx[1], sy[1], sx[2], sy[2]);
    if (area == 0) return SetupResult::Degenerate;
    // area > 0 is clockwise as displayed (y down): a back face for outward-CCW meshes.
    if ((opt.cull == CullMode::Back && area > 0) || (opt.cull == CullMode::Front && area < 0))
        return SetupResult::Culled;
    // Reorder to positive area so that one inside test serves both windings.
    const int order[3] = {0, area > 0 ? 1 : 2, area > 0 ? 2 : 1};
    for (int c = 0; c < 3; ++c) {
        s.x[c] = sx[order[c]];
        s.y[c] = sy[order[c]];
        s.invZ[c] = iz[order[c]];
        s.slot[c] = order[c];
    }
    s.area = std::abs(area);
    for (int c = 0; c < 3; ++c) {
        const int a = (c + 1) % 3, b = (c + 2) % 3;  // edge opposite c runs a -> b
        s.topLeft[c] = isTopLeft(s.x[b] - s.x[a], s.y[b] - s.y[a]);
    }
    // Pixel i is sampled at i * kOne + kHalf; keep the centres inside the bbox.
    const i64 minX = std::min({s.x[0], s.x[1], s.x[2]}), maxX = std::max({s.x[0], s.x[1], s.x[2]});
    const i64 minY = std::min({s.y[0], s.y[1], s.y[2]}), maxY = std::max({s.y[0], s.y[1], s.y[2]});
    const i64 x0 = std::max<i64>(0, floorDiv(minX - kHalf + kOne - 1, kOne));
    const i64 x1 = std::min<i64>(width - 1, floorDiv(maxX - kHalf, kOne));
    const i64 y0 = std::max<i64>(0, floorDiv(minY - kHalf + kOne - 1, kOne));
    const i64 y1 = std::min<i64>(height - 1, floorDiv(maxY - kHalf, kOne));
    if (x0 > x1 || y0 > y1) return SetupResult::Offscreen;
    s.xmin = static_cast<int>(x0);
    s.xmax = static_cast<int>(x1);
    s.ymin = static_cast<int>(y0);
    s.ymax = static_cast<int>(y1);
    s.id = f;
    return SetupResult::Ok;
}

/// Raw views of the result's planes, so the inner loop keeps them in registers.
struct Planes {
    std::int32_t* id;
    float* b0;
    float* b1;
    float* depth;  // +inf where nothing is drawn yet
    int width;
};

/// Scans rows [rowBegin, rowEnd) of one triangle into the planes.
void scanTriangle(const Setup& s, int rowBegin, int rowEnd, const Planes& out) {
    const int ya = std::max(s.ymin, rowBegin), yb = std::min(s.ymax, rowEnd - 1);
    if (ya > yb) return;
    // Edge k is opposite canonical vertex k and runs a -> b.
    i64 rowE[3], stepX[3], stepY[3], bias[3];
    const i64 px = i64{s.xmin} * kOne + kHalf, py = i64{ya} * kOne + kHalf;
    for (int c = 0; c < 3; ++c) {
        const int a = (c + 1) % 3, b = (c + 2) % 3;
        // Fold the fill rule into a bias: "w >= 0 after bias" == "w > 0, or w == 0 on a top-left edge".
        bias[c] = s.topLeft[c] ? 0 : 1;
        rowE[c] = edge(s.x[a], s.y[a], s.x[b], s.y[b], px, py) - bias[c];
        stepX[c] = -(s.y[b] - s.y[a]) * kOne;
        stepY[c] = (s.x[b] - s.x[a]) * kOne;
    }
    const double areaD = static_cast<double>(s.area);
    const double iz0 = s.invZ[0], iz1 = s.invZ[1], iz2 = s.invZ[2];
    // Canonical order is the original one or has vertices 1 and 2 swapped;
    // original vertex 0 is always canonical 0.
    const bool swapped = s.slot[1] != 1;
    for (int y = ya; y <= yb; ++y) {
        i64 e0 = rowE[0], e1 = rowE[1], e2 = rowE[2];
        std::size_t idx = static_cast<std::size_t>(y) * out.width + s.xmin;
        for (int x = s.xmin; x <= s.xmax; ++x, ++idx, e0 += stepX[0], e1 += stepX[1], e2 += stepX[2]) {
            if ((e0 | e1 | e2) < 0) continue;
            // Undo the bias to get the exact screen-space weights (times area);
            // 1/z is affine in screen space, and so are the weights over z.
            const double n0 = static_cast<double>(e0 + bias[0]) * iz0;
            const double n1 = static_cast<double>(e1 + bias[1]) * iz1;
            const double n2 = static_cast<double>(e2 + bias[2]) * iz2;
            const double sum = n0 + n1 + n2;  // = area / z
            // z = area / sum. Fragments clearly behind skip the division; the
            // rest compare stored float depths exactly, so equal depths keep
            // the earlier (lower-index) triangle.
            if (areaD >= static_cast<double>(out.depth[idx]) * sum * (1.0 + 1e-6)) continue;
            const double inv = 1.0 / sum;
            const float z = static_cast<float>(areaD * inv);
            if (!(z < out.depth[idx])) continue;
            out.depth[idx] = z;
            out.id[idx] = s.id;
            out.b0[idx] = static_cast<float>(n0 * inv);
            out.b1[idx] = static_cast<float>((swapped ? n2 : n1) * inv);
        }
        rowE[0] += stepY[0];
        rowE[1] += stepY[1];
        rowE[2] += stepY[2];
    }
}

void validate(const Eigen::Ref<const Vertices>& v, const Intrinsics& k, const Eigen::Ref<const Triangles>& t,
              int width, int height) {
    if (width <= 0 || height <= 0 || width > kMaxImageSide || height > kMaxImageSide)
        throw std::invalid_argument("rasterize: image size " + std::to_string(width) + "x" + std::to_string(height) +
                                    " must be within 1.." + std::to_string(kMaxImageSide));
    if (!std::isfinite(k.fx) || !std::isfinite(k.fy) || !std::isfinite(k.cx) || !std::isfinite(k.cy))
        throw std::invalid_argument("rasterize: intrinsics must be finite");
    for (Eigen::Index r = 0; r < v.rows(); ++r)
        if (!v.row(r).allFinite())
            throw std::invalid_argument("rasterize: vertices row " + std::to_string(r) + " is not finite");
    const auto n = static_cast<std::int32_t>(v.rows());
    for (Eigen::Index f = 0; f < t.rows(); ++f)
        for (int c = 0; c < 3; ++c)
            if (t(f, c) < 0 || t(f, c) >= n)
                throw std::invalid_argument("rasterize: triangles row " + std::to_string(f) + " references vertex " +
                                            std::to_string(t(f, c)) + " of " + std::to_string(n));
}

/// Runs fn(i) for i in [0, count) on up to `threads` threads, items taken in
/// order as threads become free.
template <typename Fn>
void parallelFor(int count, int threads, Fn&& fn) {
    threads = std::max(1, std::min(threads, count));
    if (threads == 1) {
        for (int i = 0; i < count; ++i) fn(i);
        return;
    }
    std::atomic<int> next{0};
    auto worker = [&] {
        for (int i = next++; i < count; i = next++) fn(i);
    };
    std::vector<std::thread> pool;
    pool.reserve(threads - 1);
    for (int i = 0; i < threads - 1; ++i) pool.emplace_back(worker);
    worker();
    for (auto& th : pool) th.join();
}

}  // namespace

void rasterize(const Eigen::Ref<const Vertices>& cameraVertices, const Intrinsics& intrinsics,
               const Eigen::Ref<const Triangles>& triangles, int width, int height, const RasterOptions& options,
               RasterResult& out) {
    validate(cameraVertices, intrinsics, triangles, width, height);
    const int threads = options.threads > 0 ? options.threads
                                            : std::max(1u, std::thread::hardware_concurrency());
    const int bandRows = std::max(1, options.bandRows);

    out.width = width;
    out.height = height;
    out.stats = RasterStats{};
    const std::size_t n = static_cast<std::size_t>(width) * height;
    // resize() keeps the capacity of a reused result; every band clears its own rows below.
    out.triangleId.resize(n);
    out.bary0.resize(n);
    out.bary1.resize(n);
    out.depth.resize(n);
    const Planes planes{out.triangleId.data(), out.bary0.data(), out.bary1.data(), out.depth.data(), width};

    // 1. Triangle setup, in parallel chunks; `results` keeps the input order.
    const int numTris = static_cast<int>(triangles.rows());
    std::vector<Setup> setups(numTris);
    std::vector<SetupResult> results(numTris);
    constexpr int kSetupChunk = 2048;
    const int setupChunks = (numTris + kSetupChunk - 1) / kSetupChunk;
    parallelFor(setupChunks, threads, [&](int chunk) {
        const int end = std::min(numTris, (chunk + 1) * kSetupChunk);
        for (int f = chunk * kSetupChunk; f < end; ++f)
            results[f] = setupTriangle(cameraVertices, intrinsics, triangles, f, width, height, options, setups[f]);
    });

    // 2. Bin triangles into row bands (CSR lists, triangle order preserved).
    const int numBands = (height + bandRows - 1) / bandRows;
    std::vector<int> bandStart(numBands + 1, 0);
    for (int f = 0; f < numTris; ++f) {
        switch (results[f]) {
            case SetupResult::Ok:
                ++out.stats.drawn;
                for (int b = setups[f].ymin / bandRows; b <= setups[f].ymax / bandRows; ++b) ++bandStart[b + 1];
                break;
            case SetupResult::Near: ++out.stats.nearCulled; break;
            case SetupResult::Culled: ++out.stats.faceCulled; break;
            case SetupResult::Degenerate: ++out.stats.degenerate; break;
            case SetupResult::Offscreen: ++out.stats.offscreen; break;
        }
    }
    for (int b = 0; b < numBands; ++b) bandStart[b + 1] += bandStart[b];
    std::vector<int> bandTris(bandStart[numBands]);
    {
        std::vector<int> fill(bandStart.begin(), bandStart.end() - 1);
        for (int f = 0; f < numTris; ++f)
            if (results[f] == SetupResult::Ok)
                for (int b = setups[f].ymin / bandRows; b <= setups[f].ymax / bandRows; ++b) bandTris[fill[b]++] = f;
    }

    // 3. Scan bands. Each band owns its rows and sees its triangles in input
    // order, so the image is identical for any thread count.
    parallelFor(numBands, threads, [&](int b) {
        const int rowBegin = b * bandRows, rowEnd = std::min(height, rowBegin + bandRows);
        const std::size_t first = static_cast<std::size_t>(rowBegin) * width,
                          last = static_cast<std::size_t>(rowEnd) * width;
        std::fill(planes.id + first, planes.id + last, -1);
        std::fill(planes.b0 + first, planes.b0 + last, 0.0f);
        std::fill(planes.b1 + first, planes.b1 + last, 0.0f);
        std::fill(planes.depth + first, planes.depth + last, std::numeric_limits<float>::infinity());
        for (int i = bandStart[b]; i < bandStart[b + 1]; ++i) scanTriangle(setups[bandTris[i]], rowBegin, rowEnd, planes);
        for (std::size_t i = first; i < last; ++i)
            if (planes.id[i] < 0) planes.depth[i] = 0.0f;
    });
}

RasterResult rasterize(const Eigen::Ref<const Vertices>& cameraVertices, const Intrinsics& intrinsics,
                       const Eigen::Ref<const Triangles>& triangles, int width, int height,
                       const RasterOptions& options) {
    RasterResult out;
    rasterize(cameraVertices, intrinsics, triangles, width, height, options, out);
    return out;
}

}  // namespace synthforge::raster
