package org.jvmm.iommu;

/** Access rights of an IOMMU translation, as QEMU's IOMMUAccessFlags (NONE, RO, WO, RW). */
public enum IommuPermission {
    NONE, READ, WRITE, READ_WRITE;

    public static IommuPermission of(boolean read, boolean write) {
        return read ? (write ? READ_WRITE : READ) : (write ? WRITE : NONE);
    }

    public boolean allows(AccessKind kind) {
        return switch (kind) {
            case READ -> this == READ || this == READ_WRITE;
            case WRITE -> this == WRITE || this == READ_WRITE;
        };
    }
}
