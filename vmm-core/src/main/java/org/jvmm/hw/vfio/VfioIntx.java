package org.jvmm.hw.vfio;

import java.util.List;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.host.sys.EventFd;
import org.jvmm.kvm.Gsi;
import org.jvmm.kvm.IrqFd;
import org.jvmm.kvm.Vm;
import org.jvmm.vfio.IrqData;
import org.jvmm.vfio.IrqSet;
import org.jvmm.vfio.VfioDeviceFile;
import org.jvmm.vfio.uapi.VfioUapi;

/**
 * A VFIO device's INTx line wired to the guest (QEMU's vfio_intx_enable/disable in
 * hw/vfio/pci.c): a trigger eventfd drives an irqfd on the line's GSI, with a resample eventfd
 * that VFIO uses to unmask the line when the guest EOIs it; neither path exits to the VMM.
 *
 * When the driver takes no unmask eventfd (mtty answers ENOTTY) a small VMM thread relays the
 * resample to SET_IRQS UNMASK instead.
 *
 * <p>Threads: the owning {@link VfioPciDevice} calls it from configuration writes (serialized by
 * the PCI bus), reset and close; not thread-safe on its own.
 */
final class VfioIntx {
    private final VfioDeviceFile device;
    private final Vm vm;
    private EventFd trigger;
    private EventFd resample;
    private IrqFd irqFd;
    private volatile Thread relay;

    VfioIntx(VfioDeviceFile device, Vm vm) {
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
        try {
            device.setIrqs(IrqSet.of(VfioUapi.VFIO_IRQ_SET_ACTION_TRIGGER, VfioUapi.VFIO_PCI_INTX_IRQ_INDEX, 0, 1,
                    new IrqData.EventFds(List.of(trigger))));
        } catch (RuntimeException e) {
            irqFd.close();
            trigger.close();
            resample.close();
            irqFd = null;
            trigger = null;
            resample = null;
            throw e;
        }
        try {
            device.setIrqs(IrqSet.of(VfioUapi.VFIO_IRQ_SET_ACTION_UNMASK, VfioUapi.VFIO_PCI_INTX_IRQ_INDEX, 0, 1,
                    new IrqData.EventFds(List.of(resample))));
        } catch (ErrnoException e) {
            if (e.errno() != Errno.ENOTTY && e.errno() != Errno.EINVAL) {
                throw e;
            }
            startUnmaskRelay(); // the driver unmasks only by SET_IRQS (mtty: an unmask eventfd is ENOTTY)
        }
    }

    /**
     * The fallback when the driver takes no unmask eventfd (QEMU then handles INTx EOI itself): a
     * VMM thread waits on the resample eventfd KVM signals at the guest's EOI and unmasks the line
     * with SET_IRQS UNMASK (DATA_NONE). Polls every millisecond; the eventfd is non-blocking.
     */
    private void startUnmaskRelay() {
        EventFd fd = resample;
        relay = Thread.ofPlatform().daemon().name("vfio-intx-unmask-" + device.name()).start(() -> {
            while (!Thread.currentThread().isInterrupted() && !fd.isClosed()) {
                try {
                    if (fd.testAndClear()) {
                        device.setIrqs(IrqSet.of(VfioUapi.VFIO_IRQ_SET_ACTION_UNMASK, VfioUapi.VFIO_PCI_INTX_IRQ_INDEX, 0, 1,
                                IrqData.none()));
                    }
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    return; // the fd or the device closed under us: the line is being torn down
                }
            }
        });
    }

    /**
     * QEMU's vfio_intx_eoi for the relayed case, run before every trapped BAR access: when the
     * guest's EOI has signalled the resample eventfd, unmask now, so an access that makes the
     * device interrupt again finds the line unmasked. Nothing when the driver unmasks by eventfd.
     */
    void eoi() {
        EventFd fd = relay != null ? resample : null;
        if (fd != null && !fd.isClosed() && fd.testAndClear()) {
            device.setIrqs(IrqSet.of(VfioUapi.VFIO_IRQ_SET_ACTION_UNMASK, VfioUapi.VFIO_PCI_INTX_IRQ_INDEX, 0, 1,
                    IrqData.none()));
        }
    }

    /** True when INTx unmasking goes through the VMM's relay thread (the driver took no unmask eventfd). */
    boolean relayed() {
        return relay != null;
    }

    /** Takes the trigger from VFIO and closes the irqfd and eventfds; nothing when not enabled. */
    void disable() {
        if (trigger == null) {
            return;
        }
        if (relay != null) {
            relay.interrupt();
            try {
                relay.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            relay = null;
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
