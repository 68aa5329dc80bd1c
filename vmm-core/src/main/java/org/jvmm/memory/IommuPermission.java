package org.jvmm.memory;

/** What a translation allows (QEMU's IOMMUAccessFlags). */
public enum IommuPermission {
    NONE, READ_ONLY, WRITE_ONLY, READ_WRITE;

    public boolean allows(IommuAccess access) {
        return switch (this) {
            case NONE -> false;
            case READ_ONLY -> access == IommuAccess.READ;
            case WRITE_ONLY -> access == IommuAccess.WRITE;
            case READ_WRITE -> true;
        };
    }

    /** From the two bits read (1) and write (2), as TCEs and VFIO map flags carry them. */
    public static IommuPermission of(boolean read, boolean write) {
        return read ? (write ? READ_WRITE : READ_ONLY) : (write ? WRITE_ONLY : NONE);
    }
}
