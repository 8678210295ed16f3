// Progress tracking, CLI sinks, cancellation and Ctrl+C handling: rate and
// ETA against hand-computed values under a fake clock, throttling, concurrent
// advance(), exact progress lines, JSON lines parsed back, and real signals.

#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <functional>
#include <future>
#include <limits>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/jobs/interrupt.h"
#include "core/jobs/progress.h"
#include "core/jobs/terminal_progress.h"
#include "tests/support/ci.h"

using namespace synthforge::jobs;

namespace {

/// Records what a tracker sends. The tracker serialises calls, so no lock.
struct RecordingSink : ProgressSink {
    std::vector<ProgressUpdate> updates;
    std::vector<ProgressUpdate> finishes;
    void update(const ProgressUpdate& u) override { updates.push_back(u); }
    void finish(const ProgressUpdate& u) override { finishes.push_back(u); }
};

/// A clock the test moves by hand.
struct FakeClock {
    double now = 0;
    std::function<double()> fn() {
        return [this] { return now; };
    }
};

ProgressOptions fakeOptions(FakeClock& clock, double minInterval) {
    ProgressOptions o;
    o.clock = clock.fn();
    o.minInterval = minInterval;
    return o;
}

/// Everything written to a temporary FILE.
std::string contents(std::FILE* f) {
    std::fflush(f);
    std::rewind(f);
    std::string s;
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
    return s;
}

std::vector<std::string> lines(const std::string& s) {
    std::vector<std::string> out;
    std::istringstream in(s);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

ProgressUpdate makeUpdate(std::string stage, std::uint64_t done, std::uint64_t total, double rate,
                          double eta, double elapsed = 0, std::string message = "") {
    ProgressUpdate u;
    u.stage = std::move(stage);
    u.done = done;
    u.total = total;
    u.rate = rate;
    u.etaSeconds = eta;
    u.elapsedSeconds = elapsed;
    u.message = std::move(message);
    return u;
}

}  // namespace

// ---------------------------------------------------------------- tracker

TEST(ProgressTracker, DefaultOptions) {
    const ProgressOptions o;
    EXPECT_DOUBLE_EQ(o.minInterval, 0.2);
    EXPECT_DOUBLE_EQ(o.rateWindow, 5.0);
}

TEST(ProgressTracker, RateAndEtaKnownValues) {
    FakeClock clock;
    RecordingSink sink;
    ProgressTracker t(&sink, "render", 100, fakeOptions(clock, 0.0));

    // 10 items in the first second: the bias-corrected EMA is exactly 10/s.
    clock.now = 1;
    t.advance(10);
    ASSERT_EQ(sink.updates.size(), 1u);
    EXPECT_EQ(sink.updates[0].stage, "render");
    EXPECT_EQ(sink.updates[0].done, 10u);
    EXPECT_EQ(sink.updates[0].total, 100u);
    EXPECT_DOUBLE_EQ(sink.updates[0].elapsedSeconds, 1.0);
    EXPECT_NEAR(sink.updates[0].rate, 10.0, 1e-9);
    EXPECT_NEAR(sink.updates[0].etaSeconds, 9.0, 1e-9);

    // 20 more in the next second. With q = exp(-1/5) the older second weighs
    // q against 1: rate = (10 q + 20) / (1 + q) = 15.498...
    clock.now = 2;
    t.advance(20);
    ASSERT_EQ(sink.updates.size(), 2u);
    const double q = std::exp(-0.2);
    const double rate = (10 * q + 20) / (1 + q);
    EXPECT_NEAR(rate, 15.4983, 1e-4);
    EXPECT_NEAR(sink.updates[1].rate, rate, 1e-9);
    EXPECT_NEAR(sink.updates[1].etaSeconds, 70 / rate, 1e-9);

    // A stall of 3 s seen by a poll: rate 0 over [2, 5] pulls the average down.
    clock.now = 5;
    const ProgressUpdate s = t.snapshot();
    const double q3 = std::exp(-0.6);
    const double raw = (10 * (1 - q) * q + 20 * (1 - q)) * q3;  // un-corrected EMA
    EXPECT_NEAR(s.rate, raw / (1 - std::exp(-1.0)), 1e-9);
    EXPECT_EQ(sink.updates.size(), 2u);  // snapshot() sends nothing
}

TEST(ProgressTracker, ConstantRateIsExact) {
    FakeClock clock;
    RecordingSink sink;
    ProgressTracker t(&sink, "s", 40, fakeOptions(clock, 0.0));
    for (int i = 1; i <= 30; ++i) {
        clock.now = i * 0.25;
        t.advance();
    }
    EXPECT_NEAR(sink.updates.back().rate, 4.0, 1e-9);
    EXPECT_NEAR(sink.updates.back().etaSeconds, 10 / 4.0, 1e-9);
}

TEST(ProgressTracker, UnknownRateAndTotal) {
    FakeClock clock;
    RecordingSink sink;
    {
        // First item at the start instant: no time has passed, so no rate.
        ProgressTracker t(&sink, "s", 10, fakeOptions(clock, 0.0));
        t.advance();
        EXPECT_EQ(sink.updates.back().rate, 0.0);
        EXPECT_EQ(sink.updates.back().etaSeconds, -1.0);
    }
    {
        // Unknown total: a rate but no ETA.
        ProgressTracker t(&sink, "s", 0, fakeOptions(clock, 0.0));
        clock.now += 1;
        t.advance(3);
        EXPECT_NEAR(sink.updates.back().rate, 3.0, 1e-9);
        EXPECT_EQ(sink.updates.back().etaSeconds, -1.0);
    }
}

TEST(ProgressTracker, ThrottlesButAlwaysSendsFirstAndLast) {
    FakeClock clock;
    RecordingSink sink;
    ProgressTracker t(&sink, "s", 20, fakeOptions(clock, 0.25));
    // Item i completes at i/8 s (exact in binary): item 1 is sent as the
    // first, then every second item once 0.25 s have passed, and item 20 as
    // the last although only 0.125 s after item 19.
    for (int i = 1; i <= 20; ++i) {
        clock.now = i * 0.125;
        t.advance();
    }
    std::vector<std::uint64_t> sent;
    for (const auto& u : sink.updates) sent.push_back(u.done);
    EXPECT_EQ(sent, (std::vector<std::uint64_t>{1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 20}));
    EXPECT_TRUE(sink.finishes.empty());
    t.finish();
    ASSERT_EQ(sink.finishes.size(), 1u);
    EXPECT_EQ(sink.finishes[0].done, 20u);
    EXPECT_EQ(sink.finishes[0].etaSeconds, 0.0);
}

TEST(ProgressTracker, LastIsSentWhenOneAdvanceJumpsPastTotal) {
    FakeClock clock;
    RecordingSink sink;
    ProgressTracker t(&sink, "s", 10, fakeOptions(clock, 100.0));
    t.advance(2);   // first
    t.advance(3);   // throttled
    t.advance(7);   // crosses 10: last
    t.advance(1);   // past total, throttled
    ASSERT_EQ(sink.updates.size(), 2u);
    EXPECT_EQ(sink.updates[1].done, 12u);
    EXPECT_EQ(t.done(), 13u);
}

TEST(ProgressTracker, FinishOnceAndOnDestruction) {
    FakeClock clock;
    RecordingSink sink;
    {
        ProgressTracker t(&sink, "s", 10, fakeOptions(clock, 0.0));
        t.setMessage("half");
        t.advance(3);
        EXPECT_EQ(sink.updates.back().message, "half");
    }  // stopped early, e.g. by Cancelled: the destructor still finishes
    ASSERT_EQ(sink.finishes.size(), 1u);
    EXPECT_EQ(sink.finishes[0].done, 3u);

    ProgressTracker t(&sink, "s", 10, fakeOptions(clock, 0.0));
    t.finish();
    t.finish();
    t.advance();  // ignored after finish
    EXPECT_EQ(sink.finishes.size(), 2u);
    EXPECT_EQ(t.done(), 0u);
}

TEST(ProgressTracker, NullSinkStillCounts) {
    FakeClock clock;
    ProgressTracker t(nullptr, "s", 4, fakeOptions(clock, 0.0));
    clock.now = 2;
    t.advance(4);
    const ProgressUpdate u = t.snapshot();
    EXPECT_EQ(u.done, 4u);
    EXPECT_NEAR(u.rate, 2.0, 1e-9);
    t.finish();
}

TEST(ProgressTracker, RejectsBadOptions) {
    ProgressOptions o;
    o.minInterval = -1;
    try {
        ProgressTracker t(nullptr, "s", 1, o);
        FAIL() << "expected std::invalid_argument";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("minInterval"), std::string::npos) << e.what();
    }
    o = {};
    o.rateWindow = 0;
    EXPECT_THROW(ProgressTracker(nullptr, "s", 1, o), std::invalid_argument);
    o.rateWindow = std::numeric_limits<double>::quiet_NaN();
    EXPECT_THROW(ProgressTracker(nullptr, "s", 1, o), std::invalid_argument);
}

