#include "core/jobs/terminal_progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace synthforge::jobs {

namespace {

constexpr int kMinBarCells = 10;

// Columns are counted as UTF-8 code points: every byte that is not a
// continuation byte (10xxxxxx) starts one.
bool startsCodePoint(char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }

int columnsOf(const std::string& s) {
    return static_cast<int>(std::count_if(s.begin(), s.end(), startsCodePoint));
}

// The first `n` code points of `s`, never splitting a multi-byte sequence.
std::string firstColumns(const std::string& s, int n) {
    int seen = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (startsCodePoint(s[i]) && seen++ == n) return s.substr(0, i);
    }
    return s;
}

// Control characters would move the cursor and break the in-place redraw.
std::string withoutControls(std::string s) {
    for (char& c : s) {
        const auto b = static_cast<unsigned char>(c);
        if (b < 0x20 || b == 0x7F) c = ' ';
    }
    return s;
}

// `s` in at most `room` columns, cut with "..." when longer; empty when not
// even "x..." fits, since a lone fragment says nothing.
std::string fitText(const std::string& s, int room) {
    if (columnsOf(s) <= room) return s;
    if (room < 4) return "";
    return firstColumns(s, room - 3) + "...";
}

std::string formatRate(double rate) {
    if (!std::isfinite(rate) || rate <= 0) return "?/s";
    char buf[64];
    // Three significant digits or more: "1.23/s", "12.3/s", "123/s".
    const char* fmt = rate >= 100 ? "%.0f/s" : rate >= 10 ? "%.1f/s" : "%.2f/s";
    std::snprintf(buf, sizeof buf, fmt, rate);
    return buf;
}

std::string barCells(std::uint64_t done, std::uint64_t total, int cells) {
    int filled = cells;
    if (done < total) {
        const double fraction = static_cast<double>(done) / static_cast<double>(total);
        // A full bar is kept for a complete stage, so cap at cells - 1 until then.
        filled = std::min(cells - 1, static_cast<int>(std::floor(fraction * cells)));
    }
    return std::string(static_cast<std::size_t>(filled), '#') +
           std::string(static_cast<std::size_t>(cells - filled), '.');
}

// Terminal width: the tty's own size when `out` is one (COLUMNS is usually not
// exported to child processes), else $COLUMNS, else 80.
int terminalColumns(std::FILE* out) {
    winsize ws{};
    if (ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    if (const char* env = std::getenv("COLUMNS")) {
        char* end = nullptr;
        const long n = std::strtol(env, &end, 10);
        if (end != env && *end == '\0' && n > 0 && n < 10000) return static_cast<int>(n);
    }
    return 80;
}

// Rounded to milliseconds for readable lines; null for what JSON cannot hold.
nlohmann::ordered_json jsonNumber(double x) {
    if (!std::isfinite(x)) return nullptr;
    const double r = std::round(x * 1000.0) / 1000.0;
    return std::isfinite(r) ? nlohmann::ordered_json(r) : nlohmann::ordered_json(x);
}

}  // namespace

std::string formatDuration(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) return "?";
    if (seconds > 99.0 * 86400.0) return ">99d";
    const long long t = std::llround(seconds);
    char buf[32];
    if (t < 60)
        std::snprintf(buf, sizeof buf, "%llds", t);
    else if (t < 3600)
        std::snprintf(buf, sizeof buf, "%lldm%02llds", t / 60, t % 60);
    else if (t < 86400)
        std::snprintf(buf, sizeof buf, "%lldh%02lldm", t / 3600, t % 3600 / 60);
    else
        std::snprintf(buf, sizeof buf, "%lldd%02lldh", t / 86400, t % 86400 / 3600);
    return buf;
}

