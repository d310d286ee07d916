// retainFreedMemory (Execute.h): glibc allocator settings for libtorch's per-call buffers.
#include <malloc.h>

#include <cstdlib>

#include "plans/Execute.h"

namespace syno::plans {

void retainFreedMemory() {
    if (std::getenv("SYNO_SYSTEM_MALLOC")) return;  // to measure what this buys
    // Blocks up to 256 MiB come from the heap instead of fresh mmap()ed pages (glibc's default threshold
    // starts at 128 KiB), and up to 1 GiB of freed heap stays mapped for the next call.
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

}  // namespace syno::plans
