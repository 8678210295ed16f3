#pragma once
// Ctrl+C for the CLI (docs/design.md): the first SIGINT or SIGTERM cancels a
// CancelToken so that the running job stops at its next check and the program
// exits cleanly (partial outputs finalised, manifest consistent). A second one
// while the job is still stopping kills the process the default way, so a
// user can always force-quit a job that is slow to notice.
//
// Design: the handler calls CancelToken::cancel() directly. That is one store
// to a lock-free std::atomic<bool>, which C++17 ([support.signal]) and POSIX
// allow in a signal handler, so no watcher thread or polled global flag is
// needed, and the token is cancelled the moment the signal arrives. The
// token's address is published through a lock-free atomic pointer and the
// signal count through a lock-free atomic int, which the handler may also use.
//
// Handlers are installed with SA_RESTART, so that unrelated blocking calls on
// other threads (reads, waits) resume instead of failing with EINTR; jobs
// notice the signal through the token, not through interrupted system calls.

#include <signal.h>

#include "core/jobs/progress.h"

namespace synthforge::jobs {

/// Installs SIGINT and SIGTERM handlers for its lifetime:
/// - the first signal cancels `token` and returns (the process keeps running);
/// - a second signal (either kind) restores the default action and re-raises,
///   which terminates the process.
/// The destructor restores the handlers that were installed before.
///
/// Signal dispositions are process-wide, so only one may exist at a time
/// (normally in the CLI's main); a second concurrent one throws
/// std::logic_error. `token` must outlive this object. Worker threads may
/// exist already: the kernel runs the handler on any thread that does not
/// block the signal, which is fine since the handler only touches atomics.
class ScopedInterruptHandler {
public:
    /// Throws std::logic_error when another ScopedInterruptHandler is active,
    /// std::system_error when sigaction fails.
    explicit ScopedInterruptHandler(CancelToken& token);
    ~ScopedInterruptHandler();
    ScopedInterruptHandler(const ScopedInterruptHandler&) = delete;
    ScopedInterruptHandler& operator=(const ScopedInterruptHandler&) = delete;

    /// The signal that cancelled the token (SIGINT or SIGTERM), 0 while none
    /// arrived. Lets the CLI tell "interrupted" from other cancellations.
    int receivedSignal() const noexcept;

private:
    struct sigaction previousInt_ {};
    struct sigaction previousTerm_ {};
};

}  // namespace synthforge::jobs
