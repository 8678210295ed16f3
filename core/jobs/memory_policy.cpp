#include "core/jobs/memory_policy.h"

#include <cstddef>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace synthforge::jobs {

bool retainFreedMemoryForReuse() {
#if defined(__GLIBC__)
    // Order matters: with mmap disabled, large blocks come from the heap,
    // which must then never be trimmed back between steps.
    const bool ok = mallopt(M_MMAP_MAX, 0) == 1 &&
                    mallopt(M_TRIM_THRESHOLD, static_cast<int>(1u << 30)) == 1 &&  // the int maximum is 2 GiB
                    mallopt(M_TOP_PAD, 256 << 20) == 1;  // grow the heap in 256 MiB steps, fewer brk calls
    return ok;
#else
    return false;
#endif
}

}  // namespace synthforge::jobs
