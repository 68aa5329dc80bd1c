/*
 * Dynamic DMA windows from the guest: ibm,query-pe-dma-window, ibm,create-pe-dma-window with
 * 64 KiB pages, DMA through the new 64-bit window above 4 GiB (the edu needs a 64-bit DMA mask
 * for that), then ibm,remove-pe-dma-window.
 */
#include "edu_dev.h"

static u8 buf[2][65536] __attribute__((aligned(65536)));

void guest_main(void) {
    if (edu_setup()) return;
    u32 cfg = pci_cfg_addr(edu_devfn, 0), hi = (u32) (phb.buid >> 32), lo = (u32) phb.buid;
    u32 rets[6];
    rtas_call("ibm,query-pe-dma-window", 3, 5, rets, cfg, hi, lo);
    printf("query: status %d, windows available %u, largest block 0x%x pages, page sizes 0x%x, migration %u\n",
           (int) rets[0], rets[1], rets[2], rets[3], rets[4]);
    check(rets[0] == 0 && rets[1] >= 1, "a second window is available");
    check(rets[3] & 2, "64 KiB pages are offered");
    rtas_call("ibm,create-pe-dma-window", 5, 4, rets, cfg, hi, lo, 16u, 30u);
    u32 liobn = rets[1];
    u64 start = (u64) rets[2] << 32 | rets[3];
    printf("create(64 KiB pages, 1 GiB): status %d, liobn 0x%x, start 0x%lx\n", (int) rets[0], liobn, start);
    if (!check(rets[0] == 0 && start >= (1UL << 32), "a 64-bit window above 4 GiB")) return;

    for (int i = 0; i < 512; i++) buf[0][i] = (u8) (i * 13 + 1);
    memset(buf[1], 0x5a, 4096);
    printf("H_PUT_TCE(start, R) = %d, H_PUT_TCE(start + 64 KiB, W) = %d\n",
           (int) hcall(0, H_PUT_TCE, liobn, start, (u64) buf[0] | TCE_READ, 0, 0, 0),
           (int) hcall(0, H_PUT_TCE, liobn, start + 65536, (u64) buf[1] | TCE_WRITE, 0, 0, 0));
    u64 t[4] = {0, 0, 0, 0};
    hcall(t, H_GET_TCE, liobn, start + 65536 + 0x1234, 0, 0, 0, 0);
    printf("H_GET_TCE(start + 64 KiB + 0x1234) = TCE %s\n", t[0] == ((u64) buf[1] | TCE_WRITE) ? "as written" : "other");
    printf("H_PUT_TCE(window end) = %d\n",
           (int) hcall(0, H_PUT_TCE, liobn, start + (1UL << 30), (u64) buf[0] | TCE_READ, 0, 0, 0));
    u32 c = edu_dma(start + 0x100, EDU_BUFFER, 512, 0);
    printf("DMA ioba start+0x100 -> edu, 512 bytes: command 0x%x\n", c);
    c = edu_dma(EDU_BUFFER, start + 65536 + 0x200, 512, EDU_DMA_TO_RAM);
    printf("DMA edu -> ioba start+64KiB+0x200: command 0x%x\n", c);
    check(!memcmp(buf[0] + 0x100, buf[1] + 0x200, 256) && buf[1][0x1ff] == 0x5a,
          "DMA above 4 GiB went through the 64-bit window");
    rtas_call("ibm,remove-pe-dma-window", 1, 1, rets, liobn);
    printf("remove: status %d\n", (int) rets[0]);
    printf("H_PUT_TCE(removed window) = %d\n",
           (int) hcall(0, H_PUT_TCE, liobn, start, (u64) buf[0] | TCE_READ, 0, 0, 0));
    rtas_call("ibm,query-pe-dma-window", 3, 5, rets, cfg, hi, lo);
    printf("query: status %d, windows available %u\n", (int) rets[0], rets[1]);
}
