package org.jvmm.kvm;

/**
 * A global system interrupt number: the input KVM's routing table maps to an irqchip pin or an
 * MSI (on x86 with KVM_CREATE_IRQCHIP, GSIs 0-15 are the PIC/IOAPIC ISA lines and 0-23 the
 * IOAPIC pins by default).
 */
public record Gsi(int value) {
    public Gsi {
        if (value < 0) {
            throw new IllegalArgumentException("GSI " + value + " is negative");
        }
    }

    public static Gsi of(int value) {
        return new Gsi(value);
    }

    @Override
    public String toString() {
        return "gsi " + value;
    }
}
