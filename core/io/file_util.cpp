#include "core/io/file_util.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>

namespace synthforge::io {

std::vector<std::uint8_t> readFileBytes(const std::string& path, std::uint64_t maxBytes) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throw std::runtime_error(path + ": is a directory, expected a file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path + ": cannot open (" + std::strerror(errno) + ")");
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    if (size < 0) throw std::runtime_error(path + ": cannot determine file size");
    if (static_cast<std::uint64_t>(size) > maxBytes)
        throw std::runtime_error(path + ": file of " + std::to_string(size) + " bytes exceeds the limit of " +
                                 std::to_string(maxBytes) + " bytes");
    in.seekg(0, std::ios::beg);
    std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
    if (size > 0 && !in.read(reinterpret_cast<char*>(bytes.data()), size))
        throw std::runtime_error(path + ": read failed");
    return bytes;
}

std::string readFileText(const std::string& path, std::uint64_t maxBytes) {
    auto b = readFileBytes(path, maxBytes);
    return std::string(b.begin(), b.end());
}

void writeFileAtomic(const std::string& path, const void* data, std::size_t size) {
    namespace fs = std::filesystem;
    const fs::path target(path);
    std::random_device rd;
    const fs::path tmp = target.parent_path() /
                         (target.filename().string() + ".tmp" + std::to_string(rd() % 1000000));
    {
        std::FILE* f = std::fopen(tmp.c_str(), "wb");
        if (!f) throw std::runtime_error(path + ": cannot create temporary file (" + std::strerror(errno) + ")");
        const bool ok = size == 0 || std::fwrite(data, 1, size, f) == size;
        const bool flushed = std::fflush(f) == 0;
        std::fclose(f);
        if (!ok || !flushed) {
            std::remove(tmp.c_str());
            throw std::runtime_error(path + ": write failed (disk full?)");
        }
    }
    std::error_code ec;
    fs::rename(tmp, target, ec);
    if (ec) {
        std::remove(tmp.c_str());
        throw std::runtime_error(path + ": cannot rename temporary file into place (" + ec.message() + ")");
    }
}

std::string lowerExtension(const std::string& path) {
    std::string ext = std::filesystem::path(path).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return ext;
}

}  // namespace synthforge::io
