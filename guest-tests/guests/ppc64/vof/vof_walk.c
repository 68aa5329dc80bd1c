/*
 * Guest: a -kernel ELF that reads the machine through the Open Firmware client interface, as
 * QEMU's pseries serves it with x-vof=on (hw/ppc/vof.c): finddevice, getprop, getproplen,
 * nextprop, setprop, child, peer, parent, instance-to-package, package-to-path, claim, write and
 * an unknown service, printing each answer, then exit. Its lines go to the vty with
 * H_PUT_TERM_CHAR (the vty's reg read through the client interface), so they show on QEMU's
 * console whatever the client interface's write does.
 */
typedef unsigned char u8;
typedef unsigned int u32;
typedef unsigned long u64;
typedef long s64;
#include <stdarg.h>

#define H_PUT_TERM_CHAR 0x58
#define PROM_ERROR 0xffffffffu

#ifdef __LITTLE_ENDIAN__
#define be32(v) __builtin_bswap32(v)
#define be64(v) __builtin_bswap64(v)
#define ENDIAN "little-endian"
#else
#define be32(v) ((u32) (v))
#define be64(v) ((u64) (v))
#define ENDIAN "big-endian"
#endif

u32 ci_call(void *args, u64 entry);

static u64 ci_entry;
static u64 vty_reg;

/* -------------------------------------------------------------- console */

static s64 hcall4(u64 op, u64 a1, u64 a2, u64 a3, u64 a4) {
    register u64 r3 __asm__("r3") = op;
    register u64 r4 __asm__("r4") = a1;
    register u64 r5 __asm__("r5") = a2;
    register u64 r6 __asm__("r6") = a3;
    register u64 r7 __asm__("r7") = a4;
    __asm__ volatile("sc 1"
                     : "+r"(r3), "+r"(r4), "+r"(r5), "+r"(r6), "+r"(r7)
                     :
                     : "r0", "r8", "r9", "r10", "r11", "r12", "ctr", "xer", "cr0", "cr1", "cr5", "cr6", "cr7",
                       "memory");
    return (s64) r3;
}

static char line[16];
static int line_len;

static void flush(void) {
    u64 w[2] = {0, 0};
    for (int i = 0; i < line_len; i++) w[i / 8] |= (u64) (u8) line[i] << (56 - 8 * (i % 8));
    if (line_len) hcall4(H_PUT_TERM_CHAR, vty_reg, (u64) line_len, w[0], w[1]);
    line_len = 0;
}

static void putc(char c) {
    line[line_len++] = c;
    if (c == '\n' || line_len == (int) sizeof line) flush();
}

static void puts(const char *s) {
    while (*s) putc(*s++);
}

static void put_unsigned(u64 v, int base) {
    char buf[24];
    int n = 0;
    do {
        int d = (int) (v % (u64) base);
        buf[n++] = (char) (d < 10 ? '0' + d : 'a' + d - 10);
        v /= (u64) base;
    } while (v);
    while (n) putc(buf[--n]);
}

/* %s %c %d %x (u32) %lx (u64). */
static void printf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            putc(*fmt);
            continue;
        }
        fmt++;
        int lng = *fmt == 'l';
        if (lng) fmt++;
        switch (*fmt) {
        case 's': puts(va_arg(ap, const char *)); break;
        case 'c': putc((char) va_arg(ap, int)); break;
        case 'd': {
            int v = va_arg(ap, int);
            if (v < 0) {
                putc('-');
                v = -v;
            }
            put_unsigned((u64) v, 10);
            break;
        }
        case 'x': put_unsigned(lng ? va_arg(ap, u64) : va_arg(ap, u32), 16); break;
        default: putc('?'); break;
        }
    }
    va_end(ap);
}

static u64 strlen(const char *s) {
    u64 n = 0;
    while (s[n]) n++;
    return n;
}

/* -------------------------------------------------------------- client interface */

struct prom_args {
    u32 service;
    u32 nargs;
    u32 nret;
    u32 args[10];
};

static struct prom_args pa __attribute__((aligned(16)));
static u32 last_status;

