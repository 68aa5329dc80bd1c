/*
 * Entry and interrupt stubs of the x86-toy guests. The VMM enters _start in 64-bit long mode
 * with RSP set and its argument in RDI; _start calls guest_main(arg) and reports its return value
 * on the exit port. Interrupt stubs push their vector (after dropping an error code where the CPU
 * pushes one) and call rt_interrupt(vector, frame) with the caller-saved registers preserved.
 */
        .section .text.start, "ax"
        .globl _start
_start:
        cld
        call    guest_main
        movl    %eax, %edi
        call    rt_exit

        .text
        .macro  stub vector
        .globl  isr_\vector
isr_\vector:
        pushq   $\vector
        jmp     isr_common
        .endm
        .macro  stub_err vector
        .globl  isr_\vector
isr_\vector:
        addq    $8, %rsp
        pushq   $\vector
        jmp     isr_common
        .endm

        .irp    v, 0,1,2,3,4,5,6,7,9,15,16,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        stub    \v
        .endr
        .irp    v, 8,10,11,12,13,14,17
        stub_err \v
        .endr
        .irp    v, 64,65,66,67,68,69,70,71
        stub    \v
        .endr

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
        movq    72(%rsp), %rdi          /* the vector */
        leaq    80(%rsp), %rsi          /* the CPU's frame: rip, cs, rflags, rsp, ss */
        call    rt_interrupt
        popq    %r11
        popq    %r10
        popq    %r9
        popq    %r8
        popq    %rdi
        popq    %rsi
        popq    %rdx
        popq    %rcx
        popq    %rax
        addq    $8, %rsp
        iretq

        .section .rodata
        .globl  isr_table
isr_table:
        .irp    v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        .quad   isr_\v
        .endr
        .irp    v, 64,65,66,67,68,69,70,71
        .quad   isr_\v
        .endr
