#pragma once
// Building linear bases the way FLAME's are: PCA over a population of
// meshes with each component scaled to one standard deviation, and a
// symmetric (Loewdin) orthogonalisation that keeps hand-authored directions
// as close to their authored shape as orthogonality allows.

#include <Eigen/Core>

namespace synthforge::head {

struct PcaBasis {
    Eigen::VectorXf mean;        ///< D
    Eigen::MatrixXf components;  ///< D x K, column k = unit direction * sqrt(variance_k)
    Eigen::VectorXf variance;    ///< K, descending
};

/// PCA of the columns of `samples` (D x N, one flattened mesh per column).
/// Uses the N x N Gram matrix, so D may be large. Components come out
/// orthogonal, scaled to one standard deviation, with a deterministic sign
/// (largest-magnitude entry positive). Throws if fewer than `count` + 1
/// samples are given or the population has fewer than `count` non-trivial
/// directions.
PcaBasis pcaBasis(const Eigen::MatrixXf& samples, int count);

/// Loewdin orthogonalisation: B (B^T B)^(-1/2). The result has orthonormal
/// columns and is the closest such matrix to B in the Frobenius norm, so each
/// column keeps the meaning of its authored direction. Columns are then
/// rescaled to the norms of the inputs, keeping them mutually orthogonal.
Eigen::MatrixXf loewdinOrthogonalise(const Eigen::MatrixXf& basis);

}  // namespace synthforge::head
