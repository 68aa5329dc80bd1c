/*
 * Benchmark Linux user binary for qemu-ppc64le: runs crc_kernel N times (argv[1]) over the same
 * buffer as the guest and prints "calls=N crc=0x... ns=..." with the loop's own wall time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "kernel.h"

static u8 buf[BENCH_BUF_LEN];

int main(int argc, char **argv) {
    u64 n = argc > 1 ? strtoul(argv[1], 0, 10) : 1000;
    crc_init(buf, BENCH_BUF_LEN);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    u32 crc = 0;
    for (u64 i = 0; i < n; i++) {
        crc = crc_kernel(buf, BENCH_BUF_LEN, crc);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long long ns = (t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
    printf("calls=%lu crc=0x%08x ns=%lld\n", n, crc, ns);
    return 0;
}
