#pragma once
// The training/validation split of a dataset in our layout, shared by the
// trainer (which holds the last samples out) and the evaluator (which, on the
// run's own data, must score only those held-out samples: scoring training
// samples would report memorisation, not accuracy).

#include <cstdint>
#include <string>

namespace synthforge::train {

/// Samples held out for validation: ceil(n * fraction), at least one when
/// n >= 2 and fraction > 0, none otherwise. Throws std::invalid_argument for
/// n < 0 or a fraction outside [0, 1).
int64_t validationCount(int64_t n, double fraction);

/// Samples [begin, end) of a split: "train" = the first n - validationCount,
/// "val" = the rest, "all" = every sample. Throws std::invalid_argument for
/// another name.
struct SampleRange {
    int64_t begin = 0, end = 0;
    int64_t size() const { return end - begin; }
};
SampleRange splitRange(int64_t n, double fraction, const std::string& split);

}  // namespace synthforge::train
