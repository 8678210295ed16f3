#include "core/annotate/uv_relabel.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "core/annotate/label_map_io.h"

namespace synthforge::annotate {

PixelUvs pixelUvs(const head::HeadModel& model, const raster::RasterResult& r) {
    if (!model.hasUv()) throw std::invalid_argument("pixelUvs: the model " + model.name + " has no UVs");
    PixelUvs out;
    out.width = r.width;
    out.height = r.height;
    const float nan = std::numeric_limits<float>::quiet_NaN();
    out.uv.assign(r.triangleId.size(), Eigen::Vector2f(nan, nan));
    const auto faces = static_cast<std::int32_t>(model.uvFaces.rows());
    for (std::size_t i = 0; i < r.triangleId.size(); ++i) {
        const std::int32_t f = r.triangleId[i];
        if (f < 0) continue;
        if (f >= faces)
            throw std::invalid_argument("pixelUvs: the raster shows triangle " + std::to_string(f) +
                                        " but the model has " + std::to_string(faces));
        // The same expression, in the same order, as annotate()'s segmentation,
        // so that the floats (and therefore the looked-up texels) agree exactly.
        const float b0 = r.bary0[i], b1 = r.bary1[i], b2 = 1.0f - b0 - b1;
        const auto t = model.uvFaces.row(f);
        const Eigen::RowVector2f uv = b0 * model.uv.row(t[0]) + b1 * model.uv.row(t[1]) + b2 * model.uv.row(t[2]);
        out.uv[i] = uv.transpose();
    }
    return out;
}

namespace {

template <class Map>
cv::Mat lookUp(const PixelUvs& uvs, const Map& labels) {
    if (labels.empty()) throw std::invalid_argument("relabelSegmentation: empty label map");
    cv::Mat seg(uvs.height, uvs.width, CV_8UC1);
    for (int y = 0; y < uvs.height; ++y) {
        auto* row = seg.ptr<std::uint8_t>(y);
        const Eigen::Vector2f* in = uvs.uv.data() + static_cast<std::size_t>(y) * uvs.width;
        for (int x = 0; x < uvs.width; ++x)
            row[x] = std::isnan(in[x].x()) ? std::uint8_t{0} : labels.classAt(in[x].x(), in[x].y());
    }
    return seg;
}

}  // namespace

cv::Mat relabelSegmentation(const PixelUvs& uvs, const UvLabelMap& labels) { return lookUp(uvs, labels); }
cv::Mat relabelSegmentation(const PixelUvs& uvs, const PaddedLabelMap& labels) { return lookUp(uvs, labels); }

int PaddedLabelMap::padTexelsFor(int size) { return std::max(2, size / 256); }

PaddedLabelMap::PaddedLabelMap(const cv::Mat& ids) {
    if (ids.empty() || ids.type() != CV_8UC1 || ids.rows != ids.cols)
        throw std::invalid_argument("PaddedLabelMap: the map must be a square CV_8UC1 image");
    ids_ = ids.clone();
    padded_ = padLabelMap(ids_, padTexelsFor(ids_.rows));
}

void PaddedLabelMap::update(const cv::Mat& region, const cv::Rect& dirty) {
    const cv::Rect all(0, 0, ids_.cols, ids_.rows);
    if (dirty.empty()) return;
    if ((dirty & all) != dirty || region.type() != CV_8UC1 || region.size() != dirty.size())
        throw std::invalid_argument("PaddedLabelMap::update: the region must be CV_8UC1 of the rectangle's size, "
                                    "inside the map");
    region.copyTo(ids_(dirty));
    const int p = padTexelsFor(ids_.rows);
    // Re-pad the rectangle grown by 2p (clipped); its part grown by p is
    // exact (see the header), and nothing outside that can have changed.
    const cv::Rect outer = cv::Rect(dirty.x - 2 * p, dirty.y - 2 * p, dirty.width + 4 * p, dirty.height + 4 * p) & all;
    const cv::Rect inner = cv::Rect(dirty.x - p, dirty.y - p, dirty.width + 2 * p, dirty.height + 2 * p) & all;
    const cv::Mat local = padLabelMap(ids_(outer), p);
    local(cv::Rect(inner.x - outer.x, inner.y - outer.y, inner.width, inner.height)).copyTo(padded_(inner));
}

}  // namespace synthforge::annotate
