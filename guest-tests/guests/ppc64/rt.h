/*
 * The ppc64 pseries guests' runtime: hypercalls, the vty console, a flattened device tree
 * walker, RTAS through KVMPPC_H_RTAS, PCI configuration through RTAS, TCEs, and power-off.
 * Runs in real mode in either byte order; the device tree, RTAS buffers and TCE lists are
 * big-endian whatever the CPU's order.
 */
#ifndef RT_H
#define RT_H

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long u64;
typedef long s64;

/* Hypercall numbers (PAPR) and return codes. */
#define H_SUCCESS 0
#define H_HARDWARE (-1)
#define H_FUNCTION (-2)
#define H_PARAMETER (-4)
#define H_P2 (-55)
#define H_P3 (-56)
#define H_P4 (-57)
#define H_GET_TCE 0x1c
#define H_PUT_TCE 0x20
#define H_EOI 0x64
#define H_CPPR 0x68
#define H_IPI 0x6c
#define H_IPOLL 0x70
#define H_XIRR 0x74
#define H_PUT_TERM_CHAR 0x58
#define H_GET_TERM_CHAR 0x54
#define H_CEDE 0xe0
#define H_PUT_TCE_INDIRECT 0x13c
#define H_STUFF_TCE 0x138
#define H_SET_MODE 0x31c
#define KVMPPC_H_RTAS 0xf000

#define TCE_READ 1UL
#define TCE_WRITE 2UL

/* Makes hypercall op with up to six arguments; r4..r7 on return go to ret[0..3] (ret may be 0). */
s64 hcall(u64 *ret, u64 op, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, u64 a6);
#define hcall0(op) hcall(0, op, 0, 0, 0, 0, 0, 0)

/* Byte order helpers. */
static inline u32 bswap32(u32 v) { return __builtin_bswap32(v); }
static inline u64 bswap64(u64 v) { return __builtin_bswap64(v); }
#ifdef __LITTLE_ENDIAN__
#define cpu_to_be32(v) bswap32(v)
#define cpu_to_be64(v) bswap64(v)
#define ENDIAN_NAME "little-endian"
#else
#define cpu_to_be32(v) ((u32) (v))
#define cpu_to_be64(v) ((u64) (v))
#define ENDIAN_NAME "big-endian"
#endif
#define be32_to_cpu cpu_to_be32
#define be64_to_cpu cpu_to_be64

/*
 * Device registers in big-endian order (QEMU's edu is a native-endian device, so it is big-endian
 * on pseries): plain loads in a big-endian guest, byte-reversed ones in a little-endian guest.
 */
static inline u32 mmio_read32(u64 a) {
    u32 v;
#ifdef __LITTLE_ENDIAN__
    __asm__ volatile("lwbrx %0,0,%1; sync" : "=r"(v) : "r"(a) : "memory");
#else
    __asm__ volatile("lwz %0,0(%1); sync" : "=r"(v) : "b"(a) : "memory");
#endif
    return v;
}
static inline void mmio_write32(u64 a, u32 v) {
#ifdef __LITTLE_ENDIAN__
    __asm__ volatile("sync; stwbrx %0,0,%1" : : "r"(v), "r"(a) : "memory");
#else
    __asm__ volatile("sync; stw %0,0(%1)" : : "r"(v), "b"(a) : "memory");
#endif
}
static inline u64 mmio_read64(u64 a) {
    u64 v;
#ifdef __LITTLE_ENDIAN__
    __asm__ volatile("ldbrx %0,0,%1; sync" : "=r"(v) : "r"(a) : "memory");
#else
    __asm__ volatile("ld %0,0(%1); sync" : "=r"(v) : "b"(a) : "memory");
#endif
    return v;
}
static inline void mmio_write64(u64 a, u64 v) {
#ifdef __LITTLE_ENDIAN__
    __asm__ volatile("sync; stdbrx %0,0,%1" : : "r"(v), "r"(a) : "memory");
#else
    __asm__ volatile("sync; std %0,0(%1)" : : "r"(v), "b"(a) : "memory");
#endif
}

