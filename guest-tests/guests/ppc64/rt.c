/* The ppc64 pseries guests' runtime (see rt.h). Freestanding: no libc, no floating point. */
#include "rt.h"
#include <stdarg.h>

const u8 *fdt;
s64 set_mode_status;
u64 entry_msr;
int failures;
struct phb phb;
volatile u64 decrementer_ticks;
static u64 vty_reg;

s64 hcall(u64 *ret, u64 op, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, u64 a6) {
    register u64 r3 __asm__("r3") = op;
    register u64 r4 __asm__("r4") = a1;
    register u64 r5 __asm__("r5") = a2;
    register u64 r6 __asm__("r6") = a3;
    register u64 r7 __asm__("r7") = a4;
    register u64 r8 __asm__("r8") = a5;
    register u64 r9 __asm__("r9") = a6;
    register u64 r10 __asm__("r10");
    __asm__ volatile("sc 1"
                     : "+r"(r3), "+r"(r4), "+r"(r5), "+r"(r6), "+r"(r7), "+r"(r8), "+r"(r9), "=r"(r10)
                     :
                     : "r0", "r11", "r12", "ctr", "xer", "cr0", "cr1", "cr5", "cr6", "cr7", "memory");
    if (ret) {
        ret[0] = r4;
        ret[1] = r5;
        ret[2] = r6;
        ret[3] = r7;
    }
    return (s64) r3;
}

/* ---------------------------------------------------------------- libc */

void *memset(void *d, int c, u64 n) {
    volatile u8 *p = d;
    while (n--) *p++ = (u8) c;
    return d;
}

void *memcpy(void *d, const void *s, u64 n) {
    volatile u8 *p = d;
    const u8 *q = s;
    while (n--) *p++ = *q++;
    return d;
}

int memcmp(const void *a, const void *b, u64 n) {
    const u8 *p = a, *q = b;
    for (; n; n--, p++, q++)
        if (*p != *q) return *p < *q ? -1 : 1;
    return 0;
}

u64 strlen(const char *s) {
    u64 n = 0;
    while (s[n]) n++;
    return n;
}

int strncmp(const char *a, const char *b, u64 n) {
    for (; n; n--, a++, b++) {
        if (*a != *b) return (u8) *a < (u8) *b ? -1 : 1;
        if (!*a) return 0;
    }
    return 0;
}

int strcmp(const char *a, const char *b) { return strncmp(a, b, (u64) -1); }

/* ---------------------------------------------------------------- console */

static char line[16];
static int line_len;

void console_flush(void) {
    if (!line_len) return;
    u64 w[2] = {0, 0};
    for (int i = 0; i < line_len; i++) w[i / 8] |= (u64) (u8) line[i] << (56 - 8 * (i % 8));
    hcall(0, H_PUT_TERM_CHAR, vty_reg, (u64) line_len, w[0], w[1], 0, 0);
    line_len = 0;
}

void putc(char c) {
    line[line_len++] = c;
    if (c == '\n' || line_len == (int) sizeof line) console_flush();
}

void puts(const char *s) {
    while (*s) putc(*s++);
}

