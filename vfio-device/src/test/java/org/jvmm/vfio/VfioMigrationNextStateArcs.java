package org.jvmm.vfio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.util.ArrayList;
import java.util.List;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.vfio.uapi.DeviceFeature;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * vfio_mig_get_next_state (drivers/vfio/vfio_main.c): the arcs a combination transition is
 * stepped through, for devices with and without the optional P2P and PRE_COPY states.
 */
@DisplayName("A-19: the migration FSM steps combination transitions arc by arc, as vfio_mig_get_next_state")
class VfioMigrationNextStateArcs {
    private static final long ALL = VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_P2P | VFIO_MIGRATION_PRE_COPY;

    private static String walk(long flags, int from, int to) {
        List<String> path = new ArrayList<>(List.of(DeviceFeature.stateName(from)));
        int cur = from;
        while (cur != to) {
            cur = VfioMigration.nextState(flags, cur, to);
            path.add(DeviceFeature.stateName(cur));
        }
        return String.join(" -> ", path);
    }

    private static void assertEinval(long flags, int from, int to) {
        ErrnoException e = assertThrows(ErrnoException.class, () -> VfioMigration.nextState(flags, from, to));
        assertEquals(Errno.EINVAL, e.errno(), e.getMessage());
        assertEquals("VFIO_DEVICE_FEATURE", e.operation());
    }

    /** The combination transitions vfio_main.c lists for a device with every optional feature. */
    @Test
    @DisplayName("with P2P and PRE_COPY: the kernel's listed multi-arc paths")
    void allFeaturesPaths() {
        assertEquals("RUNNING -> RUNNING_P2P -> STOP -> STOP_COPY", walk(ALL, VFIO_DEVICE_STATE_RUNNING, VFIO_DEVICE_STATE_STOP_COPY));
        assertEquals("RUNNING -> RUNNING_P2P -> STOP -> RESUMING", walk(ALL, VFIO_DEVICE_STATE_RUNNING, VFIO_DEVICE_STATE_RESUMING));
        assertEquals("PRE_COPY -> PRE_COPY_P2P -> STOP_COPY", walk(ALL, VFIO_DEVICE_STATE_PRE_COPY, VFIO_DEVICE_STATE_STOP_COPY));
        assertEquals("PRE_COPY -> RUNNING -> RUNNING_P2P -> STOP -> RESUMING",
                walk(ALL, VFIO_DEVICE_STATE_PRE_COPY, VFIO_DEVICE_STATE_RESUMING));
        assertEquals("RESUMING -> STOP -> RUNNING_P2P -> RUNNING -> PRE_COPY",
                walk(ALL, VFIO_DEVICE_STATE_RESUMING, VFIO_DEVICE_STATE_PRE_COPY));
        assertEquals("RESUMING -> STOP -> STOP_COPY", walk(ALL, VFIO_DEVICE_STATE_RESUMING, VFIO_DEVICE_STATE_STOP_COPY));
        assertEquals("STOP_COPY -> STOP -> RUNNING_P2P -> RUNNING", walk(ALL, VFIO_DEVICE_STATE_STOP_COPY, VFIO_DEVICE_STATE_RUNNING));
        assertEquals("STOP -> RUNNING_P2P -> PRE_COPY_P2P", walk(ALL, VFIO_DEVICE_STATE_STOP, VFIO_DEVICE_STATE_PRE_COPY_P2P));
        assertEquals("PRE_COPY_P2P -> RUNNING_P2P -> RUNNING", walk(ALL, VFIO_DEVICE_STATE_PRE_COPY_P2P, VFIO_DEVICE_STATE_RUNNING));
    }

    /** "Arcs touching optional and unsupported states are skipped over." */
    @Test
    @DisplayName("without P2P the P2P states are skipped: RUNNING -> STOP -> STOP_COPY; PRE_COPY -> STOP_COPY directly")
    void optionalStatesSkipped() {
        long stopCopy = VFIO_MIGRATION_STOP_COPY;
        assertEquals("RUNNING -> STOP -> STOP_COPY", walk(stopCopy, VFIO_DEVICE_STATE_RUNNING, VFIO_DEVICE_STATE_STOP_COPY));
        assertEquals("RESUMING -> STOP -> RUNNING", walk(stopCopy, VFIO_DEVICE_STATE_RESUMING, VFIO_DEVICE_STATE_RUNNING));
        long preCopy = VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_PRE_COPY;
        assertEquals("PRE_COPY -> STOP_COPY", walk(preCopy, VFIO_DEVICE_STATE_PRE_COPY, VFIO_DEVICE_STATE_STOP_COPY));
        assertEquals("STOP -> RUNNING -> PRE_COPY", walk(preCopy, VFIO_DEVICE_STATE_STOP, VFIO_DEVICE_STATE_PRE_COPY));
    }

    @Test
    @DisplayName("EINVAL: a state the flags lack, ERROR, a number past PRE_COPY_P2P, STOP_COPY to a pre-copy state")
    void illegalTargets() {
        assertEinval(VFIO_MIGRATION_STOP_COPY, VFIO_DEVICE_STATE_RUNNING, VFIO_DEVICE_STATE_RUNNING_P2P);
        assertEinval(VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_P2P, VFIO_DEVICE_STATE_RUNNING, VFIO_DEVICE_STATE_PRE_COPY);
        assertEinval(ALL, VFIO_DEVICE_STATE_RUNNING, VFIO_DEVICE_STATE_ERROR);
        assertEinval(ALL, VFIO_DEVICE_STATE_RUNNING, 8);
        assertEinval(ALL, VFIO_DEVICE_STATE_RUNNING, -1);
        assertEinval(ALL, VFIO_DEVICE_STATE_STOP_COPY, VFIO_DEVICE_STATE_PRE_COPY);
        assertEinval(ALL, VFIO_DEVICE_STATE_STOP_COPY, VFIO_DEVICE_STATE_PRE_COPY_P2P);
        assertEinval(ALL, VFIO_DEVICE_STATE_ERROR, VFIO_DEVICE_STATE_RUNNING);
    }

    @Test
    @DisplayName("a single arc: the target itself")
    void singleArc() {
        assertEquals(VFIO_DEVICE_STATE_STOP_COPY, VfioMigration.nextState(ALL, VFIO_DEVICE_STATE_STOP, VFIO_DEVICE_STATE_STOP_COPY));
        assertEquals(VFIO_DEVICE_STATE_PRE_COPY, VfioMigration.nextState(ALL, VFIO_DEVICE_STATE_RUNNING, VFIO_DEVICE_STATE_PRE_COPY));
    }
}
