// Tests for core/io/mapped_file.h: the bytes it maps, empty files, and the
// errors (each naming the path) for what cannot be mapped.

#include <gtest/gtest.h>

#include <fstream>
#include <stdexcept>
#include <string>

#include "core/io/mapped_file.h"
#include "tests/support/fixtures.h"

namespace synthforge::io {
namespace {

std::string errorOf(const std::string& path, std::uint64_t maxBytes = 8ull << 30) {
    try {
        MappedFile f(path, maxBytes);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    ADD_FAILURE() << path << " mapped but was expected to fail";
    return "";
}

TEST(MappedFile, MapsTheWholeFile) {
    testutil::TempDir dir;
    std::string content(100000, '\0');
    for (std::size_t i = 0; i < content.size(); ++i) content[i] = static_cast<char>(i * 31 % 251);
    std::ofstream(dir.file("a.bin"), std::ios::binary) << content;
    const MappedFile f(dir.file("a.bin"));
    ASSERT_EQ(f.size(), content.size());
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(f.data()), f.size()), content);
}

TEST(MappedFile, EmptyFileHasNoData) {
    testutil::TempDir dir;
    std::ofstream(dir.file("empty.bin"), std::ios::binary).flush();
    const MappedFile f(dir.file("empty.bin"));
    EXPECT_EQ(f.size(), 0u);
    EXPECT_EQ(f.data(), nullptr);
}

TEST(MappedFile, ErrorsNameThePath) {
    testutil::TempDir dir;
    const std::string missing = dir.file("missing.bin");
    EXPECT_EQ(errorOf(missing).rfind(missing + ": cannot open", 0), 0u) << errorOf(missing);
    EXPECT_EQ(errorOf(dir.path.string()), dir.path.string() + ": is a directory, expected a file");
    std::ofstream(dir.file("big.bin"), std::ios::binary) << std::string(11, 'x');
    EXPECT_EQ(errorOf(dir.file("big.bin"), 10), dir.file("big.bin") + ": file of 11 bytes exceeds the limit of 10 bytes");
}

}  // namespace
}  // namespace synthforge::io
