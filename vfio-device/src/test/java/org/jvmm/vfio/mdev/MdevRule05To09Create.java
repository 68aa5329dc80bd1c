package org.jvmm.vfio.mdev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.jvmm.vfio.mdev.MdevAssertions.assertErrno;

import java.util.List;
import org.jvmm.devices.mtty.MttyDriver;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.testing.MdevRig;
import org.jvmm.vfio.VfioGroup;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Rules A-5 to A-9 (drivers/vfio/mdev/mdev_sysfs.c create_store, mdev_core.c mdev_device_create, samples). */
@DisplayName("mdev A-5..A-9: echo UUID > create, with the kernel's errnos and order")
class MdevRule05To09Create {
    private static final String M1 = "/sys/class/mdev_bus/mtty/mdev_supported_types/mtty-1";
    private static final String M2 = "/sys/class/mdev_bus/mtty/mdev_supported_types/mtty-2";
    private static final String U = "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001";

    /** "the write must be 36 or 37 bytes long ... otherwise EINVAL; the text must parse as a UUID in 8-4-4-4-12 hex form, otherwise EINVAL (the 37th byte is not checked; case is ignored). On success the write returns its byte count." */
    @Test
    @DisplayName("A-5: 36 or 37 bytes of 8-4-4-4-12 hex, else EINVAL; the 37th byte is not checked; the byte count is returned")
    void createParsesAUuidOfThirtySixOrThirtySevenBytes() {
        MdevRig rig = new MdevRig();
        MttyDriver.load(rig.bus);
        String op = "write " + M1 + "/create";
        assertErrno(Errno.EINVAL, op, () -> rig.bus.write(M1 + "/create", U.substring(1)));
        assertErrno(Errno.EINVAL, op, () -> rig.bus.write(M1 + "/create", U + "\n\n"));
        assertErrno(Errno.EINVAL, op, () -> rig.bus.write(M1 + "/create", "83b8f4f2x509f-382f-3c1e-e6bfe0fa1001"));
        assertErrno(Errno.EINVAL, op, () -> rig.bus.write(M1 + "/create", "g3b8f4f2-509f-382f-3c1e-e6bfe0fa1001"));
        assertEquals(List.of(), rig.bus.list("/sys/bus/mdev/devices"));
        assertEquals(36, rig.bus.write(M1 + "/create", U));
        assertEquals(37, rig.bus.write(M1 + "/create", "00000000-0000-0000-0000-00000000000aZ"));
        assertEquals(37, rig.bus.write(M1 + "/create", "00000000-0000-0000-0000-00000000000B\n"));
        assertEquals(List.of("00000000-0000-0000-0000-00000000000a", "00000000-0000-0000-0000-00000000000b", U),
                rig.bus.list("/sys/bus/mdev/devices"));
    }

    /** "A UUID already used by any mdev on the system, under any parent or type, is EEXIST (comparison is on the 16 binary bytes ...). The mdev device is named by the lowercase form of the UUID." */
    @Test
    @DisplayName("A-6: a UUID in use anywhere (any case) is EEXIST; the mdev is named in lowercase")
    void aUuidInUseAnywhereIsEexist() {
        MdevRig rig = new MdevRig();
        MttyDriver.load(rig.bus);
        ToyVendor v = new ToyVendor(4);
        rig.bus.registerParent("toy", "toydrv", v, List.of(new MdevType("a", null)));
        rig.bus.write(M1 + "/create", U.toUpperCase() + "\n");
        assertEquals(List.of(U), rig.bus.list("/sys/bus/mdev/devices"));
        assertEquals(List.of(U), rig.bus.list(M1 + "/devices"));
        assertErrno(Errno.EEXIST, "write " + M2 + "/create", () -> rig.bus.write(M2 + "/create", U));
        String toy = "/sys/class/mdev_bus/toy/mdev_supported_types/toydrv-a/create";
        assertErrno(Errno.EEXIST, "write " + toy, () -> rig.bus.write(toy, U.toUpperCase()));
        assertEquals(List.of(), v.calls);
        assertEquals("23\n", rig.bus.read(M1 + "/available_instances"));
    }

    /** "When the driver has no get_available and the parent counter is 0, create is EUSERS". A-13: the instance comes back on release. */
    @Test
    @DisplayName("A-7: a core-counted parent with no instance left is EUSERS, before the vendor is asked")
    void noInstanceLeftIsEusers() {
        MdevRig rig = new MdevRig();
        ToyVendor v = new ToyVendor(1);
        rig.bus.registerParent("toy", "toydrv", v, List.of(new MdevType("a", null)));
        String create = "/sys/class/mdev_bus/toy/mdev_supported_types/toydrv-a/create";
        rig.bus.write(create, "00000000-0000-0000-0000-000000000001");
        assertErrno(Errno.EUSERS, "write " + create, () -> rig.bus.write(create, "00000000-0000-0000-0000-000000000002"));
        assertEquals(List.of("probe 00000000-0000-0000-0000-000000000001"), v.calls);
        rig.bus.write("/sys/bus/mdev/devices/00000000-0000-0000-0000-000000000001/remove", "1");
        assertEquals(36, rig.bus.write(create, "00000000-0000-0000-0000-000000000002"));
    }