TEST(ProgressTracker, ConcurrentAdvance) {
    // Sink calls are serialised by the tracker; this sink checks that they
    // never overlap and that the count never goes backwards.
    struct CheckingSink : ProgressSink {
        std::atomic<int> inside{0};
        bool overlapped = false, backwards = false;
        std::uint64_t last = 0, finalDone = 0;
        int calls = 0;
        void update(const ProgressUpdate& u) override {
            if (inside.fetch_add(1) != 0) overlapped = true;
            if (u.done < last) backwards = true;
            last = u.done;
            ++calls;
            inside.fetch_sub(1);
        }
        void finish(const ProgressUpdate& u) override { finalDone = u.done; }
    };
    for (double minInterval : {0.0, 0.2}) {  // every advance locks / the fast path
        CheckingSink sink;
        ProgressOptions o;
        o.minInterval = minInterval;
        ProgressTracker t(&sink, "threads", 40000, o);
        std::vector<std::thread> workers;
        for (int k = 0; k < 4; ++k)
            workers.emplace_back([&t] {
                for (int i = 0; i < 10000; ++i) t.advance();
            });
        for (auto& w : workers) w.join();
        EXPECT_EQ(t.done(), 40000u);
        EXPECT_FALSE(sink.overlapped);
        EXPECT_FALSE(sink.backwards);
        EXPECT_EQ(sink.last, 40000u);  // the last item is always sent
        EXPECT_GE(sink.calls, 2);
        t.finish();
        EXPECT_EQ(sink.finalDone, 40000u);
    }
}

