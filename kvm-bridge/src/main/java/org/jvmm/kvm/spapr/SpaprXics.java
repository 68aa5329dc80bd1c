package org.jvmm.kvm.spapr;

/**
 * The sPAPR XICS interrupt controller as an accelerator offers it in the kernel (the role of
 * Linux arch/powerpc/kvm/book3s_xics.c, KVM_DEV_TYPE_XICS): one ICS of {@link #NR_IRQS} sources
 * from global number {@link #IRQ_BASE}, one ICP per vCPU (server number = vCPU id). These are the
 * source operations the kernel exports to its RTAS handler (kvmppc_xics_set_xive, get_xive,
 * int_on, int_off), plus claiming a source as LSI or MSI (QEMU's spapr_irq_claim) and driving a
 * source's input (kvm_set_irq). The VMM's RTAS layer answers the guest with them.
 *
 * <p>Numbering as QEMU 7.2 on a machine running XICS (include/hw/ppc/spapr_irq.h): IPIs are
 * XISR 2; sources from 0x1000; the PCI LSIs of PHB {@code n} from {@link #PCI_LSI_BASE} + 4n; MSIs
 * from {@link #MSI_BASE} to the end of the ICS.
 *
 * <p>Thread-safe: vCPU threads, device threads and the VMM may call at once.
 */
public interface SpaprXics {
    /** XICS_IRQ_BASE: the first source number of the ICS. */
    int IRQ_BASE = 0x1000;
    /** SPAPR_NR_XIRQS: sources in the ICS. */
    int NR_IRQS = 0x1000;
    /** SPAPR_IRQ_PCI_LSI: the first PCI INTx source (PHB index * 4 + pin 0..3 follow). */
    int PCI_LSI_BASE = 0x1200;
    /** SPAPR_IRQ_MSI: the first source of the dynamic MSI range. */
    int MSI_BASE = 0x1300;
    /** Sources in the MSI range (SPAPR_XIRQ_BASE + SPAPR_NR_XIRQS - SPAPR_IRQ_MSI = 0xD00). */
    int NR_MSIS = IRQ_BASE + NR_IRQS - MSI_BASE;
    /** XISR value of an inter-processor interrupt. */
    int IPI = 2;
    /** The priority that masks a source, and the least favoured CPPR/MFRR. */
    int MASKED = 0xff;

    /** What {@link #getXive} reads: the source's server and priority (0xff when masked). */
    record Xive(int server, int priority) {
    }

    /** True when {@code irq} is a source of the ICS (claimed or not), as QEMU's ics_valid_irq. */
    boolean validIrq(long irq);

    /** True when a vCPU has an ICP with server number {@code server}. */
    boolean hasServer(long server);

    /**
     * Claims source {@code irq} as level-sensitive ({@code lsi}) or message-signalled; false when
     * it is already claimed (QEMU: "IRQ is not free"). An invalid number is an
     * IllegalArgumentException (a VMM bug).
     */
    boolean claim(int irq, boolean lsi);

    /**
     * Releases a source: type, server, priority, saved priority and state all zeroed, as QEMU's
     * spapr_irq_free clears the ICS entry (so a source claimed again has priority 0 until the
     * guest sets its XIVE; only a machine reset masks sources).
     */
    void free(int irq);

    /** True when {@code irq} is claimed, and as an LSI when {@code lsi} says so. */
    boolean claimedAs(int irq, boolean lsi);

    /**
     * ibm,set-xive's effect: server, priority and saved priority set, then a masked-pending MSI
     * or an asserted LSI is presented when the priority allows (QEMU hw/intc/xics.c
     * ics_write_xive). The caller has checked the source, the server and priority &lt;= 0xff.
     */
    void setXive(int irq, int server, int priority, int savedPriority);

    /** The source's server, priority and saved priority. */
    int[] xiveState(int irq);

    /** The source's server and current priority. */
    default Xive getXive(int irq) {
        int[] s = xiveState(irq);
        return new Xive(s[0], s[1]);
    }

    /**
     * Times each source fired since the ICS was made (an MSI sent, an LSI asserted from
     * deasserted), for the sources that did, in source order.
     */
    java.util.SortedMap<Integer, Long> firedCounts();

    /** Drives source {@code irq}'s input: an MSI fires on a true level; an LSI follows the level. */
    void setIrq(int irq, boolean level);
}
