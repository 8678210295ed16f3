#include "core/generate/assets/mesh_shapes.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <queue>
#include <stdexcept>

#include <Eigen/Geometry>

namespace synthforge::generate {

void addTube(AssetMesh& mesh, const std::vector<Eigen::Vector3f>& points, const Eigen::Vector3f& upHint,
             float halfUp, float halfSide) {
    const int n = static_cast<int>(points.size());
    if (n < 2) throw std::invalid_argument("addTube: needs at least two points");
    const int first = mesh.numVertices();
    for (int i = 0; i < n; ++i) {
        const Eigen::Vector3f t = (points[static_cast<std::size_t>(std::min(i + 1, n - 1))] -
                                   points[static_cast<std::size_t>(std::max(i - 1, 0))]).normalized();
        const Eigen::Vector3f up = (upHint - upHint.dot(t) * t).normalized();
        const Eigen::Vector3f side = t.cross(up);
        const Eigen::Vector3f& p = points[static_cast<std::size_t>(i)];
        // Section corners in cyclic order, so consecutive corners share a face.
        mesh.addVertex(p + halfUp * up + halfSide * side);
        mesh.addVertex(p + halfUp * up - halfSide * side);
        mesh.addVertex(p - halfUp * up - halfSide * side);
        mesh.addVertex(p - halfUp * up + halfSide * side);
    }
    for (int i = 0; i + 1 < n; ++i)
        for (int k = 0; k < 4; ++k) {
            const int a = first + 4 * i + k, b = first + 4 * i + (k + 1) % 4;
            mesh.addQuad(a, b, b + 4, a + 4);
        }
    const int last = first + 4 * (n - 1);
    mesh.addQuad(first + 3, first + 2, first + 1, first);
    mesh.addQuad(last, last + 1, last + 2, last + 3);
}

SkinShell addSkinShell(AssetMesh& m, const head::HeadModel& model, const AssetHeadFrame& hf,
                       const std::vector<std::uint8_t>& selected,
                       const std::function<Eigen::Vector3f(int)>& position,
                       const std::function<float(int)>& strand, bool closeRim) {
    const int nv = model.numVertices();
    if (static_cast<int>(selected.size()) != nv) throw std::invalid_argument("addSkinShell: selection size mismatch");
    const float none = std::numeric_limits<float>::quiet_NaN();
    SkinShell s;
    s.shellIndex.assign(static_cast<std::size_t>(nv), -1);
    auto shell = [&](int v) {
        int& i = s.shellIndex[static_cast<std::size_t>(v)];
        if (i < 0) i = m.addVertex(position(v), v, strand ? strand(v) : none);
        return i;
    };
    // The rim: a directed edge whose reverse is not also a shell edge (the
    // skin is a consistently wound manifold); sorting makes the lookup cheap.
    std::vector<std::pair<int, int>> directed;
    for (int f = 0; f < model.numFaces(); ++f) {
        const auto t = model.faces.row(f);
        if (!selected[static_cast<std::size_t>(t[0])] || !selected[static_cast<std::size_t>(t[1])] ||
            !selected[static_cast<std::size_t>(t[2])])
            continue;
        m.addTriangle(shell(t[0]), shell(t[1]), shell(t[2]));
        for (int k = 0; k < 3; ++k) directed.emplace_back(t[k], t[(k + 1) % 3]);
    }
    std::sort(directed.begin(), directed.end());
    for (const auto& e : directed)
        if (!std::binary_search(directed.begin(), directed.end(), std::make_pair(e.second, e.first))) s.rim.push_back(e);
    if (!closeRim) return s;
    std::vector<int> edgeIndex(static_cast<std::size_t>(nv), -1);
    auto atSkin = [&](int v) {
        int& i = edgeIndex[static_cast<std::size_t>(v)];
        if (i < 0)
            i = m.addVertex(model.vTemplate.row(v).transpose() + 0.0005f * hf.normals.row(v).transpose(), v,
                            strand ? strand(v) : none);
        return i;
    };
    for (const auto& [a, b] : s.rim) m.addQuad(shell(b), shell(a), atSkin(a), atSkin(b));
    return s;
}

std::vector<std::vector<std::int32_t>> vertexNeighbours(const head::HeadModel& model) {
    std::vector<std::vector<std::int32_t>> n(static_cast<std::size_t>(model.numVertices()));
    for (int f = 0; f < model.numFaces(); ++f)
        for (int k = 0; k < 3; ++k) {
            const std::int32_t a = model.faces(f, k), b = model.faces(f, (k + 1) % 3);
            n[static_cast<std::size_t>(a)].push_back(b);
            n[static_cast<std::size_t>(b)].push_back(a);
        }
    for (auto& list : n) {
        std::sort(list.begin(), list.end());
        list.erase(std::unique(list.begin(), list.end()), list.end());
    }
    return n;
}

std::vector<float> distanceInside(const head::HeadModel& model, const std::vector<std::uint8_t>& selected) {
    const int nv = model.numVertices();
    if (static_cast<int>(selected.size()) != nv) throw std::invalid_argument("distanceInside: selection size mismatch");
    const auto neighbours = vertexNeighbours(model);
    std::vector<float> d(static_cast<std::size_t>(nv), std::numeric_limits<float>::infinity());
    using Item = std::pair<float, std::int32_t>;
    std::priority_queue<Item, std::vector<Item>, std::greater<Item>> queue;
    for (int v = 0; v < nv; ++v) {
        if (selected[static_cast<std::size_t>(v)]) continue;
        d[static_cast<std::size_t>(v)] = 0.0f;
        // Only unselected vertices next to the selection can start a path into it.
        for (std::int32_t w : neighbours[static_cast<std::size_t>(v)])
            if (selected[static_cast<std::size_t>(w)]) {
                queue.emplace(0.0f, v);
                break;
            }
    }
    while (!queue.empty()) {  // Dijkstra from every unselected vertex at once
        const auto [dist, v] = queue.top();
        queue.pop();
        if (dist > d[static_cast<std::size_t>(v)]) continue;
        for (std::int32_t w : neighbours[static_cast<std::size_t>(v)]) {
            const float nd = dist + (model.vTemplate.row(v) - model.vTemplate.row(w)).norm();
            if (nd < d[static_cast<std::size_t>(w)]) {
                d[static_cast<std::size_t>(w)] = nd;
                queue.emplace(nd, w);
            }
        }
    }
    return d;
}

float smoothStep(float edge0, float edge1, float x) {
    const float t = std::clamp((x - edge0) / (edge1 - edge0), 0.0f, 1.0f);
    return t * t * (3.0f - 2.0f * t);
}

namespace {

/// A hash of an integer lattice point and a seed to -1..1.
float latticeValue(std::int64_t i, float seed) {
    std::uint64_t h = static_cast<std::uint64_t>(i) * 0x9E3779B97F4A7C15ull ^
                      static_cast<std::uint64_t>(static_cast<std::int64_t>(seed * 1000.0f)) * 0xC2B2AE3D27D4EB4Full;
    h ^= h >> 31;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 29;
    return static_cast<float>(h >> 40) / static_cast<float>(1ull << 23) - 1.0f;
}

}  // namespace

float valueNoise1(float t, float seed) {
    const float f = std::floor(t);
    const float u = t - f, w = u * u * (3.0f - 2.0f * u);
    const auto i = static_cast<std::int64_t>(f);
    return latticeValue(i, seed) * (1.0f - w) + latticeValue(i + 1, seed) * w;
}

}  // namespace synthforge::generate