static inline void barrier(void) { __asm__ volatile("sync" : : : "memory"); }
/* The timebase: its values differ from run to run on QEMU, so guests print them only as [tb N]. */
static inline u64 mftb(void) { u64 v; __asm__ volatile("mftb %0" : "=r"(v)); return v; }
static inline u64 mfmsr(void) { u64 v; __asm__ volatile("mfmsr %0" : "=r"(v)); return v; }
static inline void mtmsrd_ee(int on) {
    if (on) __asm__ volatile("mtmsrd %0,1" : : "r"(1UL << 15) : "memory");
    else __asm__ volatile("mtmsrd %0,1" : : "r"(0UL) : "memory");
}
static inline void mtdec(u32 v) { __asm__ volatile("mtdec %0" : : "r"((u64) v)); }

/* Console (the vty named by /chosen stdout-path): a character, a string, a small printf
 * (%s %c %d %u %x with l and a zero-padded width, %%). Output is flushed at every newline. */
void putc(char c);
void puts(const char *s);
void printf(const char *fmt, ...);
void console_flush(void);

/* Flushes the console and powers the machine off through RTAS. Does not return. */
void power_off(void) __attribute__((noreturn));
/* Prints "FAIL: why" and powers off. */
void fail(const char *why) __attribute__((noreturn));
/* Prints "PASS: what" or "FAIL: what" (returns ok). */
int check(int ok, const char *what);
/* Failed checks so far. */
extern int failures;

/* The flattened device tree the machine passed in r3. */
extern const u8 *fdt;
/* The node at an absolute path ("/", "/rtas", "/vdevice/vty@30000000"), or -1. */
int fdt_path(const char *path);
/* The first child of node, its next sibling (-1 at the end), its name (with unit address). */
int fdt_child(int node);
int fdt_sibling(int node);
const char *fdt_name(int node);
/* A property of node: its value and length in bytes (*len may be 0), or 0 when absent. */
const void *fdt_prop(int node, const char *name, int *len);
/* Cell i of a property (0 when absent or too short), and two cells as one 64-bit number. */
u32 fdt_cell(int node, const char *name, int i);
u64 fdt_cell2(int node, const char *name, int i);
/* The first child of node whose name starts with prefix, or -1. */
int fdt_child_prefix(int node, const char *prefix);

/* RTAS: the token of a call from /rtas (-1 when absent) and a call with u32 arguments; rets[0]
 * is the status (rets may have up to 8 entries). Returns rets[0]. */
int rtas_token(const char *name);
int rtas_call(const char *name, int nargs, int nret, u32 *rets, ...);

/* PHB 0 as its device-tree node describes it. */
struct phb {
    int node;
    u64 buid;
    u32 liobn;              /* default DMA window */
    u64 dma_base, dma_size;
    u64 mem32_pci, mem32_cpu, mem32_size;
    u64 mem64_pci, mem64_cpu, mem64_size;
};
extern struct phb phb;
/* Finds the PHB (the first /pci@ node); 0 on success. */
int phb_init(void);
/* PCI configuration through ibm,read-pci-config / ibm,write-pci-config on PHB 0, bus 0.
 * Reads give all-ones when RTAS answers an error; *status (may be 0) gets the RTAS status. */
u32 pci_read(int devfn, int reg, int size, int *status);
int pci_write(int devfn, int reg, int size, u32 val);
/* The devfn of the first function 0 on bus 0 with these ids, or -1. */
int pci_find(u16 vendor, u16 device);
/* The config address RTAS calls take for devfn on bus 0. */
static inline u32 pci_cfg_addr(int devfn, int reg) { return ((u32) devfn << 8) | (u32) reg; }
/* Sizes 32-bit memory BAR bar of devfn and places it at the start of the PHB's 32-bit window
 * plus offset; returns the CPU address of the BAR (0 when it cannot). */
u64 pci_assign_bar32(int devfn, int bar, u64 offset, u32 *size);

/* The guest's interrupt handlers (weak; the runtime's defaults report an unexpected interrupt). */
void guest_external(void);
/* Decrementer interrupts taken so far (the handler re-arms DEC to its maximum). */
extern volatile u64 decrementer_ticks;

/* Small libc. */
void *memset(void *d, int c, u64 n);
void *memcpy(void *d, const void *s, u64 n);
int memcmp(const void *a, const void *b, u64 n);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, u64 n);
u64 strlen(const char *s);

/* Set by rt_main: H_SET_MODE's status on a little-endian image, -1 on a big-endian one. */
extern s64 set_mode_status;
/* The MSR the machine entered the image with (QEMU 7.2: 0, big-endian 32-bit real mode). */
extern u64 entry_msr;

/* The guest's program: returns, and the runtime powers off. */
void guest_main(void);
#endif
