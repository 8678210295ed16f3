#include "core/labelmap/uv_islands.h"

#include <cstring>
#include <numeric>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include "core/annotate/label_map_io.h"
#include "core/labelmap/label_canvas.h"

namespace synthforge::labelmap {

namespace {

struct UnionFind {
    std::vector<int> parent;
    explicit UnionFind(int n) : parent(static_cast<std::size_t>(n)) { std::iota(parent.begin(), parent.end(), 0); }
    int find(int a) {
        while (parent[a] != a) a = parent[a] = parent[parent[a]];
        return a;
    }
    void unite(int a, int b) {
        a = find(a);
        b = find(b);
        if (a != b) parent[std::max(a, b)] = std::min(a, b);
    }
};

}  // namespace

UvIslandMap UvIslandMap::build(const head::HeadModel& model, int size) {
    if (!model.hasUv() || model.uvFaces.rows() != model.faces.rows())
        throw std::invalid_argument("model: '" + model.name + "' has no UVs (uv / uv_faces)");
    if (size < 1 || size > kMaxCanvasSide)
        throw std::invalid_argument("size: " + std::to_string(size) + " outside 1.." + std::to_string(kMaxCanvasSide));
    const int nf = static_cast<int>(model.uvFaces.rows()), nt = static_cast<int>(model.uv.rows());
    for (int f = 0; f < nf; ++f)
        for (int k = 0; k < 3; ++k)
            if (model.uvFaces(f, k) < 0 || model.uvFaces(f, k) >= nt)
                throw std::invalid_argument("model: uv_faces[" + std::to_string(f) + "] indexes past uv");

    // Union UV vertices with equal coordinates, then faces through their vertices.
    UnionFind uvSets(nt);
    std::unordered_map<std::uint64_t, int> byPosition;
    for (int t = 0; t < nt; ++t) {
        std::uint32_t bu, bv;
        const float u = model.uv(t, 0) + 0.0f, v = model.uv(t, 1) + 0.0f;  // +0 folds -0 into 0
        std::memcpy(&bu, &u, 4);
        std::memcpy(&bv, &v, 4);
        const auto [it, fresh] = byPosition.emplace((static_cast<std::uint64_t>(bu) << 32) | bv, t);
        if (!fresh) uvSets.unite(t, it->second);
    }
    for (int f = 0; f < nf; ++f) {
        uvSets.unite(model.uvFaces(f, 0), model.uvFaces(f, 1));
        uvSets.unite(model.uvFaces(f, 0), model.uvFaces(f, 2));
    }
    UvIslandMap m;
    m.size_ = size;
    m.faceIsland_.assign(static_cast<std::size_t>(nf), -1);
    std::vector<int> islandOfRoot(static_cast<std::size_t>(nt), -1);
    for (int f = 0; f < nf; ++f) {
        int& id = islandOfRoot[static_cast<std::size_t>(uvSets.find(model.uvFaces(f, 0)))];
        if (id < 0) id = m.count_++;
        m.faceIsland_[static_cast<std::size_t>(f)] = id;
    }
    if (m.count_ > 65534)
        throw std::runtime_error("model: '" + model.name + "' has " + std::to_string(m.count_) +
                                 " UV islands; at most 65534 are supported");

    const raster::RasterResult r = annotate::rasterizeUvAtlas(model.uv, model.uvFaces, size);
    m.texels_.assign(r.triangleId.size(), 0);
    for (std::size_t i = 0; i < r.triangleId.size(); ++i) {
        const int f = r.triangleId[i];
        if (f >= 0) m.texels_[i] = static_cast<std::uint16_t>(m.faceIsland_[static_cast<std::size_t>(f)] + 1);
    }
    return m;
}

std::vector<std::size_t> UvIslandMap::texelCounts() const {
    std::vector<std::size_t> n(static_cast<std::size_t>(count_), 0);
    for (std::uint16_t t : texels_)
        if (t) ++n[t - 1u];
    return n;
}

}  // namespace synthforge::labelmap
