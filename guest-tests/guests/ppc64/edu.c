/*
 * The edu through PHB 0: MMIO registers, the factorial unit, DMA both ways through TCEs in the
 * default window, a write refused by a read-only TCE, then an unmapped TCE and a DMA to it that
 * must move nothing while the device and the run go on.
 */
#include "edu_dev.h"

static u8 pages[3][4096] __attribute__((aligned(4096)));

static s64 map(u64 ioba, void *page, u64 perm) { return hcall(0, H_PUT_TCE, phb.liobn, ioba, (u64) page | perm, 0, 0, 0); }

static int all(const u8 *p, u8 v, int n) {
    for (int i = 0; i < n; i++)
        if (p[i] != v) return 0;
    return 1;
}

void guest_main(void) {
    if (edu_setup()) return;
    u32 id = edu_read(EDU_ID);
    printf("identification 0x%08x\n", id);
    check(id == 0x010000ed, "edu identification register");
    edu_write(EDU_LIVENESS, 0x12345678);
    u32 live = edu_read(EDU_LIVENESS);
    printf("liveness 0x12345678 -> 0x%08x\n", live);
    check(live == 0xedcba987, "liveness reads back the inverse");
    edu_write(EDU_FACTORIAL, 10);
    u64 spins = 0;
    while ((edu_read(EDU_STATUS) & 1) && spins < 100000000UL) spins++;
    u32 f = edu_read(EDU_FACTORIAL);
    printf("10! = %u\n", f);
    check(f == 3628800, "factorial of 10");

    for (int i = 0; i < 256; i++) pages[0][i] = (u8) (i * 7 + 3);
    memset(pages[1], 0x55, 4096);
    printf("H_PUT_TCE(0x1000, R) = %d, H_PUT_TCE(0x2000, W) = %d\n", (int) map(0x1000, pages[0], TCE_READ),
           (int) map(0x2000, pages[1], TCE_WRITE));
    u32 c = edu_dma(0x1000, EDU_BUFFER, 256, 0);
    printf("DMA ioba 0x1000 -> edu buffer, 256 bytes: command 0x%x\n", c);
    c = edu_dma(EDU_BUFFER, 0x2000, 256, EDU_DMA_TO_RAM);
    printf("DMA edu buffer -> ioba 0x2000, 256 bytes: command 0x%x\n", c);
    check(!memcmp(pages[0], pages[1], 256), "the bytes went through the device and back");
    check(all(pages[1] + 256, 0x55, 4096 - 256), "nothing past the 256 bytes was written");

    memset(pages[2], 0x66, 4096);
    map(0x3000, pages[2], TCE_READ);
    c = edu_dma(EDU_BUFFER, 0x3000, 64, EDU_DMA_TO_RAM);
    printf("DMA to a read-only TCE: command 0x%x\n", c);
    check(all(pages[2], 0x66, 4096), "a read-only TCE refuses the device's write");

    printf("H_PUT_TCE(0x2000, unmap) = %d\n", (int) map(0x2000, 0, 0));
    memset(pages[1], 0x55, 4096);
    c = edu_dma(EDU_BUFFER, 0x2000, 256, EDU_DMA_TO_RAM);
    printf("DMA to the unmapped ioba 0x2000: command 0x%x\n", c);
    check(all(pages[1], 0x55, 4096), "a DMA through an unmapped TCE moves nothing");
    edu_write(EDU_FACTORIAL, 5);
    spins = 0;
    while ((edu_read(EDU_STATUS) & 1) && spins < 100000000UL) spins++;
    f = edu_read(EDU_FACTORIAL);
    printf("after the fault: 5! = %u\n", f);
    check(f == 120, "the device still works after the faulting DMA");
}
