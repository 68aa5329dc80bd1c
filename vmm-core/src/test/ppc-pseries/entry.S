/* Entry at 0x100 (SPAPR_ENTRY_POINT): a stack, the TOC, then main(r3 = the device tree). */
    .abiversion 2
    .section .head,"ax"
    .globl _start
_start:
    b .
    . = 0x100
    lis 1,stack_top@ha
    addi 1,1,stack_top@l
    li 0,0
    stdu 0,-32(1)
    lis 2,.TOC.@ha
    addi 2,2,.TOC.@l
    bl main
    nop
1:  b 1b
