#include "edu.h"

volatile int edu_irqs;
static volatile int edu_irq_seen;

int edu_setup(void) {
    int dev = pci_find(EDU_VENDOR, EDU_DEVICE);
    if (dev < 0) return -1;
    pci_assign_bar(dev, 0, (u32) EDU_BAR0);
    pci_write16(dev, 0, 0x04, 0x0006); /* memory decode, bus master */
    return dev;
}

static void edu_handler(int vector) {
    if (vector == EDU_MSI_VECTOR) {
        u32 status = mmio_read32(EDU_BAR0 + EDU_IRQ_STATUS);
        mmio_write32(EDU_BAR0 + EDU_IRQ_ACK, status);
        edu_irqs++;
        edu_irq_seen = 1;
    }
    lapic_eoi();
}

void edu_irq_setup(int dev) {
    idt_setup(edu_handler);
    lapic_enable();
    pci_enable_msi(dev, EDU_MSI_VECTOR);
}

int edu_dma(u64 src, u64 dst, u32 count, u32 cmd) {
    edu_irq_seen = 0;
    mmio_write64(EDU_BAR0 + EDU_DMA_SRC, src);
    mmio_write64(EDU_BAR0 + EDU_DMA_DST, dst);
    mmio_write64(EDU_BAR0 + EDU_DMA_COUNT, count);
    mmio_write64(EDU_BAR0 + EDU_DMA_CMD, cmd | EDU_DMA_RUN | EDU_DMA_IRQ);
    if (!wait_for(&edu_irq_seen, 200000000UL)) return -1;
    return (mmio_read64(EDU_BAR0 + EDU_DMA_CMD) & EDU_DMA_RUN) ? -2 : 0;
}
