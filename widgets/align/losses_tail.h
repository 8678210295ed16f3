#pragma once
// Reads `synthforge align`'s losses.csv while the command appends to it
// (docs/alignment.md, "Fit directory"): each poll() returns the rows added
// since the last one. The file may not exist yet, and its last line may be
// half written (the writer flushes per step, but a read can land between
// two writes of one line), so a line counts only once its newline is there.
// A file that shrank (a new run into the same directory) is read again from
// the start.

#include <cstdint>
#include <string>
#include <vector>

namespace synthforge::widgets {

/// One step's losses, in the header's column order.
struct LossRow {
    std::int64_t step = 0;
    std::vector<double> values;  ///< one per name in LossesTail::names(), after "step"
};

class LossesTail {
public:
    explicit LossesTail(std::string path) : path_(std::move(path)) {}

    /// The rows completed since the last call (none while the file is missing).
    /// A header line sets names(); a row that does not parse is skipped and
    /// counted in skipped(), with the reason in lastError().
    std::vector<LossRow> poll();

    /// The loss columns after "step" (from the header), e.g. total, chamfer, ...
    const std::vector<std::string>& names() const { return names_; }
    const std::string& path() const { return path_; }
    std::size_t skipped() const { return skipped_; }
    const std::string& lastError() const { return lastError_; }
    /// Forgets everything read (the next poll reads from the start).
    void reset();

private:
    bool parseLine(const std::string& line, LossRow& row);

    std::string path_;
    std::uint64_t offset_ = 0;  ///< bytes consumed, up to the end of the last complete line
    std::string partial_;       ///< bytes after the last newline, waiting for theirs
    std::vector<std::string> names_;
    std::size_t skipped_ = 0;
    std::string lastError_;
};

}  // namespace synthforge::widgets
