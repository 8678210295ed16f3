#include "core/annotate/pixel_pick.h"

namespace synthforge::annotate {

PixelPick pickPixel(const raster::WindowRaster& view, const head::HeadModel& model, const UvLabelMap* labels,
                    int x, int y, const LiveLabels& live) {
    PixelPick p;
    p.x = x;
    p.y = y;
    const bool useLive = live.usable();
    const ClassTable* table = useLive ? live.classes : (labels ? &labels->classes() : nullptr);
    const bool segment = (useLive || (labels && !labels->empty())) && model.hasUv();
    if (view.empty() || x < 0 || y < 0 || x >= view.width() || y >= view.height()) return p;
    const raster::RasterResult r = view.window(x, y, 1, 1);
    if (r.triangleId.empty() || r.triangleId[0] < 0) {
        if (segment) {
            p.classId = 0;
            const ClassEntry* e = table->findById(0);
            p.className = e ? e->name : "background";
        } else {
            p.className = "background";
        }
        return p;
    }
    p.hit = true;
    p.triangle = r.triangleId[0];
    p.depth = r.depth[0];
    const float b0 = r.bary0[0], b1 = r.bary1[0], b2 = 1.0f - b0 - b1;
    p.bary = Eigen::Vector3f(b0, b1, b2);
    int corner = 0;
    p.bary.maxCoeff(&corner);
    p.vertex = model.faces(p.triangle, corner);
    if (segment) {
        // The annotator's expression, term for term, so the class is the segmentation's.
        const auto t = model.uvFaces.row(p.triangle);
        const Eigen::RowVector2f uv = b0 * model.uv.row(t[0]) + b1 * model.uv.row(t[1]) + b2 * model.uv.row(t[2]);
        p.classId = useLive ? live.map->classAt(uv.x(), uv.y()) : labels->classAt(uv.x(), uv.y());
        const ClassEntry* e = table->findById(p.classId);
        p.className = e ? e->name : "class " + std::to_string(p.classId);
    }
    return p;
}

}  // namespace synthforge::annotate