std::string formatProgressLine(const ProgressUpdate& u, int width) {
    if (width < 1)
        throw std::invalid_argument("formatProgressLine: width must be >= 1 (got " +
                                    std::to_string(width) + ")");
    const std::string stage = withoutControls(u.stage);
    const std::string message = withoutControls(u.message);
    const std::string prefix = stage.empty() ? "" : stage + "  ";

    const bool complete = u.total > 0 && u.done >= u.total;
    std::string tail = std::to_string(u.done);
    if (u.total > 0) tail += "/" + std::to_string(u.total);
    tail += "  " + formatRate(u.rate);
    tail += complete ? "  took " + formatDuration(u.elapsedSeconds)
                     : "  ETA " + formatDuration(u.etaSeconds);

    if (u.total > 0) {
        // "[" + cells + "]  " around the bar.
        int room = width - columnsOf(prefix) - 4 - columnsOf(tail);
        if (room >= kMinBarCells) {
            std::string shown;
            if (!message.empty()) {
                shown = fitText(message, room - kMinBarCells - 2);
                if (!shown.empty()) room -= 2 + columnsOf(shown);
            }
            std::string line = prefix + "[" + barCells(u.done, u.total, room) + "]  " + tail;
            if (!shown.empty()) line += "  " + shown;
            return line;
        }
    }
    // No room for a bar (or no total to draw one against).
    std::string line = prefix + tail;
    if (!message.empty()) {
        const std::string shown = fitText(message, width - columnsOf(line) - 2);
        if (!shown.empty()) line += "  " + shown;
    }
    return firstColumns(line, width);
}

TerminalProgressBar::TerminalProgressBar(std::FILE* out, int width) : out_(out), width_(width) {
    if (!out_) throw std::invalid_argument("TerminalProgressBar: out must not be null");
    if (width_ < 0)
        throw std::invalid_argument("TerminalProgressBar: width must be >= 0 (got " +
                                    std::to_string(width_) + ")");
}

void TerminalProgressBar::update(const ProgressUpdate& u) { draw(u, false); }

void TerminalProgressBar::finish(const ProgressUpdate& u) { draw(u, true); }

int TerminalProgressBar::columns() const { return width_ > 0 ? width_ : terminalColumns(out_); }

void TerminalProgressBar::draw(const ProgressUpdate& u, bool final) {
    std::lock_guard<std::mutex> lock(mutex_);
    const int width = std::max(1, columns() - 1);
    const std::string line = formatProgressLine(u, width);
    const auto shown = static_cast<std::size_t>(columnsOf(line));
    std::string text = "\r" + line;
    // Blank what is left of a longer previous line, within the current width.
    const std::size_t previous = std::min(lastColumns_, static_cast<std::size_t>(width));
    if (previous > shown) text.append(previous - shown, ' ');
    if (final) text += '\n';
    lastColumns_ = final ? 0 : shown;
    std::fwrite(text.data(), 1, text.size(), out_);
    std::fflush(out_);
}

JsonLinesProgress::JsonLinesProgress(std::FILE* out) : out_(out) {
    if (!out_) throw std::invalid_argument("JsonLinesProgress: out must not be null");
}

void JsonLinesProgress::update(const ProgressUpdate& u) { write(u, false); }

void JsonLinesProgress::finish(const ProgressUpdate& u) { write(u, true); }

void JsonLinesProgress::write(const ProgressUpdate& u, bool finished) {
    // ordered_json keeps the documented key order, which people reading a log appreciate.
    nlohmann::ordered_json j;
    j["stage"] = u.stage;
    j["done"] = u.done;
    j["total"] = u.total;
    j["rate"] = jsonNumber(u.rate);
    j["eta_s"] = u.etaSeconds >= 0 ? jsonNumber(u.etaSeconds) : nullptr;
    j["elapsed_s"] = jsonNumber(u.elapsedSeconds);
    j["message"] = u.message;
    j["finished"] = finished;
    // replace: a message with broken UTF-8 must not make progress reporting throw.
    const std::string line =
        j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
    std::lock_guard<std::mutex> lock(mutex_);
    std::fwrite(line.data(), 1, line.size(), out_);
    std::fflush(out_);
}

std::unique_ptr<ProgressSink> makeCliProgress(const std::string& mode, std::FILE* out) {
    if (!out) throw std::invalid_argument("makeCliProgress: out must not be null");
    if (mode == "bar") return std::make_unique<TerminalProgressBar>(out);
    if (mode == "json") return std::make_unique<JsonLinesProgress>(out);
    if (mode == "none") return nullptr;
    if (mode == "auto") return isatty(fileno(out)) ? std::make_unique<TerminalProgressBar>(out) : nullptr;
    throw std::invalid_argument("progress mode '" + mode + "' is not one of: auto, bar, json, none");
}

}  // namespace synthforge::jobs
