#pragma once
// UV islands of a head model and, per texel of a square map, the island
// whose triangle covers the texel's centre: what the island fill needs.
//
// Two triangles are in one island when they share a UV vertex (an index into
// model.uv) or a UV vertex position (some files duplicate coordinates at a
// seam that is not one). Sharing an edge implies sharing vertices, so edge-
// connected charts are single islands. Coverage follows the label map's rule
// (core/annotate/label_map_io.h, rasterizeUvAtlas): a texel belongs to the
// triangle covering its centre, with the rasteriser's top-left rule.

#include <cstdint>
#include <vector>

#include "core/head/head_model.h"

namespace synthforge::labelmap {

class UvIslandMap {
public:
    UvIslandMap() = default;
    /// Throws std::invalid_argument when the model has no UVs or `size` is
    /// outside 1..kMaxCanvasSide, std::runtime_error when it has more than
    /// 65534 islands.
    static UvIslandMap build(const head::HeadModel& model, int size);

    int size() const { return size_; }
    int islandCount() const { return count_; }
    /// Island of texel (x, y), -1 where no triangle covers it or (x, y) is outside.
    int islandAt(int x, int y) const {
        if (x < 0 || y < 0 || x >= size_ || y >= size_) return -1;
        return static_cast<int>(texels_[static_cast<std::size_t>(y) * size_ + x]) - 1;
    }
    /// Island of each face (index = face).
    const std::vector<int>& faceIslands() const { return faceIsland_; }
    /// Texels of each island.
    std::vector<std::size_t> texelCounts() const;

private:
    int size_ = 0, count_ = 0;
    std::vector<std::uint16_t> texels_;  ///< island + 1; 0 = uncovered (2 bytes: 32 MiB at 4096^2)
    std::vector<int> faceIsland_;
};

}  // namespace synthforge::labelmap
