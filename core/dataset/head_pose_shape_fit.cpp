// The shape-aware head-pose fit (head_pose.h): the rigid PnP fit of the
// neutral head leaves the difference between the neutral head and the
// pictured one in the pose, so rotation, translation and the leading
// shape/expression coefficients are refined together.

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include <Eigen/Cholesky>
#include <Eigen/Geometry>

#include "core/dataset/head_pose.h"
#include "core/head/lbs.h"

namespace synthforge::dataset {

namespace {

/// The 68 landmarks of one basis column laid out as V x 3 vertex offsets;
/// landmarks are barycentric, hence linear in the vertices.
Eigen::VectorXd landmarkColumn(const head::HeadModel& model, const Eigen::MatrixXf& dirs, Eigen::Index col) {
    const head::RowMatX3f offsets = Eigen::Map<const head::RowMatX3f>(dirs.col(col).data(), model.numVertices(), 3);
    const head::RowMatX3f lm = head::placeLandmarks(model, offsets, 0);
    return Eigen::Map<const Eigen::VectorXf>(lm.data(), lm.size()).cast<double>();
}

struct Fit {
    Eigen::Matrix3d rotation;
    Eigen::Vector3d translation;
    Eigen::VectorXd coeffs;  ///< shape, then expression
};

/// Residuals (reprojection in box units, then the prior) and, when `jacobian`
/// is given, their derivatives in (rotation increment, translation, coeffs).
struct Problem {
    const LandmarkBasis& basis;
    Eigen::MatrixXd dirs;  ///< 204 x (K + E): shape then expression columns
    std::vector<int> points;
    std::vector<Eigen::Vector2d> observed;
    double focal, cx, cy, scale, priorSqrt;

    Eigen::Index unknowns() const { return 6 + dirs.cols(); }
    Eigen::Index rows() const { return 2 * static_cast<Eigen::Index>(points.size()) + dirs.cols(); }

