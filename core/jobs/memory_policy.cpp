#include "core/jobs/memory_policy.h"

#include <cstddef>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace synthforge::jobs {

bool retainFreedMemoryForReuse() {
#if defined(__GLIBC__)
    // With mmap disabled large blocks come from the heap, which must then
    // never be trimmed back between steps: -1 disables trimming (mallopt(3));
    // any finite int threshold (at most 2 GiB) is below a `reference` step's
    // freed activations at 256 x 256, which would be trimmed and faulted in again.
    const bool ok = mallopt(M_MMAP_MAX, 0) == 1 && mallopt(M_TRIM_THRESHOLD, -1) == 1 &&
                    mallopt(M_TOP_PAD, 256 << 20) == 1;  // grow the heap in 256 MiB steps, fewer brk calls
    return ok;
#else
    return false;
#endif
}

}  // namespace synthforge::jobs
