/*
 * MSI through XICS: ibm,change-msi gives the edu one MSI, ibm,query-interrupt-source-number
 * names its source, ibm,set-xive / ibm,int-on route it to server 0 at priority 5. A DMA with
 * the interrupt bit raises the MSI; the external handler at 0x500 takes it with H_XIRR,
 * acknowledges the edu and EOIs. Then an IPI to itself (H_IPI) through the same path, with its
 * delivery latency in timebase ticks (printed as [tb N]: it differs from run to run on QEMU).
 */
#include "edu_dev.h"

static u8 page[4096] __attribute__((aligned(4096)));
static volatile int msi_seen, ipi_seen, others;
static volatile u32 last_xirr, edu_status_in_handler;
static u32 msi_irq;
static volatile u64 ipi_tb;

void guest_external(void) {
    u64 tb = mftb();
    u64 r[4];
    s64 st = hcall(r, H_XIRR, 0, 0, 0, 0, 0, 0);
    u32 xirr = (u32) r[0];
    u32 xisr = xirr & 0xffffff;
    last_xirr = xirr;
    if (st != H_SUCCESS || xisr == 0) {
        others++;
        return;
    }
    if (xisr == msi_irq) {
        edu_status_in_handler = edu_read(EDU_IRQ_STATUS);
        edu_write(EDU_IRQ_ACK, edu_status_in_handler);
        msi_seen++;
    } else if (xisr == 2) {
        if (!ipi_tb) ipi_tb = tb;
        hcall(0, H_IPI, 0, 0xff, 0, 0, 0, 0);
        ipi_seen++;
    } else {
        others++;
    }
    hcall(0, H_EOI, xirr, 0, 0, 0, 0, 0);
}

static int wait_for(volatile int *flag) {
    mtmsrd_ee(1);
    for (u64 i = 0; i < 200000000UL && !*flag; i++) barrier();
    mtmsrd_ee(0);
    return *flag;
}

void guest_main(void) {
    if (edu_setup()) return;
    u32 cfg = pci_cfg_addr(edu_devfn, 0), hi = (u32) (phb.buid >> 32), lo = (u32) phb.buid;
    u32 rets[4];
    rtas_call("ibm,change-msi", 6, 3, rets, cfg, hi, lo, 1u, 1u, 0u);
    printf("ibm,change-msi(MSI, 1): status %d, vectors %u, seq %u\n", (int) rets[0], rets[1], rets[2]);
    rtas_call("ibm,query-interrupt-source-number", 4, 3, rets, cfg, hi, lo, 0u);
    msi_irq = rets[1];
    printf("ibm,query-interrupt-source-number(0): status %d, source 0x%x\n", (int) rets[0], msi_irq);
    rtas_call("ibm,set-xive", 3, 1, rets, msi_irq, 0u, 5u);
    printf("ibm,set-xive(0x%x, server 0, priority 5): status %d\n", msi_irq, (int) rets[0]);
    rtas_call("ibm,int-on", 1, 1, rets, msi_irq);
    printf("ibm,int-on: status %d\n", (int) rets[0]);
    rtas_call("ibm,get-xive", 1, 3, rets, msi_irq);
    printf("ibm,get-xive: status %d, server %u, priority %u\n", (int) rets[0], rets[1], rets[2]);

    int cap = 0;
    for (u32 at = pci_read(edu_devfn, 0x34, 1, 0) & ~3u, n = 0; at && n < 48; n++) {
        u32 hdr = pci_read(edu_devfn, (int) at, 2, 0);
        if ((hdr & 0xff) == 0x05) {
            cap = (int) at;
            break;
        }
        at = (hdr >> 8) & ~3u;
    }
    if (!cap) fail("the edu has no MSI capability");
    u32 ctl = pci_read(edu_devfn, cap + 2, 2, 0);
    pci_write(edu_devfn, cap + 2, 2, ctl | 1);
    /* where the capability sits is pci-scan's business; this guest checks delivery */
    printf("MSI capability: control 0x%x -> 0x%x\n", ctl, pci_read(edu_devfn, cap + 2, 2, 0));

    printf("H_CPPR(0xff) = %d\n", (int) hcall(0, H_CPPR, 0xff, 0, 0, 0, 0, 0));
    hcall(0, H_PUT_TCE, phb.liobn, 0x1000, (u64) page | TCE_READ, 0, 0, 0);
    edu_dma(0x1000, EDU_BUFFER, 64, EDU_DMA_IRQ);
    check(wait_for(&msi_seen), "the DMA completion MSI arrived as an external interrupt");
    printf("xirr 0x%08x: cppr 0x%x, source 0x%x; edu interrupt status 0x%x in the handler, 0x%x after\n", last_xirr,
           last_xirr >> 24, last_xirr & 0xffffff, edu_status_in_handler, edu_read(EDU_IRQ_STATUS));
    check((last_xirr & 0xffffff) == msi_irq, "XIRR names the MSI's source");

    /* With MSR[EE] on, the IPI is taken as soon as H_IPI returns: the handler's timebase minus
     * the one read before the call is the delivery latency (timebase ticks, 512 MHz). */
    mtmsrd_ee(1);
    u64 t0 = mftb();
    s64 ipi = hcall(0, H_IPI, 0, 5, 0, 0, 0, 0);
    mtmsrd_ee(0);
    printf("H_IPI(server 0, mfrr 5) = %d\n", (int) ipi);
    check(wait_for(&ipi_seen), "the IPI arrived as an external interrupt");
    printf("IPI delivered [tb %lu] ticks after H_IPI was made\n", ipi_tb - t0);
    printf("xirr 0x%08x\n", last_xirr);
    u64 r[4] = {0, 0, 0, 0};
    s64 st = hcall(r, H_IPOLL, 0, 0, 0, 0, 0, 0);
    printf("H_IPOLL = %d: xirr 0x%08x, mfrr 0x%x\n", (int) st, (u32) r[0], (u32) r[1]);
    printf("interrupts: %d MSI, %d IPI, %d other\n", msi_seen, ipi_seen, others);
    check(msi_seen == 1 && ipi_seen == 1 && others == 0, "exactly one MSI and one IPI");
}
