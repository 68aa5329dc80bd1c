package org.jvmm.memory;

/** A change of one IOMMU entry, told to notifiers (QEMU's IOMMUTLBEvent). */
public record IommuEvent(Type type, IommuTlbEntry entry) {

    public enum Type {
        /** A valid translation appeared (or changed). */
        MAP,
        /** A translation went away. */
        UNMAP
    }
}