    /// False when a point falls behind the camera (a step to refuse).
    bool evaluate(const Fit& f, Eigen::VectorXd& r, Eigen::MatrixXd* jacobian) const {
        r.resize(rows());
        if (jacobian) jacobian->setZero(rows(), unknowns());
        for (std::size_t i = 0; i < points.size(); ++i) {
            const int k = points[i];
            const Eigen::Vector3d p =
                basis.rest[static_cast<std::size_t>(k)].cast<double>() + dirs.middleRows(3 * k, 3) * f.coeffs;
            const Eigen::Vector3d rp = f.rotation * p;
            const Eigen::Vector3d x = rp + f.translation;
            if (!(x.z() > 0)) return false;
            const Eigen::Index row = 2 * static_cast<Eigen::Index>(i);
            r[row] = (focal * x.x() / x.z() + cx - observed[i].x()) / scale;
            r[row + 1] = (focal * x.y() / x.z() + cy - observed[i].y()) / scale;
            if (!jacobian) continue;
            Eigen::Matrix<double, 2, 3> dProj;
            dProj << 1, 0, -x.x() / x.z(), 0, 1, -x.y() / x.z();
            dProj *= focal / (x.z() * scale);
            Eigen::Matrix3d skew;  // d(exp(w) R p)/dw at w = 0 is -[Rp]x
            skew << 0, rp.z(), -rp.y(), -rp.z(), 0, rp.x(), rp.y(), -rp.x(), 0;
            jacobian->block(row, 0, 2, 3) = dProj * skew;
            jacobian->block(row, 3, 2, 3) = dProj;
            jacobian->block(row, 6, 2, dirs.cols()) = dProj * f.rotation * dirs.middleRows(3 * k, 3);
        }
        const Eigen::Index prior = 2 * static_cast<Eigen::Index>(points.size());
        r.tail(dirs.cols()) = priorSqrt * f.coeffs;
        if (jacobian)
            jacobian->block(prior, 6, dirs.cols(), dirs.cols()) =
                priorSqrt * Eigen::MatrixXd::Identity(dirs.cols(), dirs.cols());
        return true;
    }
};

Fit step(const Fit& f, const Eigen::VectorXd& delta) {
    Fit g = f;
    const Eigen::Vector3d w = delta.head<3>();
    if (w.norm() > 0) g.rotation = Eigen::AngleAxisd(w.norm(), w.normalized()).toRotationMatrix() * f.rotation;
    g.translation += delta.segment<3>(3);
    g.coeffs += delta.tail(f.coeffs.size());
    return g;
}

/// Levenberg-Marquardt with the damping scaled to the normal matrix's diagonal.
Fit refine(const Problem& problem, Fit f, int iterations) {
    Eigen::VectorXd r, rNew;
    Eigen::MatrixXd jac;
    if (!problem.evaluate(f, r, &jac)) return f;
    double cost = r.squaredNorm(), lambda = 1e-3;
    for (int it = 0; it < iterations; ++it) {
        const Eigen::MatrixXd jtj = jac.transpose() * jac;
        const Eigen::VectorXd jtr = jac.transpose() * r;
        bool improved = false;
        for (int tries = 0; tries < 10 && !improved; ++tries) {
            Eigen::MatrixXd a = jtj;
            a.diagonal() += lambda * (jtj.diagonal().array() + 1e-12).matrix();
            const Eigen::VectorXd delta = a.ldlt().solve(-jtr);
            const Fit g = step(f, delta);
            if (problem.evaluate(g, rNew, nullptr) && rNew.squaredNorm() < cost) {
                const double gain = cost - rNew.squaredNorm();
                f = g;
                cost = rNew.squaredNorm();
                lambda = std::max(lambda / 3, 1e-9);
                improved = true;
                if (gain < 1e-12 * cost) return f;
            } else {
                lambda *= 8;
            }
        }
        if (!improved) break;
        problem.evaluate(f, r, &jac);
    }
    return f;
}

}  // namespace

LandmarkBasis landmarkBasis(const head::HeadModel& model, int shapeComponents, int exprComponents) {
    if (shapeComponents < 0 || exprComponents < 0)
        throw std::invalid_argument("head pose: component counts must not be negative");
    LandmarkBasis b;
    b.rest = restLandmarks(model);
    const int ns = std::min(shapeComponents, model.numShape()), ne = std::min(exprComponents, model.numExpr());
    b.shape.resize(3 * head::kNumLandmarks, ns);
    b.expr.resize(3 * head::kNumLandmarks, ne);
    for (int c = 0; c < ns; ++c) b.shape.col(c) = landmarkColumn(model, model.shapedirs, c);
    for (int c = 0; c < ne; ++c) b.expr.col(c) = landmarkColumn(model, model.exprdirs, c);
    return b;
}

HeadPose estimateHeadPose(const Eigen::Matrix<float, Eigen::Dynamic, 2, Eigen::RowMajor>& landmarks,
                          const LandmarkBasis& basis, double focal, double cx, double cy,
                          const HeadPoseFitOptions& options) {
    if (basis.shape.rows() != 3 * head::kNumLandmarks || basis.expr.rows() != 3 * head::kNumLandmarks)
        throw std::invalid_argument("head pose: the landmark basis must have 204 rows");
    if (!(options.priorWeight >= 0) || options.iterations < 0)
        throw std::invalid_argument("head pose: the prior weight and iteration count must not be negative");
    // The PnP start sees only the points the refinement fits (those of them
    // in headPoseLandmarks()), so a caller's choice also holds for the start.
    Eigen::Matrix<float, Eigen::Dynamic, 2, Eigen::RowMajor> chosen = landmarks;
    if (!options.points.empty() && landmarks.rows() == head::kNumLandmarks) {
        chosen.setConstant(std::numeric_limits<float>::quiet_NaN());
        for (int k : options.points)
            if (k >= 0 && k < head::kNumLandmarks) chosen.row(k) = landmarks.row(k);
    }
    const HeadPose start = estimateHeadPose(chosen, basis.rest, focal, cx, cy);  // checks the rest
    Problem problem{basis, Eigen::MatrixXd(3 * head::kNumLandmarks, basis.shape.cols() + basis.expr.cols()), {}, {},
                    focal, cx, cy, 1.0, std::sqrt(options.priorWeight)};
    problem.dirs << basis.shape, basis.expr;
    Eigen::Vector2d lo = Eigen::Vector2d::Constant(std::numeric_limits<double>::infinity()), hi = -lo;
    for (int k : options.points.empty() ? headPoseLandmarks() : options.points) {
        if (k < 0 || k >= head::kNumLandmarks)
            throw std::invalid_argument("head pose: landmark index " + std::to_string(k) + " is not in 0..67");
        const Eigen::Vector2d p = landmarks.row(k).transpose().cast<double>();
        if (!p.allFinite()) continue;
        problem.points.push_back(k);
        problem.observed.push_back(p);
        lo = lo.cwiseMin(p);
        hi = hi.cwiseMax(p);
    }
    // Residuals in units of the face's size: the prior weight then means the
    // same for a 64-pixel face and a 1000-pixel one.
    problem.scale = std::max(1.0, (hi - lo).maxCoeff());
    Fit f{start.rotation, start.translation, Eigen::VectorXd::Zero(problem.dirs.cols())};
    f = refine(problem, f, options.iterations);
    HeadPose out;
    out.rotation = f.rotation;
    out.translation = f.translation;
    out.shape = f.coeffs.head(basis.shape.cols());
    out.expr = f.coeffs.tail(basis.expr.cols());
    Eigen::VectorXd r;
    problem.evaluate(f, r, nullptr);
    out.rmsPixels = problem.scale * std::sqrt(r.head(2 * static_cast<Eigen::Index>(problem.points.size())).squaredNorm() /
                                              static_cast<double>(problem.points.size()));
    setOrbitAngles(out);
    return out;
}

}  // namespace synthforge::dataset
