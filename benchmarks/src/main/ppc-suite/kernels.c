/*
 * The soft-CPU benchmark suite: five kernels of different character, each a function of the
 * previous call's result so that calls chain and a final result checks a whole run. Compiled once
 * (kernels.o) and linked both into the freestanding guest (guest.c) and into the Linux user binary
 * for qemu-ppc64le (linux.c), so both run the same machine code.
 *   crc32   table-driven CRC32, four passes over 4 KiB: loads, shifts, xor;
 *   matmul  24x24 32-bit integer matrix multiply: multiply-add, nested loops;
 *   qsort   recursive quicksort of 1024 words filled from an LCG: compares, swaps, calls;
 *   memops  word-wise memset/memcpy at varying (also unaligned) offsets and lengths, then a sum;
 *   branchy a byte-driven state machine: a dense switch (jump table, bctr) and calls through a
 *           function-pointer table (bctrl).
 * No library calls: the loops are written out (and built with -fno-tree-loop-distribute-patterns
 * so that the compiler does not turn them back into memset/memcpy calls).
 */
#include "suite.h"

/* ---------------------------------------------------------------- crc32 */

static u32 crc_table[256];
static u8 crc_buf[4096];

static u64 k_crc32(u64 state) {
    u32 crc = ~(u32) state;
    for (int pass = 0; pass < 4; pass++) {
        const u8 *p = crc_buf;
        for (u64 n = sizeof crc_buf; n--;) {
            crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
        }
    }
    return ~crc;
}

/* ---------------------------------------------------------------- matmul */

#define MN 24
static int ma[MN][MN], mb[MN][MN], mc[MN][MN];

static u64 k_matmul(u64 state) {
    ma[(state >> 5) % MN][state % MN] += (int) state;
    for (int i = 0; i < MN; i++) {
        for (int j = 0; j < MN; j++) {
            int s = 0;
            for (int k = 0; k < MN; k++) {
                s += ma[i][k] * mb[k][j];
            }
            mc[i][j] = s;
        }
    }
    u64 h = state;
    for (int i = 0; i < MN; i++) {
        for (int j = 0; j < MN; j++) {
            h = h * 31 + (u32) mc[i][j];
        }
    }
    return h;
}

/* ---------------------------------------------------------------- qsort */

#define QN 1024
static u32 qa[QN];

static void quicksort(u32 *a, long lo, long hi) {
    while (lo < hi) {
        u32 pivot = a[lo + (hi - lo) / 2];
        long i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot) {
                i++;
            }
            while (a[j] > pivot) {
                j--;
            }
            if (i <= j) {
                u32 t = a[i];
                a[i] = a[j];
                a[j] = t;
                i++;
                j--;
            }
        }
        /* Recurse into the smaller side, loop on the larger. */
        if (j - lo < hi - i) {
            quicksort(a, lo, j);
            lo = i;
        } else {
            quicksort(a, i, hi);
            hi = j;
        }
    }
}

static u64 k_qsort(u64 state) {
    u32 x = (u32) state ^ 0x2545f491u;
    for (int i = 0; i < QN; i++) {
        x = x * 1664525u + 1013904223u;
        qa[i] = x >> 8;
    }
    quicksort(qa, 0, QN - 1);
    u64 h = 0;
    for (int i = 0; i < QN; i++) {
        h = h * 1000003u + qa[i];
    }
    return h;
}

/* ---------------------------------------------------------------- memops */

typedef u64 __attribute__((may_alias, aligned(1))) u64u;

static u8 msrc[8192], mdst[8192];

static __attribute__((noinline)) void copy_bytes(u8 *d, const u8 *s, u64 n) {
    while (n >= 8) {
        *(u64u *) d = *(const u64u *) s;
        d += 8;
        s += 8;
        n -= 8;
    }
    while (n--) {
        *d++ = *s++;
    }
}

static __attribute__((noinline)) void fill_bytes(u8 *d, u8 c, u64 n) {
    u64 w = c * 0x0101010101010101ul;
    while (n >= 8) {
        *(u64u *) d = w;
        d += 8;
        n -= 8;
    }
    while (n--) {
        *d++ = c;
    }
}

