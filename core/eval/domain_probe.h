#pragma once
// A real-versus-rendered classifier as a realism measure: a logistic
// regression on fixed features (standardised on its training rows) learns to
// tell two sets apart on half of each and is scored on the other half.
// Accuracy near 0.5 means the sets cannot be told apart on these features;
// near 1, easily. Deterministic: even rows train, odd rows test.

#include <cstdint>

#include "core/eval/kid.h"  // FeatureRows

namespace synthforge::eval {

struct DomainProbeResult {
    double accuracy = 0;  ///< on the held-out (odd) rows of both sets
    int64_t trainRows = 0, testRows = 0;
};

/// std::invalid_argument for sets of fewer than 4 rows or rows of different
/// widths. `iterations` of full-batch gradient descent (step 0.5, L2 1e-3).
DomainProbeResult domainClassifierAccuracy(const FeatureRows& a, const FeatureRows& b, int iterations = 300);

}  // namespace synthforge::eval
