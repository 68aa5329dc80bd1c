/*
 * Guest (b'): edu's INTx through vfio-pci, a level-triggered KVM irqfd with resample, and the
 * in-kernel IOAPIC. The guest routes the pin the firmware-style INTERRUPT_LINE names to vector
 * 0x42, then takes three factorial interrupts in a row: each one after the first only arrives if
 * the previous EOI resampled the line and VFIO unmasked it.
 */
#include "edu.h"

#define IOAPIC 0xfec00000UL
#define INTX_VECTOR 0x42

static volatile int irqs;

static void ioapic_write(u32 reg, u32 value) {
    mmio_write32(IOAPIC, reg);
    mmio_write32(IOAPIC + 0x10, value);
}

static void handler(int vector) {
    if (vector == INTX_VECTOR) {
        u32 status = mmio_read32(EDU_BAR0 + EDU_IRQ_STATUS);
        mmio_write32(EDU_BAR0 + EDU_IRQ_ACK, status);
        irqs++;
    }
    lapic_eoi();
}

int guest_main(u64 arg) {
    (void) arg;
    int dev = edu_setup();
    if (dev < 0) return 1;
    u8 line = pci_read8(dev, 0, 0x3c);
    u8 pin = pci_read8(dev, 0, 0x3d);
    idt_setup(handler);
    lapic_enable();
    /* level triggered (bit 15), active high, fixed delivery to APIC 0 */
    ioapic_write(0x11 + 2 * line, 0);
    ioapic_write(0x10 + 2 * line, INTX_VECTOR | (1u << 15));
    int ok = 1;
    for (int k = 1; k <= 3; k++) {
        mmio_write32(EDU_BAR0 + EDU_STATUS, 0x80);
        mmio_write32(EDU_BAR0 + EDU_FACTORIAL, 4 + k);
        volatile int target = 0;
        for (u64 spins = 0; irqs < k && spins < 200000000UL; spins++) {
            __asm__ volatile("sti; pause; cli");
        }
        (void) target;
        ok &= irqs == k;
    }
    printf("intx: pin %d routed to gsi %d, %d interrupts, 7! = %u\n", pin, line, irqs,
           mmio_read32(EDU_BAR0 + EDU_FACTORIAL));
    printf("intx: %s\n", ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}
