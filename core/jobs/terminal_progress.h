#pragma once
// Progress sinks for the CLI (docs/design.md): a bar redrawn in place on a
// terminal, and JSON lines for scripts (`--progress json`).

#include <cstddef>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>

#include "core/jobs/progress.h"

namespace synthforge::jobs {

/// A duration for humans: "45s", "1m05s", "2h03m", "3d04h"; ">99d" beyond
/// 99 days and "?" for a negative or non-finite value. Rounds to whole seconds.
std::string formatDuration(double seconds);

/// One progress line of at most `width` columns (code points; double-width
/// characters count as one):
///
///   stage  [#######.....]  123/1000  12.3/s  ETA 1m12s  message
///
/// - The bar takes whatever room is left, but at least 10 cells inside the
///   brackets; with less room, or an unknown total, it is left out.
/// - An unknown total shows the count alone ("123"), an unknown rate "?/s",
///   an unknown ETA "ETA ?". Once done >= total the ETA becomes the elapsed
///   time ("took 1m21s").
/// - The message, if any, comes last and is cut with "..." before the bar
///   shrinks below 10 cells. As a last resort the whole line is cut.
/// - Control characters in stage and message become spaces, so a stray
///   newline cannot break the in-place redraw.
/// Throws std::invalid_argument when width < 1.
std::string formatProgressLine(const ProgressUpdate& u, int width);

/// A single line redrawn with '\r'. finish() draws the final state and ends
/// the line, so the next stage starts on a fresh one. Safe to share between
/// trackers on several threads (calls are serialised).
class TerminalProgressBar : public ProgressSink {
public:
    /// `width` 0 = the terminal's width (TIOCGWINSZ on `out`, else $COLUMNS,
    /// else 80), read again at every redraw so that a resized window is
    /// followed. The line uses width - 1 columns: writing the last column
    /// makes some terminals wrap, and the next '\r' would then redraw on a new
    /// line. Throws std::invalid_argument when `out` is null or width < 0.
    explicit TerminalProgressBar(std::FILE* out, int width = 0);
    void update(const ProgressUpdate& u) override;
    void finish(const ProgressUpdate& u) override;

private:
    void draw(const ProgressUpdate& u, bool final);
    int columns() const;

    std::FILE* out_;
    int width_;
    std::mutex mutex_;
    std::size_t lastColumns_ = 0;  // of the line on screen, to blank its leftover
};

/// One JSON object per line, flushed at once:
///
///   {"stage":"render","done":123,"total":1000,"rate":12.3,"eta_s":72.5,
///    "elapsed_s":10.1,"message":"","finished":false}
///
/// The final line of a stage has "finished": true (it may have done < total
/// when the stage stopped early). An unknown ETA is null, never NaN; times and
/// rates are rounded to milliseconds. Invalid UTF-8 in text becomes U+FFFD.
/// Safe to share between trackers on several threads.
class JsonLinesProgress : public ProgressSink {
public:
    /// Throws std::invalid_argument when `out` is null.
    explicit JsonLinesProgress(std::FILE* out);
    void update(const ProgressUpdate& u) override;
    void finish(const ProgressUpdate& u) override;

private:
    void write(const ProgressUpdate& u, bool finished);

    std::FILE* out_;
    std::mutex mutex_;
};

/// The sink for the CLI's `--progress` option:
/// - "bar": TerminalProgressBar;
/// - "json": JsonLinesProgress;
/// - "none": nullptr (ProgressTracker accepts a null sink);
/// - "auto": "bar" when `out` is a terminal, else "none".
/// Throws std::invalid_argument for any other mode (listing the valid ones)
/// or a null `out`.
std::unique_ptr<ProgressSink> makeCliProgress(const std::string& mode, std::FILE* out);

}  // namespace synthforge::jobs
