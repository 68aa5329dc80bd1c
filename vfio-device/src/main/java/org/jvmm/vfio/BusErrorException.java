package org.jvmm.vfio;

/**
 * An access to a mmap-ed device region that the kernel answers with SIGBUS instead of data: the
 * mapping's memory decode is off (the command register's memory bit is clear) or the mapping was
 * revoked (vfio_pci_mmap_huge_fault). Carries the region, offset and size accessed.
 */
public final class BusErrorException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BusErrorException(String device, int region, long offset, int size, String why) {
        super("SIGBUS: " + device + " region " + region + " offset 0x" + Long.toHexString(offset) + " size " + size
                + ": " + why);
    }
}
