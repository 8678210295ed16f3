#include "core/head/basis_builder.h"

#include <Eigen/Eigenvalues>

#include <stdexcept>
#include <string>

namespace synthforge::head {

PcaBasis pcaBasis(const Eigen::MatrixXf& samples, int count) {
    const Eigen::Index N = samples.cols();
    if (count < 1 || N < count + 1)
        throw std::invalid_argument("pcaBasis: " + std::to_string(N) + " samples cannot give " + std::to_string(count) +
                                    " components");
    PcaBasis out;
    out.mean = samples.rowwise().mean();
    // Double precision for the Gram matrix: small trailing variances matter.
    const Eigen::MatrixXd centred = (samples.colwise() - out.mean).cast<double>();
    const Eigen::MatrixXd gram = centred.transpose() * centred / static_cast<double>(N - 1);
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(gram);
    if (eig.info() != Eigen::Success) throw std::runtime_error("pcaBasis: eigen decomposition failed");
    out.components.resize(samples.rows(), count);
    out.variance.resize(count);
    const double top = eig.eigenvalues()(N - 1);
    for (int k = 0; k < count; ++k) {
        const double lambda = eig.eigenvalues()(N - 1 - k);  // ascending order from Eigen
        if (!(lambda > 1e-12 * top))
            throw std::runtime_error("pcaBasis: the population spans only " + std::to_string(k) +
                                     " directions, " + std::to_string(count) + " requested");
        // Left singular vector: u = X v / sqrt((N-1) lambda); scaled by sqrt(lambda).
        Eigen::VectorXd u = centred * eig.eigenvectors().col(N - 1 - k);
        u /= u.norm();
        Eigen::Index arg;
        u.cwiseAbs().maxCoeff(&arg);
        if (u(arg) < 0) u = -u;
        out.components.col(k) = (u * std::sqrt(lambda)).cast<float>();
        out.variance(k) = static_cast<float>(lambda);
    }
    return out;
}

Eigen::MatrixXf loewdinOrthogonalise(const Eigen::MatrixXf& basis) {
    const Eigen::MatrixXd b = basis.cast<double>();
    const Eigen::VectorXd norms = b.colwise().norm();
    for (Eigen::Index k = 0; k < norms.size(); ++k)
        if (!(norms(k) > 0)) throw std::invalid_argument("loewdinOrthogonalise: column " + std::to_string(k) + " is zero");
    const Eigen::MatrixXd unit = b * norms.cwiseInverse().asDiagonal();
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(unit.transpose() * unit);
    if (eig.eigenvalues().minCoeff() < 1e-10)
        throw std::invalid_argument("loewdinOrthogonalise: the columns are linearly dependent");
    const Eigen::MatrixXd invSqrt =
        eig.eigenvectors() * eig.eigenvalues().cwiseSqrt().cwiseInverse().asDiagonal() * eig.eigenvectors().transpose();
    const Eigen::MatrixXd ortho = unit * invSqrt;
    return (ortho * norms.asDiagonal()).cast<float>();
}

}  // namespace synthforge::head
