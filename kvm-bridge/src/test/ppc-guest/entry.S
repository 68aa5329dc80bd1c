/*
 * Real-mode entry and interrupt vectors of the PPC64 test guest (ELFv2 ABI, linked at 0).
 * The VMM starts the CPU at _start (address 0). Vectors 0x500 (external), 0x700 (program),
 * 0x900 (decrementer) and 0xC00 (system call) save the volatile state below the interrupted
 * code's red zone, call on_interrupt(vector, srr0, srr1) in C, which returns the address to
 * resume at, and rfid.
 */
    .abiversion 2
    .section .head,"ax"
    .globl _start
_start:
    b start64

#define VECTOR(addr) \
    . = addr; \
    stdu 1,-(288+256)(1); \
    std 0,32(1); \
    li 0,addr; \
    b common

    VECTOR(0x500)
    VECTOR(0x700)
    VECTOR(0x900)
    VECTOR(0xc00)

    . = 0x1000
common:
    std 3,40(1)
    std 4,48(1)
    std 5,56(1)
    std 6,64(1)
    std 7,72(1)
    std 8,80(1)
    std 9,88(1)
    std 10,96(1)
    std 11,104(1)
    std 12,112(1)
    mflr 3
    std 3,120(1)
    mfctr 3
    std 3,128(1)
    mfcr 3
    std 3,136(1)
    mfxer 3
    std 3,144(1)
    mr 3,0
    mfspr 4,26
    mfspr 5,27
    std 5,160(1)
    bl on_interrupt
    nop
    mtspr 26,3
    ld 5,160(1)
    mtspr 27,5
    ld 3,120(1)
    mtlr 3
    ld 3,128(1)
    mtctr 3
    ld 3,136(1)
    mtcrf 0xff,3
    ld 3,144(1)
    mtxer 3
    ld 0,32(1)
    ld 3,40(1)
    ld 4,48(1)
    ld 5,56(1)
    ld 6,64(1)
    ld 7,72(1)
    ld 8,80(1)
    ld 9,88(1)
    ld 10,96(1)
    ld 11,104(1)
    ld 12,112(1)
    addi 1,1,288+256
    rfid

start64:
    lis 1,stack_top@ha
    addi 1,1,stack_top@l
    li 0,0
    stdu 0,-32(1)
    lis 2,.TOC.@ha
    addi 2,2,.TOC.@l
    bl main
    nop
    /* main returned: tell the VMM we are done, forever. */
1:  li 3,0
    oris 3,3,0xf00d
    ori 3,3,0
    sc 1
    b 1b
