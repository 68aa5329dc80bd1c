package org.jvmm.kvm;

import org.jvmm.address.GuestAddress;

/** Where an ioeventfd listens: an I/O port or a guest-physical MMIO address. */
public sealed interface IoEventAddress {

    /** The address as struct kvm_ioeventfd's {@code addr}. */
    long raw();

    /** A port in the x86 I/O space (KVM_IOEVENTFD_FLAG_PIO). */
    record Pio(int port) implements IoEventAddress {
        public Pio {
            if (port < 0 || port > 0xffff) {
                throw new IllegalArgumentException("I/O port 0x" + Integer.toHexString(port) + " is outside 0-0xffff");
            }
        }

        @Override
        public long raw() {
            return port;
        }
    }

    /** A guest-physical MMIO address. */
    record Mmio(GuestAddress address) implements IoEventAddress {
        @Override
        public long raw() {
            return address.value();
        }
    }
}
