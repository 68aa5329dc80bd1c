/*
 * EEH driven by the guest: enable EEH on the edu's PE, freeze it with a DMA outside every DMA
 * window (the edu needs a 64-bit DMA mask to reach one), see MMIO read all-ones and the PE state
 * "stopped", then recover: hot reset through ibm,set-slot-reset, ibm,configure-pe, reassign the
 * BAR, and find the device working. QEMU offers EEH only for VFIO devices: on an emulated edu the
 * first call is a parameter error and the guest says so.
 */
#include "edu_dev.h"

static u32 cfg, hi, lo;

static void state(const char *when) {
    u32 rets[5];
    rtas_call("ibm,read-slot-reset-state2", 3, 4, rets, cfg, hi, lo);
    printf("%s: read-slot-reset-state2 status %d, state %u, eeh %u\n", when, (int) rets[0], rets[1], rets[2]);
}

void guest_main(void) {
    if (edu_setup()) return;
    cfg = pci_cfg_addr(edu_devfn, 0);
    hi = (u32) (phb.buid >> 32);
    lo = (u32) phb.buid;
    u32 rets[4];
    rtas_call("ibm,set-eeh-option", 4, 1, rets, cfg, hi, lo, 1u);
    printf("ibm,set-eeh-option(enable): status %d\n", (int) rets[0]);
    if (rets[0] != 0) {
        printf("EEH is not available for the edu's PE\n");
        return;
    }
    state("at start");
    u64 outside = phb.dma_base + phb.dma_size + 0x10000;
    u32 c = edu_dma(EDU_BUFFER, outside, 64, EDU_DMA_TO_RAM);
    printf("DMA to ioba 0x%lx (outside every window): command 0x%x\n", outside, c);
    u32 id = edu_read(EDU_ID);
    printf("identification after it: 0x%08x\n", id);
    check(id == 0xffffffffu, "MMIO of a frozen PE reads all-ones");
    state("frozen");
    rtas_call("ibm,set-slot-reset", 4, 1, rets, cfg, hi, lo, 1u);
    printf("ibm,set-slot-reset(hot reset): status %d\n", (int) rets[0]);
    rtas_call("ibm,set-slot-reset", 4, 1, rets, cfg, hi, lo, 0u);
    printf("ibm,set-slot-reset(deactivate): status %d\n", (int) rets[0]);
    rtas_call("ibm,configure-pe", 3, 1, rets, cfg, hi, lo);
    printf("ibm,configure-pe: status %d\n", (int) rets[0]);
    state("recovered");
    if (edu_setup()) return;
    id = edu_read(EDU_ID);
    printf("identification after recovery: 0x%08x\n", id);
    check(id == 0x010000ed, "the edu works again after recovery");
}
