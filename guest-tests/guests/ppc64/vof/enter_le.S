/*
 * Assembled big-endian: the first instructions of the little-endian -kernel guest. The machine
 * enters at the load address (0x400000) in big-endian mode; these turn on 64-bit mode and
 * little-endian mode together and go on at 0x400080 with rfid, keeping r3, r4 and r5.
 */
        .text
        mfmsr   11
        li      12, 1
        rldicr  12, 12, 63, 0   /* MSR[SF] */
        or      11, 11, 12
        ori     11, 11, 1       /* MSR[LE] */
        mtsrr1  11
        lis     12, 0x40
        ori     12, 12, 0x80
        mtsrr0  12
        rfid
