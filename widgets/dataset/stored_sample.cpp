#include "widgets/dataset/stored_sample.h"

#include "core/annotate/overlays.h"
#include "core/dataset/stored_sample.h"

namespace synthforge::widgets {

StoredSample loadStoredSample(const DatasetIndex& index, std::size_t row) {
    StoredSample s;
    static_cast<dataset::StoredSample&>(s) = dataset::readStoredSample(index.dir, index.samples.at(row));
    s.row = row;
    return s;
}

cv::Mat composeStoredSample(const StoredSample& s, const annotate::ClassTable* classes, const StoredOverlays& o) {
    cv::Mat out;
    if (o.base == StoredOverlays::Base::Depth && !s.depth.empty())
        out = annotate::depthColormap(s.depth);
    else if (o.base == StoredOverlays::Base::Normals && !s.normals.empty())
        out = s.normals.clone();
    else
        out = s.image.clone();
    if (o.segmentation && classes && !s.seg.empty())
        out = annotate::blendSegmentation(out, s.seg, *classes, o.opacity);
    if (o.landmarks && s.landmarks.rows() > 0) out = annotate::drawLandmarks(out, s.landmarks, s.visible);
    return out;
}

}  // namespace synthforge::widgets
