/*
 * 16-bit real-mode hello: prints "Hello, 16-bit world!\n" through port 0x3f8 and halts.
 * Loaded at guest-physical 0x1000 with CS = DS = 0 and IP = 0x1000.
 * The seven instructions, hand-assembled (build.sh checks the assembler agrees):
 *   be 0f 10   mov  si, msg        ; msg at 0x100f
 *   ba f8 03   mov  dx, 0x3f8
 *   ac         lodsb
 *   84 c0      test al, al
 *   74 03      jz   done
 *   ee         out  dx, al
 *   eb f8      jmp  lodsb
 *   f4   done: hlt
 */
        .code16
        .text
        .globl _start
_start:
        mov     $msg, %si
        mov     $0x3f8, %dx
1:      lodsb
        test    %al, %al
        jz      2f
        out     %al, %dx
        jmp     1b
2:      hlt
msg:    .asciz  "Hello, 16-bit world!\n"