/* Calls service with nargs u32 arguments; returns its first return value, the others in rets. */
static u32 ci(const char *service, int nargs, int nret, u32 *rets, ...) {
    va_list ap;
    va_start(ap, rets);
    pa.service = be32((u32) (u64) service);
    pa.nargs = be32((u32) nargs);
    pa.nret = be32((u32) nret);
    for (int i = 0; i < 10; i++) pa.args[i] = be32(i < nargs ? va_arg(ap, u32) : 0xdeadbeefu);
    va_end(ap);
    last_status = ci_call(&pa, ci_entry);
    for (int i = 1; i < nret && rets; i++) rets[i - 1] = be32(pa.args[nargs + i]);
    return nret ? be32(pa.args[nargs]) : 0;
}

#define A(p) ((u32) (u64) (p))

static u32 finddevice(const char *path) { return ci("finddevice", 1, 1, 0, A(path)); }
static u32 getprop(u32 ph, const char *name, void *buf, u32 len) {
    return ci("getprop", 4, 1, 0, ph, A(name), A(buf), len);
}
static u32 getproplen(u32 ph, const char *name) { return ci("getproplen", 2, 1, 0, ph, A(name)); }
static u32 nextprop(u32 ph, const char *prev, char *buf) { return ci("nextprop", 3, 1, 0, ph, A(prev), A(buf)); }
static u32 child(u32 ph) { return ci("child", 1, 1, 0, ph); }
static u32 peer(u32 ph) { return ci("peer", 1, 1, 0, ph); }
static u32 parent(u32 ph) { return ci("parent", 1, 1, 0, ph); }
static u32 package_to_path(u32 ph, char *buf, u32 len) { return ci("package-to-path", 3, 1, 0, ph, A(buf), len); }
static u32 claim(u32 virt, u32 size, u32 align) { return ci("claim", 3, 1, 0, virt, size, align); }

static char buf[256];
static char name[80];

static const char *path_of(u32 ph) {
    u32 n = package_to_path(ph, buf, sizeof buf);
    return n == PROM_ERROR ? "(none)" : buf;
}

static u32 cell(const u8 *p) { return (u32) p[0] << 24 | (u32) p[1] << 16 | (u32) p[2] << 8 | p[3]; }

/* A property's value: a string when it is one, else its cells in hex. */
static void print_value(const u8 *v, u32 len) {
    int text = len > 1 && v[0] != 0 && v[len - 1] == 0;
    for (u32 i = 0; text && i + 1 < len; i++) {
        if ((v[i] < 0x20 || v[i] > 0x7e) && v[i] != 0) text = 0;
    }
    if (text && len > 1) {
        putc('"');
        for (u32 i = 0; i + 1 < len; i++) putc(v[i] ? (char) v[i] : ',');
        putc('"');
        return;
    }
    putc('<');
    for (u32 i = 0; i + 4 <= len && i < 32; i += 4) printf(i ? " %x" : "%x", cell(v + i));
    if (len % 4 || len > 32) printf("%s...", len >= 4 ? " " : "");
    putc('>');
}

static void print_props(u32 ph) {
    static u8 val[256];
    name[0] = 0;
    char prev[80];
    prev[0] = 0;
    for (int n = 0; n < 64; n++) {
        u32 r = nextprop(ph, prev, name);
        if (r != 1) {
            printf("    nextprop -> %d\n", (int) r);
            return;
        }
        u32 len = getproplen(ph, name);
        u32 got = getprop(ph, name, val, sizeof val);
        printf("    %s [%d] ", name, (int) len);
        if (name[0] == 'r' && name[1] == 'n' && name[2] == 'g') puts("(random)"); /* rng-seed */
        else print_value(val, got < sizeof val ? got : sizeof val);
        putc('\n');
        for (int i = 0; i < 80; i++) {
            prev[i] = name[i];
            if (!name[i]) break;
        }
    }
}

static void walk(u32 ph, int depth) {
    for (u32 c = child(ph); c != 0 && c != PROM_ERROR; c = peer(c)) {
        for (int i = 0; i < depth; i++) puts("  ");
        u32 nl = getprop(c, "name", name, sizeof name);
        const char *p = path_of(c);
        printf("%s: name \"%s\" [%d], parent %s, finddevice %s\n", p, nl == PROM_ERROR ? "?" : name, (int) nl,
               parent(c) == ph ? "ok" : "WRONG", finddevice(p) == c ? "ok" : "WRONG");
        walk(c, depth + 1);
    }
}

