// Similarity geometry (see similarity2d.h).

#include "core/camera/similarity2d.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace synthforge::camera {

Points2d Similarity2d::apply(const Points2d& p) const {
    Points2d q(p.rows(), 2);
    for (Eigen::Index i = 0; i < p.rows(); ++i) {
        q(i, 0) = a * p(i, 0) - b * p(i, 1) + tx;
        q(i, 1) = b * p(i, 0) + a * p(i, 1) + ty;
    }
    return q;
}

double Similarity2d::scale() const { return std::hypot(a, b); }

Similarity2d Similarity2d::inverse() const {
    const double d = a * a + b * b;
    if (!(d > 0) || !std::isfinite(d)) throw std::invalid_argument("Similarity2d::inverse: zero or non-finite scale");
    // [a -b; b a]^-1 = [a b; -b a] / d.
    Similarity2d r;
    r.a = a / d;
    r.b = -b / d;
    r.tx = -(r.a * tx - r.b * ty);
    r.ty = -(r.b * tx + r.a * ty);
    return r;
}

Similarity2d Similarity2d::after(const Similarity2d& f) const {
    Similarity2d r;
    r.a = a * f.a - b * f.b;
    r.b = b * f.a + a * f.b;
    r.tx = a * f.tx - b * f.ty + tx;
    r.ty = b * f.tx + a * f.ty + ty;
    return r;
}

Eigen::Matrix<double, 2, 3, Eigen::RowMajor> Similarity2d::matrix() const {
    Eigen::Matrix<double, 2, 3, Eigen::RowMajor> m;
    m << a, -b, tx, b, a, ty;
    return m;
}

Similarity2d estimateSimilarity(const Points2d& src, const Points2d& dst) {
    if (src.rows() != dst.rows())
        throw std::invalid_argument("estimateSimilarity: " + std::to_string(src.rows()) + " source points but " +
                                    std::to_string(dst.rows()) + " targets");
    // Centre both sets; then the complex-number form of Umeyama's solution:
    // a + ib = Σ conj(s) d / Σ |s|², t = mean(d) - R mean(s).
    Eigen::Vector2d ms(0, 0), md(0, 0);
    Eigen::Index n = 0;
    auto usable = [&](Eigen::Index i) { return src.row(i).allFinite() && dst.row(i).allFinite(); };
    for (Eigen::Index i = 0; i < src.rows(); ++i)
        if (usable(i)) {
            ms += src.row(i).transpose();
            md += dst.row(i).transpose();
            ++n;
        }
    if (n < 2) throw std::invalid_argument("estimateSimilarity: fewer than two finite point pairs");
    ms /= static_cast<double>(n);
    md /= static_cast<double>(n);
    double ss = 0, num_a = 0, num_b = 0;
    for (Eigen::Index i = 0; i < src.rows(); ++i) {
        if (!usable(i)) continue;
        const double sx = src(i, 0) - ms.x(), sy = src(i, 1) - ms.y();
        const double dx = dst(i, 0) - md.x(), dy = dst(i, 1) - md.y();
        ss += sx * sx + sy * sy;
        num_a += sx * dx + sy * dy;
        num_b += sx * dy - sy * dx;
    }
    // Relative to the points' magnitude, so that far-off but tight clusters count as coincident too.
    const double magnitude = std::max(1.0, ms.squaredNorm());
    if (!(ss > 1e-18 * magnitude * static_cast<double>(n)))
        throw std::invalid_argument("estimateSimilarity: the source points coincide");
    Similarity2d s;
    s.a = num_a / ss;
    s.b = num_b / ss;
    s.tx = md.x() - (s.a * ms.x() - s.b * ms.y());
    s.ty = md.y() - (s.b * ms.x() + s.a * ms.y());
    return s;
}

Eigen::Matrix<double, 2, 3, Eigen::RowMajor> Similarity2d::indexMatrix() const {
    // index_dst = S(index_src + 0.5) - 0.5
    return Similarity2d{1, 0, -0.5, -0.5}.after(after(Similarity2d{1, 0, 0.5, 0.5})).matrix();
}

}  // namespace synthforge::camera