    /** "any vendor error is returned from the write unchanged (mtty and mbochs: ENOSPC when their port or memory pool is exhausted ...) ... A failure after step 1 removes everything built so far, frees the UUID again and, for core-counted types, returns the instance." */
    @Test
    @DisplayName("A-8: the vendor's probe errno is the write's (mtty ENOSPC past 24 ports); a failed create leaves no trace")
    void theVendorsErrnoIsReturnedAndNothingIsLeft() {
        MdevRig rig = new MdevRig();
        MttyDriver.load(rig.bus);
        for (int i = 0; i < 11; i++) {
            rig.bus.write(M2 + "/create", String.format("00000000-0000-0000-0000-%012d", i));
        }
        rig.bus.write(M1 + "/create", "00000000-0000-0000-0001-000000000000");
        assertEquals("0\n", rig.bus.read(M2 + "/available_instances"));
        assertEquals("1\n", rig.bus.read(M1 + "/available_instances"));
        assertErrno(Errno.ENOSPC, "probe mtty " + U, () -> rig.bus.write(M2 + "/create", U));
        assertEquals(12, rig.bus.list("/sys/bus/mdev/devices").size());
        assertEquals(36, rig.bus.write(M1 + "/create", U)); // the UUID was freed again

        ToyVendor v = new ToyVendor(1);
        v.probeError = new ErrnoException("probe toy", Errno.ENOMEM, "no memory");
        rig.bus.registerParent("toy", "toydrv", v, List.of(new MdevType("a", null)));
        String t = "/sys/class/mdev_bus/toy/mdev_supported_types/toydrv-a";
        assertErrno(Errno.ENOMEM, "probe toy", () -> rig.bus.write(t + "/create", "00000000-0000-0000-0002-000000000000"));
        assertEquals("1\n", rig.bus.read(t + "/available_instances"));
        assertEquals(List.of(), rig.bus.list(t + "/devices"));
    }

    /** "When the write returns 0-or-count, the VFIO group and device already exist." A-9: "The mdev directory holds remove, mdev_type (link), the usual device files including iommu_group, and vendor groups (mtty vendor/sample_mdev_dev ...)". */
    @Test
    @DisplayName("A-8/A-9: after the write the group exists; the mdev directory has remove, mdev_type, iommu_group and mtty's vendor/sample_mdev_dev")
    void afterTheWriteTheGroupAndLinksExist() {
        MdevRig rig = new MdevRig();
        MttyDriver.load(rig.bus);
        rig.bus.write(M2 + "/create", U + "\n");
        String dir = "/sys/bus/mdev/devices/" + U;
        assertEquals(List.of("iommu_group", "mdev_type", "remove", "vendor"), rig.bus.list(dir));
        assertEquals(List.of("sample_mdev_dev"), rig.bus.list(dir + "/vendor"));
        assertEquals("This is MDEV " + U + "\n", rig.bus.read(dir + "/vendor/sample_mdev_dev"));
        assertErrno(Errno.EIO, "read " + dir + "/remove", () -> rig.bus.read(dir + "/remove"));
        assertEquals("/sys/devices/virtual/mtty/mtty/mdev_supported_types/mtty-2", rig.bus.readlink(dir + "/mdev_type"));
        assertEquals("/sys/devices/virtual/mtty/mtty/" + U, rig.bus.readlink(dir));
        assertEquals("/sys/devices/virtual/mtty/mtty/" + U, rig.bus.readlink(M2 + "/devices/" + U));
        String group = rig.bus.readlink(dir + "/iommu_group");
        assertEquals("/sys/kernel/iommu_groups/0", group); // the lowest number no PCI group uses (those start at 10)
        try (VfioGroup g = VfioGroup.open(rig.vfio, 0)) {
            assertEquals(0, g.id());
            assertEquals(true, g.iommuGroup().isEmulated());
        }
        rig.bus.write(M1 + "/create", "00000000-0000-0000-0000-000000000001");
        assertNotEquals(group, rig.bus.readlink("/sys/bus/mdev/devices/00000000-0000-0000-0000-000000000001/iommu_group"));
    }

    @Test
    @DisplayName("paths that do not exist are ENOENT")
    void missingPathsAreEnoent() {
        MdevRig rig = new MdevRig();
        MttyDriver.load(rig.bus);
        assertErrno(Errno.ENOENT, "write /sys/class/mdev_bus/nope/mdev_supported_types/x/create",
                () -> rig.bus.write("/sys/class/mdev_bus/nope/mdev_supported_types/x/create", U));
        assertErrno(Errno.ENOENT, "write /sys/bus/mdev/devices/" + U + "/remove",
                () -> rig.bus.write("/sys/bus/mdev/devices/" + U + "/remove", "1"));
        assertErrno(Errno.ENOENT, "ls", () -> rig.bus.list("/sys/bus/mdev/devices/" + U));
    }
}
