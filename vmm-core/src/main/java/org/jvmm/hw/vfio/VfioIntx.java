package org.jvmm.hw.vfio;

import java.util.List;
import org.jvmm.host.sys.EventFd;
import org.jvmm.kvm.Gsi;
import org.jvmm.kvm.IrqFd;
import org.jvmm.kvm.Vm;
import org.jvmm.vfio.IrqData;
import org.jvmm.vfio.IrqSet;
import org.jvmm.vfio.VfioDevice;
import org.jvmm.vfio.uapi.VfioUapi;

/**
 * A VFIO device's INTx line wired to the guest (QEMU's vfio_intx_enable/disable in
 * hw/vfio/pci.c): a trigger eventfd drives an irqfd on the line's GSI, with a resample eventfd
 * that VFIO uses to unmask the line when the guest EOIs it; neither path exits to the VMM.
 *
 * <p>Threads: the owning {@link VfioPciDevice} calls it from configuration writes (serialized by
 * the PCI bus), reset and close; not thread-safe on its own.
 */
final class VfioIntx {
    private final VfioDevice device;
    private final Vm vm;
    private EventFd trigger;
    private EventFd resample;
    private IrqFd irqFd;

    VfioIntx(VfioDevice device, Vm vm) {
        this.device = device;
        this.vm = vm;
    }

    boolean enabled() {
        return trigger != null;
    }

    /** Wires the line to {@code gsi} and hands VFIO its trigger and unmask eventfds. */
    void enable(int gsi) {
        trigger = EventFd.create();
        resample = EventFd.create();
        irqFd = vm.irqfd(trigger, new Gsi(gsi), resample);
        device.setIrqs(IrqSet.of(VfioUapi.VFIO_IRQ_SET_ACTION_TRIGGER, VfioUapi.VFIO_PCI_INTX_IRQ_INDEX, 0, 1,
                new IrqData.EventFds(List.of(trigger))));
        device.setIrqs(IrqSet.of(VfioUapi.VFIO_IRQ_SET_ACTION_UNMASK, VfioUapi.VFIO_PCI_INTX_IRQ_INDEX, 0, 1,
                new IrqData.EventFds(List.of(resample))));
    }

    /** Takes the trigger from VFIO and closes the irqfd and eventfds; nothing when not enabled. */
    void disable() {
        if (trigger == null) {
            return;
        }
        device.setIrqs(IrqSet.of(VfioUapi.VFIO_IRQ_SET_ACTION_TRIGGER, VfioUapi.VFIO_PCI_INTX_IRQ_INDEX, 0, 0,
                IrqData.none()));
        irqFd.close();
        trigger.close();
        resample.close();
        irqFd = null;
        trigger = null;
        resample = null;
    }
}