// ---------------------------------------------------------------- formatting

TEST(FormatProgress, Durations) {
    EXPECT_EQ(formatDuration(0), "0s");
    EXPECT_EQ(formatDuration(59.4), "59s");
    EXPECT_EQ(formatDuration(59.6), "1m00s");
    EXPECT_EQ(formatDuration(72), "1m12s");
    EXPECT_EQ(formatDuration(3600), "1h00m");
    EXPECT_EQ(formatDuration(3725), "1h02m");
    EXPECT_EQ(formatDuration(90000), "1d01h");
    EXPECT_EQ(formatDuration(1e9), ">99d");
    EXPECT_EQ(formatDuration(-1), "?");
    EXPECT_EQ(formatDuration(std::numeric_limits<double>::quiet_NaN()), "?");
}

TEST(FormatProgress, BarFillsTheWidth) {
    const auto u = makeUpdate("render", 123, 1000, 12.3, 72);
    // 8 ("render  ") + 21-cell bar in brackets + 2 + 27 of counts, rate, ETA = 60.
    EXPECT_EQ(formatProgressLine(u, 60), "render  [##...................]  123/1000  12.3/s  ETA 1m12s");
    EXPECT_EQ(formatProgressLine(u, 50), "render  [#..........]  123/1000  12.3/s  ETA 1m12s");
}

TEST(FormatProgress, NarrowWidthDropsTheBarThenCuts) {
    const auto u = makeUpdate("render", 123, 1000, 12.3, 72);
    EXPECT_EQ(formatProgressLine(u, 49), "render  [#.........]  123/1000  12.3/s  ETA 1m12s");  // 10 cells: the minimum
    EXPECT_EQ(formatProgressLine(u, 48), "render  123/1000  12.3/s  ETA 1m12s");
    EXPECT_EQ(formatProgressLine(u, 20), "render  123/1000  12");
    EXPECT_EQ(formatProgressLine(u, 1), "r");
    EXPECT_THROW(formatProgressLine(u, 0), std::invalid_argument);
}

TEST(FormatProgress, UnknownsCompleteAndRates) {
    EXPECT_EQ(formatProgressLine(makeUpdate("scan", 42, 0, 0, -1), 80), "scan  42  ?/s  ETA ?");
    EXPECT_EQ(formatProgressLine(makeUpdate("render", 1000, 1000, 12.3, 0, 81), 51),
              "render  [##########]  1000/1000  12.3/s  took 1m21s");
    EXPECT_EQ(formatProgressLine(makeUpdate("", 7, 0, 123.4, -1), 80), "7  123/s  ETA ?");
    EXPECT_EQ(formatProgressLine(makeUpdate("", 7, 0, 1.234, -1), 80), "7  1.23/s  ETA ?");
}

