package org.jvmm.vfio;

import static org.jvmm.vfio.uapi.VfioUapi.*;

import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.vfio.uapi.DeviceFeature;

/**
 * The migration state machine of drivers/vfio/vfio_main.c (vfio_mig_get_next_state): the next
 * arc from one vfio_device_mig_state towards another, for a device with given migration flags.
 *
 * <p>Every state needs STOP_COPY; RUNNING_P2P needs P2P as well, PRE_COPY needs PRE_COPY, and
 * PRE_COPY_P2P needs both. A target the device does not support, out of range, or ERROR is
 * EINVAL. The table routes through the P2P and pre-copy states; a step into a state the device
 * lacks is skipped by looking up the next step from there, so a device without P2P goes
 * RUNNING to STOP directly. From STOP_COPY there is no way into PRE_COPY or PRE_COPY_P2P
 * (EINVAL), and nothing leaves ERROR. Kernels before 7.2 spun forever on the STOP_COPY to
 * pre-copy request (the skip loop never left ERROR); the fix, answered here, is EINVAL.
 */
public final class VfioMigration {
    private VfioMigration() {
    }

    private static final int ERR = VFIO_DEVICE_STATE_ERROR;
    private static final int STOP = VFIO_DEVICE_STATE_STOP;
    private static final int RUN = VFIO_DEVICE_STATE_RUNNING;
    private static final int SC = VFIO_DEVICE_STATE_STOP_COPY;
    private static final int RES = VFIO_DEVICE_STATE_RESUMING;
    private static final int RP2P = VFIO_DEVICE_STATE_RUNNING_P2P;
    private static final int PC = VFIO_DEVICE_STATE_PRE_COPY;
    private static final int PCP2P = VFIO_DEVICE_STATE_PRE_COPY_P2P;

    /**
     * NEXT[from][to]: the first arc on the way from {@code from} to {@code to} when the device has
     * every optional feature. Columns in enum order: ERROR, STOP, RUNNING, STOP_COPY, RESUMING,
     * RUNNING_P2P, PRE_COPY, PRE_COPY_P2P.
     */
    private static final int[][] NEXT = {
        /* ERROR        */ {ERR, ERR, ERR, ERR, ERR, ERR, ERR, ERR},
        /* STOP         */ {ERR, STOP, RP2P, SC, RES, RP2P, RP2P, RP2P},
        /* RUNNING      */ {ERR, RP2P, RUN, RP2P, RP2P, RP2P, PC, RP2P},
        /* STOP_COPY    */ {ERR, STOP, STOP, SC, STOP, STOP, ERR, ERR},
        /* RESUMING     */ {ERR, STOP, STOP, STOP, RES, STOP, STOP, STOP},
        /* RUNNING_P2P  */ {ERR, STOP, RUN, STOP, STOP, RP2P, RUN, PCP2P},
        /* PRE_COPY     */ {ERR, RUN, RUN, PCP2P, RUN, RUN, PC, PCP2P},
        /* PRE_COPY_P2P */ {ERR, RP2P, RP2P, SC, RP2P, RP2P, PC, PCP2P},
    };

    /** The VFIO_MIGRATION_* flags a state needs; ERROR needs all (so no device supports it). */
    static long needs(int state) {
        return switch (state) {
            case VFIO_DEVICE_STATE_RUNNING_P2P -> VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_P2P;
            case VFIO_DEVICE_STATE_PRE_COPY -> VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_PRE_COPY;
            case VFIO_DEVICE_STATE_PRE_COPY_P2P -> VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_P2P | VFIO_MIGRATION_PRE_COPY;
            case VFIO_DEVICE_STATE_ERROR -> -1L;
            default -> VFIO_MIGRATION_STOP_COPY;
        };
    }

    private static boolean supported(long flags, int state) {
        return (needs(state) & flags) == needs(state);
    }

    /**
     * vfio_mig_get_next_state: the next state to step to on the way from {@code current} to
     * {@code target} (equal to {@code target} on the last arc). EINVAL for a target out of range,
     * ERROR, or needing a flag the device lacks, for a current state the device cannot be in,
     * and when no path exists (STOP_COPY to a pre-copy state, anything from ERROR).
     */
    public static int nextState(long migrationFlags, int current, int target) {
        String op = "VFIO_DEVICE_FEATURE";
        if (Integer.compareUnsigned(current, VFIO_DEVICE_STATE_NR) >= 0 || !supported(migrationFlags, current)) {
            throw new ErrnoException(op, Errno.EINVAL, "the device is in state " + DeviceFeature.stateName(current)
                    + ", which its migration flags 0x" + Long.toHexString(migrationFlags) + " do not allow");
        }
        if (Integer.compareUnsigned(target, VFIO_DEVICE_STATE_NR) >= 0 || !supported(migrationFlags, target)) {
            throw new ErrnoException(op, Errno.EINVAL, "device_state " + DeviceFeature.stateName(target)
                    + " is not a state this device supports (migration flags 0x" + Long.toHexString(migrationFlags) + ")");
        }
        int next = NEXT[current][target];
        while (next != ERR && !supported(migrationFlags, next)) { // kernels before 7.2 looped forever at ERROR
            next = NEXT[next][target];
        }
        if (next == ERR) {
            throw new ErrnoException(op, Errno.EINVAL, "no arc leads from " + DeviceFeature.stateName(current)
                    + " to " + DeviceFeature.stateName(target));
        }
        return next;
    }
}
