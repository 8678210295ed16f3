#include "core/labelmap/mirror_paint.h"

#include <algorithm>
#include <cmath>

#include "core/labelmap/brush.h"

namespace synthforge::labelmap {

std::vector<std::vector<Eigen::Vector2f>> mirrorStroke(const MirrorMap& mirror,
                                                       const std::vector<Eigen::Vector2f>& points, int diameter,
                                                       int canvasSize) {
    std::vector<std::vector<Eigen::Vector2f>> pieces;
    if (points.empty()) return pieces;
    snapBrushCentre(points[0], diameter);  // validates the diameter
    const float spacing = std::max(0.5f, static_cast<float>(diameter) / 4.0f);
    const float maxJump = std::max(4.0f, static_cast<float>(diameter));
    std::vector<Eigen::Vector2f> samples{points[0]};
    for (std::size_t k = 1; k < points.size(); ++k) {
        const Eigen::Vector2f a = points[k - 1], b = points[k];
        const int steps = std::max(1, static_cast<int>(std::ceil((b - a).norm() / spacing)));
        for (int s = 1; s <= steps; ++s) samples.push_back(a + (b - a) * (static_cast<float>(s) / steps));
    }
    std::vector<Eigen::Vector2f> piece;
    for (const auto& p : samples) {
        const auto m = mirror.mirrorTexel(p, canvasSize);
        if (!m || (!piece.empty() && (*m - piece.back()).norm() > maxJump)) {
            if (!piece.empty()) pieces.push_back(std::move(piece));
            piece.clear();
        }
        if (m) piece.push_back(*m);
    }
    if (!piece.empty()) pieces.push_back(std::move(piece));
    return pieces;
}

StrokeRecord paintStrokeMirrored(LabelCanvas& canvas, const MirrorMap& mirror,
                                 const std::vector<Eigen::Vector2f>& points, int diameter, std::uint8_t classId,
                                 const std::array<std::uint8_t, 256>& flip) {
    CanvasEdit edit(canvas);
    drawStroke(edit, points, diameter, classId);
    for (const auto& piece : mirrorStroke(mirror, points, diameter, canvas.size()))
        drawStroke(edit, piece, diameter, flip[classId]);
    return edit.commit();
}

}  // namespace synthforge::labelmap