TEST(FormatProgress, MessageComesLastAndIsCutBeforeTheBar) {
    auto u = makeUpdate("train", 5, 10, 2.5, 2, 0, "loss=0.123");
    EXPECT_EQ(formatProgressLine(u, 60), "train  [########.........]  5/10  2.50/s  ETA 2s  loss=0.123");
    u.message = "a very long message that does not fit";
    EXPECT_EQ(formatProgressLine(u, 60), "train  [#####.....]  5/10  2.50/s  ETA 2s  a very long me...");
}

TEST(FormatProgress, ControlCharactersAndUtf8) {
    EXPECT_EQ(formatProgressLine(makeUpdate("a\nb", 1, 0, 0, -1), 80), "a b  1  ?/s  ETA ?");
    // Five two-byte code points are five columns; a cut never splits one.
    EXPECT_EQ(formatProgressLine(makeUpdate("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", 1, 0, 0, -1), 3),
              "\xC3\xA9\xC3\xA9\xC3\xA9");
}

// ---------------------------------------------------------------- sinks

TEST(TerminalProgressBar, RedrawsInPlaceAndEndsTheLine) {
    std::FILE* f = std::tmpfile();
    ASSERT_NE(f, nullptr);
    {
        TerminalProgressBar bar(f, 61);  // draws in 60 columns
        const auto a = makeUpdate("render", 123, 1000, 12.3, 72, 0, "loss=0.123");
        const auto b = makeUpdate("render", 124, 1000, 12.3, 72);
        const auto c = makeUpdate("render", 1000, 1000, 12.3, 0, 81);
        bar.update(a);
        bar.update(b);
        bar.finish(c);
        const std::string la = formatProgressLine(a, 60), lb = formatProgressLine(b, 60),
                          lc = formatProgressLine(c, 60);
        ASSERT_EQ(la.size(), 60u);
        ASSERT_EQ(lb.size(), 60u);
        EXPECT_EQ(contents(f), "\r" + la + "\r" + lb + "\r" + lc + "\n");
    }
    std::fclose(f);
}

TEST(TerminalProgressBar, BlanksTheRestOfALongerLine) {
    std::FILE* f = std::tmpfile();
    ASSERT_NE(f, nullptr);
    TerminalProgressBar bar(f, 81);
    bar.update(makeUpdate("s", 1, 0, 0, -1, 0, "a long message"));  // "s  1  ?/s  ETA ?  a long message"
    bar.update(makeUpdate("s", 2, 0, 0, -1));                        // 16 shorter
    EXPECT_EQ(contents(f), "\rs  1  ?/s  ETA ?  a long message\rs  2  ?/s  ETA ?" + std::string(16, ' '));
    std::fclose(f);
}

TEST(TerminalProgressBar, AutoWidthFromColumns) {
    std::FILE* f = std::tmpfile();  // not a terminal, so $COLUMNS decides
    ASSERT_NE(f, nullptr);
    const char* old = std::getenv("COLUMNS");
    const std::string saved = old ? old : "";
    setenv("COLUMNS", "51", 1);
    const auto u = makeUpdate("render", 123, 1000, 12.3, 72);
    TerminalProgressBar(f).update(u);
    EXPECT_EQ(contents(f), "\r" + formatProgressLine(u, 50));
    if (old)
        setenv("COLUMNS", saved.c_str(), 1);
    else
        unsetenv("COLUMNS");
    std::fclose(f);
    EXPECT_THROW(TerminalProgressBar(nullptr), std::invalid_argument);
    EXPECT_THROW(TerminalProgressBar(stderr, -1), std::invalid_argument);
}

