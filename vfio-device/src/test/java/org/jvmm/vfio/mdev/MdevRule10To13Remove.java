package org.jvmm.vfio.mdev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.jvmm.vfio.mdev.MdevAssertions.assertErrno;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.jvmm.devices.mtty.MttyDriver;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.testing.MdevRig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Rules A-10 to A-13 (mdev_sysfs.c remove_store, mdev_core.c mdev_device_remove, vfio_main.c vfio_unregister_group_dev). */
@DisplayName("mdev A-10..A-13: echo 1 > remove, its errnos, and the wait for an open device")
class MdevRule10To13Remove {
    private static final String U = "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001";
    private static final String REMOVE = "/sys/bus/mdev/devices/" + U + "/remove";
    private static final String TOY = "/sys/class/mdev_bus/toy/mdev_supported_types/toydrv-a/create";

    /** "the value is parsed as an unsigned number in any base; not a number is EINVAL; 0 is accepted and does nothing; any other value removes." */
    @Test
    @DisplayName("A-10: not a number is EINVAL, 0 does nothing, any other number (any base) removes; the remove file is then gone")
    void removeTakesANumber() {
        MdevRig rig = new MdevRig();
        MttyDriver.load(rig.bus);
        rig.bus.write("/sys/class/mdev_bus/mtty/mdev_supported_types/mtty-1/create", U);
        assertErrno(Errno.EINVAL, "write " + REMOVE, () -> rig.bus.write(REMOVE, "yes\n"));
        assertErrno(Errno.EINVAL, "write " + REMOVE, () -> rig.bus.write(REMOVE, ""));
        assertEquals(2, rig.bus.write(REMOVE, "0\n"));
        assertEquals(List.of(U), rig.bus.list("/sys/bus/mdev/devices"));
        assertEquals(4, rig.bus.write(REMOVE, "0x2\n"));
        assertEquals(List.of(), rig.bus.list("/sys/bus/mdev/devices"));
        assertErrno(Errno.ENOENT, "write " + REMOVE, () -> rig.bus.write(REMOVE, "1"));
        assertEquals("24\n", rig.bus.read("/sys/class/mdev_bus/mtty/mdev_supported_types/mtty-1/available_instances"));
    }

    /** "an mdev still being created or already being removed is EAGAIN". */
    @Test
    @DisplayName("A-11: removing an mdev that is still being created is EAGAIN")
    void removingDuringCreateIsEagain() {
        MdevRig rig = new MdevRig();
        ToyVendor v = new ToyVendor(2);
        AtomicReference<ErrnoException> seen = new AtomicReference<>();
        v.duringProbe = m -> {
            try {
                rig.bus.write("/sys/bus/mdev/devices/" + m.name() + "/remove", "1");
            } catch (ErrnoException e) {
                seen.set(e);
            }
        };
        rig.bus.registerParent("toy", "toydrv", v, List.of(new MdevType("a", null)));
        rig.bus.write(TOY, U);
        assertEquals(Errno.EAGAIN, seen.get().errno());
        assertEquals("write " + REMOVE, seen.get().operation());
        assertEquals(List.of(U), rig.bus.list("/sys/bus/mdev/devices"));
    }

    /** "A create or a remove that starts while unregistration holds the lock fails with ENODEV." */
    @Test
    @DisplayName("A-2/A-11: while unregistration waits for an open mdev, create and remove on that parent are ENODEV")
    void createAndRemoveDuringUnregistrationAreEnodev() throws Exception {
        MdevRig rig = new MdevRig();
        ToyVendor v = new ToyVendor(4);
        MdevParent p = rig.bus.registerParent("toy", "toydrv", v, List.of(new MdevType("a", null)));
        String second = "00000000-0000-0000-0000-000000000002";
        rig.bus.write(TOY, U);
        rig.bus.write(TOY, second);
        MdevRig.Opened o = rig.open(U);
        Thread unreg = new Thread(() -> rig.bus.unregisterParent(p));
        unreg.start();
        waitFor(() -> rig.bus.uevents().size() == 1 && rig.bus.list("/sys/class/mdev_bus").isEmpty());
        String create = "/sys/devices/virtual/toy/toy/mdev_supported_types/toydrv-a/create";
        assertErrno(Errno.ENODEV, "write " + create, () -> rig.bus.write(create, "00000000-0000-0000-0000-000000000003"));
        String remove2 = "/sys/bus/mdev/devices/" + second + "/remove";
        assertErrno(Errno.ENODEV, "write " + remove2, () -> rig.bus.write(remove2, "1"));
        assertTrue(unreg.isAlive());
        o.close();
        unreg.join(5000);
        assertFalse(unreg.isAlive());
        assertEquals(List.of(), rig.bus.list("/sys/bus/mdev/devices"));
        assertEquals(List.of("toy MDEV_STATE=registered", "toy MDEV_STATE=unregistered"), rig.bus.uevents());
    }

