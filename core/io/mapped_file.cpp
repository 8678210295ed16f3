#include "core/io/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace synthforge::io {

namespace {

[[noreturn]] void failErrno(const std::string& path, const char* what) {
    throw std::runtime_error(path + ": " + what + " (" + std::strerror(errno) + ")");
}

}  // namespace

MappedFile::MappedFile(const std::string& path, std::uint64_t maxBytes) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) failErrno(path, "cannot open");
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int err = errno;
        ::close(fd);
        errno = err;
        failErrno(path, "cannot determine file size");
    }
    const auto fail = [&](const std::string& msg) {
        ::close(fd);
        throw std::runtime_error(path + ": " + msg);
    };
    if (S_ISDIR(st.st_mode)) fail("is a directory, expected a file");
    if (!S_ISREG(st.st_mode)) fail("is not a regular file");
    const auto size = static_cast<std::uint64_t>(st.st_size);
    if (size > maxBytes)
        fail("file of " + std::to_string(size) + " bytes exceeds the limit of " + std::to_string(maxBytes) + " bytes");
    if (size > 0) {
        // MAP_POPULATE maps every page now, in one call, instead of taking a
        // page fault per 4 KiB page while the parser walks the file.
        void* p = ::mmap(nullptr, static_cast<std::size_t>(size), PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
        if (p == MAP_FAILED) {
            const int err = errno;
            ::close(fd);
            errno = err;
            failErrno(path, "cannot map the file");
        }
        addr_ = p;
        size_ = static_cast<std::size_t>(size);
    }
    ::close(fd);  // the mapping keeps the file open
}

MappedFile::~MappedFile() {
    if (addr_) ::munmap(addr_, size_);
}

}  // namespace synthforge::io
