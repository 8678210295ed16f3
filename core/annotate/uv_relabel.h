#pragma once
// Segmentation of an already rendered sample under a different UV label map,
// without rasterising again: the label editor changes the map after every
// stroke and the studio's overlay must follow within a frame (33 ms at 512²).
//
// The raster of a sample fixes, per pixel, which surface point is seen; only
// the map it is looked up in changes. So the UV of every pixel is computed
// once per sample (PixelUvs) and each relabel is one nearest-texel lookup per
// pixel. The UV is formed by exactly the expression annotate() uses, so the
// result equals annotate()'s segmentation bit for bit for the same map.
//
// Building a UvLabelMap pads the whole map (padLabelMap,
// several passes over every texel: tens of ms at 1024², far more than a
// frame). A stroke changes a small rectangle, and padding is local (each pass
// reads the 8 neighbours, so after p passes a texel depends only on texels
// within p), so PaddedLabelMap re-pads only the changed rectangle grown by
// 2p and keeps the inner part grown by p: exactly what padding the whole map
// gives, at the cost of the stroke's area.

#include <vector>

#include <Eigen/Core>
#include <opencv2/core/mat.hpp>

#include "core/annotate/uv_label_map.h"
#include "core/head/head_model.h"
#include "core/raster/rasterizer.h"

namespace synthforge::annotate {

/// Per pixel (row-major, index = y * width + x): the UV of the visible
/// surface point, NaN where the raster shows background.
struct PixelUvs {
    int width = 0, height = 0;
    std::vector<Eigen::Vector2f> uv;
    bool empty() const { return uv.empty(); }
};

/// A label map kept padded like UvLabelMap's while it is edited.
class PaddedLabelMap {
public:
    PaddedLabelMap() = default;
    /// Pads `ids` (CV_8UC1, square) by UvLabelMap's amount; keeps a copy.
    explicit PaddedLabelMap(const cv::Mat& ids);
    /// UvLabelMap's padding for a map of side `size`: max(2, size / 256).
    static int padTexelsFor(int size);

    bool empty() const { return ids_.empty(); }
    int size() const { return ids_.rows; }
    const cv::Mat& ids() const { return ids_; }
    const cv::Mat& padded() const { return padded_; }
    /// Texels `dirty` now hold `region` (CV_8UC1 of dirty's size; the
    /// rectangle must lie inside the map): updates the copy and re-pads
    /// around it. std::invalid_argument otherwise.
    void update(const cv::Mat& region, const cv::Rect& dirty);
    /// The same nearest-texel lookup as UvLabelMap::classAt.
    std::uint8_t classAt(float u, float v) const { return nearestTexel(padded_, u, v); }

private:
    cv::Mat ids_, padded_;
};

/// The UVs of a sample's raster. Throws std::invalid_argument when the model
/// has no UVs or the raster holds a triangle the model lacks.
PixelUvs pixelUvs(const head::HeadModel& model, const raster::RasterResult& raster);

/// The segmentation (CV_8UC1, 0 = background) those pixels get in `labels`:
/// identical to annotate()'s for the raster the UVs came from.
cv::Mat relabelSegmentation(const PixelUvs& uvs, const UvLabelMap& labels);
/// The same from a map being edited.
cv::Mat relabelSegmentation(const PixelUvs& uvs, const PaddedLabelMap& labels);

}  // namespace synthforge::annotate
