#pragma once
// Progress reporting and cancellation for long jobs (docs/design.md).
//
// A long operation is a plain function in core that takes a `ProgressSink*`
// (may be null) and a `const CancelToken*` (may be null). Inside, it counts
// its items with a ProgressTracker and checks the token between items:
//
//   void renderAll(..., ProgressSink* progress, const CancelToken* cancel) {
//       ProgressTracker tracker(progress, "render", n);
//       parallelFor(n, [&](std::size_t i) {
//           if (cancel) cancel->throwIfCancelled();
//           renderOne(i);
//           tracker.advance();
//       });
//       tracker.finish();
//   }
//
// The GUI passes a sink that posts to its thread and a token wired to a Stop
// button; the CLI passes a terminal or JSON-lines sink (terminal_progress.h)
// and a token that Ctrl+C cancels (interrupt.h). Both run the same code.

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>

namespace synthforge::jobs {

/// One snapshot of a stage's progress, as sinks receive it.
struct ProgressUpdate {
    std::string stage;            ///< short name of the stage ("render", "train")
    std::uint64_t done = 0;       ///< items completed so far
    std::uint64_t total = 0;      ///< items in the stage; 0 = unknown
    double elapsedSeconds = 0;    ///< since the tracker was constructed
    double rate = 0;              ///< items per second, smoothed; 0 = not known yet
    double etaSeconds = -1;       ///< seconds left; -1 = unknown
    std::string message;          ///< optional free text (current file, loss, ...)
};

/// Thrown by CancelToken::throwIfCancelled(). A job lets it propagate; the
/// caller that cancelled catches it and treats the job as stopped, not failed.
class Cancelled : public std::runtime_error {
public:
    Cancelled() : std::runtime_error("cancelled") {}
};

/// A flag that one thread sets and workers poll. Copying is disabled so that
/// every party refers to the same flag.
///
/// cancel() is async-signal-safe (one store to a lock-free atomic):
/// ScopedInterruptHandler calls it straight from a signal handler, so it must
/// never grow callbacks, locks or allocation.
class CancelToken {
public:
    CancelToken() = default;
    CancelToken(const CancelToken&) = delete;
    CancelToken& operator=(const CancelToken&) = delete;

    /// Requests cancellation. Idempotent; safe from any thread and from a signal handler.
    void cancel() noexcept { cancelled_.store(true, std::memory_order_release); }
    /// True once cancel() has been called.
    bool cancelled() const noexcept { return cancelled_.load(std::memory_order_acquire); }
    /// Throws jobs::Cancelled when cancelled() is true.
    void throwIfCancelled() const {
        if (cancelled()) throw Cancelled();
    }

private:
    std::atomic<bool> cancelled_{false};
    static_assert(std::atomic<bool>::is_always_lock_free,
                  "CancelToken::cancel() must be lock-free to be callable from a signal handler");
};

/// Receives progress. ProgressTracker serialises its calls (never two at once
/// from one tracker), but they arrive on whichever worker thread advanced, so a
/// GUI sink must hand them over to its own thread. A sink must not call back
/// into the tracker that is calling it.
class ProgressSink {
public:
    virtual ~ProgressSink() = default;
    /// A new snapshot of a running stage.
    virtual void update(const ProgressUpdate& u) = 0;
    /// The stage's last snapshot. Sent once per tracker, also when the stage
    /// stopped early (then done < total).
    virtual void finish(const ProgressUpdate& u) { (void)u; }
};

/// Settings of a ProgressTracker. The defaults suit a terminal.
struct ProgressOptions {
    /// Minimum seconds between two updates sent to the sink (the first and the
    /// last item are always sent). Keeps terminals and GUI event queues calm.
    double minInterval = 0.2;
    /// Time constant, in seconds, of the rate's moving average (see ProgressTracker).
    double rateWindow = 5.0;
    /// Monotonic time in seconds; the default reads std::chrono::steady_clock.
    /// Tests inject a fake. Called from the threads that call advance(), possibly
    /// several at once, so it must be thread-safe.
    std::function<double()> clock;
};

/// Counts a stage's items, estimates rate and ETA, and forwards throttled
/// snapshots to a sink.
///
/// Rate: a time-weighted exponential moving average with time constant
/// `rateWindow` (default 5 s). At each snapshot the average rate r since the
/// previous one enters with weight a = 1 - exp(-dt / rateWindow), which is the
/// exact response of a 5 s low-pass filter to a piecewise constant rate, so
/// the result does not depend on how often snapshots are taken. The average is
/// bias-corrected (divided by 1 - exp(-elapsed / rateWindow)); early on it
/// therefore equals the plain average done / elapsed instead of creeping up
/// from zero, and at a constant rate it is exact. An EMA was chosen over a
/// sliding window because it needs O(1) state and no history buffer.
///
/// ETA = (total - done) / rate; -1 while the rate or the total is unknown, 0
/// once done >= total.
///
/// Thread-safety: advance(), setMessage(), snapshot() and finish() may be
/// called from any threads at once. advance() takes no lock unless it sends an
/// update (one atomic add, one clock read).
class ProgressTracker {
public:
    /// `sink` may be null (then nothing is sent, but snapshot() still works);
    /// it must outlive the tracker. `total` 0 means unknown. Throws
    /// std::invalid_argument, naming the field, when options.minInterval is
    /// negative or options.rateWindow is not positive (or either is not finite).
    ProgressTracker(ProgressSink* sink, std::string stage, std::uint64_t total,
                    ProgressOptions options = {});
    /// Calls finish() if it was not called, so that a stage that ends by an
    /// exception (e.g. Cancelled) still closes its progress line. Never throws.
    ~ProgressTracker();
    ProgressTracker(const ProgressTracker&) = delete;
    ProgressTracker& operator=(const ProgressTracker&) = delete;

    /// Records `n` more completed items. Sends an update on the first call, on
    /// the call that reaches `total`, and otherwise when at least minInterval
    /// has passed since the last one. Counting past `total` is allowed (the
    /// ETA stays 0). Ignored after finish().
    void advance(std::uint64_t n = 1);
    /// Sets the free-text message carried by the following updates. Sends nothing by itself.
    void setMessage(std::string message);
    /// Items completed so far.
    std::uint64_t done() const noexcept { return done_.load(std::memory_order_relaxed); }
    /// The current state, with rate and ETA brought up to now (for polling
    /// callers such as a GUI timer). Sends nothing.
    ProgressUpdate snapshot();
    /// Sends the final snapshot to the sink's finish(). Only the first call
    /// does anything.
    void finish();

private:
    // Both require mutex_ held.
    void sampleRate(double now, std::uint64_t done);
    ProgressUpdate makeUpdate(double now, std::uint64_t done) const;

    ProgressSink* sink_;
    std::string stage_;
    std::uint64_t total_;
    ProgressOptions options_;
    double start_;

    std::atomic<std::uint64_t> done_{0};
    std::atomic<double> lastSent_;         // clock time of the last update sent
    std::atomic<bool> finished_{false};

    std::mutex mutex_;                     // guards everything below and sink calls
    std::string message_;
    double emaRaw_ = 0;                    // un-corrected EMA of the rate
    double lastSampleTime_;                // time and count at the last rate sample
    std::uint64_t lastSampleDone_ = 0;
};

}  // namespace synthforge::jobs
