#include "core/jobs/frame_stats.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace synthforge::jobs {

void FrameStats::addFrame(double nowMs, double paintMs, double latencyMs) {
    lastPaint_ = paintMs;
    presents_.push_back(nowMs);
    while (!presents_.empty() && presents_.front() <= nowMs - 1000.0) presents_.pop_front();
    if (latencyMs >= 0.0) {
        latencies_.push_back(latencyMs);
        if (latencies_.size() > kWindow) latencies_.pop_front();
    }
}

double FrameStats::fps() const {
    // An idle viewport presents nothing: one frame in the window means "no rate".
    if (presents_.size() < 2) return 0.0;
    const double span = presents_.back() - presents_.front();
    return span > 0.0 ? 1000.0 * static_cast<double>(presents_.size() - 1) / span : 0.0;
}

double FrameStats::latencyPercentile(double p) const {
    if (latencies_.empty()) return 0.0;
    std::vector<double> sorted(latencies_.begin(), latencies_.end());
    std::sort(sorted.begin(), sorted.end());
    // Nearest rank: the smallest value with at least p % of the samples at or below it.
    const double rank = std::ceil(std::clamp(p, 0.0, 100.0) / 100.0 * static_cast<double>(sorted.size()));
    const std::size_t i = static_cast<std::size_t>(std::max(1.0, rank)) - 1;
    return sorted[std::min(i, sorted.size() - 1)];
}

void FrameStats::clear() {
    latencies_.clear();
    presents_.clear();
    lastPaint_ = 0.0;
}

}  // namespace synthforge::jobs
