/*
 * The first instructions of a little-endian image, assembled big-endian (the CPU enters every
 * -bios image at 0x100 in big-endian mode) and included at 0x100 by start.S. They ask the
 * hypervisor for little-endian interrupts (H_SET_MODE, resource 4 "LE", mflags 1) and enter
 * little-endian code at 0x180 with rfid, in 64-bit mode (QEMU enters with MSR 0, that is 32-bit
 * mode), keeping r3 (the device tree), passing H_SET_MODE's status in r30 and the entry MSR in r29.
 */
        .text
        mfmsr   29
        mr      31, 3
        li      3, 0x31c        /* H_SET_MODE */
        li      4, 1            /* mflags: little-endian interrupts */
        li      5, 4            /* resource: interrupt endianness */
        li      6, 0
        li      7, 0
        sc      1
        mr      30, 3
        li      12, 1
        rldicr  12, 12, 63, 0   /* MSR[SF] */
        or      11, 29, 12
        ori     11, 11, 1       /* MSR[LE] */
        mtsrr1  11
        li      12, 0x180
        mtsrr0  12
        mr      3, 31
        rfid
