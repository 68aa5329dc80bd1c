/*
 * Guest (e): RAM that the VMM adds, moves and removes at checkpoints while the guest runs.
 *   checkpoint 1: the VMM hot-adds 1 MiB of RAM at 0x8000000; DMA into it works.
 *   checkpoint 2: the VMM moves it to 0x9000000; its contents move with it, DMA into the new place
 *                 works, DMA into the old place faults (nothing lands; the old place reads all-ones).
 *   checkpoint 3: the VMM removes it; DMA into it faults.
 */
#include "edu.h"

#define OLD 0x8000000UL
#define NEW 0x9000000UL

static u8 a[4096] __attribute__((aligned(4096)));
static u8 b[4096] __attribute__((aligned(4096)));

static int same(u64 addr, const u8 *want) {
    const volatile u8 *p = (const volatile u8 *) addr;
    for (int i = 0; i < 4096; i++) {
        if (p[i] != want[i]) return 0;
    }
    return 1;
}

int guest_main(u64 arg) {
    (void) arg;
    int dev = edu_setup();
    if (dev < 0) return 1;
    edu_irq_setup(dev);
    for (int i = 0; i < 4096; i++) {
        a[i] = (u8) (i * 3 + 1);
        b[i] = (u8) (i * 5 + 2);
    }
    int ok = 1;

    checkpoint(1);
    ok &= edu_dma((u64) a, EDU_BUFFER, 4096, 0) == 0;
    ok &= edu_dma(EDU_BUFFER, OLD, 4096, EDU_DMA_TO_RAM) == 0;
    int added = same(OLD, a);
    printf("remap: DMA into hot-added RAM at 0x%lx: %s\n", OLD, added ? "ok" : "wrong");
    ok &= added;

    checkpoint(2);
    int moved = same(NEW, a);
    ok &= edu_dma((u64) b, EDU_BUFFER, 4096, 0) == 0;
    ok &= edu_dma(EDU_BUFFER, NEW + 4096, 4096, EDU_DMA_TO_RAM) == 0;
    ok &= edu_dma(EDU_BUFFER, OLD, 4096, EDU_DMA_TO_RAM) == 0;
    int landed = same(NEW + 4096, b);
    u32 old = mmio_read32(OLD);
    printf("remap: after the move: contents moved %s, DMA into 0x%lx %s, old place reads 0x%x\n",
           moved ? "yes" : "no", NEW + 4096, landed ? "ok" : "wrong", old);
    ok &= moved && landed && old == 0xffffffffu;

    checkpoint(3);
    ok &= edu_dma(EDU_BUFFER, NEW, 4096, EDU_DMA_TO_RAM) == 0;
    printf("remap: after removal: 0x%lx reads 0x%x\n", NEW, mmio_read32(NEW));
    ok &= mmio_read32(NEW) == 0xffffffffu;
    printf("remap: interrupts %d\n", edu_irqs);
    printf("remap: %s\n", ok && edu_irqs == 6 ? "PASS" : "FAIL");
    return ok && edu_irqs == 6 ? 0 : 1;
}
