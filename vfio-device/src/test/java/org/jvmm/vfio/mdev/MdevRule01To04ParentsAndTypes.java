package org.jvmm.vfio.mdev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.jvmm.vfio.mdev.MdevAssertions.assertErrno;

import java.util.List;
import org.jvmm.devices.mtty.MttyDriver;
import org.jvmm.host.Errno;
import org.jvmm.testing.MdevRig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Rules A-1 to A-4 (drivers/vfio/mdev/mdev_core.c, mdev_sysfs.c, Documentation/ABI/testing/sysfs-bus-vfio-mdev). */
@DisplayName("mdev A-1..A-4: a parent registers its types as mdev_supported_types/<driver>-<type>/ with their attributes")
class MdevRule01To04ParentsAndTypes {
    private static final String TYPES = "/sys/class/mdev_bus/mtty/mdev_supported_types";

    /** "one directory per type, named <driver name of the parent device>-<type sysfs_name> ... each with an empty devices/ subdirectory; ... MDEV_STATE=registered". */
    @Test
    @DisplayName("A-1: registering creates the class link, one <driver>-<type> directory per type with an empty devices/, and the registered uevent")
    void registeringCreatesTheTypeDirectoriesAndTheUevent() {
        MdevRig rig = new MdevRig();
        assertEquals(List.of(), rig.bus.list("/sys/class/mdev_bus"));
        MttyDriver.load(rig.bus);
        assertEquals(List.of("mtty"), rig.bus.list("/sys/class/mdev_bus"));
        assertEquals("/sys/devices/virtual/mtty/mtty", rig.bus.readlink("/sys/class/mdev_bus/mtty"));
        assertEquals(List.of("mtty-1", "mtty-2"), rig.bus.list(TYPES));
        assertEquals(List.of(), rig.bus.list(TYPES + "/mtty-1/devices"));
        assertEquals(List.of(), rig.bus.list("/sys/devices/virtual/mtty/mtty/mdev_supported_types/mtty-2/devices"));
        assertEquals(List.of("mtty MDEV_STATE=registered"), rig.bus.uevents());
    }

    /** "removes the class link, removes every mdev child of the parent ..., removes the type directories, then sends MDEV_STATE=unregistered". */
    @Test
    @DisplayName("A-2: unregistering removes the parent's mdevs, its types and sends the unregistered uevent")
    void unregisteringRemovesMdevsTypesAndSendsTheUevent() {
        MdevRig rig = new MdevRig();
        ToyVendor v = new ToyVendor(2);
        MdevParent p = rig.bus.registerParent("toy", "toydrv", v, List.of(new MdevType("a", null)));
        rig.bus.write("/sys/class/mdev_bus/toy/mdev_supported_types/toydrv-a/create", "11111111-2222-3333-4444-555555555555\n");
        assertEquals(List.of("11111111-2222-3333-4444-555555555555"), rig.bus.list("/sys/bus/mdev/devices"));
        rig.bus.unregisterParent(p);
        assertEquals(List.of(), rig.bus.list("/sys/bus/mdev/devices"));
        assertEquals(List.of(), rig.bus.list("/sys/class/mdev_bus"));
        assertErrno(Errno.ENOENT, "ls", () -> rig.bus.list("/sys/devices/virtual/toy/toy/mdev_supported_types"));
        assertEquals(List.of("probe 11111111-2222-3333-4444-555555555555", "release 11111111-2222-3333-4444-555555555555"), v.calls);
        assertEquals(List.of("toy MDEV_STATE=registered", "toy MDEV_STATE=unregistered"), rig.bus.uevents());
    }

