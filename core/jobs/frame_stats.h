#pragma once
// Rolling timing statistics of an interactive view (the studio viewport's
// HUD): the latency from an edit to the frame that shows it, the CPU time of
// drawing a frame, and frames per second from the presentation times. Plain
// C++ so tests can check the maths.

#include <cstddef>
#include <deque>

namespace synthforge::jobs {

class FrameStats {
public:
    /// Latencies kept for the percentile (a slider drag of a few seconds).
    static constexpr std::size_t kWindow = 240;

    /// A frame was presented at `nowMs` (any monotonic clock), having spent
    /// `paintMs` drawing it; `latencyMs` < 0 when no edit was waiting for it.
    void addFrame(double nowMs, double paintMs, double latencyMs);

    double lastPaintMs() const { return lastPaint_; }
    double lastLatencyMs() const { return latencies_.empty() ? 0.0 : latencies_.back(); }
    /// Presented frames in the last second before the latest one.
    double fps() const;
    /// Nearest-rank percentile (0..100) of the kept latencies; 0 when none.
    double latencyPercentile(double p) const;
    std::size_t latencyCount() const { return latencies_.size(); }
    void clear();

private:
    std::deque<double> latencies_;
    std::deque<double> presents_;  ///< presentation times within the last second
    double lastPaint_ = 0.0;
};

}  // namespace synthforge::jobs