static void put_unsigned(u64 v, int base, int width) {
    char buf[24];
    int n = 0;
    do {
        int d = (int) (v % (u64) base);
        buf[n++] = (char) (d < 10 ? '0' + d : 'a' + d - 10);
        v /= (u64) base;
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
            s64 v = lng ? va_arg(ap, long) : va_arg(ap, int);
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

int check(int ok, const char *what) {
    printf("%s: %s\n", ok ? "PASS" : "FAIL", what);
    if (!ok) failures++;
    return ok;
}

void power_off(void) {
    u32 rets[1];
    console_flush();
    rtas_call("power-off", 2, 1, rets, 0xffffffffu, 0xffffffffu);
    for (;;) hcall0(H_CEDE);
}

void fail(const char *why) {
    printf("FAIL: %s\n", why);
    power_off();
}

/* ---------------------------------------------------------------- device tree */

#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4
#define FDT_END 9

static u32 ld32(const void *p) {
    const u8 *b = p;
    return (u32) b[0] << 24 | (u32) b[1] << 16 | (u32) b[2] << 8 | b[3];
}

static const u8 *fdt_struct(void) { return fdt + ld32(fdt + 8); }
static const char *fdt_strings(void) { return (const char *) fdt + ld32(fdt + 12); }

static int align4(int v) { return (v + 3) & ~3; }

/* The offset just after the tag at off (its name or property included); *tag gets the tag. */
static int fdt_next(int off, u32 *tag) {
    const u8 *s = fdt_struct();
    *tag = ld32(s + off);
    off += 4;
    switch (*tag) {
    case FDT_BEGIN_NODE: return off + align4((int) strlen((const char *) s + off) + 1);
    case FDT_PROP: return off + 8 + align4((int) ld32(s + off));
    default: return off;
    }
}

const char *fdt_name(int node) { return (const char *) fdt_struct() + node + 4; }

/* The offset after node's properties. */
static int fdt_skip_props(int node) {
    u32 tag;
    int off = fdt_next(node, &tag);
    for (;;) {
        int next = fdt_next(off, &tag);
        if (tag != FDT_PROP && tag != FDT_NOP) return off;
        off = next;
    }
}

int fdt_child(int node) {
    u32 tag;
    int off = fdt_skip_props(node);
    for (;;) {
        int next = fdt_next(off, &tag);
        if (tag == FDT_BEGIN_NODE) return off;
        if (tag != FDT_NOP) return -1;
        off = next;
    }
}

int fdt_sibling(int node) {
    u32 tag;
    int depth = 0;
    int off = node;
    do {
        off = fdt_next(off, &tag);
        if (tag == FDT_BEGIN_NODE) depth++;
        else if (tag == FDT_END_NODE) depth--;
        else if (tag == FDT_END) return -1;
    } while (depth > 0);
    for (;;) {
        int next = fdt_next(off, &tag);
        if (tag == FDT_BEGIN_NODE) return off;
        if (tag != FDT_NOP) return -1;
        off = next;
    }
}

const void *fdt_prop(int node, const char *name, int *len) {
    if (node < 0) return 0;
    const u8 *s = fdt_struct();
    u32 tag;
    int off = fdt_next(node, &tag);
    for (;;) {
        int next = fdt_next(off, &tag);
        if (tag == FDT_PROP) {
            if (!strcmp(fdt_strings() + ld32(s + off + 8), name)) {
                if (len) *len = (int) ld32(s + off + 4);
                return s + off + 12;
            }
        } else if (tag != FDT_NOP) {
            return 0;
        }
        off = next;
    }
}

u32 fdt_cell(int node, const char *name, int i) {
    int len;
    const u8 *p = fdt_prop(node, name, &len);
    if (!p || len < 4 * (i + 1)) return 0;
    return ld32(p + 4 * i);
}

u64 fdt_cell2(int node, const char *name, int i) {
    return (u64) fdt_cell(node, name, i) << 32 | fdt_cell(node, name, i + 1);
}

/* Whether a node name matches a path component: exactly, or up to the unit address. */
static int name_matches(const char *name, const char *comp, int n) {
    if (strncmp(name, comp, (u64) n)) return 0;
    int unit = 0;
    for (int i = 0; i < n; i++) unit |= comp[i] == '@';
    return name[n] == 0 || (name[n] == '@' && !unit);
}

int fdt_child_prefix(int node, const char *prefix) {
    for (int c = fdt_child(node); c >= 0; c = fdt_sibling(c))
        if (!strncmp(fdt_name(c), prefix, strlen(prefix))) return c;
    return -1;
}

int fdt_path(const char *path) {
    if (!fdt || ld32(fdt) != 0xd00dfeed || *path != '/') return -1;
    int node = 0;
    u32 tag;
    while (fdt_next(node, &tag), tag == FDT_NOP) node += 4;
    if (tag != FDT_BEGIN_NODE) return -1;
    const char *p = path + 1;
    while (*p) {
        int n = 0;
        while (p[n] && p[n] != '/') n++;
        int found = -1;
        for (int c = fdt_child(node); c >= 0; c = fdt_sibling(c)) {
            if (name_matches(fdt_name(c), p, n)) {
                found = c;
                break;
            }
        }
        if (found < 0) return -1;
        node = found;
        p += n;
        if (*p == '/') p++;
    }
    return node;
}

/* ---------------------------------------------------------------- RTAS */

static u32 rtas_args[3 + 16] __attribute__((aligned(16)));

int rtas_token(const char *name) {
    int len;
    const void *p = fdt_prop(fdt_path("/rtas"), name, &len);
    if (!p || len != 4) return -1;
    return (int) ld32(p);
}

int rtas_call(const char *name, int nargs, int nret, u32 *rets, ...) {
    int token = rtas_token(name);
    if (token < 0) {
        for (int i = 0; i < nret; i++) rets[i] = (u32) -1;
        return -1;
    }
    va_list ap;
    va_start(ap, rets);
    rtas_args[0] = cpu_to_be32((u32) token);
    rtas_args[1] = cpu_to_be32((u32) nargs);
    rtas_args[2] = cpu_to_be32((u32) nret);
    for (int i = 0; i < nargs; i++) rtas_args[3 + i] = cpu_to_be32(va_arg(ap, u32));
    for (int i = 0; i < nret; i++) rtas_args[3 + nargs + i] = cpu_to_be32(0xdeadbeefu);
    va_end(ap);
    barrier();
    hcall(0, KVMPPC_H_RTAS, (u64) rtas_args, 0, 0, 0, 0, 0);
    barrier();
    for (int i = 0; i < nret; i++) rets[i] = be32_to_cpu(rtas_args[3 + nargs + i]);
    return (int) rets[0];
}

/* ---------------------------------------------------------------- PCI through RTAS */

int phb_init(void) {
    int node = fdt_child_prefix(fdt_path("/"), "pci@");
    if (node < 0) return -1;
    phb.node = node;
    phb.buid = fdt_cell2(node, "reg", 0);
    /* ibm,dma-window: liobn, bus address (2 cells), size (2 cells) */
    phb.liobn = fdt_cell(node, "ibm,dma-window", 0);
    phb.dma_base = fdt_cell2(node, "ibm,dma-window", 1);
    phb.dma_size = fdt_cell2(node, "ibm,dma-window", 3);
    /* ranges: phys.hi, phys.mid, phys.lo (child), parent (2 cells), size (2 cells) */
    int len;
    const u8 *r = fdt_prop(node, "ranges", &len);
    for (int i = 0; r && (i + 1) * 28 <= len; i++) {
        const u8 *e = r + 28 * i;
        u32 space = (ld32(e) >> 24) & 3;
        u64 pci = (u64) ld32(e + 4) << 32 | ld32(e + 8);
        u64 cpu = (u64) ld32(e + 12) << 32 | ld32(e + 16);
        u64 size = (u64) ld32(e + 20) << 32 | ld32(e + 24);
        if (space == 2) {
            phb.mem32_pci = pci;
            phb.mem32_cpu = cpu;
            phb.mem32_size = size;
        } else if (space == 3) {
            phb.mem64_pci = pci;
            phb.mem64_cpu = cpu;
            phb.mem64_size = size;
        }
    }
    return 0;
}

u32 pci_read(int devfn, int reg, int size, int *status) {
    u32 rets[2];
    int st = rtas_call("ibm,read-pci-config", 4, 2, rets, pci_cfg_addr(devfn, reg), (u32) (phb.buid >> 32),
                       (u32) phb.buid, (u32) size);
    if (status) *status = st;
    return st ? 0xffffffffu : rets[1];
}

int pci_write(int devfn, int reg, int size, u32 val) {
    u32 rets[1];
    return rtas_call("ibm,write-pci-config", 5, 1, rets, pci_cfg_addr(devfn, reg), (u32) (phb.buid >> 32),
                     (u32) phb.buid, (u32) size, val);
}

int pci_find(u16 vendor, u16 device) {
    for (int devfn = 0; devfn < 256; devfn += 8) {
        int st;
        u32 id = pci_read(devfn, 0, 4, &st);
        if (!st && id == ((u32) device << 16 | vendor)) return devfn;
    }
    return -1;
}

u64 pci_assign_bar32(int devfn, int bar, u64 offset, u32 *size) {
    int reg = 0x10 + 4 * bar;
    u32 old = pci_read(devfn, reg, 4, 0);
    pci_write(devfn, reg, 4, 0xffffffffu);
    u32 probe = pci_read(devfn, reg, 4, 0);
    pci_write(devfn, reg, 4, old);
    if ((old & 1) || (probe & ~0xfu) == 0) return 0;
    u32 sz = ~(probe & ~0xfu) + 1;
    u64 pci = phb.mem32_pci + offset;
    pci_write(devfn, reg, 4, (u32) pci);
    if (size) *size = sz;
    return phb.mem32_cpu + offset;
}

/* ---------------------------------------------------------------- interrupts and entry */

__attribute__((weak)) void guest_external(void) {
    printf("FAIL: unexpected external interrupt\n");
    power_off();
}

void rt_exception(u64 vector, u64 *frame) {
    if (vector == 0x900) {
        decrementer_ticks++;
        mtdec(0x7fffffff);
        return;
    }
    if (vector == 0x500) {
        guest_external();
        return;
    }
    printf("FAIL: unexpected interrupt 0x%x at 0x%lx (srr1 0x%lx)\n", (u32) vector, frame[0], frame[1]);
    power_off();
}

static void console_init(void) {
    int chosen = fdt_path("/chosen");
    const char *out = fdt_prop(chosen, "stdout-path", 0);
    int node = out ? fdt_path(out) : -1;
    if (node < 0) node = fdt_child_prefix(fdt_path("/vdevice"), "vty@");
    vty_reg = node >= 0 ? fdt_cell(node, "reg", 0) : 0;
}

void rt_main(const u8 *tree, s64 mode_status, u64 msr) {
    entry_msr = msr;
    fdt = tree;
    set_mode_status = mode_status;
    mtdec(0x7fffffff);
    console_init();
    guest_main();
    power_off();
}
