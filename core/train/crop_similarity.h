#pragma once
// The geometry of `synthforge predict`'s framing (docs/predict.md): a 2D
// similarity (uniform scale, rotation, translation: 4 degrees of freedom)
// that maps pixels of the user's image to pixels of the network's S x S
// crop, its least-squares estimate from point pairs (Umeyama's closed form
// without reflection), and the crops it starts from: the centred square, a
// face box, or the one that puts predicted landmarks onto the training set's
// mean landmarks. Coordinates are continuous pixels (pixel i covers
// [i, i+1), docs/dataset.md) unless a name says "normalised".
//
// Torch- and Qt-free: the cascade (landmark_cascade.h) and its tests use it
// with any predictor.

#include <Eigen/Core>

#include "core/camera/similarity2d.h"

namespace synthforge::train {

using camera::estimateSimilarity;
using camera::Points2d;
using camera::Similarity2d;

/// Normalised crop coordinates (grid_sample, align_corners=false: the crop
/// spans [-1, 1]) <-> continuous pixels of an S x S crop: p = (v + 1) S / 2.
Points2d normalisedToCropPixels(const Points2d& normalised, int size);
Points2d cropPixelsToNormalised(const Points2d& pixels, int size);

/// The largest centred square of a width x height image, scaled to size x
/// size: corner ((W - side) / 2, (H - side) / 2) rounded down to whole
/// pixels, side = min(W, H), so a square image maps onto the crop exactly.
/// std::invalid_argument for non-positive sizes.
Similarity2d centredCrop(int width, int height, int size);

/// The crop whose square has its top-left corner at (x, y) and side `side`
/// in image pixels, scaled to size x size (no rotation).
Similarity2d squareCrop(double x, double y, double side, int size);

/// Where a face box lands in the training framing: its centre (cx, cy) and
/// longer side, in normalised crop coordinates.
struct BoxFraming {
    double cx = 0, cy = 0, side = 1;
};

/// The framing of the landmarks' bounding box in `normalisedTemplate` (the
/// mean training landmarks, normalised). std::invalid_argument for an empty
/// or degenerate template.
BoxFraming templateBoxFraming(const Points2d& normalisedTemplate);
/// Stage II's framing: the box, grown by `margin` x its longer side on each
/// side, fills the crop (centred, side 2 / (1 + 2 margin)).
BoxFraming marginBoxFraming(double margin);

/// The crop (no rotation) that puts the box (x, y, w, h) in image pixels where
/// `framing` says: its centre on (cx, cy), its longer side on `side`.
/// std::invalid_argument for w or h not positive or a non-finite value.
Similarity2d boxCrop(double x, double y, double w, double h, const BoxFraming& framing, int size);

/// The crop that maps `imageLandmarks` (pixels of the input image) onto
/// `normalisedTemplate` in an S x S crop, by estimateSimilarity.
Similarity2d alignToTemplate(const Points2d& imageLandmarks, const Points2d& normalisedTemplate, int size);

/// How far the crop moved from `from` to `to`: the largest distance between
/// where the two put a corner of the S x S crop in the image, divided by the
/// side of `from`'s crop in image pixels (S / scale). 0 for the same crop.
double cropMotion(const Similarity2d& from, const Similarity2d& to, int size);

}  // namespace synthforge::train
