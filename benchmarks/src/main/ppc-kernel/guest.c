/*
 * Benchmark guest (real mode, freestanding): runs crc_kernel over a 4 KiB buffer forever, issuing
 * H_BENCH_TICK (0xF002, r4 = calls so far, r5 = crc) after every call; the harness handles it in
 * place.
 */
#include "kernel.h"

static u8 buf[BENCH_BUF_LEN];

static void tick(u64 calls, u64 crc) {
    register u64 r3 __asm__("r3") = 0xF002;
    register u64 r4 __asm__("r4") = calls;
    register u64 r5 __asm__("r5") = crc;
    __asm__ volatile("sc 1" : "+r"(r3), "+r"(r4), "+r"(r5) : : "r0", "r6", "r7", "r8", "r9", "r10", "r11", "r12",
                     "cr0", "ctr", "xer", "memory");
}

int main(void) {
    crc_init(buf, BENCH_BUF_LEN);
    u32 crc = 0;
    for (u64 calls = 1;; calls++) {
        crc = crc_kernel(buf, BENCH_BUF_LEN, crc);
        tick(calls, crc);
    }
}
