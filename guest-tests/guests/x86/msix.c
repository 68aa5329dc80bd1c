/*
 * Guest: MSI-X through vfio-pci on the MSI-X doorbell device (1234:11e9; a register write raises
 * the vector written). The guest enables MSI-X with the function masked, programs two table
 * entries (vectors 0x43 and 0x44 to LAPIC 0), lifts the function mask and rings both; then masks
 * entry 1 and shows its doorbell does not interrupt while entry 0 still does; unmasks entry 1 and
 * rings it again; finally disables MSI-X, after which the device drops the doorbell. Checkpoints
 * 1 (entry 1 masked) and 2 (MSI-X disabled) let the VMM look at its side.
 */
#include "rt.h"

#define DB_VENDOR 0x1234
#define DB_DEVICE 0x11e9
#define DB_BAR0 0xc0100000UL
#define DB_ID 0x00
#define DB_DOORBELL 0x04
#define DB_DROPPED 0x08
#define MSIX_ENABLE 0x8000
#define MSIX_MASKALL 0x4000
#define VEC0 0x43
#define VEC1 0x44
/* Spin bounds: for an interrupt that is due, and for one that must not come. */
#define LONG_WAIT 100000000UL
#define SHORT_WAIT 100000UL

static volatile int count0;
static volatile int count1;

static void handler(int vector) {
    if (vector == VEC0) count0++;
    if (vector == VEC1) count1++;
    lapic_eoi();
}

/* Waits with interrupts on until *counter reaches want, or the spins run out; returns *counter. */
static int wait_count(volatile int *counter, int want, u64 spins) {
    for (u64 i = 0; *counter < want && i < spins; i++) {
        __asm__ volatile("sti; pause; cli");
    }
    return *counter;
}

static void entry(u64 table, int i, u32 data, u32 ctrl) {
    mmio_write32(table + 16 * i + 0, 0xfee00000u);
    mmio_write32(table + 16 * i + 4, 0);
    mmio_write32(table + 16 * i + 8, data);
    mmio_write32(table + 16 * i + 12, ctrl);
}

int guest_main(u64 arg) {
    (void) arg;
    int dev = pci_find(DB_VENDOR, DB_DEVICE);
    if (dev < 0) {
        puts("msix: no doorbell device\n");
        return 1;
    }
    pci_assign_bar(dev, 0, (u32) DB_BAR0);
    pci_write16(dev, 0, 0x04, 0x0006); /* memory decode, bus master */
    int cap = pci_find_cap(dev, 0x11);
    if (!cap) {
        puts("msix: no MSI-X capability\n");
        return 1;
    }
    u16 ctrl = pci_read16(dev, 0, cap + 2);
    u32 table_reg = pci_read32(dev, 0, cap + 4);
    u32 pba_reg = pci_read32(dev, 0, cap + 8);
    int vectors = (ctrl & 0x7ff) + 1;
    u64 table = DB_BAR0 + (table_reg & ~7u);
    u64 pba = DB_BAR0 + (pba_reg & ~7u);
    printf("msix: id %x, %d vectors, table bar %d offset %x, pba bar %d offset %x\n",
           mmio_read32(DB_BAR0 + DB_ID), vectors, table_reg & 7, table_reg & ~7u, pba_reg & 7, pba_reg & ~7u);
    printf("msix: power-on entry 0 control %x, entry 1 control %x\n",
           mmio_read32(table + 12), mmio_read32(table + 16 + 12));

    idt_setup(handler);
    lapic_enable();
    pci_write16(dev, 0, cap + 2, MSIX_ENABLE | MSIX_MASKALL);
    entry(table, 0, VEC0, 0);
    entry(table, 1, VEC1, 0);
    mmio_write32(DB_BAR0 + DB_DOORBELL, 0); /* function masked: must not arrive */
    pci_write16(dev, 0, cap + 2, MSIX_ENABLE);
    printf("msix: entry 0 data %x, entry 1 data %x, control %x\n",
           mmio_read32(table + 8), mmio_read32(table + 16 + 8), pci_read16(dev, 0, cap + 2));

    /* Vector 1's interrupt takes the same path: once it is in, one raised before it would be too. */
    mmio_write32(DB_BAR0 + DB_DOORBELL, 1);
    wait_count(&count1, 1, LONG_WAIT);
    int function_masked = count0;
    mmio_write32(DB_BAR0 + DB_DOORBELL, 0);
    wait_count(&count0, 1, LONG_WAIT);
    printf("msix: both rung: vector %x x%d, vector %x x%d\n", VEC0, count0, VEC1, count1);

    mmio_write32(table + 16 + 12, 1); /* mask entry 1 */
    checkpoint(1);
    mmio_write32(DB_BAR0 + DB_DOORBELL, 1);
    mmio_write32(DB_BAR0 + DB_DOORBELL, 0);
    wait_count(&count0, 2, LONG_WAIT);
    int while_masked = wait_count(&count1, 2, SHORT_WAIT);
    printf("msix: entry 1 masked: vector %x x%d, vector %x x%d, pba %x\n", VEC0, count0, VEC1, while_masked,
           mmio_read32(pba));

    mmio_write32(table + 16 + 12, 0); /* unmask entry 1 */
    mmio_write32(DB_BAR0 + DB_DOORBELL, 1);
    wait_count(&count1, 2, LONG_WAIT);
    printf("msix: entry 1 unmasked: vector %x x%d, vector %x x%d\n", VEC0, count0, VEC1, count1);

    pci_write16(dev, 0, cap + 2, 0);
    checkpoint(2);
    mmio_write32(DB_BAR0 + DB_DOORBELL, 0);
    int after_disable = wait_count(&count0, 3, SHORT_WAIT);
    printf("msix: disabled: vector %x x%d, doorbells sent %u, dropped %u\n", VEC0, after_disable,
           mmio_read32(DB_BAR0 + DB_DOORBELL), mmio_read32(DB_BAR0 + DB_DROPPED));

    int ok = vectors == 2 && function_masked == 0 && while_masked == 1 && count0 == 2 && count1 == 2
             && after_disable == 2;
    printf("msix: %s\n", ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}
