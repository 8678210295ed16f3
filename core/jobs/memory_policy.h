#pragma once
// Process-wide allocator policy for long training processes.
//
// A training step frees and re-allocates the same large activation tensors
// (hundreds of MB at 256 x 256) every step. glibc serves blocks above its
// mmap threshold (at most 32 MiB) with fresh mmap()s and returns them with
// munmap(), so every step page-faults its activations back in and the kernel
// zero-fills each page: on the build machine that was a fifth of a
// `reference` step's time, as system time. Keeping freed memory in the heap
// lets the next step reuse it. PyTorch users get the same effect by
// preloading jemalloc or tcmalloc; this needs no extra library.
//
// The price: the process keeps its peak heap until it exits, which suits a
// `synthforge train` process and not an interactive one, so only the
// training commands (and bench/) call it, never the studio.

namespace synthforge::jobs {

/// Serves every allocation from the heap and never trims it (glibc's
/// M_MMAP_MAX = 0, M_TRIM_THRESHOLD = -1, M_TOP_PAD 256 MiB). Returns false,
/// changing nothing, where the C library is not glibc.
bool retainFreedMemoryForReuse();

}  // namespace synthforge::jobs
