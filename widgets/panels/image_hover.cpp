#include "widgets/panels/image_hover.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace synthforge::widgets {

ImageFit fitImage(QSize image, QSize area) {
    ImageFit f;
    if (image.isEmpty() || area.isEmpty()) return f;
    // QPixmap::scaled(KeepAspectRatio) rounds the scaled size; QLabel centres it.
    const QSize shown = image.scaled(area, Qt::KeepAspectRatio);
    f.scale = static_cast<double>(shown.width()) / image.width();
    f.dx = (area.width() - shown.width()) / 2;
    f.dy = (area.height() - shown.height()) / 2;
    return f;
}

int nearestLandmark(const head::RowMatX2f& landmarks, QPointF p, double maxDistance) {
    int best = -1;
    double bestD2 = maxDistance * maxDistance;
    for (Eigen::Index i = 0; i < landmarks.rows(); ++i) {
        const double x = landmarks(i, 0), y = landmarks(i, 1);
        if (!std::isfinite(x) || !std::isfinite(y)) continue;
        const double d2 = (x - p.x()) * (x - p.x()) + (y - p.y()) * (y - p.y());
        if (d2 <= bestD2) {
            bestD2 = d2;
            best = static_cast<int>(i);
        }
    }
    return best;
}

QString describePixel(const annotate::Annotations& a, const annotate::ClassTable* classes, QPointF p, int landmark) {
    const int x = static_cast<int>(std::floor(p.x())), y = static_cast<int>(std::floor(p.y()));
    if (x < 0 || y < 0 || x >= a.width || y >= a.height) return {};
    QString text = QStringLiteral("x %1, y %2").arg(x).arg(y);
    if (!a.segmentation.empty()) {
        const int id = a.segmentation.at<std::uint8_t>(y, x);
        const annotate::ClassEntry* c = classes ? classes->findById(id) : nullptr;
        text += QStringLiteral(" · %1").arg(c ? QString::fromStdString(c->name) : QStringLiteral("class %1").arg(id));
    }
    if (!a.depth.empty()) {
        const float z = a.depth.at<float>(y, x);
        text += z > 0 ? QStringLiteral(" · depth %1").arg(static_cast<double>(z), 0, 'f', 3) : QStringLiteral(" · no surface");
    }
    if (landmark >= 0 && landmark < a.landmarks2d.rows()) {
        const bool visible = static_cast<std::size_t>(landmark) < a.landmarkVisible.size() && a.landmarkVisible[landmark];
        text += QStringLiteral(" · landmark %1 (%2)").arg(landmark).arg(visible ? QStringLiteral("visible")
                                                                                : QStringLiteral("occluded"));
    }
    return text;
}

}  // namespace synthforge::widgets
