package org.jvmm.pci;

/**
 * What a function says it is in config space: vendor and device ID, the 24-bit class code
 * (class, subclass, programming interface), revision, and subsystem IDs.
 */
public record PciIdentity(int vendorId, int deviceId, int classCode, int revision, int subsystemVendorId,
        int subsystemId) {

    public PciIdentity {
        if ((vendorId & ~0xffff) != 0 || (deviceId & ~0xffff) != 0 || (classCode & ~0xffffff) != 0
                || (revision & ~0xff) != 0 || (subsystemVendorId & ~0xffff) != 0 || (subsystemId & ~0xffff) != 0) {
            throw new IllegalArgumentException(String.format("PCI identity out of range: %04x:%04x class 0x%x rev 0x%x",
                    vendorId, deviceId, classCode, revision));
        }
    }

    public static PciIdentity of(int vendorId, int deviceId, int classCode, int revision) {
        return new PciIdentity(vendorId, deviceId, classCode, revision, vendorId, 0);
    }

    /** True for class 0x0604 (PCI-to-PCI bridge). */
    public boolean isBridge() {
        return (classCode >>> 8) == 0x0604;
    }

    /** {@code vvvv:dddd}, as lspci -n prints it. */
    public String ids() {
        return String.format("%04x:%04x", vendorId, deviceId);
    }
}
