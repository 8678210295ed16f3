#pragma once
// The surface and the class under one pixel of a view, exactly as a dataset
// sample of that view would store them: the pixel's triangle and depth from
// raster::WindowRaster (the annotator's rasteriser on a tiny window) and its
// class from the UV label map through the annotator's barycentric UV
// expression. The studio's 3D viewport shows this in its HUD.

#include <cstdint>
#include <string>

#include <Eigen/Core>

#include "core/annotate/class_table.h"
#include "core/annotate/uv_label_map.h"
#include "core/annotate/uv_relabel.h"
#include "core/head/head_model.h"
#include "core/raster/window_raster.h"

namespace synthforge::annotate {

/// The surface under one pixel.
struct PixelPick {
    bool hit = false;
    int x = -1, y = -1;        ///< pixel (device pixels of the view)
    std::int32_t triangle = -1;
    std::int32_t vertex = -1;  ///< the triangle's corner with the largest barycentric weight
    Eigen::Vector3f bary = Eigen::Vector3f::Zero();
    float depth = 0.0f;        ///< camera z, generator units (as the depth annotation)
    int classId = -1;          ///< from the UV label map; -1 without one
    std::string className;     ///< "" without a label map; "background" when nothing is hit
};

/// The UV label map as the label editor has it right now (strokes not yet in
/// a UvLabelMap), e.g. GeneratorView::liveLabels(); used instead of the
/// pipeline's map when its map is not empty.
struct LiveLabels {
    const PaddedLabelMap* map = nullptr;
    const ClassTable* classes = nullptr;
    bool usable() const { return map && !map->empty() && classes; }
};

/// The pixel (x, y) of `view` (the full image's geometry): triangle, depth,
/// nearest vertex and, with `labels` (or usable `live` labels) and a model
/// with UVs, the class exactly as the segmentation annotation computes it.
PixelPick pickPixel(const raster::WindowRaster& view, const head::HeadModel& model, const UvLabelMap* labels,
                    int x, int y, const LiveLabels& live = {});

}  // namespace synthforge::annotate
