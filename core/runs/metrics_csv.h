#pragma once
// Follows a run's metrics.csv while the run writes it. The training loop
// writes a header `step,epoch,<metrics>,grad_norm,<val metrics>` and then
// one row per step, validation cells empty on steps without validation; a
// resume rewrites the file (atomically, so as a new inode) keeping only the
// rows up to its checkpoint, then appends again.
//
// poll() reads only the bytes appended since the previous call. A last line
// without its newline is left for the next poll: the writer may be half-way
// through it. The file is read again from the start when it was replaced
// (another inode), cut (shorter than what was read), or changed before the
// read position (header or last read bytes differ). Bad rows (wrong number
// of cells, a cell that is not a number, a step that is not an integer, a
// line over the length limit) are skipped with a warning naming the file
// and line; the reader never throws for the file's content.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/runs/scalar_series.h"

namespace synthforge::runs {

class MetricsCsvFollower {
public:
    /// Warnings kept (later ones are counted, see suppressedWarnings()).
    static constexpr std::size_t kMaxWarnings = 50;
    /// Longest line accepted (a corrupt file may hold megabytes without a newline).
    static constexpr std::size_t kMaxLineBytes = 1 << 20;

    /// Reads nothing yet; the file need not exist.
    explicit MetricsCsvFollower(std::string path);

    /// Reads what was appended since the last call. True when the data
    /// changed: rows were added, or the file was read again from the start
    /// (or vanished, which empties the data).
    bool poll();

    const std::string& path() const { return path_; }
    /// The header's column names, `step` first; empty until a header was read.
    const std::vector<std::string>& columns() const { return columns_; }
    /// Index of `name` in columns(), or -1.
    int columnIndex(const std::string& name) const;
    /// The accepted rows' steps and cells (column i of row r is
    /// cell(r, i); empty cells are NaN).
    std::size_t rowCount() const { return steps_.size(); }
    const std::vector<std::int64_t>& steps() const { return steps_; }
    double cell(std::size_t row, std::size_t column) const { return cells_[row * columns_.size() + column]; }
    /// One column as a scalar series: the rows whose cell is not NaN (empty
    /// cells, such as validation columns between validations, are left out),
    /// wall time NaN (the file has none). Empty for an unknown column or
    /// `step`.
    std::vector<ScalarPoint> series(const std::string& column) const;

    /// What was wrong with the current file: "<path>:<line>: ...". Cleared
    /// when the file is read again from the start.
    const std::vector<std::string>& warnings() const { return warnings_; }
    std::size_t suppressedWarnings() const { return suppressed_; }
    /// How many times the file was read again from the start.
    std::size_t restarts() const { return restarts_; }
    /// Bytes consumed: the end of the last complete line.
    std::uint64_t offset() const { return offset_; }

private:
    void reset();
    void warn(std::uint64_t line, const std::string& what);
    void parseLine(const char* begin, const char* end);
    bool headerLine(const char* begin, const char* end);

    std::string path_;
    std::vector<std::string> columns_;
    std::vector<std::int64_t> steps_;
    std::vector<double> cells_;  ///< row-major, columns_.size() per row
    std::vector<std::string> warnings_;
    std::size_t suppressed_ = 0;
    std::size_t restarts_ = 0;
    std::uint64_t offset_ = 0;
    std::uint64_t line_ = 0;           ///< lines consumed
    bool headerRead_ = false;
    bool headerBad_ = false;
    bool skippingLongLine_ = false;    ///< inside a line over kMaxLineBytes
    std::string header_;               ///< the header line's bytes, with its newline
    std::string tail_;                 ///< the last bytes before offset_, to notice a rewrite
    std::uint64_t device_ = 0, inode_ = 0;
    bool exists_ = false;
};

}  // namespace synthforge::runs
