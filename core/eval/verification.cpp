#include "core/eval/verification.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

namespace synthforge::eval {

namespace {

void checkPairs(const std::vector<double>& distances, const std::vector<bool>& same) {
    if (distances.size() != same.size())
        throw std::invalid_argument("verification: " + std::to_string(distances.size()) + " distances but " +
                                    std::to_string(same.size()) + " same/different flags");
    for (double d : distances)
        if (!std::isfinite(d)) throw std::invalid_argument("verification: a distance is not finite");
}

/// Accuracy of `threshold` over pairs [begin, end) of `order`.
double accuracy(const std::vector<double>& d, const std::vector<bool>& same, const std::vector<std::size_t>& pairs,
                double threshold) {
    std::size_t right = 0;
    for (std::size_t i : pairs) right += (d[i] < threshold) == same[i];
    return pairs.empty() ? 0.0 : static_cast<double>(right) / static_cast<double>(pairs.size());
}

}  // namespace

double normalisedSquaredDistance(const std::vector<float>& a, const std::vector<float>& b) {
    if (a.size() != b.size())
        throw std::invalid_argument("embedding sizes differ: " + std::to_string(a.size()) + " and " +
                                    std::to_string(b.size()));
    double na = 0, nb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        na += double(a[i]) * a[i];
        nb += double(b[i]) * b[i];
    }
    na = na > 0 ? 1.0 / std::sqrt(na) : 0.0;
    nb = nb > 0 ? 1.0 / std::sqrt(nb) : 0.0;
    double d = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const double diff = a[i] * na - b[i] * nb;
        d += diff * diff;
    }
    return d;
}

KFoldAccuracy kFoldAccuracy(const std::vector<double>& distances, const std::vector<bool>& same, int folds,
                            double gridStep, double gridEnd) {
    checkPairs(distances, same);
    if (folds < 2) throw std::invalid_argument("verification: folds must be at least 2");
    if (!(gridStep > 0) || !(gridEnd > 0)) throw std::invalid_argument("verification: bad threshold grid");
    const std::size_t n = distances.size();
    if (n < static_cast<std::size_t>(folds))
        throw std::invalid_argument("verification: " + std::to_string(n) + " pairs are fewer than " +
                                    std::to_string(folds) + " folds");
    std::vector<double> grid;
    for (int k = 0;; ++k) {
        const double t = k * gridStep;  // k * step, not repeated addition: the grid numpy's arange gives
        if (t >= gridEnd - 1e-12) break;
        grid.push_back(t);
    }
    // Consecutive folds; the first n % folds of them hold one more pair
    // (scikit-learn's KFold without shuffling).
    std::vector<std::size_t> foldStart{0};
    for (int f = 0; f < folds; ++f)
        foldStart.push_back(foldStart.back() + n / folds + (static_cast<std::size_t>(f) < n % folds ? 1 : 0));
    KFoldAccuracy r;
    for (int f = 0; f < folds; ++f) {
        std::vector<std::size_t> test, train;
        for (std::size_t i = 0; i < n; ++i)
            (i >= foldStart[f] && i < foldStart[f + 1] ? test : train).push_back(i);
        double best = -1, bestThreshold = 0;
        for (double t : grid) {
            const double a = accuracy(distances, same, train, t);
            if (a > best) {  // the first best, as numpy's argmax
                best = a;
                bestThreshold = t;
            }
        }
        r.foldThreshold.push_back(bestThreshold);
        r.foldAccuracy.push_back(accuracy(distances, same, test, bestThreshold));
    }
    r.mean = std::accumulate(r.foldAccuracy.begin(), r.foldAccuracy.end(), 0.0) / folds;
    double var = 0;
    for (double a : r.foldAccuracy) var += (a - r.mean) * (a - r.mean);
    r.std = std::sqrt(var / folds);
    return r;
}

std::vector<RocPoint> rocCurve(const std::vector<double>& distances, const std::vector<bool>& same) {
    checkPairs(distances, same);
    const std::size_t genuine = static_cast<std::size_t>(std::count(same.begin(), same.end(), true));
    const std::size_t impostor = same.size() - genuine;
    if (genuine == 0 || impostor == 0)
        throw std::invalid_argument("verification: the ROC needs genuine and impostor pairs (have " +
                                    std::to_string(genuine) + " and " + std::to_string(impostor) + ")");
    std::vector<std::size_t> order(distances.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return distances[a] < distances[b]; });
    std::vector<RocPoint> roc;
    roc.push_back({distances[order.front()], 0.0, 0.0});  // accepts nothing
    std::size_t acceptedGenuine = 0, acceptedImpostor = 0;
    for (std::size_t k = 0; k < order.size();) {
        const double d = distances[order[k]];
        // Every pair at this distance is accepted once the threshold passes it.
        while (k < order.size() && distances[order[k]] == d) {
            (same[order[k]] ? acceptedGenuine : acceptedImpostor)++;
            ++k;
        }
        const double next = k < order.size() ? distances[order[k]] : std::nextafter(d, INFINITY);
        roc.push_back({next, double(acceptedImpostor) / double(impostor), double(acceptedGenuine) / double(genuine)});
    }
    return roc;
}

double tarAtFar(const std::vector<RocPoint>& roc, double far) {
    double best = 0;
    for (const RocPoint& p : roc)
        if (p.far <= far) best = std::max(best, p.tar);
    return best;
}

double equalErrorRate(const std::vector<RocPoint>& roc) {
    if (roc.empty()) throw std::invalid_argument("verification: empty ROC");
    // FAR rises and FRR = 1 - TAR falls along the curve: find where they cross.
    for (std::size_t i = 1; i < roc.size(); ++i) {
        const double g0 = roc[i - 1].far - (1 - roc[i - 1].tar), g1 = roc[i].far - (1 - roc[i].tar);
        if (g0 <= 0 && g1 >= 0) {
            const double t = g1 == g0 ? 0.0 : -g0 / (g1 - g0);
            return roc[i - 1].far + t * (roc[i].far - roc[i - 1].far);
        }
    }
    return roc.back().far;
}

}  // namespace synthforge::eval
