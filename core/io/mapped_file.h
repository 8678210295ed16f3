#pragma once
// A whole file mapped read-only into memory.
//
// Readers of large files (a FLAME pickle is 53 MB) parse straight from the
// page cache instead of first copying the file into a fresh buffer: the copy
// and the page faults of its new memory cost more than the parse itself.
// The file must not be truncated while it is mapped (reads past the new end
// would raise SIGBUS); model files are not rewritten while they load.

#include <cstddef>
#include <cstdint>
#include <string>

namespace synthforge::io {

class MappedFile {
public:
    /// Maps `path`. Throws std::runtime_error naming the path when it is a
    /// directory, cannot be opened or mapped, or is larger than maxBytes.
    explicit MappedFile(const std::string& path, std::uint64_t maxBytes = 8ull << 30);
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    /// nullptr for an empty file.
    const std::uint8_t* data() const { return static_cast<const std::uint8_t*>(addr_); }
    std::size_t size() const { return size_; }

private:
    void* addr_ = nullptr;
    std::size_t size_ = 0;
};

}  // namespace synthforge::io
