/*
 * pasid-dma (reference C.6 scenario 1): the guest builds first-stage tables for a process buffer
 * at a user address, points PASID 5's entry at them, and has edu copy 4 KiB from GVA page 0 into
 * its buffer and back out to GVA page 1, tagged with PASID 5. Every byte is checked.
 */
#include "vtd.h"

int guest_main(u64 arg) {
    if (vtd_setup(arg, 0, "pasid-dma") != 0) return 1;
    fs_map(GVA, DATA_PAGE(0), FS_P | FS_RW | FS_US);
    fs_map(GVA + 0x1000, DATA_PAGE(1), FS_P | FS_RW | FS_US);
    pasid_entry(PASID, 0);
    inv_pasid_cache(PASID);
    if (inv_wait() != 0) {
        puts("pasid-dma: invalidation wait did not complete\n");
        return 1;
    }
    for (int i = 0; i < 4096; i++) ((volatile u8 *) DATA_PAGE(0))[i] = (u8) (i * 13 + 1);
    fill(DATA_PAGE(1), 0, 4096);
    int a = pasid_dma(PASID, GVA, EDU_BUFFER, 4096, 0);
    int b = pasid_dma(PASID, EDU_BUFFER, GVA + 0x1000, 4096, 1);
    int bad = 0;
    for (int i = 0; i < 4096; i++) {
        if (((volatile u8 *) DATA_PAGE(1))[i] != (u8) (i * 13 + 1)) bad++;
    }
    printf("pasid-dma: PASID %d, GVA 0x%lx -> GVA 0x%lx, 8192 bytes moved, %d bytes differ, %d faults\n", PASID, GVA,
           GVA + 0x1000, bad, vtd_fault_irqs);
    int pass = a == 0 && b == 0 && bad == 0 && vtd_fault_irqs == 0;
    printf("pasid-dma: %s\n", pass ? "PASS" : "FAIL");
    return pass ? 0 : 1;
}