    /** "Unregistering a VFIO device that is still open blocks the remover until every fd on it is closed. While it waits it calls the driver's request callback ... with a counter 0, 1, 2 … once every 10 seconds". */
    @Test
    @DisplayName("A-12: removing an open mdev calls request(0), request(1) ... until the user closes it, then completes")
    void removingAnOpenMdevAsksThenWaits() throws Exception {
        MdevRig rig = new MdevRig();
        ToyVendor v = new ToyVendor(1);
        v.withRequest = true;
        rig.bus.registerParent("toy", "toydrv", v, List.of(new MdevType("a", null)));
        rig.bus.write(TOY, U);
        MdevDevice m = rig.bus.device(U);
        MdevRig.Opened o = rig.open(U);
        Thread remover = new Thread(() -> rig.bus.write(REMOVE, "1\n"));
        remover.start();
        waitFor(() -> m.requestCount() >= 3);
        assertTrue(remover.isAlive());
        assertEquals(List.of("request " + U + " 0", "request " + U + " 1", "request " + U + " 2"),
                v.calls.stream().filter(c -> c.startsWith("request")).limit(3).toList());
        assertEquals(List.of(U), rig.bus.list("/sys/bus/mdev/devices"));
        assertEquals(List.of("iommu_group", "mdev_type"), rig.bus.list("/sys/bus/mdev/devices/" + U)); // remove is gone
        assertErrno(Errno.ENODEV, "VFIO_GROUP_GET_DEVICE_FD", () -> o.group().getDeviceFd(U)); // no new fd while it waits
        o.device().close();
        remover.join(5000);
        assertFalse(remover.isAlive());
        assertNull(rig.bus.device(U));
        assertErrno(Errno.ENODEV, "VFIO_GROUP_GET_DEVICE_FD", () -> o.group().getDeviceFd(U));
        o.close();
        assertErrno(Errno.ENOENT, "open /dev/vfio/0", () -> org.jvmm.vfio.VfioGroup.open(rig.vfio, 0));
    }

    /** "mtty, mbochs and mdpy have no request callback, so removing an open one simply waits for the user to close it" and "if the waiting task receives a signal it logs that the device is in use and keeps waiting". A-13: "The per-parent instance ... and the vendor's own pool ... come back only when the last reference to the device is dropped". */
    @Test
    @DisplayName("A-12/A-13: an open mtty is removed only on close (no request callback), an interrupt is logged and ignored, the ports return after")
    void anOpenMttyWaitsThroughAnInterruptAndItsPortsReturnAfter() throws Exception {
        MdevRig rig = new MdevRig();
        MttyDriver.load(rig.bus);
        String types = "/sys/class/mdev_bus/mtty/mdev_supported_types/";
        rig.bus.write(types + "mtty-2/create", U);
        MdevDevice m = rig.bus.device(U);
        MdevRig.Opened o = rig.open(U);
        boolean[] interruptedAfter = {false};
        Thread remover = new Thread(() -> {
            rig.bus.write(REMOVE, "1");
            interruptedAfter[0] = Thread.currentThread().isInterrupted();
        });
        remover.start();
        waitFor(() -> !rig.bus.list("/sys/bus/mdev/devices/" + U).contains("remove"));
        remover.interrupt();
        waitFor(() -> !rig.bus.log().isEmpty());
        assertEquals(List.of("device " + U + " is currently in use, remover blocked until it is released"), rig.bus.log());
        assertTrue(remover.isAlive());
        assertEquals(0, m.requestCount());
        assertEquals("11\n", rig.bus.read(types + "mtty-2/available_instances"));
        o.close();
        remover.join(5000);
        assertFalse(remover.isAlive());
        assertTrue(interruptedAfter[0]);
        assertEquals("12\n", rig.bus.read(types + "mtty-2/available_instances"));
    }

    static void waitFor(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached within 5 s");
            }
            Thread.sleep(5);
        }
    }
}
