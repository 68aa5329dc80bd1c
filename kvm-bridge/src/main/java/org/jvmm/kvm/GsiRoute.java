package org.jvmm.kvm;

/** One entry of KVM's GSI routing table (struct kvm_irq_routing_entry). */
public sealed interface GsiRoute {

    Gsi gsi();

    /** KVM_IRQ_ROUTING_IRQCHIP: the GSI drives {@code pin} of irqchip {@code chip} (x86: 0 PIC master, 1 PIC slave, 2 IOAPIC). */
    record IrqchipPin(Gsi gsi, int chip, int pin) implements GsiRoute {
        public static final int PIC_MASTER = 0;
        public static final int PIC_SLAVE = 1;
        public static final int IOAPIC = 2;
    }

    /** KVM_IRQ_ROUTING_MSI: raising the GSI sends {@code message}. */
    record Msi(Gsi gsi, MsiMessage message) implements GsiRoute {
    }
}
