package org.jvmm.vfio.pci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.jvmm.vfio.uapi.VfioUapi.*;

import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.host.sys.EventFd;
import org.jvmm.pci.InterruptSink;
import org.jvmm.testing.DeviceRig;
import org.jvmm.testing.Hosts;
import org.jvmm.vfio.IrqData;
import org.jvmm.vfio.IrqSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

@DisplayName("vfio-pci SET_IRQS: every ACTION x DATA for INTx, MSI, MSI-X, ERR and REQ, with eventfd triggers")
class VfioPciSetIrqs {
    private static final String OP = "VFIO_DEVICE_SET_IRQS";
    private static final int MASK = VFIO_IRQ_SET_ACTION_MASK;
    private static final int UNMASK = VFIO_IRQ_SET_ACTION_UNMASK;
    private static final int TRIGGER = VFIO_IRQ_SET_ACTION_TRIGGER;

    private static void fails(Errno errno, Executable e) {
        ErrnoException x = assertThrows(ErrnoException.class, e);
        assertEquals(errno, x.errno(), x.getMessage());
        assertEquals(OP, x.operation());
    }

    private static InterruptSink line(DeviceRig rig) {
        return rig.seed.platform().function("t", rig.device.address());
    }

    private static VfioPciCore core(DeviceRig rig) {
        return (VfioPciCore) rig.seed.platform().function("t", rig.device.address()).driverData();
    }

    @Test
    void intxFiresOnceThenStaysMaskedUntilUnmask() {
        try (DeviceRig rig = new DeviceRig(Hosts.SOUND)) {
            EventFd trig = rig.eventfd();
            rig.device.setIrqs(IrqSet.of(TRIGGER, 0, 0, 1, IrqData.eventfds(trig)));
            InterruptSink intx = line(rig);
            intx.setIntx(true);
            assertEquals(1, trig.readCount());
            assertEquals(true, core(rig).intxMasked()); // AUTOMASKED
            intx.setIntx(false);
            intx.setIntx(true);
            assertEquals(0, trig.readCount());
            rig.device.setIrqs(IrqSet.of(UNMASK, 0, 0, 1, IrqData.none())); // still asserted: fires again
            assertEquals(1, trig.readCount());
            assertEquals(true, core(rig).intxMasked());
            intx.setIntx(false);
            rig.device.setIrqs(IrqSet.of(UNMASK, 0, 0, 1, IrqData.bools(true)));
            assertEquals(0, trig.readCount());
            assertEquals(false, core(rig).intxMasked());
            rig.device.setIrqs(IrqSet.of(MASK, 0, 0, 1, IrqData.bools(false)));
            assertEquals(false, core(rig).intxMasked());
            rig.device.setIrqs(IrqSet.of(MASK, 0, 0, 1, IrqData.none()));
            intx.setIntx(true);
            assertEquals(0, trig.readCount());
            rig.device.setIrqs(IrqSet.of(UNMASK, 0, 0, 1, IrqData.bools(false)));
            assertEquals(true, core(rig).intxMasked());
            fails(Errno.EINVAL, () -> rig.device.setIrqs(IrqSet.of(MASK, 0, 0, 1, IrqData.eventfds(rig.eventfd()))));
        }
    }

    @Test
    void intxUnmaskEventfdUnmasksWhenSignalled() {
        try (DeviceRig rig = new DeviceRig(Hosts.SOUND)) {
            EventFd trig = rig.eventfd();
            EventFd unmask = rig.eventfd();
            rig.device.setIrqs(IrqSet.of(TRIGGER, 0, 0, 1, IrqData.eventfds(trig)));
            rig.device.setIrqs(IrqSet.of(UNMASK, 0, 0, 1, IrqData.eventfds(unmask)));
            line(rig).setIntx(true);
            line(rig).setIntx(false);
            assertEquals(1, trig.readCount());
            unmask.signal(); // as KVM's resampler would
            line(rig).setIntx(true);
            assertEquals(1, trig.readCount());
        }
    }

