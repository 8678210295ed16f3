// Similarity geometry of the prediction framing (see crop_similarity.h).

#include "core/train/crop_similarity.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace synthforge::train {

Points2d normalisedToCropPixels(const Points2d& v, int size) {
    return ((v.array() + 1.0) * (0.5 * size)).matrix();
}

Points2d cropPixelsToNormalised(const Points2d& p, int size) {
    return (p.array() * (2.0 / size) - 1.0).matrix();
}

Similarity2d squareCrop(double x, double y, double side, int size) {
    if (!(side > 0) || !std::isfinite(side) || !std::isfinite(x) || !std::isfinite(y) || size < 1)
        throw std::invalid_argument("squareCrop: side and size must be positive and every value finite");
    Similarity2d s;
    s.a = size / side;
    s.tx = -x * s.a;
    s.ty = -y * s.a;
    return s;
}

Similarity2d centredCrop(int width, int height, int size) {
    if (width < 1 || height < 1 || size < 1)
        throw std::invalid_argument("centredCrop: width, height and size must be positive");
    const int side = std::min(width, height);
    return squareCrop((width - side) / 2, (height - side) / 2, side, size);
}

BoxFraming templateBoxFraming(const Points2d& t) {
    if (t.rows() < 2 || !t.allFinite()) throw std::invalid_argument("templateBoxFraming: fewer than two finite points");
    const Eigen::Vector2d lo = t.colwise().minCoeff(), hi = t.colwise().maxCoeff();
    BoxFraming f;
    f.cx = 0.5 * (lo.x() + hi.x());
    f.cy = 0.5 * (lo.y() + hi.y());
    f.side = std::max(hi.x() - lo.x(), hi.y() - lo.y());
    if (!(f.side > 1e-6)) throw std::invalid_argument("templateBoxFraming: the template's points coincide");
    return f;
}

BoxFraming marginBoxFraming(double margin) {
    if (!(margin >= 0) || !std::isfinite(margin)) throw std::invalid_argument("marginBoxFraming: margin must be >= 0");
    return {0, 0, 2.0 / (1.0 + 2.0 * margin)};
}

Similarity2d boxCrop(double x, double y, double w, double h, const BoxFraming& framing, int size) {
    if (!std::isfinite(x) || !std::isfinite(y) || !(w > 0) || !(h > 0) || !std::isfinite(w) || !std::isfinite(h))
        throw std::invalid_argument("boxCrop: the box needs finite x, y and positive w, h");
    if (!(framing.side > 0) || size < 1) throw std::invalid_argument("boxCrop: bad framing or size");
    // Crop pixels per image pixel: the box's longer side becomes framing.side * S / 2 crop pixels.
    Similarity2d s;
    s.a = framing.side * size / (2.0 * std::max(w, h));
    const double cx = (framing.cx + 1) * 0.5 * size, cy = (framing.cy + 1) * 0.5 * size;
    s.tx = cx - s.a * (x + 0.5 * w);
    s.ty = cy - s.a * (y + 0.5 * h);
    return s;
}

Similarity2d alignToTemplate(const Points2d& imageLandmarks, const Points2d& normalisedTemplate, int size) {
    return estimateSimilarity(imageLandmarks, normalisedToCropPixels(normalisedTemplate, size));
}

double cropMotion(const Similarity2d& from, const Similarity2d& to, int size) {
    const Similarity2d fi = from.inverse(), ti = to.inverse();
    double worst = 0;
    for (const Eigen::Vector2d& c : {Eigen::Vector2d(0, 0), Eigen::Vector2d(size, 0), Eigen::Vector2d(0, size),
                                    Eigen::Vector2d(size, size)})
        worst = std::max(worst, (fi.apply(c) - ti.apply(c)).norm());
    return worst / (size / from.scale());
}

}  // namespace synthforge::train
