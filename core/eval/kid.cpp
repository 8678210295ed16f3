#include "core/eval/kid.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>

namespace synthforge::eval {

namespace {

double kernel(const std::vector<float>& a, const std::vector<float>& b) {
    double dot = 0;
    for (std::size_t k = 0; k < a.size(); ++k) dot += static_cast<double>(a[k]) * b[k];
    const double v = dot / static_cast<double>(a.size()) + 1.0;
    return v * v * v;
}

void checkRows(const FeatureRows& rows, std::size_t width, const char* which) {
    if (rows.size() < 2) throw std::invalid_argument(std::string("KID: ") + which + " has fewer than 2 feature rows");
    for (const auto& r : rows)
        if (r.size() != width || width == 0)
            throw std::invalid_argument(std::string("KID: ") + which + " has rows of another width than " +
                                        std::to_string(width));
}

}  // namespace

double polynomialMmdUnbiased(const FeatureRows& x, const FeatureRows& y) {
    const std::size_t width = x.empty() ? 0 : x.front().size();
    checkRows(x, width, "the first set");
    checkRows(y, width, "the second set");
    const double m = static_cast<double>(x.size()), n = static_cast<double>(y.size());
    double xx = 0, yy = 0, xy = 0;
    for (std::size_t i = 0; i < x.size(); ++i)
        for (std::size_t j = i + 1; j < x.size(); ++j) xx += 2 * kernel(x[i], x[j]);
    for (std::size_t i = 0; i < y.size(); ++i)
        for (std::size_t j = i + 1; j < y.size(); ++j) yy += 2 * kernel(y[i], y[j]);
    for (const auto& a : x)
        for (const auto& b : y) xy += kernel(a, b);
    return xx / (m * (m - 1)) + yy / (n * (n - 1)) - 2 * xy / (m * n);
}

KidResult kernelInceptionDistance(const FeatureRows& x, const FeatureRows& y, int subsets, int64_t subsetSize,
                                  uint64_t seed) {
    if (subsets < 1) throw std::invalid_argument("KID: subsets must be at least 1");
    const std::size_t width = x.empty() ? 0 : x.front().size();
    checkRows(x, width, "the first set");
    checkRows(y, width, "the second set");
    KidResult r;
    r.subsets = subsets;
    r.subsetSize = std::min<int64_t>({std::max<int64_t>(subsetSize, 2), static_cast<int64_t>(x.size()),
                                      static_cast<int64_t>(y.size())});
    std::mt19937_64 rng(seed);
    const auto draw = [&](const FeatureRows& rows) {
        std::vector<std::size_t> idx(rows.size());
        std::iota(idx.begin(), idx.end(), 0);
        // A partial Fisher-Yates shuffle: the first subsetSize entries.
        for (int64_t i = 0; i < r.subsetSize; ++i) {
            std::uniform_int_distribution<std::size_t> pick(static_cast<std::size_t>(i), idx.size() - 1);
            std::swap(idx[static_cast<std::size_t>(i)], idx[pick(rng)]);
        }
        FeatureRows out;
        for (int64_t i = 0; i < r.subsetSize; ++i) out.push_back(rows[idx[static_cast<std::size_t>(i)]]);
        return out;
    };
    std::vector<double> values;
    for (int s = 0; s < subsets; ++s) {
        const FeatureRows a = draw(x), b = draw(y);
        values.push_back(polynomialMmdUnbiased(a, b));
    }
    r.mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
    double var = 0;
    for (double v : values) var += (v - r.mean) * (v - r.mean);
    r.std = std::sqrt(var / static_cast<double>(values.size()));
    return r;
}

}  // namespace synthforge::eval
