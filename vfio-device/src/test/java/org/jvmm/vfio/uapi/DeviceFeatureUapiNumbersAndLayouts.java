package org.jvmm.vfio.uapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The numbers and struct layouts of VFIO_DEVICE_FEATURE and device migration, as include/uapi/linux/vfio.h has them. */
@DisplayName("A-19 uAPI: VFIO_DEVICE_FEATURE, the migration features and states, vfio_precopy_info")
class DeviceFeatureUapiNumbersAndLayouts {

    private static long off(StructLayout l, String f) {
        return l.byteOffset(MemoryLayout.PathElement.groupElement(f));
    }

    @Test
    @DisplayName("VFIO_DEVICE_FEATURE is _IO(';', 117) = 0x3B75 and VFIO_MIG_GET_PRECOPY_INFO _IO(';', 121) = 0x3B79")
    void ioctlNumbers() {
        assertEquals(0x3B75, VFIO_DEVICE_FEATURE);
        assertEquals(0x3B79, VFIO_MIG_GET_PRECOPY_INFO);
    }

    @Test
    @DisplayName("feature flags: number mask 0xffff, GET bit 16, SET bit 17, PROBE bit 18; features 0..10 in the header's order")
    void featureFlagsAndNumbers() {
        assertEquals(0xffff, VFIO_DEVICE_FEATURE_MASK);
        assertEquals(0x10000, VFIO_DEVICE_FEATURE_GET);
        assertEquals(0x20000, VFIO_DEVICE_FEATURE_SET);
        assertEquals(0x40000, VFIO_DEVICE_FEATURE_PROBE);
        assertEquals(0, VFIO_DEVICE_FEATURE_PCI_VF_TOKEN);
        assertEquals(1, VFIO_DEVICE_FEATURE_MIGRATION);
        assertEquals(2, VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE);
        assertEquals(3, VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY);
        assertEquals(4, VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP);
        assertEquals(5, VFIO_DEVICE_FEATURE_LOW_POWER_EXIT);
        assertEquals(6, VFIO_DEVICE_FEATURE_DMA_LOGGING_START);
        assertEquals(7, VFIO_DEVICE_FEATURE_DMA_LOGGING_STOP);
        assertEquals(8, VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT);
        assertEquals(9, VFIO_DEVICE_FEATURE_MIG_DATA_SIZE);
        assertEquals(10, VFIO_DEVICE_FEATURE_BUS_MASTER);
    }

    @Test
    @DisplayName("migration flags STOP_COPY 1, P2P 2, PRE_COPY 4; states ERROR 0, STOP 1, RUNNING 2, STOP_COPY 3, RESUMING 4, RUNNING_P2P 5, PRE_COPY 6, PRE_COPY_P2P 7")
    void migrationFlagsAndStates() {
        assertEquals(1, VFIO_MIGRATION_STOP_COPY);
        assertEquals(2, VFIO_MIGRATION_P2P);
        assertEquals(4, VFIO_MIGRATION_PRE_COPY);
        int[] states = {VFIO_DEVICE_STATE_ERROR, VFIO_DEVICE_STATE_STOP, VFIO_DEVICE_STATE_RUNNING,
            VFIO_DEVICE_STATE_STOP_COPY, VFIO_DEVICE_STATE_RESUMING, VFIO_DEVICE_STATE_RUNNING_P2P,
            VFIO_DEVICE_STATE_PRE_COPY, VFIO_DEVICE_STATE_PRE_COPY_P2P};
        String[] names = {"ERROR", "STOP", "RUNNING", "STOP_COPY", "RESUMING", "RUNNING_P2P", "PRE_COPY", "PRE_COPY_P2P"};
        for (int i = 0; i < states.length; i++) {
            assertEquals(i, states[i]);
            assertEquals(names[i], DeviceFeature.stateName(i));
        }
        assertEquals(8, VFIO_DEVICE_STATE_NR);
    }

    @Test
    @DisplayName("layouts: header 8 (data at 8), mig_state 8 (data_fd at 4), migration 8, mig_data_size 8, precopy_info 24 (initial_bytes 8, dirty_bytes 16), logging control 24 (ranges 16), range 16, report 32 (bitmap 24)")
    void layouts() {
        assertEquals(8, DeviceFeature.HEADER.byteSize());
        assertEquals(4, DeviceFeature.FLAGS);
        assertEquals(8, DeviceFeature.DATA);
        assertEquals(8, DeviceFeature.MIG_STATE.byteSize());
        assertEquals(4, off(DeviceFeature.MIG_STATE, "data_fd"));
        assertEquals(DeviceFeature.MIG_STATE_DATA_FD, off(DeviceFeature.MIG_STATE, "data_fd"));
        assertEquals(8, DeviceFeature.MIGRATION.byteSize());
        assertEquals(8, DeviceFeature.MIG_DATA_SIZE.byteSize());
        assertEquals(24, DeviceFeature.PRECOPY_INFO.byteSize());
        assertEquals(8, DeviceFeature.PRECOPY_INITIAL_BYTES);
        assertEquals(16, DeviceFeature.PRECOPY_DIRTY_BYTES);
        assertEquals(24, DeviceFeature.DMA_LOGGING_CONTROL.byteSize());
        assertEquals(8, DeviceFeature.LOGGING_NUM_RANGES);
        assertEquals(16, DeviceFeature.LOGGING_RANGES);
        assertEquals(16, DeviceFeature.DMA_LOGGING_RANGE.byteSize());
        assertEquals(32, DeviceFeature.DMA_LOGGING_REPORT.byteSize());
        assertEquals(16, DeviceFeature.REPORT_PAGE_SIZE);
        assertEquals(24, DeviceFeature.REPORT_BITMAP);
    }
}
