/*
 * pasid-pri (C.6 scenario 4, C-23 … C-25): with page requests enabled in the context entry, a DMA
 * to a GVA page that is not present becomes a page request; the guest's handler maps the page and
 * answers SUCCESS, the device retries and completes. A second DMA to another missing page is
 * answered INVALID: the device gives up, nothing is written.
 */
#include "vtd.h"

int guest_main(u64 arg) {
    if (vtd_setup(arg, 1, "pasid-pri") != 0) return 1;
    fs_map(GVA, DATA_PAGE(0), FS_P | FS_RW | FS_US);
    fs_map(GVA + 0x1000, 0, 0);
    fs_map(GVA + 0x2000, 0, 0);
    pasid_entry(PASID, 0);
    inv_pasid_cache(PASID);
    inv_wait();
    fill(DATA_PAGE(0), 0x3c, 512);
    fill(DATA_PAGE(1), 0, 512);
    fill(DATA_PAGE(2), 0, 512);
    int r = pasid_dma(PASID, GVA, EDU_BUFFER, 512, 0);
    prq_answer = 0;
    prq_fill_page = DATA_PAGE(1);
    r |= pasid_dma(PASID, EDU_BUFFER, GVA + 0x1000, 512, 1);
    int served = vtd_prq_irqs == 1 && prq_last_addr == GVA + 0x1000 && differ(DATA_PAGE(1), 0x3c, 512) == 0;
    printf("pasid-pri: page request for 0x%lx answered success: %d bytes differ after the retry\n", prq_last_addr,
           differ(DATA_PAGE(1), 0x3c, 512));
    prq_answer = 1;
    r |= pasid_dma(PASID, EDU_BUFFER, GVA + 0x2000, 512, 1);
    int refused = vtd_prq_irqs == 2 && prq_last_addr == GVA + 0x2000 && differ(DATA_PAGE(2), 0, 512) == 0;
    printf("pasid-pri: page request for 0x%lx answered invalid: the device wrote %s\n", prq_last_addr,
           differ(DATA_PAGE(2), 0, 512) == 0 ? "nothing" : "something");
    int pass = r == 0 && served && refused && vtd_fault_irqs == 0;
    printf("pasid-pri: %s\n", pass ? "PASS" : "FAIL");
    return pass ? 0 : 1;
}
