/*
 * pasid-stale (C.6 scenario 2, C-21): the guest moves a PTE of PASID 5 to another page without
 * invalidating: the device still writes the old page (the IOTLB's translation); after a
 * page-selective PASID-IOTLB invalidation and a wait descriptor it writes the new page.
 */
#include "vtd.h"

int guest_main(u64 arg) {
    if (vtd_setup(arg, 0, "pasid-stale") != 0) return 1;
    fs_map(GVA, DATA_PAGE(0), FS_P | FS_RW | FS_US);
    volatile u64 *pte = fs_map(GVA + 0x1000, DATA_PAGE(1), FS_P | FS_RW | FS_US);
    pasid_entry(PASID, 0);
    inv_pasid_cache(PASID);
    inv_wait();
    fill(DATA_PAGE(0), 0xa5, 256);
    fill(DATA_PAGE(1), 0, 256);
    fill(DATA_PAGE(2), 0, 256);
    int r = pasid_dma(PASID, GVA, EDU_BUFFER, 256, 0);
    r |= pasid_dma(PASID, EDU_BUFFER, GVA + 0x1000, 256, 1); /* caches GVA page 1 -> data page 1 */
    fill(DATA_PAGE(1), 0, 256);
    *pte = DATA_PAGE(2) | FS_P | FS_RW | FS_US; /* no invalidation */
    r |= pasid_dma(PASID, EDU_BUFFER, GVA + 0x1000, 256, 1);
    int old_hit = differ(DATA_PAGE(1), 0xa5, 256) == 0 && differ(DATA_PAGE(2), 0, 256) == 0;
    printf("pasid-stale: PTE changed without invalidation: the DMA wrote the %s page\n", old_hit ? "old" : "new");
    inv_piotlb_page(PASID, GVA + 0x1000);
    int w = inv_wait();
    fill(DATA_PAGE(1), 0, 256);
    r |= pasid_dma(PASID, EDU_BUFFER, GVA + 0x1000, 256, 1);
    int new_hit = differ(DATA_PAGE(2), 0xa5, 256) == 0 && differ(DATA_PAGE(1), 0, 256) == 0;
    printf("pasid-stale: after PASID-IOTLB invalidation and wait: the DMA wrote the %s page\n", new_hit ? "new" : "old");
    int pass = r == 0 && w == 0 && old_hit && new_hit;
    printf("pasid-stale: %s\n", pass ? "PASS" : "FAIL");
    return pass ? 0 : 1;
}
