/*
 * Suite guest (real mode, freestanding): r3 at entry selects the kernel (see suite.h). Issues
 * H_BENCH_TICK (0xF002, r4 = calls so far, r5 = result) once before the first call and after every
 * call, forever; the harness handles it in place and counts instructions between ticks.
 */
#include "suite.h"

static void tick(u64 calls, u64 result) {
    register u64 r3 __asm__("r3") = 0xF002;
    register u64 r4 __asm__("r4") = calls;
    register u64 r5 __asm__("r5") = result;
    __asm__ volatile("sc 1" : "+r"(r3), "+r"(r4), "+r"(r5) : : "r0", "r6", "r7", "r8", "r9", "r10", "r11", "r12",
                     "cr0", "ctr", "xer", "memory");
}

int main(u64 which) {
    suite_init();
    u64 result = 0;
    tick(0, result);
    for (u64 calls = 1;; calls++) {
        result = suite_run((u32) which, result);
        tick(calls, result);
    }
}
