#include "core/eval/domain_probe.h"

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace synthforge::eval {

DomainProbeResult domainClassifierAccuracy(const FeatureRows& a, const FeatureRows& b, int iterations) {
    if (a.size() < 4 || b.size() < 4) throw std::invalid_argument("domain classifier: each set needs at least 4 rows");
    const std::size_t d = a.front().size();
    for (const FeatureRows* set : {&a, &b})
        for (const auto& r : *set)
            if (r.size() != d || d == 0) throw std::invalid_argument("domain classifier: rows of different widths");
    // Rows of both sets with labels, split into even (train) and odd (test).
    std::vector<const std::vector<float>*> train, test;
    std::vector<double> trainY, testY;
    for (int label = 0; label < 2; ++label) {
        const FeatureRows& set = label == 0 ? a : b;
        for (std::size_t i = 0; i < set.size(); ++i) {
            (i % 2 == 0 ? train : test).push_back(&set[i]);
            (i % 2 == 0 ? trainY : testY).push_back(label);
        }
    }
    // Standardise with the training rows' mean and spread.
    std::vector<double> mean(d, 0), scale(d, 0);
    for (const auto* r : train)
        for (std::size_t k = 0; k < d; ++k) mean[k] += (*r)[k];
    for (double& m : mean) m /= static_cast<double>(train.size());
    for (const auto* r : train)
        for (std::size_t k = 0; k < d; ++k) scale[k] += ((*r)[k] - mean[k]) * ((*r)[k] - mean[k]);
    for (double& s : scale) s = 1.0 / std::max(std::sqrt(s / static_cast<double>(train.size())), 1e-8);
    const auto standardised = [&](const std::vector<float>& r) {
        std::vector<double> x(d);
        for (std::size_t k = 0; k < d; ++k) x[k] = (r[k] - mean[k]) * scale[k];
        return x;
    };
    std::vector<std::vector<double>> xs;
    for (const auto* r : train) xs.push_back(standardised(*r));

    std::vector<double> w(d, 0), grad(d);
    double bias = 0;
    const double n = static_cast<double>(xs.size()), step = 0.5, l2 = 1e-3;
    for (int it = 0; it < iterations; ++it) {
        std::fill(grad.begin(), grad.end(), 0.0);
        double gb = 0;
        for (std::size_t i = 0; i < xs.size(); ++i) {
            double z = bias;
            for (std::size_t k = 0; k < d; ++k) z += w[k] * xs[i][k];
            const double err = 1.0 / (1.0 + std::exp(-z)) - trainY[i];
            for (std::size_t k = 0; k < d; ++k) grad[k] += err * xs[i][k];
            gb += err;
        }
        for (std::size_t k = 0; k < d; ++k) w[k] -= step * (grad[k] / n + l2 * w[k]);
        bias -= step * gb / n;
    }
    std::size_t right = 0;
    for (std::size_t i = 0; i < test.size(); ++i) {
        const std::vector<double> x = standardised(*test[i]);
        double z = bias;
        for (std::size_t k = 0; k < d; ++k) z += w[k] * x[k];
        right += (z > 0) == (testY[i] > 0.5) ? 1 : 0;
    }
    DomainProbeResult r;
    r.trainRows = static_cast<int64_t>(train.size());
    r.testRows = static_cast<int64_t>(test.size());
    r.accuracy = static_cast<double>(right) / static_cast<double>(test.size());
    return r;
}

}  // namespace synthforge::eval
