/*
 * The 64-bit toy guest for kvm-bridge's tests, freestanding C. The VMM passes a mode in RDI:
 *   0 HELLO     print a greeting through port 0x3f8, then report done
 *   1 MMIO      read 4 bytes at 0xd0000000, print the value, write value + 1 to 0xd0000004
 *   2 DOORBELL  write 0xbeef (4 bytes) to port 0x600 and 0xcafe (4 bytes) to MMIO 0xd0001000,
 *               each of which the VMM may wire to an ioeventfd, then print "doorbells rung"
 *   3 MSI       install an IDT and enable the local APIC, print "ready", wait with interrupts on
 *               until vector 0x40 arrives, print it (from the handler, after the LAPIC EOI)
 *   4 ROM       read 4 bytes at 0x200000 (a read-only memslot), print them, try to write there
 *   5 TRIPLE    print "faulting", load an empty IDT and execute ud2: #UD, #GP, #DF, triple fault
 * Every mode ends with "out 0x501, status" (status 0 on success) and then HLT. Unexpected
 * exceptions print "exception N" and report status 0xff.
 */
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long u64;

#define COM1 0x3f8
#define EXIT_PORT 0x501
#define LAPIC 0xfee00000UL
#define LAPIC_TPR 0x80
#define LAPIC_EOI 0xb0
#define LAPIC_SVR 0xf0
#define MSI_VECTOR 0x40

static inline void outb(u16 port, u8 v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(u16 port, u32 v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline u32 mmio_read32(u64 a) { return *(volatile u32 *) a; }
static inline void mmio_write32(u64 a, u32 v) { *(volatile u32 *) a = v; }

static void puts(const char *s) {
    while (*s) outb(COM1, (u8) *s++);
}

static void puthex(u64 v) {
    static const char digits[] = "0123456789abcdef";
    char buf[19];
    int n = 0;
    buf[n++] = '0';
    buf[n++] = 'x';
    int started = 0;
    for (int shift = 60; shift >= 0; shift -= 4) {
        int d = (v >> shift) & 0xf;
        if (d || started || shift == 0) {
            buf[n++] = digits[d];
            started = 1;
        }
    }
    buf[n] = 0;
    puts(buf);
}

static void finish(u8 status) {
    outb(EXIT_PORT, status);
    for (;;) __asm__ volatile("hlt");
}

struct idt_entry {
    u16 offset_low;
    u16 selector;
    u8 ist;
    u8 type_attr;
    u16 offset_mid;
    u32 offset_high;
    u32 zero;
} __attribute__((packed));

struct idtr {
    u16 limit;
    u64 base;
} __attribute__((packed));

static struct idt_entry idt[256];
static volatile int msi_seen;

extern void isr_0(void), isr_1(void), isr_2(void), isr_3(void), isr_4(void), isr_5(void), isr_6(void),
    isr_7(void), isr_8(void), isr_9(void), isr_10(void), isr_11(void), isr_12(void), isr_13(void),
    isr_14(void), isr_16(void), isr_17(void), isr_18(void), isr_19(void), isr_20(void), isr_0x40(void),
    isr_0x41(void);

static void set_gate(int vector, void (*handler)(void)) {
    u64 a = (u64) handler;
    idt[vector].offset_low = a & 0xffff;
    idt[vector].selector = 0x08;
    idt[vector].ist = 0;
    idt[vector].type_attr = 0x8e; /* present, ring 0, 64-bit interrupt gate */
    idt[vector].offset_mid = (a >> 16) & 0xffff;
    idt[vector].offset_high = a >> 32;
    idt[vector].zero = 0;
}

static void setup_idt(void) {
    void (*exceptions[21])(void) = {isr_0, isr_1, isr_2, isr_3, isr_4, isr_5, isr_6, isr_7, isr_8, isr_9,
                                    isr_10, isr_11, isr_12, isr_13, isr_14, 0, isr_16, isr_17, isr_18,
                                    isr_19, isr_20};
    for (int v = 0; v < 21; v++) {
        if (exceptions[v]) set_gate(v, exceptions[v]);
    }
    set_gate(MSI_VECTOR, isr_0x40);
    set_gate(MSI_VECTOR + 1, isr_0x41);
    struct idtr r = {sizeof(idt) - 1, (u64) idt};
    __asm__ volatile("lidt %0" : : "m"(r));
}

void interrupt(u64 vector) {
    if (vector < 32) {
        puts("exception ");
        puthex(vector);
        puts("\n");
        finish(0xff);
    }
    mmio_write32(LAPIC + LAPIC_EOI, 0);
    puts("irq vector ");
    puthex(vector);
    puts("\n");
    msi_seen = (int) vector;
}

static void mode_hello(void) {
    puts("Hello from 64-bit C!\n");
}

static void mode_mmio(void) {
    u32 v = mmio_read32(0xd0000000UL);
    puts("mmio read ");
    puthex(v);
    puts("\n");
    mmio_write32(0xd0000004UL, v + 1);
}

static void mode_doorbell(void) {
    outl(0x600, 0xbeef);
    mmio_write32(0xd0001000UL, 0xcafe);
    puts("doorbells rung\n");
}

static void mode_msi(void) {
    setup_idt();
    mmio_write32(LAPIC + LAPIC_TPR, 0);
    mmio_write32(LAPIC + LAPIC_SVR, 0x100 | 0xff); /* APIC software enable, spurious vector 0xff */
    puts("ready\n");
    while (!msi_seen) {
        __asm__ volatile("sti; hlt; cli");
    }
    puts("done\n");
}

static void mode_rom(void) {
    u32 v = mmio_read32(0x200000UL);
    puts("rom ");
    puthex(v);
    puts("\n");
    mmio_write32(0x200000UL, 0x11223344);
}

static void mode_triple_fault(void) {
    puts("faulting\n");
    struct idtr empty = {0, 0};
    __asm__ volatile("lidt %0; ud2" : : "m"(empty));
}

void guest_main(u64 mode) {
    setup_idt();
    switch (mode) {
    case 0: mode_hello(); break;
    case 1: mode_mmio(); break;
    case 2: mode_doorbell(); break;
    case 3: mode_msi(); break;
    case 4: mode_rom(); break;
    case 5: mode_triple_fault(); break;
    default:
        puts("unknown mode ");
        puthex(mode);
        puts("\n");
        finish(1);
    }
    finish(0);
}
