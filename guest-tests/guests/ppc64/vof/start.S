/*
 * Entry of the -kernel guests (QEMU's pseries with x-vof=on): entered at the load address in
 * big-endian 32-bit mode with r3/r4 = the initrd's address and size and r5 = the Open Firmware
 * client-interface entry. A little-endian image first switches to little-endian mode
 * (enter_le.S). Both turn on 64-bit mode, set up a stack and the TOC, clear .bss and call
 * vof_main(r3, r4, r5, entry MSR).
 *
 * ci_call(args, entry) calls the client interface, which is big-endian code: a little-endian
 * guest switches to big-endian mode around the call and comes back through back_le.S.
 */
        .section .text.entry, "ax"
        .globl  _start
_start:
#ifdef __LITTLE_ENDIAN__
        .incbin "enter_le.bin"
        . = 0x80
        mfmsr   28
        li      12, 1
        andc    28, 28, 12      /* the MSR at entry, before this image turned on LE */
        li      12, 1
        rldicr  12, 12, 63, 0
        andc    28, 28, 12      /* ... and SF */
#else
        mfmsr   28
        li      12, 1
        rldicr  12, 12, 63, 0   /* MSR[SF] */
        or      11, 28, 12
        mtmsrd  11
        isync
#endif
        mr      31, 3
        mr      30, 4
        mr      29, 5
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
        mr      6, 28
        bl      vof_main
        nop
3:      b       3b

        .text
        .globl  ci_call
ci_call:
        mflr    0
        std     0, 16(1)
        stdu    1, -128(1)
        std     30, 112(1)
        std     31, 120(1)
        std     2, 104(1)
#ifdef __LITTLE_ENDIAN__
        mfmsr   31
        li      12, 1
        andc    12, 31, 12      /* big-endian for the client interface */
        mtsrr1  12
        mtsrr0  4
        lis     30, 4f@ha
        addi    30, 30, 4f@l
        lis     10, 5f@ha
        addi    10, 10, 5f@l
        mtlr    10
        rfid
5:      .incbin "back_le.bin"
4:
#else
        mtctr   4
        bctrl
#endif
        ld      2, 104(1)
        ld      30, 112(1)
        ld      31, 120(1)
        addi    1, 1, 128
        ld      0, 16(1)
        mtlr    0
        blr

        .bss
        .balign 16
        .space  16384
stack_top:
