/*
 * Guest (b): enumerates PCI bus 0, then checks edu: identification, liveness, and the factorial
 * unit, polled and with its MSI. Exits 0 when every check passes.
 */
#include "edu.h"

int guest_main(u64 arg) {
    (void) arg;
    int failures = 0;
    for (int dev = 0; dev < 32; dev++) {
        u32 id = pci_read32(dev, 0, 0);
        if (id == 0xffffffffu) continue;
        u32 class = pci_read32(dev, 0, 0x08) >> 8;
        printf("pci 00:%2x.0 %4x:%4x class %6x\n", dev, id & 0xffff, id >> 16, class);
    }
    int dev = edu_setup();
    if (dev < 0) {
        puts("edu: not found\n");
        return 1;
    }
    u32 ident = mmio_read32(EDU_BAR0 + EDU_ID);
    printf("edu: id 0x%8x\n", ident);
    if (ident != 0x010000edu) failures++;

    mmio_write32(EDU_BAR0 + EDU_LIVENESS, 0x12345678u);
    u32 live = mmio_read32(EDU_BAR0 + EDU_LIVENESS);
    printf("edu: liveness 0x%8x\n", live);
    if (live != ~0x12345678u) failures++;

    mmio_write32(EDU_BAR0 + EDU_FACTORIAL, 10);
    for (int i = 0; i < 1000000 && (mmio_read32(EDU_BAR0 + EDU_STATUS) & 1); i++) __asm__ volatile("pause");
    u32 fact = mmio_read32(EDU_BAR0 + EDU_FACTORIAL);
    printf("edu: 10! = %u\n", fact);
    if (fact != 3628800u) failures++;

    edu_irq_setup(dev);
    mmio_write32(EDU_BAR0 + EDU_STATUS, 0x80); /* interrupt when the factorial is done */
    mmio_write32(EDU_BAR0 + EDU_FACTORIAL, 12);
    wait_for(&edu_irqs, 200000000UL);
    u32 fact12 = mmio_read32(EDU_BAR0 + EDU_FACTORIAL);
    printf("edu: 12! = %u with %d interrupt(s)\n", fact12, edu_irqs);
    if (fact12 != 479001600u || edu_irqs != 1) failures++;

    printf("pci-edu: %s\n", failures ? "FAIL" : "PASS");
    return failures ? 1 : 0;
}
