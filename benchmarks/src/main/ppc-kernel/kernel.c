/*
 * The benchmark kernel: table-driven CRC32 (IEEE, reflected) over a buffer. Compiled with the same
 * flags into the freestanding guest (guest.c) and the Linux user binary (linux.c), so both run
 * the same machine code.
 */
#include "kernel.h"

static u32 table[256];

void crc_init(u8 *buf, u64 len) {
    for (u32 i = 0; i < 256; i++) {
        u32 c = i;
        for (int k = 0; k < 8; k++) {
            c = (c >> 1) ^ (0xedb88320u & -(c & 1));
        }
        table[i] = c;
    }
    u32 x = 12345;
    for (u64 i = 0; i < len; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (u8) (x >> 16);
    }
}

__attribute__((noinline)) u32 crc_kernel(const u8 *p, u64 len, u32 crc) {
    crc = ~crc;
    while (len--) {
        crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    }
    return ~crc;
}
