#pragma once
// Follows one TensorBoard event file while a run writes it. Each poll()
// reads from the end of the last complete record, so a long run's file is
// read once, not once per poll; a record the writer is still writing waits
// for the next poll. The file is read again from the start when it was
// replaced (another inode) or cut (shorter than what was read).
//
// Corruption (a CRC mismatch, a malformed Event) stops the reading at the
// last good record with a warning naming the file and byte offset; the
// values before it stay. poll() never throws: whatever goes wrong with the
// file (missing, unreadable, not an event file) becomes a warning.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/io/tensorboard_reader.h"

namespace synthforge::runs {

class EventFileFollower {
public:
    static constexpr std::size_t kMaxWarnings = 50;

    /// Reads nothing yet.
    explicit EventFileFollower(std::string path);

    struct Update {
        bool restarted = false;               ///< earlier scalars are void: the file was replaced or cut
        std::vector<io::TbScalar> scalars;    ///< new scalars, in file order
    };
    /// Reads the records appended since the last call.
    Update poll();

    const std::string& path() const { return path_; }
    /// Every scalar read from the current file, in file order.
    const std::vector<io::TbScalar>& scalars() const { return scalars_; }
    /// End of the last complete record read.
    std::uint64_t offset() const { return offset_; }
    /// True while the file is stuck at corruption (until it grows or is replaced).
    bool corrupt() const { return corruptAt_ != kNone; }
    /// "<path>: offset <n>: ..." for each problem met; cleared on a restart.
    const std::vector<std::string>& warnings() const { return warnings_; }
    std::size_t restarts() const { return restarts_; }

private:
    static constexpr std::uint64_t kNone = ~std::uint64_t{0};
    void warn(const std::string& what);
    void reset();

    std::string path_;
    std::vector<io::TbScalar> scalars_;
    std::vector<std::string> warnings_;
    std::uint64_t offset_ = 0;
    std::uint64_t corruptAt_ = kNone;   ///< offset of the corrupt record
    std::uint64_t sizeAtProblem_ = 0;   ///< file size when it was found, to retry only after a change
    std::uint64_t device_ = 0, inode_ = 0;
    bool exists_ = false;
    std::size_t restarts_ = 0;
};

}  // namespace synthforge::runs
