/*
 * Entry and interrupt stubs of the 64-bit toy guest. The VMM starts the vCPU in long mode at
 * _start with a stack in RSP and the test mode in RDI (LongModeBoot), so _start only calls main.
 * Each interrupt stub pushes its vector and jumps to a common path that saves the caller-saved
 * registers, calls interrupt(vector) in C, restores them and returns with iretq.
 */
        .section .text.start, "ax"
        .globl _start
_start:
        cld
        call    guest_main
1:      hlt
        jmp     1b

        .text
        .macro  stub vector
        .globl  isr_\vector
isr_\vector:
        pushq   $\vector
        jmp     isr_common
        .endm

        .irp    v, 0,1,2,3,4,5,6,7,9,16,18,19,20
        stub    \v
        .endr
        /* Exceptions that push an error code: drop it so the frame looks the same. */
        .macro  stub_err vector
        .globl  isr_\vector
isr_\vector:
        addq    $8, %rsp
        pushq   $\vector
        jmp     isr_common
        .endm
        .irp    v, 8,10,11,12,13,14,17
        stub_err \v
        .endr
        stub    0x40
        stub    0x41

isr_common:
        pushq   %rax
        pushq   %rcx
        pushq   %rdx
        pushq   %rsi
        pushq   %rdi
        pushq   %r8
        pushq   %r9
        pushq   %r10
        pushq   %r11
        movq    72(%rsp), %rdi      /* the vector */
        call    interrupt
        popq    %r11
        popq    %r10
        popq    %r9
        popq    %r8
        popq    %rdi
        popq    %rsi
        popq    %rdx
        popq    %rcx
        popq    %rax
        addq    $8, %rsp            /* the vector */
        iretq