static u64 k_memops(u64 state) {
    u64 x = state | 1;
    for (int k = 0; k < 64; k++) {
        x = x * 6364136223846793005ul + 1442695040888963407ul;
        u64 off = (x >> 20) % 4096, len = 1024 + (x >> 40) % 3072;
        fill_bytes(mdst + off, (u8) (x >> 56), len);
        u64 from = (x >> 8) % 4096, to = (x >> 32) % 4096;
        copy_bytes(mdst + to, msrc + from, len);
        copy_bytes(msrc + (to ^ 7), mdst + off, 64 + (x & 255));
    }
    u64 h = 0;
    const u64 *w = (const u64 *) mdst;
    for (unsigned i = 0; i < sizeof mdst / 8; i++) {
        h = (h ^ w[i]) * 0x100000001b3ul;
    }
    return h;
}

/* ---------------------------------------------------------------- branchy */

typedef u64 (*binop)(u64, u64);

static __attribute__((noinline)) u64 op_add(u64 a, u64 b) { return a + b; }
static __attribute__((noinline)) u64 op_sub(u64 a, u64 b) { return a - b; }
static __attribute__((noinline)) u64 op_xor(u64 a, u64 b) { return a ^ b; }
static __attribute__((noinline)) u64 op_mul(u64 a, u64 b) { return a * (b | 1); }
static __attribute__((noinline)) u64 op_rotl(u64 a, u64 b) { return (a << (b & 63)) | (a >> ((64 - b) & 63)); }
static __attribute__((noinline)) u64 op_min(u64 a, u64 b) { return a < b ? a : b; }
static __attribute__((noinline)) u64 op_max(u64 a, u64 b) { return a > b ? a : b; }
static __attribute__((noinline)) u64 op_avg(u64 a, u64 b) { return (a >> 1) + (b >> 1) + (a & b & 1); }

static binop const ops[8] = { op_add, op_sub, op_xor, op_mul, op_rotl, op_min, op_max, op_avg };
static u8 br_buf[4096];

static u64 k_branchy(u64 state) {
    u64 acc = state, x = state ^ 0x9e3779b97f4a7c15ul;
    u32 mix = (u32) (state ^ (state >> 11) ^ (state >> 29)) & 0xff;
    for (u32 i = 0; i < sizeof br_buf; i++) {
        u32 c = br_buf[i] ^ mix;
        x = x * 6364136223846793005ul + c;
        switch (c % 10) {
        case 0: acc += c; break;
        case 1: acc ^= x >> 7; break;
        case 2: acc = ops[c >> 5](acc, x); break;
        case 3: if (acc & 1) { acc >>= 1; } else { acc = acc * 3 + 1; } break;
        case 4: acc = ops[(acc >> 7) & 7](acc, x >> 3); break;
        case 5: acc -= x >> 3; break;
        case 6: acc = (acc << 5) | (acc >> 59); break;
        case 7: if ((x >> 40) & 1) { acc += x; } else { acc -= i; } break;
        case 8: acc = ops[(c ^ acc) & 7](acc, c); break;
        default: acc += i; break;
        }
    }
    return acc ^ (x >> 1);
}

/* ---------------------------------------------------------------- the suite */

void suite_init(void) {
    for (u32 i = 0; i < 256; i++) {
        u32 c = i;
        for (int k = 0; k < 8; k++) {
            c = (c >> 1) ^ (0xedb88320u & -(c & 1));
        }
        crc_table[i] = c;
    }
    u32 x = 12345;
    for (u64 i = 0; i < sizeof crc_buf; i++) {
        x = x * 1103515245u + 12345u;
        crc_buf[i] = (u8) (x >> 16);
        br_buf[i] = (u8) (x >> 8);
    }
    for (int i = 0; i < MN; i++) {
        for (int j = 0; j < MN; j++) {
            x = x * 1103515245u + 12345u;
            ma[i][j] = (int) (x >> 20) - 2048;
            x = x * 1103515245u + 12345u;
            mb[i][j] = (int) (x >> 20) - 2048;
        }
    }
    for (u64 i = 0; i < sizeof msrc; i++) {
        x = x * 1103515245u + 12345u;
        msrc[i] = (u8) (x >> 16);
    }
}

typedef u64 (*kernel_fn)(u64);
static kernel_fn const kernels[SUITE_KERNELS] = { k_crc32, k_matmul, k_qsort, k_memops, k_branchy };

u64 suite_run(u32 which, u64 state) {
    return which < SUITE_KERNELS ? kernels[which](state) : ~0ul;
}
