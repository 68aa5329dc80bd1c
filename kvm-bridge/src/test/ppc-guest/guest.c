/*
 * PPC64 test guest: freestanding C, no libc, real mode. It talks to the machine through sPAPR
 * hypercalls (sc 1): H_PUT_TERM_CHAR for the console, and private numbers the test harness knows:
 * H_TEST_REPORT (0xF001: r4 = what, r5 = value; returns r4 = a reply) and H_TEST_DONE (0xF00D0000,
 * from entry.S when main returns). It takes decrementer interrupts, traps with tw, makes a system
 * call, and touches an MMIO register outside RAM.
 */
typedef unsigned long u64;
typedef unsigned int u32;

#define H_PUT_TERM_CHAR 0x58
#define H_TEST_REPORT 0xF001
#define MMIO_DEVICE 0x20000000UL
#define MSR_EE (1UL << 15)

#define REPORT_FIB 1
#define REPORT_MMIO 2
#define REPORT_TICKS 3
#define REPORT_TRAPS 4
#define REPORT_SYSCALLS 5
#define REPORT_TB_DELTA 6
#define REPORT_SRR1_TRAP 7

static volatile u64 ticks;
static volatile u64 traps;
static volatile u64 syscalls;
static volatile u64 last_trap_srr1;

static long hcall(u64 op, u64 a1, u64 a2, u64 a3, u64 a4, u64 *ret1) {
    register u64 r3 __asm__("r3") = op;
    register u64 r4 __asm__("r4") = a1;
    register u64 r5 __asm__("r5") = a2;
    register u64 r6 __asm__("r6") = a3;
    register u64 r7 __asm__("r7") = a4;
    __asm__ volatile("sc 1"
                     : "+r"(r3), "+r"(r4), "+r"(r5), "+r"(r6), "+r"(r7)
                     :
                     : "r0", "r8", "r9", "r10", "r11", "r12", "cr0", "ctr", "xer", "memory");
    if (ret1) {
        *ret1 = r4;
    }
    return (long) r3;
}

static void put(const char *s) {
    while (*s) {
        u64 chars = 0;
        u64 n = 0;
        for (; n < 8 && s[n]; n++) {
            chars |= (u64) (unsigned char) s[n] << (56 - 8 * n);
        }
        hcall(H_PUT_TERM_CHAR, 0, n, chars, 0, 0);
        s += n;
    }
}

static u64 report(u64 what, u64 value) {
    u64 reply = 0;
    hcall(H_TEST_REPORT, what, value, 0, 0, &reply);
    return reply;
}

static void set_dec(u64 v) {
    __asm__ volatile("mtspr 22,%0" : : "r"(v));
}

static u64 timebase(void) {
    u64 tb;
    __asm__ volatile("mfspr %0,268" : "=r"(tb));
    return tb;
}

static void enable_interrupts(void) {
    u64 msr;
    __asm__ volatile("mfmsr %0" : "=r"(msr));
    __asm__ volatile("mtmsrd %0,1" : : "r"(msr | MSR_EE) : "memory");
}

static void disable_interrupts(void) {
    u64 msr;
    __asm__ volatile("mfmsr %0" : "=r"(msr));
    __asm__ volatile("mtmsrd %0,1" : : "r"(msr & ~MSR_EE) : "memory");
}

/* Called from the vectors in entry.S; returns where to resume. */
u64 on_interrupt(u64 vector, u64 srr0, u64 srr1) {
    switch (vector) {
    case 0x900:
        ticks++;
        set_dec(ticks < 3 ? 5000 : 0x7fffffff);
        return srr0;
    case 0x700:
        traps++;
        last_trap_srr1 = srr1;
        return srr0 + 4; /* skip the tw */
    case 0xc00:
        syscalls++;
        return srr0; /* already points after sc */
    default:
        put("unexpected interrupt\n");
        return srr0;
    }
}

static u64 fib(u64 n) {
    u64 a = 0, b = 1;
    while (n--) {
        u64 t = a + b;
        a = b;
        b = t;
    }
    return a;
}

static u32 crc32(const unsigned char *p, u64 n) {
    u32 crc = 0xffffffffu;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++) {
            crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
        }
    }
    return ~crc;
}

int main(void) {
    put("hello from C on a soft PPC64\n");

    u64 reply = report(REPORT_FIB, fib(90));
    if (reply != 0x600d) {
        put("bad reply\n");
    }

    volatile u32 *dev = (volatile u32 *) MMIO_DEVICE;
    dev[0] = 0x1234abcd;
    report(REPORT_MMIO, dev[1] + crc32((const unsigned char *) "123456789", 9));

    u64 tb0 = timebase();
    set_dec(5000);
    enable_interrupts();
    while (ticks < 3) {
    }
    disable_interrupts();
    report(REPORT_TICKS, ticks);
    report(REPORT_TB_DELTA, timebase() - tb0);

    __asm__ volatile("tw 31,0,0");
    __asm__ volatile("tw 4,%0,%0" : : "r"(traps));
    report(REPORT_TRAPS, traps);
    report(REPORT_SRR1_TRAP, last_trap_srr1);

    __asm__ volatile("li 0,42\n\tsc" : : : "r0", "r3", "memory");
    report(REPORT_SYSCALLS, syscalls);

    put("bye\n");
    return 0;
}