TEST(JsonLinesProgress, LinesParseBackWithAllFields) {
    std::FILE* f = std::tmpfile();
    ASSERT_NE(f, nullptr);
    FakeClock clock;
    JsonLinesProgress json(f);
    {
        ProgressTracker t(&json, "render", 3, fakeOptions(clock, 0.0));
        t.setMessage("m\"1\"");
        t.advance();  // at t = 0: rate and ETA unknown
        clock.now = 1;
        t.advance();
        clock.now = 2;
        t.advance();
        t.finish();
    }
    const auto ls = lines(contents(f));
    ASSERT_EQ(ls.size(), 4u);
    for (std::size_t i = 0; i < ls.size(); ++i) {
        const auto j = nlohmann::json::parse(ls[i]);
        for (const char* key : {"stage", "done", "total", "rate", "eta_s", "elapsed_s", "message", "finished"})
            EXPECT_TRUE(j.contains(key)) << key << " missing in " << ls[i];
        EXPECT_EQ(j["stage"], "render");
        EXPECT_EQ(j["total"], 3);
        EXPECT_EQ(j["message"], "m\"1\"");
        EXPECT_EQ(j["finished"], i == 3);
    }
    const auto first = nlohmann::json::parse(ls[0]);
    EXPECT_EQ(first["done"], 1);
    EXPECT_TRUE(first["eta_s"].is_null());
    EXPECT_EQ(first["rate"], 0.0);
    const auto second = nlohmann::json::parse(ls[1]);
    EXPECT_DOUBLE_EQ(second["rate"].get<double>(), 2.0);  // 2 items in the first second
    EXPECT_DOUBLE_EQ(second["eta_s"].get<double>(), 0.5);
    EXPECT_DOUBLE_EQ(second["elapsed_s"].get<double>(), 1.0);
    const auto last = nlohmann::json::parse(ls[3]);
    EXPECT_EQ(last["done"], 3);
    EXPECT_EQ(last["eta_s"], 0.0);
    std::fclose(f);
}

TEST(JsonLinesProgress, NeverWritesNaNOrInvalidUtf8) {
    std::FILE* f = std::tmpfile();
    ASSERT_NE(f, nullptr);
    JsonLinesProgress json(f);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    json.update(makeUpdate("s", 1, 2, nan, nan, std::numeric_limits<double>::infinity(), "bad \xFF byte"));
    const auto ls = lines(contents(f));
    ASSERT_EQ(ls.size(), 1u);
    const auto j = nlohmann::json::parse(ls[0]);  // throws on NaN or broken UTF-8
    EXPECT_TRUE(j["rate"].is_null());
    EXPECT_TRUE(j["eta_s"].is_null());
    EXPECT_TRUE(j["elapsed_s"].is_null());
    EXPECT_EQ(j["message"], "bad \xEF\xBF\xBD byte");
    std::fclose(f);
    EXPECT_THROW(JsonLinesProgress(nullptr), std::invalid_argument);
}

TEST(MakeCliProgress, Modes) {
    std::FILE* f = std::tmpfile();
    ASSERT_NE(f, nullptr);
    EXPECT_NE(dynamic_cast<TerminalProgressBar*>(makeCliProgress("bar", f).get()), nullptr);
    EXPECT_NE(dynamic_cast<JsonLinesProgress*>(makeCliProgress("json", f).get()), nullptr);
    EXPECT_TRUE(makeCliProgress("none", f) == nullptr);
    EXPECT_TRUE(makeCliProgress("auto", f) == nullptr);  // a file is not a terminal
    try {
        makeCliProgress("xml", f);
        FAIL() << "expected std::invalid_argument";
    } catch (const std::invalid_argument& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("'xml'"), std::string::npos) << what;
        EXPECT_NE(what.find("auto, bar, json, none"), std::string::npos) << what;
    }
    EXPECT_THROW(makeCliProgress("Bar", f), std::invalid_argument);
    EXPECT_THROW(makeCliProgress("bar", nullptr), std::invalid_argument);
    std::fclose(f);
}

TEST(MakeCliProgress, AutoOnATerminalIsABar) {
    const int master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) {
        if (master >= 0) close(master);
        SYNTHFORGE_SKIP_OR_FAIL_IN_CI("no pseudo-terminal available");
    }
    std::FILE* tty = std::fopen(ptsname(master), "w");
    ASSERT_NE(tty, nullptr);
    EXPECT_NE(dynamic_cast<TerminalProgressBar*>(makeCliProgress("auto", tty).get()), nullptr);
    std::fclose(tty);
    close(master);
}

// ---------------------------------------------------------------- cancellation

TEST(CancelToken, ThrowIfCancelled) {
    CancelToken token;
    EXPECT_FALSE(token.cancelled());
    EXPECT_NO_THROW(token.throwIfCancelled());
    token.cancel();
    token.cancel();  // idempotent
    EXPECT_TRUE(token.cancelled());
    try {
        token.throwIfCancelled();
        FAIL() << "expected Cancelled";
    } catch (const std::runtime_error& e) {  // Cancelled is a runtime_error
        EXPECT_NE(dynamic_cast<const Cancelled*>(&e), nullptr);
        EXPECT_STREQ(e.what(), "cancelled");
    }
}

