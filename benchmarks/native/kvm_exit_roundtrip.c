/*
 * The C reference for the KVM exit round-trip benchmark: the same guest and the same loop as
 * org.jvmm.bench.kvm.KvmExitRoundTrip, with raw ioctls.
 *
 * Guest (16-bit real mode, at guest-physical 0x1000): "out 0x10, al; jmp $-2" (bytes E6 10 EB FC),
 * so every KVM_RUN ends in one KVM_EXIT_IO that the VMM answers by re-entering.
 *
 * Usage: kvm_exit_roundtrip [exits] [warmup-exits]; prints one line:
 *   c exits=N seconds=S ns_per_exit=X exits_per_second=Y
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what) {
    fprintf(stderr, "kvm_exit_roundtrip: %s: %s\n", what, strerror(errno));
    exit(1);
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void run_exits(int vcpu, struct kvm_run *run, long n) {
    for (long i = 0; i < n; i++) {
        if (ioctl(vcpu, KVM_RUN, 0) < 0) die("KVM_RUN");
        if (run->exit_reason != KVM_EXIT_IO || run->io.port != 0x10) {
            fprintf(stderr, "kvm_exit_roundtrip: unexpected exit %u\n", run->exit_reason);
            exit(1);
        }
    }
}

int main(int argc, char **argv) {
    long exits = argc > 1 ? atol(argv[1]) : 1000000;
    long warmup = argc > 2 ? atol(argv[2]) : 100000;
    int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm < 0) die("open /dev/kvm");
    int vm = ioctl(kvm, KVM_CREATE_VM, 0);
    if (vm < 0) die("KVM_CREATE_VM");
    size_t ram_size = 0x10000;
    uint8_t *ram = mmap(NULL, ram_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (ram == MAP_FAILED) die("mmap ram");
    static const uint8_t code[] = {0xE6, 0x10, 0xEB, 0xFC};
    memcpy(ram + 0x1000, code, sizeof code);
    struct kvm_userspace_memory_region region = {
        .slot = 0, .guest_phys_addr = 0, .memory_size = ram_size, .userspace_addr = (uint64_t) ram};
    if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0) die("KVM_SET_USER_MEMORY_REGION");
    int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
    if (vcpu < 0) die("KVM_CREATE_VCPU");
    int run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (run_size < 0) die("KVM_GET_VCPU_MMAP_SIZE");
    struct kvm_run *run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
    if (run == MAP_FAILED) die("mmap kvm_run");
    struct kvm_sregs sregs;
    if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0) die("KVM_GET_SREGS");
    sregs.cs.base = 0;
    sregs.cs.selector = 0;
    if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0) die("KVM_SET_SREGS");
    struct kvm_regs regs = {.rip = 0x1000, .rflags = 0x2};
    if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0) die("KVM_SET_REGS");

    run_exits(vcpu, run, warmup);
    double t0 = now();
    run_exits(vcpu, run, exits);
    double seconds = now() - t0;
    printf("c exits=%ld seconds=%.3f ns_per_exit=%.1f exits_per_second=%.0f\n",
           exits, seconds, seconds * 1e9 / exits, exits / seconds);
    munmap(run, run_size);
    close(vcpu);
    close(vm);
    munmap(ram, ram_size);
    close(kvm);
    return 0;
}
