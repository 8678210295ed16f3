#pragma once
// A 2D similarity (uniform scale, rotation, translation: 4 degrees of
// freedom) and its least-squares estimate from point pairs (Umeyama's closed
// form without reflection). Used wherever a face is framed by points:
// `predict`'s crops (core/train/crop_similarity.h) and the aligned
// face-recognition crops a dataset writes (core/generate/samplers/fr_crop.h).

#include <Eigen/Core>

namespace synthforge::camera {

/// Points, one (x, y) per row.
using Points2d = Eigen::Matrix<double, Eigen::Dynamic, 2, Eigen::RowMajor>;

/// q = [a -b; b a] p + (tx, ty): scale sqrt(a² + b²), angle atan2(b, a).
struct Similarity2d {
    double a = 1, b = 0, tx = 0, ty = 0;

    Eigen::Vector2d apply(const Eigen::Vector2d& p) const { return {a * p.x() - b * p.y() + tx, b * p.x() + a * p.y() + ty}; }
    Points2d apply(const Points2d& p) const;
    double scale() const;
    /// The inverse map; std::invalid_argument for a zero scale.
    Similarity2d inverse() const;
    /// (this ∘ first)(p) = this(first(p)).
    Similarity2d after(const Similarity2d& first) const;
    /// Row-major 2 x 3 [a -b tx; b a ty], cv::warpAffine's forward matrix.
    Eigen::Matrix<double, 2, 3, Eigen::RowMajor> matrix() const;
    /// The same map between OpenCV pixel indices (the centre of pixel i at
    /// i, ours at i + 0.5, on both sides): what cv::warpAffine needs to
    /// move an image as this moves continuous-pixel points.
    Eigen::Matrix<double, 2, 3, Eigen::RowMajor> indexMatrix() const;
};

/// The least-squares similarity taking `src` to `dst` (Umeyama 1991 with
/// scale, no reflection): minimises Σ |S(src_i) - dst_i|². Rows whose
/// coordinates are not finite in either set are left out. Throws
/// std::invalid_argument when the sets differ in size, fewer than two usable
/// pairs remain, or the usable `src` points all coincide.
Similarity2d estimateSimilarity(const Points2d& src, const Points2d& dst);

}  // namespace synthforge::camera
