#pragma once
// Monotone piecewise-cubic (Fritsch-Carlson) interpolation through knots,
// constant outside: the sculpt profiles of the neutral mesh and the
// hairline/jaw curves of the label map. Monotone so a profile never
// overshoots between knots.

#include <algorithm>
#include <utility>
#include <vector>

namespace synthforge::head::default_head {

class MonotoneCurve {
public:
    explicit MonotoneCurve(const std::vector<std::pair<double, double>>& knots) {
        for (const auto& k : knots) {
            x_.push_back(k.first);
            y_.push_back(k.second);
        }
        const std::size_t n = x_.size();
        std::vector<double> d(n - 1);
        for (std::size_t i = 0; i + 1 < n; ++i) d[i] = (y_[i + 1] - y_[i]) / (x_[i + 1] - x_[i]);
        m_.assign(n, 0.0);
        m_[0] = d[0];
        m_[n - 1] = d[n - 2];
        for (std::size_t i = 1; i + 1 < n; ++i) {
            if (d[i - 1] * d[i] <= 0) continue;  // a local extremum: flat tangent
            const double h0 = x_[i] - x_[i - 1], h1 = x_[i + 1] - x_[i];
            const double w1 = 2 * h1 + h0, w2 = h1 + 2 * h0;
            m_[i] = (w1 + w2) / (w1 / d[i - 1] + w2 / d[i]);
        }
    }

    double operator()(double t) const {
        if (t <= x_.front()) return y_.front();
        if (t >= x_.back()) return y_.back();
        const std::size_t i = static_cast<std::size_t>(std::upper_bound(x_.begin(), x_.end(), t) - x_.begin()) - 1;
        const double h = x_[i + 1] - x_[i];
        const double s = (t - x_[i]) / h, s2 = s * s, s3 = s2 * s;
        return (2 * s3 - 3 * s2 + 1) * y_[i] + (s3 - 2 * s2 + s) * h * m_[i] + (-2 * s3 + 3 * s2) * y_[i + 1] +
               (s3 - s2) * h * m_[i + 1];
    }

private:
    std::vector<double> x_, y_, m_;
};

}  // namespace synthforge::head::default_head
