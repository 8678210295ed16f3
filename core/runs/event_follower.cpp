#include "core/runs/event_follower.h"

#include <sys/stat.h>

#include <exception>

namespace synthforge::runs {

EventFileFollower::EventFileFollower(std::string path) : path_(std::move(path)) {}

void EventFileFollower::warn(const std::string& what) {
    // The same problem is met again on every poll until the file changes.
    if (!warnings_.empty() && warnings_.back() == what) return;
    if (warnings_.size() < kMaxWarnings) warnings_.push_back(what);
}

void EventFileFollower::reset() {
    scalars_.clear();
    warnings_.clear();
    offset_ = 0;
    corruptAt_ = kNone;
    sizeAtProblem_ = 0;
    ++restarts_;
}

EventFileFollower::Update EventFileFollower::poll() {
    Update up;
    struct stat st {};
    if (::stat(path_.c_str(), &st) != 0) {
        if (exists_) {
            up.restarted = !scalars_.empty() || offset_ > 0;
            reset();
            exists_ = false;
            warn(path_ + ": the file is gone");
        }
        return up;
    }
    const auto size = static_cast<std::uint64_t>(st.st_size);
    const bool replaced = exists_ && (static_cast<std::uint64_t>(st.st_dev) != device_ ||
                                      static_cast<std::uint64_t>(st.st_ino) != inode_);
    if (replaced || size < offset_) {
        up.restarted = true;
        reset();
    }
    exists_ = true;
    device_ = static_cast<std::uint64_t>(st.st_dev);
    inode_ = static_cast<std::uint64_t>(st.st_ino);
    if (size == offset_) return up;
    // Stuck at corruption: reading the same bytes again would say the same.
    if (corruptAt_ != kNone && size == sizeAtProblem_) return up;

    io::TbReadOptions options;
    options.allowTruncatedTail = true;
    options.startOffset = offset_;
    options.skipImages = true;
    options.stopAtCorruption = true;
    io::TbEventFile read;
    try {
        read = io::readTensorBoardFile(path_, options);
    } catch (const std::exception& e) {
        // Cut between stat and read, or unreadable: try again next time.
        warn(e.what());
        return up;
    }
    offset_ = read.completeBytes;
    if (!read.error.empty()) {
        corruptAt_ = read.completeBytes;
        sizeAtProblem_ = size;
        warn(read.error + "; values after it are not shown");
    } else {
        corruptAt_ = kNone;
    }
    scalars_.insert(scalars_.end(), read.scalars.begin(), read.scalars.end());
    up.scalars = std::move(read.scalars);
    return up;
}

}  // namespace synthforge::runs
