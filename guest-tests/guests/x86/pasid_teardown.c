/*
 * pasid-teardown (C.6 scenario 5): PASID 5 works, then the guest clears its PASID entry and
 * invalidates the PASID cache: the VMM detaches the device's PASID, and a later DMA with it is
 * blocked (nothing moves).
 */
#include "vtd.h"

int guest_main(u64 arg) {
    if (vtd_setup(arg, 0, "pasid-teardown") != 0) return 1;
    fs_map(GVA, DATA_PAGE(0), FS_P | FS_RW | FS_US);
    pasid_entry(PASID, 0);
    inv_pasid_cache(PASID);
    inv_wait();
    fill(DATA_PAGE(0), 0x77, 128);
    int r = pasid_dma(PASID, GVA, EDU_BUFFER, 128, 0);
    fill(DATA_PAGE(0), 0, 128);
    r |= pasid_dma(PASID, EDU_BUFFER, GVA, 128, 1);
    int before = differ(DATA_PAGE(0), 0x77, 128) == 0;
    printf("pasid-teardown: PASID %d bound: DMA %s\n", PASID, before ? "moved the bytes" : "failed");
    pasid_entry_clear(PASID);
    inv_pasid_cache(PASID);
    inv_piotlb_page(PASID, GVA);
    inv_wait();
    fill(DATA_PAGE(0), 0, 128);
    r |= pasid_dma(PASID, EDU_BUFFER, GVA, 128, 1);
    int blocked = differ(DATA_PAGE(0), 0, 128) == 0;
    printf("pasid-teardown: PASID %d torn down: DMA %s\n", PASID, blocked ? "blocked" : "still reached memory");
    int pass = r == 0 && before && blocked;
    printf("pasid-teardown: %s\n", pass ? "PASS" : "FAIL");
    return pass ? 0 : 1;
}
