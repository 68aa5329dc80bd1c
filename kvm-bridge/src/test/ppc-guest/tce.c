/*
 * PPC64 H_PUT_TCE loop guest: freestanding C, no libc, real mode, started by entry.S (shared with
 * guest.c). It issues batches of H_PUT_TCE (sc 1) described by a parameter block the VMM writes
 * at guest-physical 0x100000 (u64 fields, guest byte order), and after each batch tells the VMM
 * with H_TEST_BATCH_DONE (0xF003: r4 = calls that returned H_SUCCESS, r5 = the last status,
 * r6 = the sum of all statuses, r7 = batches done so far). Then it reads the block again and runs
 * the next batch, forever. Call i of a batch passes ioba = ioba + i * ioba_step and
 * tce = tce + (i % tce_wrap) * tce_step, so a batch can sweep a window while its TCEs cycle over
 * guest RAM.
 */
typedef unsigned long u64;

#define H_PUT_TCE 0x20
#define H_TEST_BATCH_DONE 0xF003
#define PARAMS 0x100000UL

struct params {
    u64 liobn;
    u64 ioba;
    u64 ioba_step;
    u64 tce;
    u64 tce_step;
    u64 tce_wrap;
    u64 count;
};

/* The vectors in entry.S call this; this guest takes no interrupts on purpose. */
u64 on_interrupt(u64 vector, u64 srr0, u64 srr1) {
    (void) vector;
    (void) srr1;
    for (;;) {
        register u64 r3 __asm__("r3") = 0xF0BAD000UL | vector;
        register u64 r4 __asm__("r4") = srr0;
        __asm__ volatile("sc 1" : "+r"(r3), "+r"(r4) : : "r0", "r5", "r6", "r7", "r8", "r9", "r10", "r11",
                         "r12", "cr0", "ctr", "xer", "memory");
    }
}

static long hcall4(u64 op, u64 a1, u64 a2, u64 a3, u64 a4) {
    register u64 r3 __asm__("r3") = op;
    register u64 r4 __asm__("r4") = a1;
    register u64 r5 __asm__("r5") = a2;
    register u64 r6 __asm__("r6") = a3;
    register u64 r7 __asm__("r7") = a4;
    __asm__ volatile("sc 1"
                     : "+r"(r3), "+r"(r4), "+r"(r5), "+r"(r6), "+r"(r7)
                     :
                     : "r0", "r8", "r9", "r10", "r11", "r12", "cr0", "ctr", "xer", "memory");
    return (long) r3;
}

int main(void) {
    volatile struct params *p = (volatile struct params *) PARAMS;
    u64 batches = 0;
    for (;;) {
        u64 liobn = p->liobn, ioba = p->ioba, ioba_step = p->ioba_step;
        u64 tce = p->tce, tce_step = p->tce_step, wrap = p->tce_wrap, count = p->count;
        u64 ok = 0, k = 0;
        long last = 0, sum = 0;
        for (u64 i = 0; i < count; i++) {
            last = hcall4(H_PUT_TCE, liobn, ioba + i * ioba_step, tce + k * tce_step, 0);
            if (++k == wrap) {
                k = 0;
            }
            sum += last;
            ok += last == 0;
        }
        batches++;
        hcall4(H_TEST_BATCH_DONE, ok, (u64) last, (u64) sum, batches);
    }
}
