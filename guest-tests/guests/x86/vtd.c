#include "vtd.h"

u64 vtd_base;
int vtd_sid;
volatile int edu_done;
volatile int vtd_fault_irqs;
volatile int vtd_prq_irqs;
volatile int prq_answer;
volatile u64 prq_fill_page;
volatile u64 prq_last_addr;
static u32 iq_tail;
static u64 next_table = VTD_PML4 + 0x1000;
static u32 wait_seq;

u32 vtd_read32(u32 off) { return mmio_read32(vtd_base + off); }
u64 vtd_read64(u32 off) { return mmio_read64(vtd_base + off); }
void vtd_write32(u32 off, u32 v) { mmio_write32(vtd_base + off, v); }
void vtd_write64(u32 off, u64 v) { mmio_write64(vtd_base + off, v); }

static void zero_page(u64 gpa) { memset((void *) gpa, 0, 4096); }

static void submit(u64 w0, u64 w1) {
    volatile u64 *d = (volatile u64 *) (VTD_IQ + iq_tail);
    d[0] = w0;
    d[1] = w1;
    d[2] = 0;
    d[3] = 0;
    iq_tail = (iq_tail + 32) % 4096;
    vtd_write64(VTD_IQT, iq_tail);
}

/* The page request handler: takes the descriptor at PQH, maps the page (or not) and answers its group. */
static void prq_handle(void) {
    u64 head = vtd_read64(VTD_PQH);
    while (head != vtd_read64(VTD_PQT)) {
        volatile u64 *d = (volatile u64 *) (VTD_PRQ + head);
        u64 lo = d[0], hi = d[1];
        u64 addr = hi & ~0xfffUL;
        u32 rid = (lo >> 16) & 0xffff;
        u32 pasid = (lo >> 32) & 0xfffff;
        u32 prgi = (hi >> 3) & 0x1ff;
        prq_last_addr = addr;
        if (prq_answer == 0) fs_map(addr, prq_fill_page, FS_P | FS_RW | FS_US);
        head = (head + 32) % 4096;
        vtd_write64(VTD_PQH, head);
        submit(9 | (1UL << 4) | ((u64) (prq_answer ? 1 : 0) << 12) | ((u64) rid << 16) | ((u64) pasid << 32), (u64) prgi << 3);
    }
    vtd_write32(VTD_PRS, 1);
}

static void handler(int vector) {
    if (vector == EDU_MSI_VECTOR) {
        u32 status = mmio_read32(EDU_BAR0 + EDU_IRQ_STATUS);
        mmio_write32(EDU_BAR0 + EDU_IRQ_ACK, status);
        edu_done = 1;
    } else if (vector == VTD_FAULT_VECTOR) {
        vtd_fault_irqs++;
    } else if (vector == VTD_PRQ_VECTOR) {
        vtd_prq_irqs++;
        prq_handle();
    }
    lapic_eoi();
}

static void gcmd(u32 bit, u32 status) {
    u32 sts = vtd_read32(VTD_GSTS) & (GCMD_TE | GCMD_QIE);
    vtd_write32(VTD_GCMD, sts | bit);
    while (!(vtd_read32(VTD_GSTS) & status)) __asm__ volatile("pause");
}

int vtd_setup(u64 base, int pre, const char *name) {
    vtd_base = base;
    int dev = edu_setup();
    if (dev < 0 || base == 0) {
        printf("%s: no edu or no VT-d (boot argument 0x%lx)\n", name, base);
        return -1;
    }
    vtd_sid = dev << 3;
    u64 ecap = vtd_read64(VTD_ECAP);
    int ok = (ecap >> 43 & 1) && (ecap >> 47 & 1) && (ecap >> 40 & 1) && (ecap >> 29 & 1) && (ecap >> 1 & 1);
    printf("%s: VT-d %u.%u at 0x%lx, ecap 0x%lx: scalable %s, first-stage %s, PASID %u bits, page requests %s\n", name,
           vtd_read32(VTD_VER) >> 4, vtd_read32(VTD_VER) & 15, base, ecap, (ecap >> 43 & 1) ? "yes" : "no",
           (ecap >> 47 & 1) ? "yes" : "no", (u32) ((ecap >> 35) & 31) + 1, (ecap >> 29 & 1) ? "yes" : "no");
    if (!ok) return -1;
    idt_setup(handler);
    lapic_enable();
    pci_enable_msi(dev, EDU_MSI_VECTOR);
    zero_page(VTD_ROOT);
    zero_page(VTD_CONTEXT);
    zero_page(VTD_PASID_DIR);
    zero_page(VTD_PASID_TABLE);
    zero_page(VTD_PML4);
    zero_page(VTD_PRQ);
    *(volatile u64 *) VTD_ROOT = VTD_CONTEXT | 1;
    volatile u64 *ctx = (volatile u64 *) (VTD_CONTEXT + (u64) (vtd_sid & 0x7f) * 32);
    ctx[0] = VTD_PASID_DIR | 1 | (pre ? 1UL << 4 : 0);
    ctx[1] = 0;
    vtd_write64(VTD_RTADDR, VTD_ROOT | (1UL << 10));
    gcmd(GCMD_SRTP, GCMD_SRTP);
    vtd_write64(VTD_IQA, VTD_IQ | (1UL << 11));
    vtd_write64(VTD_IQT, 0);
    gcmd(GCMD_QIE, GCMD_QIE);
    vtd_write64(VTD_PQH, 0);
    vtd_write64(VTD_PQA, VTD_PRQ);
    vtd_write32(VTD_FEDATA, VTD_FAULT_VECTOR);
    vtd_write32(VTD_FEADDR, (u32) LAPIC);
    vtd_write32(VTD_FECTL, 0);
    vtd_write32(VTD_PEDATA, VTD_PRQ_VECTOR);
    vtd_write32(VTD_PEADDR, (u32) LAPIC);
    vtd_write32(VTD_PECTL, 0);
    gcmd(GCMD_TE, GCMD_TE);
    return 0;
}

