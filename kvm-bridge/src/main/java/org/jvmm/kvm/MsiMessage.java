package org.jvmm.kvm;

/**
 * One MSI: the 64-bit address and 32-bit data a device writes. On x86 the address is
 * 0xFEE00000 | (destination APIC id &lt;&lt; 12) and the low byte of the data is the vector.
 */
public record MsiMessage(long address, int data) {

    /** An x86 fixed, edge-triggered MSI to the LAPIC with id {@code apicId}, vector {@code vector}. */
    public static MsiMessage x86(int apicId, int vector) {
        if (apicId < 0 || apicId > 0xff || vector < 16 || vector > 0xff) {
            throw new IllegalArgumentException("x86 MSI: apic id " + apicId + " (0-255) or vector " + vector
                    + " (16-255) out of range");
        }
        return new MsiMessage(0xFEE0_0000L | ((long) apicId << 12), vector);
    }

    @Override
    public String toString() {
        return "MSI[address=0x" + Long.toHexString(address) + ", data=0x" + Integer.toHexString(data) + "]";
    }
}
