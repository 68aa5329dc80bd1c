/*
 * Guest: edu DMA commands whose device-side range leaves the 4 KiB buffer (a count with the top
 * bit set, a count of all ones, a device address near 2^64). The device refuses each one: nothing
 * moves, the command still completes with its interrupt. A good DMA afterwards works. Reports the
 * refused commands that completed, the interrupts taken and whether the good DMA matched.
 */
#include "edu.h"

static u8 src[4096] __attribute__((aligned(4096)));
static u8 dst[4096] __attribute__((aligned(4096)));

/* One DMA with a 64-bit count; 0 when it completed (RUN clear) after its interrupt. */
static int dma64(u64 from, u64 to, u64 count, u32 cmd) {
    int before = edu_irqs;
    mmio_write64(EDU_BAR0 + EDU_DMA_SRC, from);
    mmio_write64(EDU_BAR0 + EDU_DMA_DST, to);
    mmio_write64(EDU_BAR0 + EDU_DMA_COUNT, count);
    mmio_write64(EDU_BAR0 + EDU_DMA_CMD, cmd | EDU_DMA_RUN | EDU_DMA_IRQ);
    u64 spins = 200000000UL;
    __asm__ volatile("sti");
    while (edu_irqs == before && spins--) __asm__ volatile("pause");
    __asm__ volatile("cli");
    if (edu_irqs == before) return -1;
    return (mmio_read64(EDU_BAR0 + EDU_DMA_CMD) & EDU_DMA_RUN) ? -2 : 0;
}

int guest_main(u64 arg) {
    (void) arg;
    int dev = edu_setup();
    if (dev < 0) {
        puts("edu: not found\n");
        return 1;
    }
    edu_irq_setup(dev);
    for (int i = 0; i < 4096; i++) {
        src[i] = (u8) (i * 5 + 1);
        dst[i] = 0xee;
    }
    int completed = 0;
    completed += dma64((u64) src, EDU_BUFFER, 0x8000000000000000UL, 0) == 0;
    completed += dma64(EDU_BUFFER, (u64) dst, 0xffffffffffffffffUL, EDU_DMA_TO_RAM) == 0;
    completed += dma64(0xfffffffffffff000UL, (u64) dst, 0x1000, EDU_DMA_TO_RAM) == 0;
    int untouched = 1;
    for (int i = 0; i < 4096; i++) {
        if (dst[i] != 0xee) untouched = 0;
    }
    int good = dma64((u64) src, EDU_BUFFER, 4096, 0) == 0 && dma64(EDU_BUFFER, (u64) dst, 4096, EDU_DMA_TO_RAM) == 0;
    int bad = 0;
    for (int i = 0; i < 4096; i++) {
        if (dst[i] != src[i]) bad++;
    }
    int pass = completed == 3 && untouched && good && bad == 0 && edu_irqs == 5;
    printf("edu-bad-dma: %d refused commands completed, %d interrupts, %d bytes differ after a good DMA\n",
           completed, edu_irqs, bad);
    printf("edu-bad-dma: %s\n", pass ? "PASS" : "FAIL");
    return pass ? 0 : 1;
}