    @Test
    void intxTriggerLoopbackDisableAndErrors() {
        try (DeviceRig rig = new DeviceRig(Hosts.SOUND)) {
            fails(Errno.EINVAL, () -> rig.device.setIrqs(IrqSet.of(TRIGGER, 0, 0, 1, IrqData.none()))); // not enabled
            fails(Errno.EINVAL, () -> rig.device.setIrqs(IrqSet.of(MASK, 0, 0, 1, IrqData.none())));
            EventFd trig = rig.eventfd();
            rig.device.setIrqs(IrqSet.of(TRIGGER, 0, 0, 1, IrqData.eventfds(trig)));
            rig.device.setIrqs(IrqSet.of(TRIGGER, 0, 0, 1, IrqData.none()));
            assertEquals(1, trig.readCount());
            rig.device.setIrqs(IrqSet.of(TRIGGER, 0, 0, 1, IrqData.bools(false)));
            assertEquals(0, trig.readCount());
            rig.device.setIrqs(IrqSet.of(TRIGGER, 0, 0, 1, IrqData.bools(true)));
            assertEquals(1, trig.readCount());
            fails(Errno.EINVAL, () -> rig.device.setIrqs(IrqSet.of(TRIGGER, 1, 0, 1, IrqData.eventfds(rig.eventfd())))); // MSI: none on this device
            rig.device.setIrqs(IrqSet.of(TRIGGER, 0, 0, 0, IrqData.none())); // disable
            line(rig).setIntx(true);
            assertEquals(0, trig.readCount());
            fails(Errno.EINVAL, () -> rig.device.setIrqs(IrqSet.of(UNMASK, 0, 0, 1, IrqData.none())));
        }
    }

    @Test
    void msiEnablesWithEventfdsAndExcludesIntx() {
        try (DeviceRig rig = new DeviceRig(Hosts.MSIX_DEV)) {
            EventFd v0 = rig.eventfd();
            EventFd v1 = rig.eventfd();
            InterruptSink dev = line(rig);
            assertEquals(false, dev.msiEnabled());
            rig.device.setIrqs(IrqSet.of(TRIGGER, VFIO_PCI_MSI_IRQ_INDEX, 0, 2, IrqData.eventfds(v0, v1)));
            assertEquals(true, dev.msiEnabled());
            assertEquals(false, dev.msixEnabled());
            dev.signalMsi(1);
            assertEquals(0, v0.readCount());
            assertEquals(1, v1.readCount());
            fails(Errno.EINVAL, () -> rig.device.setIrqs(IrqSet.of(TRIGGER, 0, 0, 1, IrqData.eventfds(rig.eventfd()))));
            fails(Errno.EINVAL, () -> rig.device.setIrqs(IrqSet.of(TRIGGER, VFIO_PCI_MSIX_IRQ_INDEX, 0, 1, IrqData.none())));
            fails(Errno.ENOTTY, () -> rig.device.setIrqs(IrqSet.of(MASK, VFIO_PCI_MSI_IRQ_INDEX, 0, 1, IrqData.none())));
            fails(Errno.ENOTTY, () -> rig.device.setIrqs(IrqSet.of(UNMASK, VFIO_PCI_MSI_IRQ_INDEX, 0, 1, IrqData.none())));
            rig.device.setIrqs(IrqSet.of(TRIGGER, VFIO_PCI_MSI_IRQ_INDEX, 0, 2, IrqData.none())); // loopback all
            assertEquals(1, v0.readCount());
            assertEquals(1, v1.readCount());
            rig.device.setIrqs(IrqSet.of(TRIGGER, VFIO_PCI_MSI_IRQ_INDEX, 0, 2, IrqData.bools(true, false)));
            assertEquals(1, v0.readCount());
            assertEquals(0, v1.readCount());
            rig.device.setIrqs(IrqSet.of(TRIGGER, VFIO_PCI_MSI_IRQ_INDEX, 1, 1, new IrqData.EventFds(java.util.Arrays.asList((EventFd) null))));
            dev.signalMsi(1);
            assertEquals(0, v1.readCount());
            fails(Errno.EINVAL, () -> rig.device.setIrqs(IrqSet.of(TRIGGER, VFIO_PCI_MSI_IRQ_INDEX, 2, 1, IrqData.eventfds(rig.eventfd()))));
            rig.device.setIrqs(IrqSet.of(TRIGGER, VFIO_PCI_MSI_IRQ_INDEX, 0, 0, IrqData.none())); // disable
            assertEquals(false, dev.msiEnabled());
            dev.signalMsi(0);
            assertEquals(0, v0.readCount());
        }
    }

