/* The edu helpers (see edu.h). */
#include "edu_dev.h"

int edu_devfn = -1;
u64 edu_bar;

int edu_setup(void) {
    if (phb_init()) {
        printf("FAIL: no PHB in the device tree\n");
        return -1;
    }
    edu_devfn = pci_find(EDU_VENDOR, EDU_DEVICE);
    if (edu_devfn < 0) {
        printf("FAIL: no edu on PHB 0\n");
        return -1;
    }
    u32 size = 0;
    edu_bar = pci_assign_bar32(edu_devfn, 0, 0, &size);
    if (!edu_bar) {
        printf("FAIL: edu BAR0 is not a 32-bit memory BAR\n");
        return -1;
    }
    u32 cmd = pci_read(edu_devfn, 4, 2, 0);
    pci_write(edu_devfn, 4, 2, cmd | 0x6);
    printf("edu at 00:%02x.%d, BAR0 %u KiB at pci 0x%lx (cpu 0x%lx), command 0x%x -> 0x%x\n", (u32) edu_devfn >> 3,
           edu_devfn & 7, size >> 10, phb.mem32_pci, edu_bar, cmd, pci_read(edu_devfn, 4, 2, 0));
    return 0;
}

u32 edu_dma(u64 src, u64 dst, u64 count, u32 cmd) {
    mmio_write64(edu_bar + EDU_DMA_SRC, src);
    mmio_write64(edu_bar + EDU_DMA_DST, dst);
    mmio_write64(edu_bar + EDU_DMA_COUNT, count);
    mmio_write64(edu_bar + EDU_DMA_CMD, cmd | EDU_DMA_RUN);
    for (u64 i = 0; i < 100000000UL; i++) {
        u32 c = (u32) mmio_read64(edu_bar + EDU_DMA_CMD);
        if (!(c & EDU_DMA_RUN) || c == ~0u) return c; /* done, or the PE froze (all-ones) */
    }
    return ~0u;
}