void vof_main(u64 r3, u64 r4, u64 r5, u64 msr) {
    ci_entry = r5;
    u32 chosen = finddevice("/chosen");
    u32 ih = 0;
    getprop(chosen, "stdout", &ih, 4);
    ih = be32(ih);
    u32 out = ci("instance-to-package", 1, 1, 0, ih);
    u8 reg[4] = {0};
    getprop(out, "reg", reg, 4);
    vty_reg = cell(reg);

    printf("vof-walk (%s): entered with msr %lx, r3 %lx, r4 %lx, r5 %s\n", ENDIAN, msr, r3, r4,
           r5 ? "set" : "zero");
    printf("stdout ihandle %x -> package %s, vty reg %lx\n", ih, path_of(out), vty_reg);

    u32 root = finddevice("/");
    printf("finddevice / -> %x, /chosen -> %x, peer 0 -> %x, parent / -> %x\n", root, chosen, peer(0), parent(root));
    printf("finddevice /nonexistent -> %x (status %d)\n", finddevice("/nonexistent"), (int) last_status);
    printf("finddevice /vdevice/VTY@71000001 -> %x\n", finddevice("/vdevice/VTY@71000001"));
    printf("getprop / no-such-prop -> %x, getproplen -> %x\n", getprop(root, "no-such-prop", buf, 8),
           getproplen(root, "no-such-prop"));
    printf("getprop of phandle 0xdead -> %x\n", getprop(0xdead, "name", buf, 8));
    u32 n = getprop(root, "model", buf, 4);
    buf[4] = 0;
    printf("getprop / model into 4 bytes -> %d \"%s\"\n", (int) n, buf);
    n = getprop(root, "name", buf, sizeof buf);
    printf("getprop / name -> %d, first byte %d\n", (int) n, buf[0]);

    puts("/chosen:\n");
    print_props(chosen);
    puts("nodes:\n");
    walk(root, 1);

    static const char args[] = "console=hvc0 changed";
    printf("setprop /chosen bootargs -> %d\n", (int) ci("setprop", 4, 1, 0, chosen, A("bootargs"), A(args), sizeof args));
    n = getprop(chosen, "bootargs", buf, sizeof buf);
    printf("getprop /chosen bootargs -> %d \"%s\"\n", (int) n, n == PROM_ERROR ? "" : buf);

    u32 a = claim(0, 0x10000, 0x10000);
    printf("claim 64K aligned 64K -> %x\n", a);
    printf("claim 4K aligned 4K -> %x\n", claim(0, 0x1000, 0x1000));
    printf("claim 4K at %x again -> %x\n", a, claim(a, 0x1000, 0));
    printf("claim 4K at 1000000 -> %x\n", claim(0x1000000, 0x1000, 0));
    printf("claim 0 bytes -> %x\n", claim(0x2000000, 0, 0));
    printf("claim at 400000 (the kernel) -> %x\n", claim(0x400000, 0x1000, 0));
    static u8 avail[256];
    u32 mem = finddevice("/memory@0");
    n = getprop(mem, "available", avail, sizeof avail);
    printf("/memory@0 available [%d]:", (int) n);
    for (u32 i = 16; i + 16 <= n && i < sizeof avail; i += 16) {
        printf(" %lx+%lx", (u64) cell(avail + i) << 32 | cell(avail + i + 4),
               (u64) cell(avail + i + 8) << 32 | cell(avail + i + 12));
    }
    putc('\n');

    static const char hello[] = "hello through the client interface's write\n";
    n = ci("write", 3, 1, 0, ih, A(hello), (u32) strlen(hello));
    printf("write to stdout -> %d\n", (int) n);
    printf("write to ihandle 0x4242 -> %x\n", ci("write", 3, 1, 0, 0x4242, A(hello), 4));
    n = ci("frobnicate", 1, 1, 0, 1);
    printf("unknown service -> %x (status %d)\n", n, (int) last_status);
    n = ci("finddevice", 2, 1, 0, A("/"), 0);
    printf("finddevice with 2 arguments -> %x (status %d)\n", n, (int) last_status);
    puts("vof-walk: exit\n");
    flush();
    ci("exit", 0, 0, 0);
    puts("FAIL: exit returned\n");
    flush();
    for (;;) {
    }
}
