package org.jvmm.journal;

import java.util.Locale;

/** What the journal records, each selectable on its own ({@code -journal DIR,categories=exit,dma}). */
public enum JournalCategory {
    /** How the run was started (the command line and a -qtest script): always recorded. */
    RUN,
    /** Every exit the VMM handled, by kind. */
    EXIT,
    /** MMIO exits: address, length, direction and value. */
    MMIO,
    /** Hypercall exits: number, first arguments and the status answered. */
    HCALL,
    /** VFIO DMA map and unmap calls, with errno. */
    DMA,
    /** DMA the IOMMU refused. */
    IOMMU,
    /** mmap-able BARs faulted into the guest. */
    BAR,
    /** Interrupts devices raised (MSI vector, INTx), and MSI routes added, changed, removed. */
    IRQ,
    /** KVM memslots added and removed. */
    MEMSLOT,
    /** QMP commands run and their outcome. */
    QMP,
    /** Requests devices refused because the guest got them wrong. */
    GUEST_ERROR,
    /** The virtual VT-d: stage-1 walks, invalidations, faults recorded, page requests and responses, PASID bindings. */
    VTD;

    final int bit = 1 << ordinal();

    /** The name on the command line: exit, dma, guest-error ... */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * The category named {@code name}.
     *
     * @throws IllegalArgumentException naming the value and the known names
     */
    public static JournalCategory of(String where, String name) {
        for (JournalCategory c : values()) {
            if (c.cliName().equals(name)) {
                return c;
            }
        }
        StringBuilder known = new StringBuilder();
        for (JournalCategory c : values()) {
            if (c != RUN) {
                known.append(known.isEmpty() ? "" : ", ").append(c.cliName());
            }
        }
        throw new IllegalArgumentException(where + ": unknown category '" + name + "' (known: " + known + ", or all)");
    }
}
