package org.jvmm.qmp;

import java.util.Map;

/**
 * What the monitor asks of a machine: the seam that lets one {@link QmpMonitor} drive x86-toy
 * ({@link X86ToyMonitored}), pseries ({@link PseriesMonitored}) or another machine. Answers are
 * plain values (records, lists, maps) the monitor writes as JSON. A method that means nothing on
 * a machine keeps its default, which answers a {@link QmpError} saying so.
 *
 * <p>The monitor calls these methods one at a time (commands are serialized, as under QEMU's big
 * lock), on a monitor thread, never on a vCPU thread.
 */
public interface MonitoredMachine {
    /** The machine type, as {@code -M} names it. */
    String type();

    /** True when the vCPUs run under KVM (query-kvm's "enabled"). */
    boolean kvm();

    /** Stops the vCPUs and returns once none runs guest code (stop). */
    void pause();

    /** Lets the vCPUs run again (cont); the first call starts a machine made with -S. */
    void resume();

    /** Resets the machine as a power cycle does: devices reset, vCPUs at their entry (system_reset). */
    void reset();

    /** Sends the guest a power-button press (system_powerdown); a guest that does not listen carries on. */
    default void powerdown() {
    }

    /** query-pci: the buses with their devices, in QEMU's PciInfo shape. */
    Object queryPci();

    /** {@code info mtree} ({@code flat}: {@code -f}), QEMU's text. */
    String infoMtree(boolean flat);

    /** {@code info pci}, one block per function. */
    String infoPci();

    /** {@code info iommu}: jvmm's own, the VFIO containers and what they map. */
    String infoIommu();

    /** x-query-iommu: per container (or IOAS), its IOMMU type and live mappings. */
    Object queryIommu();

    /** x-query-faults: IOMMU faults devices met, oldest first. */
    Object queryFaults();

    /** x-query-exits: exits handled, by kind. */
    Object queryExits();

    /** x-query-dma: DMA bytes each device moved into and out of guest memory, and their sums. */
    default Object queryDma() {
        throw QmpError.generic("x-query-dma: the " + type() + " machine keeps no DMA counters");
    }

    /** x-query-irq: interrupts each device sent (MSI/MSI-X per vector, INTx) and, with an XICS, per source. */
    default Object queryIrq() {
        throw QmpError.generic("x-query-irq: the " + type() + " machine keeps no interrupt counters");
    }

    /** x-query-tce: the DMA windows and their entries (sPAPR machines). */
    default Object queryTce() {
        throw QmpError.generic("x-query-tce: the " + type() + " machine has no TCE tables (pseries only)");
    }

    /** x-query-pe: the EEH state of each partitionable endpoint (sPAPR machines). */
    default Object queryPe() {
        throw QmpError.generic("x-query-pe: the " + type() + " machine has no partitionable endpoints (pseries only)");
    }

    /**
     * True when the machine has partitionable endpoints (pseries): only then does the monitor have
     * x-pe-freeze and x-pe-recover, so elsewhere they are CommandNotFound, as QEMU answers a command
     * its target lacks.
     */
    default boolean hasPartitionableEndpoints() {
        return false;
    }

    /**
     * x-pe-freeze: freezes PE {@code pe} (its IOMMU group number) as an injected error does
     * (VFIO_EEH_PE_INJECT_ERR): MMIO reads all-ones, stores dropped, DMA blocked.
     *
     * @throws QmpError naming the PE when the machine has no such PE or it has no EEH
     */
    default void peFreeze(long pe) {
        throw QmpError.commandNotFound("x-pe-freeze");
    }

    /**
     * x-pe-recover: the recovery sequence of the kernel's VFIO documentation on PE {@code pe}
     * (UNFREEZE_IO, RESET_HOT, RESET_DEACTIVATE, CONFIGURE): thawed, its functions reset and
     * their saved BARs and command register restored.
     *
     * @throws QmpError naming the PE when the machine has no such PE or it has no EEH
     */
    default void peRecover(long pe) {
        throw QmpError.commandNotFound("x-pe-recover");
    }

    /**
     * device_add: plugs a device into the running machine. {@code props} holds every member but
     * driver and id, as text.
     *
     * @throws QmpError naming the property and value that cannot be used; the machine is as it was
     */
    default void deviceAdd(String driver, String id, Map<String, String> props) {
        throw QmpError.generic("Bus 'pci.0' does not support hotplugging");
    }

    /**
     * device_del: unplugs the device {@code id} added with that id; it is gone when this returns
     * (jvmm's machines remove at once: no guest handshake).
     *
     * @throws QmpError DeviceNotFound when no device has that id
     */
    default void deviceDel(String id) {
        throw QmpError.deviceNotFound(id);
    }

    /**
     * screendump: writes the display to {@code filename}. The seam for a machine with a display
     * (the mediated display of an mdev); without one, QEMU's answer.
     */
    default void screendump(String filename, String format) {
        throw QmpError.generic("There is no console to take a screendump from");
    }
}
