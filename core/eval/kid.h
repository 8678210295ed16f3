#pragma once
// Kernel Inception Distance (Bińkowski et al. 2018): the unbiased squared
// MMD between two sets of features under the cubic polynomial kernel
// k(x, y) = (x . y / d + 1)^3, averaged over random subsets, with the
// spread over subsets as its uncertainty (as torchmetrics and the
// authors' code report it). Any feature extractor can be used; the name of
// the one used must be reported with the figure (there are no Inception
// weights offline; realism transfer uses our face-recognition features).

#include <cstdint>
#include <vector>

namespace synthforge::eval {

/// Rows of equal length.
using FeatureRows = std::vector<std::vector<float>>;

/// The unbiased squared MMD of `x` and `y` (each at least 2 rows, same
/// width) under the cubic polynomial kernel. May be slightly negative.
double polynomialMmdUnbiased(const FeatureRows& x, const FeatureRows& y);

struct KidResult {
    double mean = 0, std = 0;  ///< over subsets (std: population, as torchmetrics)
    int subsets = 0;
    int64_t subsetSize = 0;
};

/// KID over `subsets` pairs of random subsets of min(subsetSize, |x|, |y|)
/// rows each, drawn without replacement from a seeded generator.
/// std::invalid_argument for sets of fewer than 2 rows, rows of different
/// widths, or subsets < 1.
KidResult kernelInceptionDistance(const FeatureRows& x, const FeatureRows& y, int subsets = 100,
                                  int64_t subsetSize = 1000, uint64_t seed = 0);

}  // namespace synthforge::eval
