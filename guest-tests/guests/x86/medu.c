/*
 * Guest (h): medu, edu as an mdev whose engine reaches guest memory only through pinned pages
 * (vfio_pin_pages) or vfio_dma_rw. With arg 0:
 *   a round trip a -> device -> b through the pins;
 *   checkpoint 1: the VMM hot-adds 1 MiB at 0x8000000; a DMA into it works (a pin in the DIMM);
 *   checkpoint 2: the VMM removes it (TYPE1 tells medu first, medu unpins); the next DMA to the old
 *                 IOVA faults: nothing lands, the old place reads all-ones;
 *   checkpoint 3: the VMM adds RAM again at 0x9000000; DMA into it works.
 * With arg 1 (a small RLIMIT_MEMLOCK of two pages): DMA from a and b works, the third page's pin
 * fails (ENOMEM, charged only at pin time) and that DMA moves nothing.
 * With arg 2: the round trip only (no checkpoints: what ./vmm runs without a checkpoint handler).
 */
#include "edu.h"

#define OLD 0x8000000UL
#define NEW 0x9000000UL

static u8 a[4096] __attribute__((aligned(4096)));
static u8 b[4096] __attribute__((aligned(4096)));
static u8 c[4096] __attribute__((aligned(4096)));

static int same(u64 addr, const u8 *want) {
    const volatile u8 *p = (const volatile u8 *) addr;
    for (int i = 0; i < 4096; i++) {
        if (p[i] != want[i]) return 0;
    }
    return 1;
}

static int memlock_case(void) {
    int ok = edu_dma((u64) a, EDU_BUFFER, 4096, 0) == 0;
    ok &= edu_dma(EDU_BUFFER, (u64) b, 4096, EDU_DMA_TO_RAM) == 0;
    int copied = same((u64) b, a);
    ok &= edu_dma(EDU_BUFFER, (u64) c, 4096, EDU_DMA_TO_RAM) == 0;
    int untouched = c[0] == 0 && c[4095] == 0;
    printf("medu: memlock: a -> b %s, the third page %s\n", copied ? "copied" : "wrong", untouched ? "untouched" : "written");
    ok &= copied && untouched;
    printf("medu: %s\n", ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}

int guest_main(u64 arg) {
    int dev = edu_setup();
    if (dev < 0) {
        printf("medu: no device\n");
        return 1;
    }
    edu_irq_setup(dev);
    for (int i = 0; i < 4096; i++) {
        a[i] = (u8) (i * 7 + 3);
    }
    if (arg == 1) return memlock_case();
    int ok = edu_dma((u64) a, EDU_BUFFER, 4096, 0) == 0;
    ok &= edu_dma(EDU_BUFFER, (u64) b, 4096, EDU_DMA_TO_RAM) == 0;
    int round = same((u64) b, a);
    printf("medu: round trip through pinned pages: %s\n", round ? "ok" : "wrong");
    ok &= round;
    if (arg == 2) {
        ok &= edu_irqs == 2;
        printf("medu: %s\n", ok ? "PASS" : "FAIL");
        return ok ? 0 : 1;
    }

    checkpoint(1);
    ok &= edu_dma(EDU_BUFFER, OLD, 4096, EDU_DMA_TO_RAM) == 0;
    int added = same(OLD, a);
    printf("medu: DMA into hot-added RAM at 0x%lx: %s\n", OLD, added ? "ok" : "wrong");
    ok &= added;

    checkpoint(2);
    ok &= edu_dma(EDU_BUFFER, OLD, 4096, EDU_DMA_TO_RAM) == 0;
    u32 old = mmio_read32(OLD);
    printf("medu: after removal: 0x%lx reads 0x%x\n", OLD, old);
    ok &= old == 0xffffffffu;

    checkpoint(3);
    ok &= edu_dma(EDU_BUFFER, NEW, 4096, EDU_DMA_TO_RAM) == 0;
    int again = same(NEW, a);
    printf("medu: DMA into RAM added again at 0x%lx: %s\n", NEW, again ? "ok" : "wrong");
    ok &= again;
    printf("medu: interrupts %d\n", edu_irqs);
    ok &= edu_irqs == 5;
    printf("medu: %s\n", ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}
