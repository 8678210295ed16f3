#include "core/train/data_split.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace synthforge::train {

int64_t validationCount(int64_t n, double fraction) {
    if (n < 0) throw std::invalid_argument("validationCount: negative sample count");
    if (!(fraction >= 0 && fraction < 1)) throw std::invalid_argument("val_fraction: must be in [0, 1)");
    if (n < 2 || fraction == 0) return 0;
    return std::max<int64_t>(1, static_cast<int64_t>(std::ceil(static_cast<double>(n) * fraction)));
}

SampleRange splitRange(int64_t n, double fraction, const std::string& split) {
    const int64_t nVal = validationCount(n, fraction);
    if (split == "all") return {0, n};
    if (split == "train") return {0, n - nVal};
    if (split == "val") return {n - nVal, n};
    throw std::invalid_argument("split: '" + split + "' is not all, train or val");
}

}  // namespace synthforge::train
