/* The x86-toy guests' runtime (see rt.h). Freestanding: no libc, no floating point. */
#include "rt.h"
#include <stdarg.h>

void *memset(void *d, int c, u64 n) {
    u8 *p = d;
    while (n--) *p++ = (u8) c;
    return d;
}

void *memcpy(void *d, const void *s, u64 n) {
    u8 *p = d;
    const u8 *q = s;
    while (n--) *p++ = *q++;
    return d;
}

void putc(char c) { outb(COM1, (u8) c); }

void puts(const char *s) {
    while (*s) putc(*s++);
}

static void put_unsigned(u64 v, int base, int width) {
    char buf[24];
    int n = 0;
    do {
        int d = (int) (v % base);
        buf[n++] = (char) (d < 10 ? '0' + d : 'a' + d - 10);
        v /= base;
    } while (v);
    while (n < width) buf[n++] = '0';
    while (n) putc(buf[--n]);
}

void printf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            putc(*fmt);
            continue;
        }
        fmt++;
        int width = 0;
        while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
        int lng = 0;
        if (*fmt == 'l') {
            lng = 1;
            fmt++;
        }
        switch (*fmt) {
        case 's': puts(va_arg(ap, const char *)); break;
        case 'c': putc((char) va_arg(ap, int)); break;
        case 'd': {
            long v = lng ? va_arg(ap, long) : va_arg(ap, int);
            if (v < 0) {
                putc('-');
                v = -v;
            }
            put_unsigned((u64) v, 10, width);
            break;
        }
        case 'u': put_unsigned(lng ? va_arg(ap, u64) : va_arg(ap, u32), 10, width); break;
        case 'x': put_unsigned(lng ? va_arg(ap, u64) : va_arg(ap, u32), 16, width); break;
        case '%': putc('%'); break;
        default: putc('?'); break;
        }
    }
    va_end(ap);
}

void rt_exit(int code) {
    outb(EXIT_PORT, (u8) code);
    for (;;) __asm__ volatile("cli; hlt");
}

static u32 pci_addr(int dev, int fn, int reg) {
    return 0x80000000u | (u32) dev << 11 | (u32) fn << 8 | ((u32) reg & 0xfc);
}

u32 pci_read32(int dev, int fn, int reg) {
    outl(0xcf8, pci_addr(dev, fn, reg));
    return inl(0xcfc);
}

u16 pci_read16(int dev, int fn, int reg) {
    outl(0xcf8, pci_addr(dev, fn, reg));
    return inw((u16) (0xcfc + (reg & 2)));
}

u8 pci_read8(int dev, int fn, int reg) {
    outl(0xcf8, pci_addr(dev, fn, reg));
    return inb((u16) (0xcfc + (reg & 3)));
}

void pci_write32(int dev, int fn, int reg, u32 v) {
    outl(0xcf8, pci_addr(dev, fn, reg));
    outl(0xcfc, v);
}

void pci_write16(int dev, int fn, int reg, u16 v) {
    outl(0xcf8, pci_addr(dev, fn, reg));
    outw((u16) (0xcfc + (reg & 2)), v);
}

int pci_find(u16 vendor, u16 device) {
    for (int dev = 0; dev < 32; dev++) {
        u32 id = pci_read32(dev, 0, 0);
        if (id == ((u32) device << 16 | vendor)) return dev;
    }
    return -1;
}

u32 pci_assign_bar(int dev, int bar, u32 addr) {
    int reg = 0x10 + 4 * bar;
    pci_write32(dev, 0, reg, 0xffffffffu);
    u32 mask = pci_read32(dev, 0, reg) & ~0xfu;
    pci_write32(dev, 0, reg, addr);
    return ~mask + 1;
}

int pci_find_cap(int dev, u8 id) {
    if (!(pci_read16(dev, 0, 0x06) & 0x10)) return 0;
    int off = pci_read8(dev, 0, 0x34) & 0xfc;
    for (int guard = 0; off && guard < 48; guard++) {
        if (pci_read8(dev, 0, off) == id) return off;
        off = pci_read8(dev, 0, off + 1) & 0xfc;
    }
    return 0;
}

int pci_enable_msi(int dev, u8 vector) {
    int cap = pci_find_cap(dev, 0x05);
    if (!cap) return -1;
    u16 ctrl = pci_read16(dev, 0, cap + 2);
    pci_write32(dev, 0, cap + 4, 0xfee00000u);
    if (ctrl & 0x80) { /* 64-bit address */
        pci_write32(dev, 0, cap + 8, 0);
        pci_write16(dev, 0, cap + 12, vector);
    } else {
        pci_write16(dev, 0, cap + 8, vector);
    }
    pci_write16(dev, 0, cap + 2, (u16) ((ctrl & ~0x70) | 1)); /* one vector, enable */
    return cap;
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
static void (*user_handler)(int vector);
extern const u64 isr_table[40];

void rt_interrupt(u64 vector, u64 *frame) {
    if (vector < 32) {
        printf("guest: exception %lu at rip 0x%lx\n", vector, frame[0]);
        rt_exit(0x7f);
    }
    if (user_handler) user_handler((int) vector);
}

static void idt_set(int vector, u64 handler) {
    idt[vector].offset_low = (u16) handler;
    idt[vector].selector = 0x08;
    idt[vector].ist = 0;
    idt[vector].type_attr = 0x8e;
    idt[vector].offset_mid = (u16) (handler >> 16);
    idt[vector].offset_high = (u32) (handler >> 32);
    idt[vector].zero = 0;
}

void idt_setup(void (*handler)(int vector)) {
    user_handler = handler;
    for (int v = 0; v < 32; v++) idt_set(v, isr_table[v]);
    for (int v = 0; v < 8; v++) idt_set(0x40 + v, isr_table[32 + v]);
    struct idtr r = {sizeof(idt) - 1, (u64) idt};
    __asm__ volatile("lidt %0" : : "m"(r));
}

void lapic_enable(void) {
    mmio_write32(LAPIC + 0x80, 0);          /* TPR: accept every priority */
    mmio_write32(LAPIC + 0xf0, 0x100 | 0xff); /* SVR: software enable, spurious vector 0xff */
}

void lapic_eoi(void) { mmio_write32(LAPIC + 0xb0, 0); }

int wait_for(volatile int *flag, u64 spins) {
    __asm__ volatile("sti");
    while (!*flag && spins--) __asm__ volatile("pause");
    __asm__ volatile("cli");
    return *flag;
}