    /** "create (write-only), name (the type's pretty name, or its sysfs name when it has none), device_api, available_instances (decimal and newline), description (present only when the driver supplies one) ... Reading an attribute with no show method, or writing one with no store method, is EIO." */
    @Test
    @DisplayName("A-3: each type directory has create, name, device_api, available_instances, devices/ and description only when supplied; EIO across show/store")
    void typeAttributesAndTheirAccess() {
        MdevRig rig = new MdevRig();
        MttyDriver.load(rig.bus);
        assertEquals(List.of("available_instances", "create", "device_api", "devices", "name"), rig.bus.list(TYPES + "/mtty-2"));
        assertEquals("Dual port serial\n", rig.bus.read(TYPES + "/mtty-2/name"));
        assertEquals("Single port serial\n", rig.bus.read(TYPES + "/mtty-1/name"));
        assertEquals("vfio-pci\n", rig.bus.read(TYPES + "/mtty-1/device_api"));
        assertErrno(Errno.EIO, "read " + TYPES + "/mtty-1/create", () -> rig.bus.read(TYPES + "/mtty-1/create"));
        assertErrno(Errno.EIO, "write " + TYPES + "/mtty-1/name", () -> rig.bus.write(TYPES + "/mtty-1/name", "x\n"));
        assertErrno(Errno.EIO, "write " + TYPES + "/mtty-1/available_instances",
                () -> rig.bus.write(TYPES + "/mtty-1/available_instances", "3\n"));
        assertErrno(Errno.ENOENT, "read " + TYPES + "/mtty-1/description", () -> rig.bus.read(TYPES + "/mtty-1/description"));
        assertErrno(Errno.ENOENT, "read " + TYPES + "/mtty-3/name", () -> rig.bus.read(TYPES + "/mtty-3/name"));

        ToyVendor v = new ToyVendor(1);
        v.description = "a toy, 4 KiB of registers";
        rig.bus.registerParent("toy", "toydrv", v, List.of(new MdevType("plain", null)));
        String t = "/sys/class/mdev_bus/toy/mdev_supported_types/toydrv-plain";
        assertEquals(List.of("available_instances", "create", "description", "device_api", "devices", "name"), rig.bus.list(t));
        assertEquals("plain\n", rig.bus.read(t + "/name"));
        assertEquals("a toy, 4 KiB of registers\n", rig.bus.read(t + "/description"));
        assertErrno(Errno.EIO, "write " + t + "/description", () -> rig.bus.write(t + "/description", "x\n"));
    }

    /** "available_instances comes from the driver's get_available(type) when it has one (mtty: free ports divided by ports per instance ...); otherwise from a per-parent counter that starts at max_instances". */
    @Test
    @DisplayName("A-4: available_instances is get_available (mtty ports / ports per type) or the per-parent counter from max_instances")
    void availableInstancesFromGetAvailableOrTheParentCounter() {
        MdevRig rig = new MdevRig();
        MttyDriver.load(rig.bus);
        assertEquals("24\n", rig.bus.read(TYPES + "/mtty-1/available_instances"));
        assertEquals("12\n", rig.bus.read(TYPES + "/mtty-2/available_instances"));
        rig.bus.write(TYPES + "/mtty-1/create", "00000000-0000-0000-0000-000000000001");
        assertEquals("23\n", rig.bus.read(TYPES + "/mtty-1/available_instances"));
        assertEquals("11\n", rig.bus.read(TYPES + "/mtty-2/available_instances")); // 23 / 2: the pool is shared

        ToyVendor v = new ToyVendor(2);
        rig.bus.registerParent("toy", "toydrv", v, List.of(new MdevType("a", null), new MdevType("b", null)));
        String a = "/sys/class/mdev_bus/toy/mdev_supported_types/toydrv-a";
        String b = "/sys/class/mdev_bus/toy/mdev_supported_types/toydrv-b";
        assertEquals("2\n", rig.bus.read(a + "/available_instances"));
        rig.bus.write(b + "/create", "00000000-0000-0000-0000-00000000000b");
        assertEquals("1\n", rig.bus.read(a + "/available_instances")); // one counter per parent
        assertEquals("1\n", rig.bus.read(b + "/available_instances"));
    }

    @Test
    @DisplayName("a second parent of the same name is EEXIST; loading the mdev module twice is EEXIST")
    void duplicateParentAndModule() {
        MdevRig rig = new MdevRig();
        MttyDriver.load(rig.bus);
        assertErrno(Errno.EEXIST, "mdev_register_parent mtty", () -> MttyDriver.load(rig.bus));
        assertErrno(Errno.EEXIST, "init_module mdev", () -> MdevBus.load(rig.vfio));
    }
}
