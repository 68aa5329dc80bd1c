/*
 * pasid-faults (C.6 scenario 3, C-10, C-11, C-14, C-22): four bad DMAs with PASID 5 — a
 * non-canonical GVA, a non-present PTE, a supervisor-only PTE, a write to a read-only PTE — each
 * recorded in the fault recording register with its reason and signalled by the fault event
 * interrupt; then the same four with fault processing disabled in the PASID entry: nothing
 * recorded, no interrupt.
 */
#include "vtd.h"

static const char *names[4] = {"non-canonical", "not present", "user bit clear", "write to read-only"};
static const u64 addrs[4] = {0x0000800000000000UL, GVA + 0x1000, GVA + 0x2000, GVA + 0x3000};
static const u32 want[4] = {0x80, 0x71, 0x81, 0x85};

int guest_main(u64 arg) {
    if (vtd_setup(arg, 0, "pasid-faults") != 0) return 1;
    fs_map(GVA, DATA_PAGE(0), FS_P | FS_RW | FS_US);
    fs_map(GVA + 0x1000, DATA_PAGE(1), 0);
    fs_map(GVA + 0x2000, DATA_PAGE(2), FS_P | FS_RW);
    fs_map(GVA + 0x3000, DATA_PAGE(3), FS_P | FS_US);
    pasid_entry(PASID, 0);
    inv_pasid_cache(PASID);
    inv_wait();
    int pass = 1;
    for (int i = 0; i < 4; i++) {
        int irqs = vtd_fault_irqs;
        pasid_dma(PASID, EDU_BUFFER, addrs[i], 64, 1);
        wait_for(&vtd_fault_irqs, 1000000UL);
        u64 hi = vtd_read64(VTD_FRCD + 8);
        u64 lo = vtd_read64(VTD_FRCD);
        u32 reason = (hi >> 32) & 0xff;
        int ok = (hi >> 63) && reason == want[i] && (hi & 0xffff) == (u64) vtd_sid && (hi >> 31 & 1) && ((hi >> 40) & 0xfffff) == PASID
                 && lo == (addrs[i] & ~0xfffUL) && vtd_fault_irqs == irqs + 1 && (vtd_read32(VTD_FSTS) & 2);
        printf("pasid-faults: %s: reason 0x%x, source %x, PASID %lu, address 0x%lx, %s\n", names[i], reason,
               (u32) (hi & 0xffff), (hi >> 40) & 0xfffff, lo, (hi >> 62 & 1) ? "read" : "write");
        pass &= ok;
        vtd_write32(VTD_FRCD + 12, 0x80000000u); /* clear F */
    }
    pasid_entry(PASID, 1);
    inv_pasid_cache(PASID);
    inv_wait();
    int irqs = vtd_fault_irqs;
    for (int i = 0; i < 4; i++) pasid_dma(PASID, EDU_BUFFER, addrs[i], 64, 1);
    wait_for(&vtd_fault_irqs, 1000000UL);
    int quiet = vtd_fault_irqs == irqs && vtd_read32(VTD_FSTS) == 0 && !(vtd_read64(VTD_FRCD + 8) >> 63);
    printf("pasid-faults: with fault processing disabled: %d interrupts, FSTS 0x%x\n", vtd_fault_irqs - irqs, vtd_read32(VTD_FSTS));
    pass &= quiet;
    printf("pasid-faults: %s\n", pass ? "PASS" : "FAIL");
    return pass ? 0 : 1;
}
