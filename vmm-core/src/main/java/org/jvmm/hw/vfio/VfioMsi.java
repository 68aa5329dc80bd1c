package org.jvmm.hw.vfio;

import java.util.List;
import org.jvmm.accel.kvm.GsiRouter;
import org.jvmm.host.sys.EventFd;
import org.jvmm.kvm.Gsi;
import org.jvmm.kvm.IrqFd;
import org.jvmm.kvm.MsiMessage;
import org.jvmm.kvm.Vm;
import org.jvmm.vfio.IrqData;
import org.jvmm.vfio.IrqSet;
import org.jvmm.vfio.VfioDeviceFile;
import org.jvmm.vfio.uapi.VfioUapi;

/**
 * A VFIO device's MSI (one vector) wired to the guest (QEMU's vfio_msi_enable/disable in
 * hw/vfio/pci.c): a GSI routed to the guest's message, an eventfd wired to it with an irqfd and
 * handed to VFIO_DEVICE_SET_IRQS as the vector's trigger; a changed message updates the route.
 *
 * <p>Threads: the owning {@link VfioPciDevice} calls it from configuration writes (serialized by
 * the PCI bus), reset and close; not thread-safe on its own.
 */
final class VfioMsi {
    private final VfioDeviceFile device;
    private final Vm vm;
    private final GsiRouter router;
    private EventFd trigger;
    private IrqFd irqFd;
    private Gsi gsi;
    private MsiMessage message;

    VfioMsi(VfioDeviceFile device, Vm vm, GsiRouter router) {
        this.device = device;
        this.vm = vm;
        this.router = router;
    }

    boolean enabled() {
        return trigger != null;
    }

    /** The GSI of the route while enabled, else null. */
    Gsi gsi() {
        return gsi;
    }

    void enable(MsiMessage msg) {
        message = msg;
        gsi = router.addMsiRoute(msg);
        trigger = EventFd.create();
        irqFd = vm.irqfd(trigger, gsi);
        device.setIrqs(IrqSet.of(VfioUapi.VFIO_IRQ_SET_ACTION_TRIGGER, VfioUapi.VFIO_PCI_MSI_IRQ_INDEX, 0, 1,
                new IrqData.EventFds(List.of(trigger))));
    }

    /** The guest changed the message while MSI is on: the route follows. */
    void update(MsiMessage msg) {
        if (gsi != null && !msg.equals(message)) {
            message = msg;
            router.updateMsiRoute(gsi, msg);
        }
    }

    /** Takes the trigger from VFIO and removes the route; nothing when not enabled. */
    void disable() {
        if (trigger == null) {
            return;
        }
        device.setIrqs(IrqSet.of(VfioUapi.VFIO_IRQ_SET_ACTION_TRIGGER, VfioUapi.VFIO_PCI_MSI_IRQ_INDEX, 0, 0,
                IrqData.none()));
        irqFd.close();
        router.removeMsiRoute(gsi);
        trigger.close();
        irqFd = null;
        trigger = null;
        gsi = null;
        message = null;
    }
}
