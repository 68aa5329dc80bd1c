/*
 * Oracle driver: runs every generated instruction snippet (cases.S) over a deterministic set of
 * operands under qemu-ppc64le / qemu-ppc64 and prints one line per case:
 *
 *   <asm> <kind> <insn> <in: r5 r6 r7 cr xer lr ctr> <out: r5 r6 r7 cr xer lr ctr flag> [<seed> <buf>]
 *
 * All numbers are hex. LR is relative to the instruction's address; so is CTR for kind 4; r6 is
 * relative to the buffer base for kind 2. flag is "branch taken" (kinds 1, 4) or "trapped" (kind 3).
 * The buffer (kind 2) is BUF_LEN bytes, byte i = (i*29 + 90 + 7*seed) & 0xff before the
 * instruction, RA's base is BUF_BASE bytes into it; the line shows it after.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

#define BUF_LEN 96
#define BUF_BASE 32

struct case_entry {
    uint64_t code;
    uint64_t insn;
    uint64_t kind;
    uint64_t name;
};
extern const struct case_entry case_table[];
extern const uint64_t case_count;
extern void run_case(uint64_t code, const uint64_t *in, uint64_t *out, uint8_t *buf_base);

static volatile int trapped;

static void on_trap(int sig, siginfo_t *si, void *ctx) {
    ucontext_t *uc = ctx;
    (void) sig;
    (void) si;
    trapped = 1;
    uc->uc_mcontext.gp_regs[32] += 4; /* PT_NIP: resume after the trap */
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint64_t next(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static const uint64_t special[] = {
    0, 1, 2, 3, 0xffffffffffffffffull, 0xfffffffffffffffeull, 0x7fffffffffffffffull,
    0x8000000000000000ull, 0x7fffffffull, 0x80000000ull, 0xffffffffull, 0x100000000ull,
    0xffffffff80000000ull, 0xffffffff7fffffffull, 0x8000ull, 0x7fffull, 0xffff8000ull, 0xffull,
    0x80ull, 0x1f, 0x20, 0x3f, 0x40, 0x7f, 0xfedcba9876543210ull, 0x0123456789abcdefull,
};
#define NSPECIAL (sizeof special / sizeof special[0])

static uint64_t operand(int i, int which) {
    /* First cases walk pairs of special values; the rest are random, sometimes narrowed. */
    if (i < 8) {
        return special[(next() >> 7) % NSPECIAL];
    }
    uint64_t r = next();
    switch ((r >> 60) & 7) {
    case 0: return (uint64_t) (int64_t) (int32_t) r;
    case 1: return r & 0xffffffffull;
    case 2: return r & 0x7f;
    case 3: return special[(r >> 3) % NSPECIAL];
    case 4: return (uint64_t) (int64_t) (int8_t) r;
    default: return next() ^ (uint64_t) which;
    }
}

static uint64_t xer_bits(uint64_t r) {
    const uint64_t bits[] = {1ull << 31, 1ull << 30, 1ull << 29, 1ull << 19, 1ull << 18};
    uint64_t x = 0;
    for (int k = 0; k < 5; k++) {
        if (r & (1ull << (k * 7 + 3))) {
            x |= bits[k];
        }
    }
    return x;
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_trap;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGTRAP, &sa, NULL);

    static uint8_t buf[BUF_LEN] __attribute__((aligned(64)));
    for (uint64_t c = 0; c < case_count; c++) {
        const struct case_entry *e = &case_table[c];
        uint32_t insn = *(const uint32_t *) (uintptr_t) e->insn;
        int kind = (int) e->kind;
        int n = kind == 0 ? 12 : 16;
        for (int i = 0; i < n; i++) {
            uint64_t in[7], out[8];
            in[0] = operand(i, 5);
            in[1] = operand(i, 6);
            in[2] = operand(i, 7);
            in[3] = next() & 0xffffffffull;
            in[4] = xer_bits(next());
            in[5] = next();
            in[6] = i < 4 ? (uint64_t) i : operand(i, 9);
            if (kind == 1) {
                in[5] = 8;
            } else if (kind == 4) {
                in[6] = 8;
            } else if (kind == 2) {
                in[1] = next() % 33;
                in[2] = (next() % 25) - 8;
            }
            uint32_t seed = (uint32_t) (c * 31 + i);
            for (int k = 0; k < BUF_LEN; k++) {
                buf[k] = (uint8_t) (k * 29 + 90 + 7 * seed);
            }
            memset(out, 0, sizeof out);
            trapped = 0;
            run_case(e->code, in, out, buf + BUF_BASE);
            if (kind == 3) {
                out[7] = trapped;
            }
            printf("%s %d %08x", (const char *) (uintptr_t) e->name, kind, insn);
            for (int k = 0; k < 7; k++) {
                printf(" %llx", (unsigned long long) in[k]);
            }
            for (int k = 0; k < 8; k++) {
                printf(" %llx", (unsigned long long) out[k]);
            }
            if (kind == 2) {
                printf(" %x ", seed);
                for (int k = 0; k < BUF_LEN; k++) {
                    printf("%02x", buf[k]);
                }
            }
            printf("\n");
        }
    }
    return 0;
}