    @Test
    void msixEnablesAndDisables() {
        try (DeviceRig rig = new DeviceRig(Hosts.MSIX_DEV)) {
            EventFd v = rig.eventfd();
            rig.device.setIrqs(IrqSet.of(TRIGGER, VFIO_PCI_MSIX_IRQ_INDEX, 15, 1, IrqData.eventfds(v)));
            assertEquals(true, line(rig).msixEnabled());
            line(rig).signalMsi(15);
            line(rig).signalMsi(3); // no trigger on vector 3
            assertEquals(1, v.readCount());
            fails(Errno.EINVAL, () -> rig.device.setIrqs(IrqSet.of(TRIGGER, VFIO_PCI_MSIX_IRQ_INDEX, 15, 2, IrqData.eventfds(v, v))));
            rig.device.setIrqs(IrqSet.of(TRIGGER, VFIO_PCI_MSIX_IRQ_INDEX, 0, 0, IrqData.none()));
            assertEquals(false, line(rig).msixEnabled());
        }
    }

    @Test
    void errAndReqTriggers() {
        try (DeviceRig rig = new DeviceRig(Hosts.MSIX_DEV)) {
            for (int index : new int[] {VFIO_PCI_ERR_IRQ_INDEX, VFIO_PCI_REQ_IRQ_INDEX}) {
                fails(Errno.EINVAL, () -> rig.device.setIrqs(IrqSet.of(TRIGGER, index, 0, 1, IrqData.none()))); // no trigger yet
                EventFd e = rig.eventfd();
                rig.device.setIrqs(IrqSet.of(TRIGGER, index, 0, 1, IrqData.eventfds(e)));
                rig.device.setIrqs(IrqSet.of(TRIGGER, index, 0, 1, IrqData.none()));
                assertEquals(1, e.readCount());
                rig.device.setIrqs(IrqSet.of(TRIGGER, index, 0, 1, IrqData.bools(true)));
                assertEquals(1, e.readCount());
                fails(Errno.EINVAL, () -> rig.device.setIrqs(IrqSet.of(TRIGGER, index, 0, 0, IrqData.bools())));
                fails(Errno.ENOTTY, () -> rig.device.setIrqs(IrqSet.of(MASK, index, 0, 1, IrqData.none())));
                rig.device.setIrqs(IrqSet.of(TRIGGER, index, 0, 0, IrqData.none())); // tear down
                fails(Errno.EINVAL, () -> rig.device.setIrqs(IrqSet.of(TRIGGER, index, 0, 1, IrqData.none())));
            }
        }
    }

    @Test
    void reqIsSignalledWhenTheHostWantsTheDeviceBack() {
        try (DeviceRig rig = new DeviceRig(Hosts.EDU)) {
            EventFd req = rig.eventfd();
            rig.device.setIrqs(IrqSet.of(TRIGGER, VFIO_PCI_REQ_IRQ_INDEX, 0, 1, IrqData.eventfds(req)));
            ErrnoException e = assertThrows(ErrnoException.class, () -> rig.seed.platform().unbind(Hosts.EDU));
            assertEquals(Errno.EBUSY, e.errno());
            assertEquals(1, req.readCount());
        }
    }

    @Test
    void headerValidation() {
        try (DeviceRig rig = new DeviceRig(Hosts.EDU)) {
            var d = rig.device;
            fails(Errno.EINVAL, () -> d.setIrqs(IrqSet.of(TRIGGER, 5, 0, 1, IrqData.none())));
            fails(Errno.EINVAL, () -> d.setIrqs(IrqSet.of(TRIGGER, 0, 1, 1, IrqData.none())));
            fails(Errno.EINVAL, () -> d.setIrqs(new IrqSet(TRIGGER | 0x40, 0, 0, 1, IrqData.none())));
            fails(Errno.EINVAL, () -> d.setIrqs(new IrqSet(TRIGGER | VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_DATA_BOOL, 0, 0, 1,
                    IrqData.none())));
            fails(Errno.EINVAL, () -> d.setIrqs(new IrqSet(TRIGGER | VFIO_IRQ_SET_DATA_BOOL, 0, 0, 1, IrqData.none())));
            fails(Errno.EINVAL, () -> d.setIrqs(IrqSet.of(TRIGGER, 0, 0, 1, IrqData.bools())));
            fails(Errno.ENOTTY, () -> d.setIrqs(new IrqSet(VFIO_IRQ_SET_DATA_NONE, 0, 0, 1, IrqData.none())));
            fails(Errno.ENOTTY, () -> d.setIrqs(new IrqSet(MASK | UNMASK | VFIO_IRQ_SET_DATA_NONE, 0, 0, 1, IrqData.none())));
            fails(Errno.EINVAL, () -> d.setIrqs(IrqSet.of(TRIGGER, 0, 0, -1, IrqData.none())));
        }
    }
}
