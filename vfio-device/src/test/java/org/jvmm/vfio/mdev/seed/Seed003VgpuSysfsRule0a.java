package org.jvmm.vfio.mdev.seed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jvmm.devices.mtty.MttyDriver;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.testing.MdevRig;
import org.jvmm.vfio.VfioDevice;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Rule A-0a (seed 003, drivers/vgpu/vgpu_sysfs.c): "vgpu_create parses uuid:instance:type with ':'
 * separators; any parse failure or any failure to create returns EINVAL (the vendor's own errno is
 * discarded). vgpu_destroy of an unknown uuid:instance silently succeeds. vgpu_start/vgpu_shutdown
 * act on instance 0 of the UUID only, and succeed silently when no such vGPU exists."
 */
@DisplayName("seed 003 A-0a: vgpu_create/destroy/start/shutdown as a front over the mainline mdev core")
class Seed003VgpuSysfsRule0a {
    private static final String VM = "c0ffee00-1111-2222-3333-444455556666";
    private static final String DEV = "/sys/devices/virtual/mtty/mtty";

    private static void einval(String op, Executable call) {
        ErrnoException e = assertThrows(ErrnoException.class, call);
        assertEquals(Errno.EINVAL, e.errno(), e.getMessage());
        assertEquals(op, e.operation());
    }

    @Test
    @DisplayName("A-0a: vgpu_supported_types lists ID:name; create makes mdevs (instance 0 named by the VM UUID) that open as VFIO devices")
    void createThroughTheSeedFront() {
        MdevRig rig = new MdevRig();
        MttyDriver.load(rig.bus);
        VgpuSysfs seed = new VgpuSysfs(rig.bus);
        assertEquals("1:Single port serial\n2:Dual port serial\n", seed.read(DEV + "/vgpu_supported_types"));
        assertEquals(40, seed.write(DEV + "/vgpu_create", VM + ":0:2"));
        seed.write(DEV + "/vgpu_create", VM + ":1:1\n");
        assertNotNull(rig.bus.device(VM));
        String second = seed.mdevName(VM, 1);
        assertEquals("3b9a0d5a-ab51-3e2d-b8a3-8e1d14d3b0a6".length(), second.length());
        assertEquals(List.of(VM, second).stream().sorted().toList(), rig.bus.list("/sys/bus/mdev/devices"));
        try (MdevRig.Opened o = rig.open(VM)) {
            VfioDevice d = o.device();
            assertEquals(VM, d.name());
        }
    }

    @Test
    @DisplayName("A-0a: a bad string, an unknown type, a duplicate and an exhausted pool (ENOSPC from the vendor) are all EINVAL")
    void everyCreateFailureIsEinval() {
        MdevRig rig = new MdevRig();
        MttyDriver.load(rig.bus);
        VgpuSysfs seed = new VgpuSysfs(rig.bus);
        String op = "write " + DEV + "/vgpu_create";
        einval(op, () -> seed.write(DEV + "/vgpu_create", VM));
        einval(op, () -> seed.write(DEV + "/vgpu_create", VM + ":x:1"));
        einval(op, () -> seed.write(DEV + "/vgpu_create", VM + ":0:9"));
        einval(op, () -> seed.write(DEV + "/vgpu_create", "not-a-uuid:0:1"));
        seed.write(DEV + "/vgpu_create", VM + ":0:1");
        einval(op, () -> seed.write(DEV + "/vgpu_create", VM + ":0:1"));
        for (int i = 1; i < 12; i++) {
            seed.write(DEV + "/vgpu_create", VM + ":" + i + ":2");
        }
        assertEquals(1, ((MttyDriver) rig.bus.parent("mtty").driver()).availablePorts());
        ErrnoException e = assertThrows(ErrnoException.class, () -> seed.write(DEV + "/vgpu_create", VM + ":12:2"));
        assertEquals(Errno.EINVAL, e.errno(), "the vendor's ENOSPC is discarded");
        assertTrue(e.getMessage().contains("ENOSPC"), e.getMessage());
    }

    @Test
    @DisplayName("A-0a: destroy of an unknown vGPU succeeds; start/shutdown act on instance 0 only and succeed without one")
    void destroyStartShutdown() {
        MdevRig rig = new MdevRig();
        MttyDriver.load(rig.bus);
        VgpuSysfs seed = new VgpuSysfs(rig.bus);
        assertEquals(38, seed.write(DEV + "/vgpu_destroy", VM + ":7"));
        seed.write(DEV + "/vgpu_destroy", "garbage");
        seed.write(VgpuSysfs.CLASS + "/vgpu_start", VM);
        assertFalse(seed.started(VM));
        seed.write(DEV + "/vgpu_create", VM + ":1:1");
        seed.write(VgpuSysfs.CLASS + "/vgpu_start", VM);
        assertFalse(seed.started(VM), "instance 1 is not started by vgpu_start");
        seed.write(DEV + "/vgpu_create", VM + ":0:1");
        seed.write(VgpuSysfs.CLASS + "/vgpu_start", VM + "\n");
        assertTrue(seed.started(VM));
        seed.write(VgpuSysfs.CLASS + "/vgpu_shutdown", VM);
        assertFalse(seed.started(VM));
        seed.write(DEV + "/vgpu_destroy", VM + ":0");
        assertNull(rig.bus.device(VM));
        assertEquals(23, ((MttyDriver) rig.bus.parent("mtty").driver()).availablePorts());
    }
}
