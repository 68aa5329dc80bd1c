/*
 * Guest (f): ivshmem's shared memory (BAR2) through vfio-pci. The first touch faults the mapping
 * in; the next 1000 accesses run without exits; with memory decode off the BAR is gone (reads
 * all-ones); with decode back on the next touch faults it in again and the data is still there.
 * Checkpoints let the VMM count exits between the phases.
 */
#include "rt.h"

#define IVSHMEM_VENDOR 0x1af4
#define IVSHMEM_DEVICE 0x1110
#define BAR0 0xc0100000UL
#define BAR2 0xc0200000UL
#define BAR2_MOVED 0xc0400000UL

int guest_main(u64 arg) {
    (void) arg;
    int dev = pci_find(IVSHMEM_VENDOR, IVSHMEM_DEVICE);
    if (dev < 0) {
        puts("bar-fault: ivshmem not found\n");
        return 1;
    }
    pci_assign_bar(dev, 0, (u32) BAR0);
    pci_write32(dev, 0, 0x18, 0xffffffffu);
    pci_write32(dev, 0, 0x1c, 0xffffffffu);
    u32 size = ~(pci_read32(dev, 0, 0x18) & ~0xfu) + 1;
    pci_write32(dev, 0, 0x18, (u32) BAR2);
    pci_write32(dev, 0, 0x1c, 0);
    pci_write16(dev, 0, 0x04, 0x0002);
    volatile u32 *shm = (volatile u32 *) BAR2;
    printf("bar-fault: ivshmem BAR2 %u KiB at 0x%lx\n", size >> 10, BAR2);

    checkpoint(1);
    shm[0] = 0x11111111u;
    checkpoint(2);
    u64 sum = 0;
    for (u32 i = 1; i <= 500; i++) shm[i] = i;
    for (u32 i = 1; i <= 500; i++) sum += shm[i];
    checkpoint(3);
    printf("bar-fault: 1000 accesses after the fault, sum %lu\n", sum);

    pci_write16(dev, 0, 0x04, 0x0000);
    u32 off = shm[0];
    checkpoint(4);
    pci_write16(dev, 0, 0x04, 0x0002);
    u32 on = shm[0];
    checkpoint(5);
    printf("bar-fault: decode off reads 0x%x, decode on again reads 0x%x\n", off, on);
    /* relocate BAR2 while decode is on: the mapping follows, the old place is gone */
    pci_write32(dev, 0, 0x18, (u32) BAR2_MOVED);
    volatile u32 *moved = (volatile u32 *) BAR2_MOVED;
    u32 at_new = moved[500];
    u32 at_old = shm[500];
    checkpoint(6);
    printf("bar-fault: after relocation to 0x%lx reads %u there, 0x%x at the old place\n", BAR2_MOVED, at_new, at_old);
    int ok = sum == 125250 && off == 0xffffffffu && on == 0x11111111u && at_new == 500 && at_old == 0xffffffffu;
    printf("bar-fault: %s\n", ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}
