#include "core/runs/metrics_csv.h"

#include <sys/stat.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>

namespace synthforge::runs {

namespace {

constexpr std::size_t kTailBytes = 64;
constexpr std::size_t kChunkBytes = 1 << 20;

struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

/// `n` bytes at `offset`, fewer at the end of the file.
std::string readAt(std::FILE* f, std::uint64_t offset, std::size_t n) {
    std::string s(n, '\0');
    if (fseeko(f, static_cast<off_t>(offset), SEEK_SET) != 0) return {};
    s.resize(std::fread(s.data(), 1, n, f));
    return s;
}

void trim(const char*& b, const char*& e) {
    while (b < e && (*b == ' ' || *b == '\t')) ++b;
    while (e > b && (e[-1] == ' ' || e[-1] == '\t')) --e;
}

/// A cell as a warning shows it: short, and printable whatever the file holds.
std::string shown(const char* b, const char* e) {
    std::string s;
    for (const char* p = b; p < e && s.size() < 40; ++p) s += (*p >= 0x20 && *p < 0x7F) ? *p : '?';
    if (e - b > 40) s += "...";
    return "'" + s + "'";
}

}  // namespace

MetricsCsvFollower::MetricsCsvFollower(std::string path) : path_(std::move(path)) {}

int MetricsCsvFollower::columnIndex(const std::string& name) const {
    for (std::size_t i = 0; i < columns_.size(); ++i)
        if (columns_[i] == name) return static_cast<int>(i);
    return -1;
}

std::vector<ScalarPoint> MetricsCsvFollower::series(const std::string& column) const {
    std::vector<ScalarPoint> out;
    const int c = columnIndex(column);
    if (c <= 0) return out;  // unknown, or the step column itself
    out.reserve(steps_.size());
    const double noWallTime = std::numeric_limits<double>::quiet_NaN();
    for (std::size_t r = 0; r < steps_.size(); ++r) {
        const double v = cell(r, static_cast<std::size_t>(c));
        if (!std::isnan(v)) out.push_back({steps_[r], noWallTime, v});
    }
    return out;
}

void MetricsCsvFollower::reset() {
    columns_.clear();
    steps_.clear();
    cells_.clear();
    warnings_.clear();
    suppressed_ = 0;
    offset_ = 0;
    line_ = 0;
    headerRead_ = headerBad_ = skippingLongLine_ = false;
    header_.clear();
    tail_.clear();
}

void MetricsCsvFollower::warn(std::uint64_t line, const std::string& what) {
    if (warnings_.size() >= kMaxWarnings) {
        ++suppressed_;
        return;
    }
    warnings_.push_back(path_ + ":" + std::to_string(line) + ": " + what);
}

bool MetricsCsvFollower::headerLine(const char* b, const char* e) {
    std::vector<std::string> names;
    const char* p = b;
    while (true) {
        const char* comma = static_cast<const char*>(std::memchr(p, ',', static_cast<std::size_t>(e - p)));
        const char* end = comma ? comma : e;
        const char* nb = p;
        const char* ne = end;
        trim(nb, ne);
        if (nb == ne) {
            warn(line_ + 1, "bad header: column " + std::to_string(names.size() + 1) + " has no name");
            return false;
        }
        names.emplace_back(nb, ne);
        if (!comma) break;
        p = comma + 1;
    }
    if (names.front() != "step") {
        warn(line_ + 1, "bad header: the first column is " + shown(b, std::min(e, b + 40)) + ", expected 'step'");
        return false;
    }
    columns_ = std::move(names);
    return true;
}

void MetricsCsvFollower::parseLine(const char* b, const char* e) {
    if (e > b && e[-1] == '\r') --e;  // written on Windows
    if (!headerRead_) {
        headerRead_ = true;
        headerBad_ = !headerLine(b, e);
        return;
    }
    if (headerBad_ || b == e) return;  // rows of an unusable header were warned about once; blank lines are harmless
    const std::size_t n = columns_.size();
    const std::size_t rowStart = cells_.size();
    cells_.resize(rowStart + n);
    std::size_t count = 0;
    std::int64_t step = 0;
    const char* p = b;
    std::string problem;
    while (true) {
        const char* comma = static_cast<const char*>(std::memchr(p, ',', static_cast<std::size_t>(e - p)));
        const char* end = comma ? comma : e;
        if (count < n && problem.empty()) {
            const char* cb = p;
            const char* ce = end;
            trim(cb, ce);
            if (count == 0) {
                const auto r = std::from_chars(cb, ce, step);
                if (cb == ce || r.ec != std::errc() || r.ptr != ce) problem = "step " + shown(cb, ce) + " is not an integer";
            } else if (cb == ce) {
                cells_[rowStart + count] = std::numeric_limits<double>::quiet_NaN();
            } else {
                double v = 0.0;
                // from_chars ignores the C locale, which a Qt program sets
                // from the environment (a decimal comma would break strtod).
                const auto r = std::from_chars(cb, ce, v);
                if (r.ec != std::errc() || r.ptr != ce)
                    problem = "cell " + shown(cb, ce) + " in column '" + columns_[count] + "' is not a number";
                else
                    cells_[rowStart + count] = v;
            }
        }
        ++count;
        if (!comma) break;
        p = comma + 1;
    }
    if (count != n) problem = std::to_string(count) + " cells, the header has " + std::to_string(n);
    if (!problem.empty()) {
        cells_.resize(rowStart);
        warn(line_ + 1, problem + "; row skipped");
        return;
    }
    steps_.push_back(step);
}

bool MetricsCsvFollower::poll() {
    struct stat st {};
    if (::stat(path_.c_str(), &st) != 0) {
        if (!exists_) return false;
        const bool had = headerRead_ || offset_ > 0;
        reset();
        exists_ = false;
        ++restarts_;
        return had;
    }
    File file(std::fopen(path_.c_str(), "rb"));
    if (!file) return false;  // gone between stat and open; the next poll sees
    const auto size = static_cast<std::uint64_t>(st.st_size);

    bool restart = exists_ && (static_cast<std::uint64_t>(st.st_dev) != device_ ||
                               static_cast<std::uint64_t>(st.st_ino) != inode_);
    restart = restart || size < offset_;
    if (!restart && offset_ > 0) {
        // Rewritten in place to at least the old length: the bytes already
        // read (the header and the last ones) are no longer the same.
        restart = (!header_.empty() && readAt(file.get(), 0, header_.size()) != header_) ||
                  readAt(file.get(), offset_ - tail_.size(), tail_.size()) != tail_;
    }
    bool changed = false;
    if (restart) {
        reset();
        ++restarts_;
        changed = true;
    }
    exists_ = true;
    device_ = static_cast<std::uint64_t>(st.st_dev);
    inode_ = static_cast<std::uint64_t>(st.st_ino);
    if (size == offset_) return changed;

    const std::size_t rowsBefore = steps_.size();
    const bool hadHeader = headerRead_;
    if (fseeko(file.get(), static_cast<off_t>(offset_), SEEK_SET) != 0) return changed;
    std::string buf;
    std::vector<char> chunk(kChunkBytes);
    while (true) {
        const std::size_t got = std::fread(chunk.data(), 1, chunk.size(), file.get());
        if (got == 0) break;
        buf.append(chunk.data(), got);
        std::size_t start = 0;
        while (true) {
            const char* nl = static_cast<const char*>(std::memchr(buf.data() + start, '\n', buf.size() - start));
            if (!nl) break;
            const std::size_t end = static_cast<std::size_t>(nl - buf.data());
            if (skippingLongLine_) {
                skippingLongLine_ = false;
            } else {
                if (!headerRead_) header_ = buf.substr(start, end - start + 1);
                parseLine(buf.data() + start, nl);
            }
            ++line_;
            offset_ += end - start + 1;
            start = end + 1;
        }
        buf.erase(0, start);
        if (!skippingLongLine_ && buf.size() > kMaxLineBytes) {
            warn(line_ + 1, "line longer than " + std::to_string(kMaxLineBytes) + " bytes; skipped");
            skippingLongLine_ = true;
        }
        if (skippingLongLine_) {
            offset_ += buf.size();
            buf.clear();
        }
    }
    // What is left in buf is a line still being written: read again next time.
    const std::size_t keep = static_cast<std::size_t>(std::min<std::uint64_t>(kTailBytes, offset_));
    tail_ = readAt(file.get(), offset_ - keep, keep);
    return changed || steps_.size() != rowsBefore || headerRead_ != hadHeader;
}

}  // namespace synthforge::runs
