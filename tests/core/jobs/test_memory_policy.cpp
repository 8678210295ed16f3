// core/jobs/memory_policy.h: after retainFreedMemoryForReuse() a large block
// comes from the heap (not a private mmap) and stays there once freed, so the
// next step's allocation of the same size reuses it. Each case runs in a
// forked child so that this test process keeps glibc's defaults.

#include "core/jobs/memory_policy.h"

#include <cstdlib>
#include <cstring>

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace synthforge::jobs {
namespace {

#if defined(__GLIBC__)

constexpr std::size_t kBlock = 96u << 20;  // larger than glibc's largest mmap threshold (32 MiB)

/// Allocates through a volatile pointer, so the compiler cannot elide the malloc/free pair.
char* volatile g_block = nullptr;
char* allocateBlock() {
    g_block = static_cast<char*>(std::malloc(kBlock));
    std::memset(g_block, 1, kBlock);
    return g_block;
}

/// Runs `body` in a child; its exit status is the number of failed checks.
template <typename Body>
int inChild(Body body) {
    const pid_t pid = fork();
    if (pid == 0) _exit(body());
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
}

/// 0 when a kBlock allocation is mmapped (glibc's default), else 1.
int blockIsMapped() {
    char* p = allocateBlock();
    const bool mapped = mallinfo2().hblkhd >= kBlock;
    std::free(p);
    return mapped ? 0 : 1;
}

TEST(MemoryPolicy, GlibcDefaultsMapLargeBlocks) { EXPECT_EQ(inChild(blockIsMapped), 0); }

TEST(MemoryPolicy, RetainedBlocksComeFromTheHeapAndStayAfterFree) {
    const int failures = inChild([] {
        int bad = retainFreedMemoryForReuse() ? 0 : 1;
        char* p = allocateBlock();
        bad += mallinfo2().hblkhd != 0;            // nothing mmapped
        bad += mallinfo2().arena < kBlock;         // the heap holds it
        std::free(p);
        bad += mallinfo2().arena < kBlock;         // and keeps it after free
        bad += mallinfo2().fordblks < kBlock;      // as free space for the next step
        // Beyond any finite threshold mallopt's int can express (2 GiB): a
        // `reference` step frees more than that, and it must stay too.
        // Untouched, so only address space is used.
        constexpr std::size_t kHuge = std::size_t{3} << 30;
        g_block = static_cast<char*>(std::malloc(kHuge));
        bad += g_block == nullptr;
        std::free(g_block);
        bad += mallinfo2().arena < kHuge;
        return bad;
    });
    EXPECT_EQ(failures, 0);
}

#else

TEST(MemoryPolicy, OtherLibrariesAreLeftAlone) { EXPECT_FALSE(retainFreedMemoryForReuse()); }

#endif

}  // namespace
}  // namespace synthforge::jobs
