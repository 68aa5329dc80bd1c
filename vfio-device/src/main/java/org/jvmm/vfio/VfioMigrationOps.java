package org.jvmm.vfio;

/**
 * A driver's migration callbacks (struct vfio_migration_ops) with the migration_flags it
 * registered. A device whose driver offers none answers the migration features ENOTTY.
 * {@link #setState} is the whole migration_set_state: the driver walks from its state to the
 * target one arc at a time with {@link VfioMigration#nextState}, and returns the data file the
 * last arc opened (or null); an {@link org.jvmm.host.ErrnoException} is the ioctl's result.
 */
public interface VfioMigrationOps {

    /** VFIO_MIGRATION_STOP_COPY, optionally with P2P and PRE_COPY. */
    long migrationFlags();

    /** migration_set_state: the data file to hand to the user, or null. */
    MigrationFile setState(int newState);

    /** migration_get_state. */
    int getState();

    /** migration_get_data_size: the estimated stop-copy length in bytes. */
    long dataSize();
}
