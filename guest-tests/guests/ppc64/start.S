/*
 * Entry and interrupt vectors of the ppc64 pseries guests (real mode, image at 0).
 * Entered at 0x100 big-endian with r3 = the flattened device tree. A little-endian image starts
 * with the big-endian trampoline (tramp.S) and continues at 0x180 in little-endian mode. QEMU
 * enters with MSR 0 (32-bit mode); both paths turn on 64-bit mode (MSR[SF]) since the PHB's
 * windows lie above 4 GiB. Both then set up a stack and the TOC, clear .bss and call
 * rt_main(fdt, set_mode_status, entry_msr). Every other
 * vector saves the volatile registers beyond the interrupted code's 288-byte protected zone, calls
 * rt_exception(vector, frame) and returns with rfid.
 */
#define FRAME   (288 + 352)

        .section .text.vectors, "ax"
        .globl  _start
        . = 0x100
_start:
#ifdef __LITTLE_ENDIAN__
        .incbin "tramp.bin"
        . = 0x180
        b       entry
#else
        mfmsr   29
        li      30, -1          /* no H_SET_MODE: big-endian throughout */
        li      12, 1
        rldicr  12, 12, 63, 0   /* MSR[SF] */
        or      11, 29, 12
        mtmsrd  11
        isync
        b       entry
#endif

        .macro  vector addr
        . = \addr
        stdu    1, -FRAME(1)
        std     0, 32(1)
        li      0, \addr
        b       exc_common
        .endm

        vector  0x200
        vector  0x300
        vector  0x380
        vector  0x400
        vector  0x480
        vector  0x500
        vector  0x600
        vector  0x700
        vector  0x800
        vector  0x900
        vector  0xa00
        vector  0xb00
        vector  0xc00
        vector  0xd00
        vector  0xe00
        vector  0xf00

        . = 0x1000
entry:
        mr      31, 3
        lis     1, stack_top@ha
        addi    1, 1, stack_top@l
        li      0, 0
        stdu    0, -64(1)
        lis     2, .TOC.@ha
        addi    2, 2, .TOC.@l
        lis     9, __bss_start@ha
        addi    9, 9, __bss_start@l
        lis     10, __bss_end@ha
        addi    10, 10, __bss_end@l
1:      cmpld   9, 10
        bge     2f
        std     0, 0(9)
        addi    9, 9, 8
        b       1b
2:      mr      3, 31
        mr      4, 30
        mr      5, 29
        bl      rt_main
        nop
3:      b       3b

exc_common:
        std     2, 40(1)
        std     3, 48(1)
        std     4, 56(1)
        std     5, 64(1)
        std     6, 72(1)
        std     7, 80(1)
        std     8, 88(1)
        std     9, 96(1)
        std     10, 104(1)
        std     11, 112(1)
        std     12, 120(1)
        std     13, 128(1)
        mflr    3
        std     3, 136(1)
        mfctr   3
        std     3, 144(1)
        mfcr    3
        std     3, 152(1)
        mfxer   3
        std     3, 160(1)
        mfsrr0  3
        std     3, 168(1)
        mfsrr1  3
        std     3, 176(1)
        lis     2, .TOC.@ha
        addi    2, 2, .TOC.@l
        mr      3, 0
        addi    4, 1, 168       /* frame: srr0, srr1 */
        bl      rt_exception
        nop
        ld      3, 176(1)
        mtsrr1  3
        ld      3, 168(1)
        mtsrr0  3
        ld      3, 160(1)
        mtxer   3
        ld      3, 152(1)
        mtcr    3
        ld      3, 144(1)
        mtctr   3
        ld      3, 136(1)
        mtlr    3
        ld      0, 32(1)
        ld      2, 40(1)
        ld      3, 48(1)
        ld      4, 56(1)
        ld      5, 64(1)
        ld      6, 72(1)
        ld      7, 80(1)
        ld      8, 88(1)
        ld      9, 96(1)
        ld      10, 104(1)
        ld      11, 112(1)
        ld      12, 120(1)
        ld      13, 128(1)
        addi    1, 1, FRAME
        rfid

        .section .bss
        .balign 16
        .space  65536
stack_top:
