package org.jvmm.pci.host.spapr;

/**
 * A PE's error state as the host bridge holds it (Linux arch/powerpc/kernel/eeh_pe.c): whether
 * MMIO and DMA are frozen, and whether a reset is being held. {@link #vfioState()} is what
 * VFIO_EEH_PE_GET_STATE reports.
 */
public record EehState(boolean enabled, boolean mmioFrozen, boolean dmaFrozen, boolean resetActive) {

    /** The VFIO_EEH_PE_STATE_* value: RESET, STOPPED (MMIO frozen), STOPPED_DMA (only DMA frozen), NORMAL; UNAVAIL while EEH is off. */
    public int vfioState() {
        if (!enabled) {
            return 5; // VFIO_EEH_PE_STATE_UNAVAIL
        }
        if (resetActive) {
            return 1; // VFIO_EEH_PE_STATE_RESET
        }
        if (mmioFrozen) {
            return 2; // VFIO_EEH_PE_STATE_STOPPED (MMIO, and DMA unless thawed first)
        }
        if (dmaFrozen) {
            return 4; // VFIO_EEH_PE_STATE_STOPPED_DMA
        }
        return 0; // VFIO_EEH_PE_STATE_NORMAL
    }

    public boolean frozen() {
        return mmioFrozen || dmaFrozen;
    }
}
