/*
 * Suite Linux user binary for qemu-ppc64le: `suite-linux-le KERNEL CALLS` runs one kernel CALLS
 * times from result 0, as the guest does, and prints "kernel=... calls=N result=0x... ns=..." with
 * the loop's own wall time (CLOCK_MONOTONIC).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "suite.h"

int main(int argc, char **argv) {
    static const char *const names[] = SUITE_NAMES;
    if (argc != 3) {
        fprintf(stderr, "usage: suite-linux-le KERNEL CALLS\n");
        return 2;
    }
    u32 which = SUITE_KERNELS;
    for (u32 k = 0; k < SUITE_KERNELS; k++) {
        if (strcmp(argv[1], names[k]) == 0) {
            which = k;
        }
    }
    if (which == SUITE_KERNELS) {
        fprintf(stderr, "suite-linux-le: unknown kernel '%s'\n", argv[1]);
        return 2;
    }
    u64 n = strtoul(argv[2], 0, 10);
    suite_init();
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    u64 result = 0;
    for (u64 i = 0; i < n; i++) {
        result = suite_run(which, result);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long long ns = (t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
    printf("kernel=%s calls=%lu result=0x%016lx ns=%lld\n", argv[1], n, result, ns);
    return 0;
}
