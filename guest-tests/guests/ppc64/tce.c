/*
 * The TCE hypercalls on PHB 0's default window, with their boundary status codes. Where QEMU
 * (hw/ppc/spapr_iommu.c) and KVM's in-kernel handlers (book3s_64_vio.c) answer differently the
 * line prints the status and both answers instead of PASS/FAIL; the suites assert each machine's.
 */
#include "rt.h"

static u8 pages[4][4096] __attribute__((aligned(4096)));
static u64 list[520] __attribute__((aligned(4096)));

static u64 L, W;

static s64 put(u64 liobn, u64 ioba, u64 tce) { return hcall(0, H_PUT_TCE, liobn, ioba, tce, 0, 0, 0); }

static s64 get(u64 ioba, u64 *tce) {
    u64 r[4] = {0, 0, 0, 0};
    s64 st = hcall(r, H_GET_TCE, L, ioba, 0, 0, 0, 0);
    *tce = r[0];
    return st;
}

static void expect(const char *what, s64 st, s64 want) {
    printf("%s = %d: ", what, (int) st);
    check(st == want, want == H_SUCCESS ? "H_SUCCESS" : "H_PARAMETER");
}

static void differs(const char *what, s64 st, s64 qemu, s64 kvm) {
    printf("%s = %d (QEMU %d, KVM in-kernel %d)\n", what, (int) st, (int) qemu, (int) kvm);
}

void guest_main(void) {
    if (phb_init()) fail("no PHB");
    L = phb.liobn;
    W = phb.dma_base + phb.dma_size;
    u64 tce, p0 = (u64) pages[0], p1 = (u64) pages[1];
    printf("liobn 0x%x, window [0x%lx, 0x%lx), 4 KiB pages\n", phb.liobn, phb.dma_base, W);

    expect("H_PUT_TCE(first page, RW)", put(L, 0, p0 | TCE_READ | TCE_WRITE), H_SUCCESS);
    expect("H_GET_TCE(first page)", get(0, &tce), H_SUCCESS);
    check(tce == (p0 | 3), "H_GET_TCE returns the TCE as written");
    expect("H_PUT_TCE(last page, R)", put(L, W - 4096, p1 | TCE_READ), H_SUCCESS);
    expect("H_GET_TCE(last page)", get(W - 4096, &tce), H_SUCCESS);
    check(tce == (p1 | 1), "the last page holds its TCE");
    expect("H_PUT_TCE(window end)", put(L, W, p0 | 3), H_PARAMETER);
    expect("H_GET_TCE(window end)", get(W, &tce), H_PARAMETER);
    expect("H_PUT_TCE(ioba 2^63)", put(L, 1UL << 63, p0 | 3), H_PARAMETER);
    expect("H_PUT_TCE(unknown liobn)", put(L ^ 0x7fff, 0, p0 | 3), H_PARAMETER);
    expect("H_PUT_TCE(liobn with upper bits)", put(L | (1UL << 32), 0, p0 | 3), H_PARAMETER);

    s64 st = put(L, 0x2345, p1 | TCE_WRITE);
    differs("H_PUT_TCE(misaligned ioba 0x2345)", st, H_SUCCESS, H_PARAMETER);
    get(0x2000, &tce);
    printf("H_GET_TCE(0x2000) after it: %s\n", tce == (p1 | 2) ? "the TCE" : "0");

    expect("H_PUT_TCE(first page, clear)", put(L, 0, 0), H_SUCCESS);
    get(0, &tce);
    check(tce == 0, "a cleared TCE reads back 0");

    expect("H_STUFF_TCE(0x10000, 0, 4 pages)", hcall(0, H_STUFF_TCE, L, 0x10000, 0, 4, 0, 0), H_SUCCESS);
    st = hcall(0, H_STUFF_TCE, L, 0x10000, 0, 0, 0, 0);
    differs("H_STUFF_TCE(0 pages)", st, H_PARAMETER, H_SUCCESS);
    st = hcall(0, H_STUFF_TCE, L, 0x20000, p0 | TCE_READ, 2, 0, 0);
    differs("H_STUFF_TCE(value with permission bits)", st, H_SUCCESS, H_PARAMETER);
    get(0x21000, &tce);
    printf("H_GET_TCE(0x21000) after it: %s\n", tce == (p0 | 1) ? "the stuffed TCE" : "0");
    st = hcall(0, H_STUFF_TCE, L, W - 2 * 4096, 0, 4, 0, 0);
    differs("H_STUFF_TCE(2 pages before the end, 4 pages)", st, H_PARAMETER, H_PARAMETER);
    get(W - 4096, &tce);
    printf("H_GET_TCE(last page) after it: %s\n", tce ? "unchanged" : "cleared");
    put(L, W - 4096, p1 | TCE_READ);
    u64 entries = (W - phb.dma_base) / 4096;
    st = hcall(0, H_STUFF_TCE, L, W - 4096, 0, entries + 1, 0, 0);
    printf("H_STUFF_TCE(last page, one more page than the window has) = %d\n", (int) st);
    get(W - 4096, &tce);
    printf("H_GET_TCE(last page) after it: %s\n", tce ? "unchanged" : "cleared");

    for (int i = 0; i < 4; i++) list[i] = cpu_to_be64((u64) pages[i] | TCE_READ | TCE_WRITE);
    expect("H_PUT_TCE_INDIRECT(0x100000, 4 entries)",
           hcall(0, H_PUT_TCE_INDIRECT, L, 0x100000, (u64) list, 4, 0, 0), H_SUCCESS);
    get(0x103000, &tce);
    check(tce == ((u64) pages[3] | 3), "the fourth entry of the list is in place");
    expect("H_PUT_TCE_INDIRECT(513 entries)", hcall(0, H_PUT_TCE_INDIRECT, L, 0x200000, (u64) list, 513, 0, 0),
           H_PARAMETER);
    expect("H_PUT_TCE_INDIRECT(list not 4 KiB aligned)",
           hcall(0, H_PUT_TCE_INDIRECT, L, 0x200000, (u64) list + 8, 2, 0, 0), H_PARAMETER);
    expect("H_PUT_TCE_INDIRECT(unknown liobn)",
           hcall(0, H_PUT_TCE_INDIRECT, L ^ 0x7fff, 0x200000, (u64) list, 2, 0, 0), H_PARAMETER);
    st = hcall(0, H_PUT_TCE_INDIRECT, L, 0x200000, (u64) list, 0, 0, 0);
    differs("H_PUT_TCE_INDIRECT(0 entries)", st, H_PARAMETER, H_SUCCESS);
    st = hcall(0, H_PUT_TCE_INDIRECT, L, W - 2 * 4096, (u64) list, 4, 0, 0);
    differs("H_PUT_TCE_INDIRECT(2 pages before the end, 4 entries)", st, H_PARAMETER, H_PARAMETER);
    get(W - 2 * 4096, &tce);
    printf("H_GET_TCE(end - 2 pages) after it: %s\n", tce ? "written" : "untouched");
    printf("tce: %d failures\n", failures);
}
