#include "core/jobs/interrupt.h"

#include <atomic>
#include <cerrno>
#include <stdexcept>
#include <system_error>

namespace synthforge::jobs {

namespace {

// State shared with the signal handler. Only lock-free atomics may be touched
// there; the static_asserts keep that true on every platform we build for.
std::atomic<CancelToken*> gToken{nullptr};
std::atomic<int> gSignal{0};      // first signal received; 0 = none yet
std::atomic<bool> gActive{false}; // a ScopedInterruptHandler exists
static_assert(std::atomic<CancelToken*>::is_always_lock_free);
static_assert(std::atomic<int>::is_always_lock_free);

void onSignal(int sig) {
    const int savedErrno = errno;  // sigaction/raise may clobber the interrupted code's errno
    int none = 0;
    if (gSignal.compare_exchange_strong(none, sig)) {
        if (CancelToken* token = gToken.load()) token->cancel();
    } else {
        // Second signal: force-quit. sigaction and raise are async-signal-safe.
        // `sig` is blocked while this handler runs, so the re-raised signal is
        // delivered, with the default action, as soon as the handler returns.
        struct sigaction dfl {};
        dfl.sa_handler = SIG_DFL;
        sigemptyset(&dfl.sa_mask);
        sigaction(sig, &dfl, nullptr);
        raise(sig);
    }
    errno = savedErrno;
}

}  // namespace

ScopedInterruptHandler::ScopedInterruptHandler(CancelToken& token) {
    if (gActive.exchange(true))
        throw std::logic_error("ScopedInterruptHandler: another one is already active");
    gSignal.store(0);
    gToken.store(&token);

    struct sigaction sa {};
    sa.sa_handler = onSignal;
    sa.sa_flags = SA_RESTART;
    // Block the other signal during the handler so the two never interleave.
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGINT);
    sigaddset(&sa.sa_mask, SIGTERM);
    if (sigaction(SIGINT, &sa, &previousInt_) != 0) {
        const int err = errno;
        gToken.store(nullptr);
        gActive.store(false);
        throw std::system_error(err, std::generic_category(), "ScopedInterruptHandler: sigaction(SIGINT)");
    }
    if (sigaction(SIGTERM, &sa, &previousTerm_) != 0) {
        const int err = errno;
        sigaction(SIGINT, &previousInt_, nullptr);
        gToken.store(nullptr);
        gActive.store(false);
        throw std::system_error(err, std::generic_category(), "ScopedInterruptHandler: sigaction(SIGTERM)");
    }
}

ScopedInterruptHandler::~ScopedInterruptHandler() {
    // Handlers first, so that no new call of onSignal can see the token after
    // it is unpublished.
    sigaction(SIGTERM, &previousTerm_, nullptr);
    sigaction(SIGINT, &previousInt_, nullptr);
    gToken.store(nullptr);
    gActive.store(false);
}

int ScopedInterruptHandler::receivedSignal() const noexcept { return gSignal.load(); }

}  // namespace synthforge::jobs
