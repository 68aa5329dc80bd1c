package org.jvmm.host.trace;

/**
 * A second listener for the trace events of this module, beside JFR: the VMM's journal installs
 * one ({@link #install}) to record DMA map/unmap calls, IOMMU faults, device interrupts and guest errors. With none
 * installed an event costs one volatile read.
 */
public interface TraceHook {
    /** DMA map ({@code map}) or unmap of {@code size} bytes at {@code iova}; {@code errno} 0 on success. */
    void dma(boolean map, long iova, long size, int errno);

    /** The IOMMU refused a device's access. */
    void iommuFault(String device, long iova, long size, String access, String reason);

    /** A device raised an interrupt: an MSI/MSI-X {@code vector}, or INTx asserted (vector -1). */
    void interrupt(String device, int vector);

    /** A device refused a guest request (QEMU's LOG_GUEST_ERROR). */
    void guestError(String device, String kind, String message);

    /** The installed hook, or null. */
    static TraceHook installed() {
        return Holder.hook;
    }

    /** Installs {@code hook} (null removes it). */
    static void install(TraceHook hook) {
        Holder.hook = hook;
    }

    /** Where the hook lives (an interface has no mutable fields). */
    final class Holder {
        static volatile TraceHook hook;

        private Holder() {
        }
    }
}
