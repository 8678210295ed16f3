#include "core/jobs/progress.h"

#include <chrono>
#include <cmath>
#include <sstream>
#include <utility>

namespace synthforge::jobs {

namespace {

double steadySeconds() {
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

void checkOptions(const ProgressOptions& o) {
    if (!std::isfinite(o.minInterval) || o.minInterval < 0) {
        std::ostringstream msg;
        msg << "ProgressOptions.minInterval must be finite and >= 0 (got " << o.minInterval << ")";
        throw std::invalid_argument(msg.str());
    }
    if (!std::isfinite(o.rateWindow) || o.rateWindow <= 0) {
        std::ostringstream msg;
        msg << "ProgressOptions.rateWindow must be finite and > 0 (got " << o.rateWindow << ")";
        throw std::invalid_argument(msg.str());
    }
}

}  // namespace

ProgressTracker::ProgressTracker(ProgressSink* sink, std::string stage, std::uint64_t total,
                                 ProgressOptions options)
    : sink_(sink), stage_(std::move(stage)), total_(total), options_(std::move(options)) {
    checkOptions(options_);
    if (!options_.clock) options_.clock = steadySeconds;
    start_ = options_.clock();
    lastSampleTime_ = start_;
    // Far enough in the past that the first time-based check passes; the
    // first item is sent regardless.
    lastSent_.store(start_ - options_.minInterval, std::memory_order_relaxed);
}

ProgressTracker::~ProgressTracker() {
    try {
        finish();
    } catch (...) {
        // A sink that throws while the stack unwinds must not terminate the program.
    }
}

void ProgressTracker::advance(std::uint64_t n) {
    if (finished_.load(std::memory_order_acquire)) return;
    const std::uint64_t before = done_.fetch_add(n, std::memory_order_relaxed);
    if (!sink_) return;  // snapshot() computes the rate on demand; nothing else to do

    const std::uint64_t after = before + n;
    const bool first = before == 0 && after > 0;
    const bool last = total_ > 0 && before < total_ && after >= total_;
    const bool forced = first || last;
    // Cheap check without the lock: most calls stop here.
    if (!forced && options_.clock() - lastSent_.load(std::memory_order_relaxed) < options_.minInterval)
        return;

    std::lock_guard<std::mutex> lock(mutex_);
    // finish() may have run, or another thread may have sent, while we waited.
    if (finished_.load(std::memory_order_acquire)) return;
    const double now = options_.clock();
    if (!forced && now - lastSent_.load(std::memory_order_relaxed) < options_.minInterval) return;
    // Read the count under the lock so that successive updates never go backwards.
    const std::uint64_t done = done_.load(std::memory_order_relaxed);
    sampleRate(now, done);
    lastSent_.store(now, std::memory_order_relaxed);
    sink_->update(makeUpdate(now, done));
}

void ProgressTracker::setMessage(std::string message) {
    std::lock_guard<std::mutex> lock(mutex_);
    message_ = std::move(message);
}

ProgressUpdate ProgressTracker::snapshot() {
    std::lock_guard<std::mutex> lock(mutex_);
    const double now = options_.clock();
    const std::uint64_t done = done_.load(std::memory_order_relaxed);
    sampleRate(now, done);
    return makeUpdate(now, done);
}

void ProgressTracker::finish() {
    if (finished_.exchange(true, std::memory_order_acq_rel)) return;
    std::lock_guard<std::mutex> lock(mutex_);
    const double now = options_.clock();
    const std::uint64_t done = done_.load(std::memory_order_relaxed);
    sampleRate(now, done);
    if (sink_) sink_->finish(makeUpdate(now, done));
}

void ProgressTracker::sampleRate(double now, std::uint64_t done) {
    const double dt = now - lastSampleTime_;
    // Two samples at the same instant (a coarse or fake clock): keep the items
    // for the next sample instead of dividing by zero.
    if (!(dt > 0)) return;
    const double r = static_cast<double>(done - lastSampleDone_) / dt;
    // a = 1 - exp(-dt / window), via expm1 to stay exact for small dt.
    const double a = -std::expm1(-dt / options_.rateWindow);
    emaRaw_ += a * (r - emaRaw_);
    lastSampleTime_ = now;
    lastSampleDone_ = done;
}

ProgressUpdate ProgressTracker::makeUpdate(double now, std::uint64_t done) const {
    ProgressUpdate u;
    u.stage = stage_;
    u.done = done;
    u.total = total_;
    u.elapsedSeconds = now - start_;
    u.message = message_;
    // Bias correction: the EMA started at 0, and the weight it has gathered
    // since is 1 - exp(-sampledTime / window).
    const double weight = -std::expm1(-(lastSampleTime_ - start_) / options_.rateWindow);
    u.rate = weight > 0 ? emaRaw_ / weight : 0.0;
    if (total_ > 0 && done >= total_)
        u.etaSeconds = 0;
    else if (total_ > 0 && u.rate > 0)
        u.etaSeconds = static_cast<double>(total_ - done) / u.rate;
    else
        u.etaSeconds = -1;
    return u;
}

}  // namespace synthforge::jobs
