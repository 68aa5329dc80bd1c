/*
 * A freestanding pseries -bios guest (big-endian, 64-bit, real mode, entered at 0x100 with the
 * device tree's address in r3, as QEMU 7.2 enters firmware). It prints on the vty through
 * H_PUT_TERM_CHAR, checks the device tree's magic, reads the PCI function in slot 0 through RTAS
 * ibm,read-pci-config (vendor, device, BAR0, COMMAND as the guest finds them), and powers off
 * through RTAS power-off at QEMU's fixed token 0x2003. Runs unchanged on QEMU 7.2:
 * qemu-system-ppc64 -M pseries -nodefaults -nographic -serial stdio -bios hello-be.bin -device edu
 */
typedef unsigned long u64;
typedef unsigned int u32;

#define H_PUT_TERM_CHAR 0x58
#define KVMPPC_H_RTAS 0xf000
#define RTAS_POWER_OFF 0x2003
#define RTAS_IBM_READ_PCI_CONFIG 0x2016
#define BUID 0x800000020000000UL

static volatile u32 rtas_args[16] __attribute__((aligned(8)));

static long hcall(u64 nr, u64 a, u64 b, u64 c, u64 d) {
    register u64 r3 __asm__("r3") = nr;
    register u64 r4 __asm__("r4") = a;
    register u64 r5 __asm__("r5") = b;
    register u64 r6 __asm__("r6") = c;
    register u64 r7 __asm__("r7") = d;
    __asm__ volatile("sc 1" : "+r"(r3), "+r"(r4), "+r"(r5), "+r"(r6), "+r"(r7)
                     : : "r0", "r8", "r9", "r10", "r11", "r12", "cr0", "ctr", "xer", "memory");
    return (long)r3;
}

static void putc(char ch) {
    hcall(H_PUT_TERM_CHAR, 0, 1, (u64)(unsigned char)ch << 56, 0);
}

static void puts(const char *s) {
    while (*s) {
        putc(*s++);
    }
}

static void puthex(u64 v, int digits) {
    for (int i = digits - 1; i >= 0; i--) {
        putc("0123456789abcdef"[(v >> (4 * i)) & 0xf]);
    }
}

static long rtas(u32 token, int nargs, int nret, const u32 *args) {
    rtas_args[0] = token;
    rtas_args[1] = nargs;
    rtas_args[2] = nret;
    for (int i = 0; i < nargs; i++) {
        rtas_args[3 + i] = args[i];
    }
    return hcall(KVMPPC_H_RTAS, (u64)rtas_args, 0, 0, 0);
}

static u32 config_read(u32 reg, u32 size) {
    u32 a[4] = {reg, (u32)(BUID >> 32), (u32)BUID, size};
    rtas(RTAS_IBM_READ_PCI_CONFIG, 4, 2, a);
    if (rtas_args[7] != 0) {
        puts("config read failed\n");
        return 0xffffffff;
    }
    return rtas_args[8];
}

void main(u64 fdt) {
    puts("hello from a pseries guest\n");
    puts("fdt magic ");
    puthex(*(volatile u32 *)fdt, 8);
    puts("\nslot 0: ");
    puthex(config_read(0x00, 2), 4);
    putc(':');
    puthex(config_read(0x02, 2), 4);
    puts(" bar0 ");
    puthex(config_read(0x10, 4), 8);
    puts(" command ");
    puthex(config_read(0x04, 2), 4);
    puts("\npower-off\n");
    u32 off[2] = {0xffffffff, 0xffffffff};
    rtas(RTAS_POWER_OFF, 2, 1, off);
    puts("still running after power-off\n");
    for (;;) {
    }
}