TEST(CancelToken, StopsAWorkerThread) {
    // Shared with the worker, so that a worker which never stops (a broken
    // cancel) can be detached and the test fail instead of hanging in join().
    struct Shared {
        CancelToken token;
        std::atomic<long> spins{0};
        std::atomic<bool> sawCancelled{false};
        std::promise<void> done;
    };
    auto shared = std::make_shared<Shared>();
    std::future<void> finished = shared->done.get_future();
    std::thread worker([shared] {
        try {
            for (;;) {
                shared->token.throwIfCancelled();
                shared->spins.fetch_add(1);
            }
        } catch (const Cancelled&) {
            shared->sawCancelled = true;
        }
        shared->done.set_value();
    });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (shared->spins.load() == 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
    const bool started = shared->spins.load() > 0;
    shared->token.cancel();
    // Generous: a cancelled worker stops within one loop turn.
    if (finished.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
        worker.detach();
        FAIL() << "the worker still runs 30 s after cancel()";
    }
    worker.join();
    EXPECT_TRUE(started) << "the worker had not run a single turn after 30 s";
    EXPECT_TRUE(shared->sawCancelled.load());  // stopped by Cancelled, not by anything else
}

// ---------------------------------------------------------------- signals

namespace {
volatile std::sig_atomic_t gTestHandlerCalls = 0;
void testHandler(int) { gTestHandlerCalls = gTestHandlerCalls + 1; }

void (*currentHandler(int sig))(int) {
    struct sigaction sa {};
    sigaction(sig, nullptr, &sa);
    return sa.sa_handler;
}
}  // namespace

TEST(ScopedInterruptHandler, SigintCancelsWithoutKilling) {
    CancelToken token;
    {
        ScopedInterruptHandler handler(token);
        EXPECT_EQ(handler.receivedSignal(), 0);
        std::raise(SIGINT);
        EXPECT_TRUE(token.cancelled());
        EXPECT_EQ(handler.receivedSignal(), SIGINT);
    }
    // Still alive here.
}

TEST(ScopedInterruptHandler, SigtermCancelsToo) {
    CancelToken token;
    ScopedInterruptHandler handler(token);
    std::raise(SIGTERM);
    EXPECT_TRUE(token.cancelled());
    EXPECT_EQ(handler.receivedSignal(), SIGTERM);
}

TEST(ScopedInterruptHandler, RestoresPreviousHandlers) {
    struct sigaction mine {}, oldInt {}, oldTerm {};
    mine.sa_handler = testHandler;
    sigemptyset(&mine.sa_mask);
    ASSERT_EQ(sigaction(SIGINT, &mine, &oldInt), 0);
    ASSERT_EQ(sigaction(SIGTERM, &mine, &oldTerm), 0);
    {
        CancelToken token;
        ScopedInterruptHandler handler(token);
        EXPECT_NE(currentHandler(SIGINT), &testHandler);
        EXPECT_NE(currentHandler(SIGTERM), &testHandler);
    }
    EXPECT_EQ(currentHandler(SIGINT), &testHandler);
    EXPECT_EQ(currentHandler(SIGTERM), &testHandler);
    gTestHandlerCalls = 0;
    std::raise(SIGINT);  // reaches the restored handler
    EXPECT_EQ(gTestHandlerCalls, 1);
    sigaction(SIGINT, &oldInt, nullptr);
    sigaction(SIGTERM, &oldTerm, nullptr);
}

TEST(ScopedInterruptHandler, OneAtATime) {
    CancelToken a, b;
    {
        ScopedInterruptHandler first(a);
        EXPECT_THROW(ScopedInterruptHandler second(b), std::logic_error);
        std::raise(SIGINT);  // still the first one's, and still a first signal
        EXPECT_TRUE(a.cancelled());
        EXPECT_FALSE(b.cancelled());
    }
    ScopedInterruptHandler again(b);  // allowed once the first is gone
    EXPECT_EQ(again.receivedSignal(), 0);
}

TEST(ScopedInterruptHandlerDeathTest, SecondSignalForceQuits) {
    // Re-execute rather than fork: safe even when other tests left threads.
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_EXIT(
        {
            CancelToken token;
            ScopedInterruptHandler handler(token);
            std::raise(SIGINT);
            if (!token.cancelled()) std::exit(3);
            std::raise(SIGINT);
            std::exit(0);  // not reached: the second Ctrl+C kills
        },
        testing::KilledBySignal(SIGINT), "");
}
