package org.jvmm.machine.config;

import org.jvmm.pci.PciAddress;

/**
 * A host function given to the guest through vfio-pci ({@code -device vfio-pci,host=ADDR,addr=SLOT}).
 *
 * @param host the function of the simulated host
 * @param slot the guest PCI slot on bus 0, 1 to 31 (0 is the host bridge)
 * @param noMmap trap every BAR access instead of mapping the BARs (QEMU's {@code x-no-mmap})
 * @param origin where the device came from, for messages: the option as the user gave it
 */
public record VfioPciConfig(PciAddress host, int slot, boolean noMmap, String origin) {
    /** The highest PCI slot on a bus. */
    public static final int SLOT_MAX = 31;

    /** @throws IllegalArgumentException naming the origin and the slot, when it is not 1 to 31 */
    public VfioPciConfig {
        if (host == null || origin == null) {
            throw new IllegalArgumentException("vfio-pci config: host and origin are required (" + host + ", " + origin + ")");
        }
        if (slot < 1 || slot > SLOT_MAX) {
            throw new IllegalArgumentException(origin + ": Parameter 'addr' expects a PCI slot from 1 to " + SLOT_MAX
                    + " (0 is the host bridge), not " + slot);
        }
    }

    /** {@code host} in {@code slot}, BARs mapped. */
    public static VfioPciConfig of(PciAddress host, int slot) {
        return new VfioPciConfig(host, slot, false, "-device vfio-pci,host=" + host + ",addr=" + slot);
    }

    /** As {@link #of}, with {@code x-no-mmap}. */
    public VfioPciConfig withNoMmap(boolean trapAll) {
        return new VfioPciConfig(host, slot, trapAll, origin + (trapAll ? ",x-no-mmap=on" : ""));
    }
}
