#pragma once
// What the cursor points at in a picture shown scaled to fit a widget (the
// generator view): widget <-> image coordinates, the nearest landmark, and a
// one-line description of the pixel (class, depth, landmark).

#include <QPointF>
#include <QSize>
#include <QString>

#include "core/annotate/annotator.h"
#include "core/annotate/class_table.h"

namespace synthforge::widgets {

/// An image of `image` pixels scaled with Qt::KeepAspectRatio and centred in
/// an area of `area` pixels, as QLabel shows a pixmap scaled that way.
/// Image coordinates are continuous pixels: pixel (i, j) covers [i, i+1) x
/// [j, j+1), as the annotations' 2d_kps are.
struct ImageFit {
    double scale = 1, dx = 0, dy = 0;
    QPointF toImage(QPointF widget) const { return {(widget.x() - dx) / scale, (widget.y() - dy) / scale}; }
    QPointF toWidget(QPointF image) const { return {image.x() * scale + dx, image.y() * scale + dy}; }
};
ImageFit fitImage(QSize image, QSize area);

/// Index of the landmark nearest `p` (image pixels) within `maxDistance`,
/// or -1. Points that are NaN (behind the camera) never match.
int nearestLandmark(const head::RowMatX2f& landmarks, QPointF p, double maxDistance);

/// "x 231, y 140 · skin · depth 2.613 · landmark 36 (visible)" for image
/// point `p`; empty outside the image. `classes` may be null (no segmentation).
QString describePixel(const annotate::Annotations& a, const annotate::ClassTable* classes, QPointF p, int landmark);

}  // namespace synthforge::widgets
