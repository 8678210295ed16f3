#pragma once
// What the viewport's helpers (orbit control, the paint tool) need to know of
// the view at one moment: the posed head, the scene, the widget's size in
// device pixels and a version that changes whenever the image moves (pose,
// camera, size), so that per-view caches know when to rebuild.

#include <QtGlobal>

#include "core/head/head_model.h"
#include "core/raster/rasterizer.h"
#include "core/scene/scene.h"

namespace synthforge::widgets {

struct ViewportGeometry {
    const head::HeadModel* model = nullptr;
    const raster::Vertices* poseVertices = nullptr;  ///< the posed head, FLAME metres
    const scene::Scene* scene = nullptr;
    int width = 1, height = 1;  ///< device pixels
    double dpr = 1.0;           ///< device pixels per logical pixel
    quint64 version = 0;

    /// A model with a pose that fits it.
    bool posed() const {
        return model && poseVertices && poseVertices->rows() == model->numVertices() && scene;
    }
};

}  // namespace synthforge::widgets
