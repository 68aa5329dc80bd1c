package org.jvmm.machine;

import java.util.Map;
import java.util.stream.Collectors;
import org.jvmm.dispatch.ExitKind;

/**
 * What the VMM saw during a run, for the command line and the end-to-end tests: exits by kind,
 * guest accesses trapped to vfio-pci BARs, BAR fault-ins, device DMA bytes, IOMMU maps, unmaps and
 * faults, device interrupts, and guest errors devices recorded.
 *
 * @param exits exits by kind (only kinds that occurred)
 * @param mmioTraps guest accesses to vfio-pci BARs that exited and were carried out by the VMM
 * @param barFaults times a mmap-able BAR was faulted into the guest
 * @param dmaToMemory bytes devices wrote into guest memory through the IOMMU
 * @param dmaFromMemory bytes devices read from guest memory through the IOMMU
 * @param iommuMaps MAP_DMA calls made for guest memory
 * @param iommuUnmaps UNMAP_DMA calls that unmapped something
 * @param iommuFaults DMA the IOMMU refused
 * @param msiMessages MSI messages devices sent
 * @param intxAssertions INTx assertions by devices
 * @param guestErrors requests devices refused because the guest got them wrong (QEMU's LOG_GUEST_ERROR)
 * @param servedDevices devices served by another process over vfio-user: their DMA into shared
 *     guest memory, their IOMMU faults, interrupts and guest errors are seen by that process, not
 *     this one (DMA_READ/DMA_WRITE they sent and the DMA_MAP/UNMAP calls are counted here)
 */
public record RunSummary(Map<ExitKind, Long> exits, long mmioTraps, long barFaults, long dmaToMemory,
        long dmaFromMemory, long iommuMaps, long iommuUnmaps, long iommuFaults, long msiMessages, long intxAssertions,
        long guestErrors, int servedDevices) {

    /** A summary of a machine without devices served by another process. */
    public RunSummary(Map<ExitKind, Long> exits, long mmioTraps, long barFaults, long dmaToMemory, long dmaFromMemory,
            long iommuMaps, long iommuUnmaps, long iommuFaults, long msiMessages, long intxAssertions, long guestErrors) {
        this(exits, mmioTraps, barFaults, dmaToMemory, dmaFromMemory, iommuMaps, iommuUnmaps, iommuFaults, msiMessages,
                intxAssertions, guestErrors, 0);
    }

    public long totalExits() {
        return exits.values().stream().mapToLong(Long::longValue).sum();
    }

    public long dmaBytes() {
        return dmaToMemory + dmaFromMemory;
    }

    public long interrupts() {
        return msiMessages + intxAssertions;
    }

    /** Aligned lines, one fact each; the vfio-user line only when a device is served by another process. */
    public String format() {
        String byKind = exits.entrySet().stream()
                .map(e -> e.getKey().name().toLowerCase(java.util.Locale.ROOT) + " " + e.getValue())
                .collect(Collectors.joining(", "));
        // concatenated, not String.format: a Formatter's first use costs a run some milliseconds
        return "exits          " + totalExits() + " (" + byKind + ")\n"
                + "mmio traps     " + mmioTraps + " (vfio-pci BAR accesses handled by the VMM)\n"
                + "bar faults     " + barFaults + "\n"
                + "dma bytes      " + dmaBytes() + " (" + dmaToMemory + " into guest memory, " + dmaFromMemory
                + " from guest memory)\n"
                + "iommu          " + iommuMaps + " maps, " + iommuUnmaps + " unmaps, " + iommuFaults + " faults\n"
                + "interrupts     " + interrupts() + " (" + msiMessages + " MSI, " + intxAssertions + " INTx)\n"
                + "guest errors   " + guestErrors + " (requests devices refused)\n"
                + (servedDevices == 0 ? "" : "vfio-user      " + servedDevices + " device" + (servedDevices == 1 ? "" : "s")
                        + " served by another process (DMA into shared memory, interrupts and guest errors counted there;"
                        + " DMA_MAP/UNMAP and DMA by messages counted here)" + System.lineSeparator());
    }
}
