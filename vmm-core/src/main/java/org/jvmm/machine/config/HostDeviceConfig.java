package org.jvmm.machine.config;

import org.jvmm.pci.PciAddress;

/**
 * A function of the simulated host, bound to vfio-pci at boot: what a real host has in hardware
 * ({@code -host-device edu,host=ADDR} or {@code -host-device ivshmem,host=ADDR,size=SIZE}).
 *
 * @param sharedMemorySize ivshmem's shared memory (BAR2): a power of two from 4 KiB to
 *     {@link #IVSHMEM_SIZE_MAX}; 0 for edu
 * @param origin where the function came from, for messages: the option as the user gave it
 */
public record HostDeviceConfig(Model model, PciAddress host, long sharedMemorySize, String origin) {
    /** The default ivshmem shared memory (as {@code size=} left out): 1 MiB. */
    public static final long IVSHMEM_SIZE_DEFAULT = 1L << 20;
    /**
     * The largest ivshmem shared memory: half of x86-toy's 64-bit PCI hole, where its BAR2 goes
     * (this package knows no machine; a test holds the two equal).
     */
    public static final long IVSHMEM_SIZE_MAX = 16L << 30;
    private static final long IVSHMEM_SIZE_MIN = 4096;

    /** The device models a host function can be. */
    public enum Model {
        /** QEMU's edu teaching device ({@code org.jvmm.devices.edu}). */
        EDU("edu"),
        /** edu in PASID mode: PCIe PASID, ATS and PRI capabilities, PASID-tagged DMA ({@code EduDevice.withPasid}). */
        EDU_PASID("edu-pasid"),
        /** ivshmem-plain: shared memory in BAR2 ({@code org.jvmm.devices.ivshmem}). */
        IVSHMEM("ivshmem");

        private final String spelling;

        Model(String spelling) {
            this.spelling = spelling;
        }

        /** The driver name as {@code -host-device} takes it. */
        public String spelling() {
            return spelling;
        }

        @Override
        public String toString() {
            return spelling;
        }
    }

    /**
     * @throws IllegalArgumentException naming the origin and the value: an ivshmem size that is
     *     not a power of two from 4K to 16G, a size given to edu
     */
    public HostDeviceConfig {
        if (model == null || host == null || origin == null) {
            throw new IllegalArgumentException("host device config: model, host and origin are required (" + model + ", "
                    + host + ", " + origin + ")");
        }
        switch (model) {
            case EDU, EDU_PASID -> {
                if (sharedMemorySize != 0) {
                    throw new IllegalArgumentException(origin + ": Property 'edu.size' not found (known: host)");
                }
            }
            case IVSHMEM -> {
                if (Long.bitCount(sharedMemorySize) != 1 || Long.compareUnsigned(sharedMemorySize, IVSHMEM_SIZE_MIN) < 0
                        || Long.compareUnsigned(sharedMemorySize, IVSHMEM_SIZE_MAX) > 0) {
                    throw new IllegalArgumentException(origin + ": Parameter 'size' expects a power of two from 4K to "
                            + (IVSHMEM_SIZE_MAX >> 30) + "G (a bare number is MiB): '" + sizeText(sharedMemorySize)
                            + "' is not a power of two from 4K to " + (IVSHMEM_SIZE_MAX >> 30) + "G");
                }
            }
        }
    }

    /** An edu at {@code host}. */
    public static HostDeviceConfig edu(PciAddress host) {
        return new HostDeviceConfig(Model.EDU, host, 0, "-host-device edu,host=" + host);
    }

    /** An edu in PASID mode at {@code host} ({@code -host-device edu-pasid,host=}). */
    public static HostDeviceConfig eduPasid(PciAddress host) {
        return new HostDeviceConfig(Model.EDU_PASID, host, 0, "-host-device edu-pasid,host=" + host);
    }

    /** An ivshmem-plain at {@code host} with {@code size} bytes of shared memory. */
    public static HostDeviceConfig ivshmem(PciAddress host, long size) {
        return new HostDeviceConfig(Model.IVSHMEM, host, size, "-host-device ivshmem,host=" + host + ",size="
                + sizeText(size));
    }

    /** A size as the command line writes it: the largest unit (K, M, G, T) that divides it, or bytes. */
    static String sizeText(long size) {
        String[] units = {"T", "G", "M", "K"};
        for (int i = 0; i < units.length; i++) {
            int shift = 40 - 10 * i;
            if (size != 0 && (size & ((1L << shift) - 1)) == 0) {
                return Long.toUnsignedString(size >>> shift) + units[i];
            }
        }
        return Long.toUnsignedString(size) + "B";
    }
}
