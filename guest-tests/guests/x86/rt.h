/* The x86-toy guests' runtime: ports, serial output, PCI configuration, MMIO, LAPIC, IDT. */
#ifndef RT_H
#define RT_H

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long u64;

#define COM1 0x3f8
#define EXIT_PORT 0x501
#define LAPIC 0xfee00000UL

static inline void outb(u16 port, u8 v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outw(u16 port, u16 v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(u16 port, u32 v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline u8 inb(u16 port) { u8 v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline u16 inw(u16 port) { u16 v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline u32 inl(u16 port) { u32 v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }

static inline u32 mmio_read32(u64 a) { return *(volatile u32 *) a; }
static inline void mmio_write32(u64 a, u32 v) { *(volatile u32 *) a = v; }
static inline u64 mmio_read64(u64 a) { return *(volatile u64 *) a; }
static inline void mmio_write64(u64 a, u64 v) { *(volatile u64 *) a = v; }
static inline u8 mmio_read8(u64 a) { return *(volatile u8 *) a; }
static inline void mmio_write8(u64 a, u8 v) { *(volatile u8 *) a = v; }

static inline void barrier(void) { __asm__ volatile("" : : : "memory"); }

/* Output on the serial port: a character, a string, and a small printf (%s %c %d %u %x %lx %lu %%). */
void putc(char c);
void puts(const char *s);
void printf(const char *fmt, ...);

/* Ends the run: the VMM sees status (code << 1) | 1 on the exit port. Does not return. */
void rt_exit(int code) __attribute__((noreturn));

/* PCI configuration mechanism #1 on bus 0. */
u32 pci_read32(int dev, int fn, int reg);
u16 pci_read16(int dev, int fn, int reg);
u8 pci_read8(int dev, int fn, int reg);
void pci_write32(int dev, int fn, int reg, u32 v);
void pci_write16(int dev, int fn, int reg, u16 v);
/* The device number of the first function 0 with these ids on bus 0, or -1. */
int pci_find(u16 vendor, u16 device);
/* Sizes BAR bar and places it at addr (32-bit memory BAR); returns its size. */
u32 pci_assign_bar(int dev, int bar, u32 addr);
/* The offset of capability id in the list, or 0. */
int pci_find_cap(int dev, u8 id);
/* Programs and enables the MSI capability: LAPIC 0, fixed delivery, this vector. */
int pci_enable_msi(int dev, u8 vector);

/* Interrupts: an IDT with the exception stubs and vectors 0x40-0x47, handled by handler(vector). */
void idt_setup(void (*handler)(int vector));
void lapic_enable(void);
void lapic_eoi(void);
/* Waits with interrupts enabled until *flag becomes non-zero (or about spins iterations pass). */
int wait_for(volatile int *flag, u64 spins);

void *memset(void *d, int c, u64 n);
void *memcpy(void *d, const void *s, u64 n);
#endif

#define CHECKPOINT_PORT 0x510
/* Hands control to the VMM's checkpoint handler with n; returns when it is done. */
static inline void checkpoint(u32 n) { outl(CHECKPOINT_PORT, n); }
