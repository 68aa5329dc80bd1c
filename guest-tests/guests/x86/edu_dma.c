/*
 * Guest (c), the main job's guest: edu DMA round trip RAM -> device -> RAM, 4 KiB each way, an
 * MSI on each completion, every byte checked. Reports the bytes moved and the interrupts taken.
 */
#include "edu.h"

static u8 src[4096] __attribute__((aligned(4096)));
static u8 dst[4096] __attribute__((aligned(4096)));

int guest_main(u64 arg) {
    (void) arg;
    int dev = edu_setup();
    if (dev < 0) {
        puts("edu: not found\n");
        return 1;
    }
    edu_irq_setup(dev);
    for (int i = 0; i < 4096; i++) {
        src[i] = (u8) (i * 7 + 3);
        dst[i] = 0;
    }
    u64 moved = 0;
    if (edu_dma((u64) src, EDU_BUFFER, 4096, 0) != 0) {
        puts("edu-dma: RAM -> device did not complete\n");
        return 1;
    }
    moved += 4096;
    if (edu_dma(EDU_BUFFER, (u64) dst, 4096, EDU_DMA_TO_RAM) != 0) {
        puts("edu-dma: device -> RAM did not complete\n");
        return 1;
    }
    moved += 4096;
    int bad = 0;
    for (int i = 0; i < 4096; i++) {
        if (dst[i] != src[i]) bad++;
    }
    printf("edu-dma: %lu bytes moved, %d interrupts, %d bytes differ\n", moved, edu_irqs, bad);
    printf("edu-dma: %s\n", bad == 0 && edu_irqs == 2 ? "PASS" : "FAIL");
    return bad == 0 && edu_irqs == 2 ? 0 : 1;
}