volatile u64 *fs_map(u64 va, u64 gpa, u64 flags) {
    u64 table = VTD_PML4;
    for (int level = 4; level > 1; level--) {
        volatile u64 *slot = (volatile u64 *) (table + ((va >> (12 + 9 * (level - 1))) & 0x1ff) * 8);
        if (!(*slot & FS_P)) {
            u64 t = next_table;
            next_table += 4096;
            zero_page(t);
            *slot = t | FS_P | FS_RW | FS_US;
        }
        table = *slot & 0x000ffffffffff000UL;
    }
    volatile u64 *pte = (volatile u64 *) (table + ((va >> 12) & 0x1ff) * 8);
    *pte = gpa | flags;
    return pte;
}

void pasid_entry(int pasid, int fpd) {
    ((volatile u64 *) VTD_PASID_DIR)[pasid >> 6] = VTD_PASID_TABLE | 1;
    volatile u64 *e = (volatile u64 *) (VTD_PASID_TABLE + (u64) (pasid & 0x3f) * 64);
    e[1] = DID;
    e[2] = VTD_PML4; /* first-stage pointer, 4-level paging */
    e[0] = 1 | (fpd ? 2 : 0) | (1UL << 6); /* present, FPD, PGTT 1: first stage only */
}

void pasid_entry_clear(int pasid) {
    ((volatile u64 *) (VTD_PASID_TABLE + (u64) (pasid & 0x3f) * 64))[0] = 0;
}

void inv_pasid_cache(int pasid) { submit(7 | (1UL << 4) | ((u64) DID << 16) | ((u64) pasid << 32), 0); }

void inv_piotlb_page(int pasid, u64 addr) {
    submit(6 | (3UL << 4) | ((u64) DID << 16) | ((u64) pasid << 32), (addr & ~0xfffUL) | (1UL << 6));
}

int inv_wait(void) {
    u32 seq = ++wait_seq;
    submit(5 | (1UL << 5) | ((u64) seq << 32), VTD_STATUS);
    for (u64 spins = 100000000UL; spins; spins--) {
        if (*(volatile u32 *) VTD_STATUS == seq) return 0;
        __asm__ volatile("pause");
    }
    return -1;
}

int pasid_dma(int pasid, u64 src, u64 dst, u32 count, int to_ram) {
    edu_done = 0;
    mmio_write64(EDU_BAR0 + EDU_DMA_SRC, src);
    mmio_write64(EDU_BAR0 + EDU_DMA_DST, dst);
    mmio_write64(EDU_BAR0 + EDU_DMA_COUNT, count);
    mmio_write64(EDU_BAR0 + 0xa0, (u64) pasid);
    mmio_write64(EDU_BAR0 + EDU_DMA_CMD, EDU_DMA_RUN | EDU_DMA_IRQ | 0x8 | (to_ram ? EDU_DMA_TO_RAM : 0));
    if (!wait_for(&edu_done, 200000000UL)) return -1;
    return (mmio_read64(EDU_BAR0 + EDU_DMA_CMD) & EDU_DMA_RUN) ? -2 : 0;
}

void fill(u64 gpa, u8 b, u32 n) { memset((void *) gpa, b, n); }

int differ(u64 gpa, u8 b, u32 n) {
    int bad = 0;
    for (u32 i = 0; i < n; i++) {
        if (((volatile u8 *) gpa)[i] != b) bad++;
    }
    return bad;
}
