/*
 * Guest (d): edu DMA to and from an IOVA the VMM never mapped (0x8000000, past the guest's RAM).
 * Both commands complete with their interrupt, but the IOMMU refuses them: nothing lands and the
 * device buffer keeps what it had, which a last DMA back to RAM shows.
 */
#include "edu.h"

#define UNMAPPED_IOVA 0x8000000UL

static u8 src[4096] __attribute__((aligned(4096)));
static u8 dst[4096] __attribute__((aligned(4096)));

int guest_main(u64 arg) {
    (void) arg;
    int dev = edu_setup();
    if (dev < 0) return 1;
    edu_irq_setup(dev);
    for (int i = 0; i < 4096; i++) src[i] = (u8) (i ^ 0x5a);
    int rc = 0;
    rc |= edu_dma((u64) src, EDU_BUFFER, 4096, 0);
    rc |= edu_dma(EDU_BUFFER, UNMAPPED_IOVA, 4096, EDU_DMA_TO_RAM);
    rc |= edu_dma(UNMAPPED_IOVA, EDU_BUFFER, 4096, 0);
    rc |= edu_dma(EDU_BUFFER, (u64) dst, 4096, EDU_DMA_TO_RAM);
    int bad = 0;
    for (int i = 0; i < 4096; i++) {
        if (dst[i] != src[i]) bad++;
    }
    printf("dma-fault: 4 commands completed: %s, interrupts %d\n", rc == 0 ? "yes" : "no", edu_irqs);
    printf("dma-fault: device buffer intact after the refused read: %s\n", bad == 0 ? "yes" : "no");
    int ok = rc == 0 && bad == 0 && edu_irqs == 4;
    printf("dma-fault: %s\n", ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}
