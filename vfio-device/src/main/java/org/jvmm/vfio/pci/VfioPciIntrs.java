package org.jvmm.vfio.pci;

import static org.jvmm.vfio.uapi.VfioUapi.*;

import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.host.sys.EventFd;
import org.jvmm.pci.PciDeviceModel;
import org.jvmm.vfio.IrqData;
import org.jvmm.vfio.IrqSet;

/**
 * vfio-pci's interrupts for one device (Linux drivers/vfio/pci/vfio_pci_intrs.c): the user's
 * eventfds for INTx, MSI, MSI-X, ERR and REQ, VFIO_DEVICE_SET_IRQS, and the device's interrupts
 * forwarded to them.
 *
 * <p>INTx (count 1 with a pin; MASKABLE, AUTOMASKED: the line masks itself when it fires and
 * stays masked until UNMASK, which re-signals while the device still asserts), MSI and MSI-X
 * (NORESIZE; enabled by the first TRIGGER with eventfds, disabled by TRIGGER|DATA_NONE with count
 * 0; MASK/UNMASK are ENOTTY), ERR (PCIe only) and REQ. An UNMASK eventfd (virqfd) is polled when
 * INTx fires and before masking decisions, since nothing here can wait on it.
 *
 * <p>Threads and locks: all state is guarded by this object's {@code lock}. SET_IRQS, open and
 * release come through {@link VfioPciCore} with its monitor held, so the core's monitor comes
 * first and this lock second, never the other way round; the device model signals
 * ({@link #setIntx}, {@link #signalMsi}) from any thread with none of its own locks held, and
 * takes only this lock.
 */
final class VfioPciIntrs {
    enum IrqType { NONE, INTX, MSI, MSIX }

    private final String name;
    private final PciDeviceModel model;
    private final Object lock = new Object();
    private IrqType irqType = IrqType.NONE;
    private EventFd intxTrigger;
    private EventFd intxUnmaskFd;
    private boolean intxMasked;
    private boolean intxLine;
    private EventFd[] msiTriggers = new EventFd[0];
    private EventFd errTrigger;
    private EventFd reqTrigger;

    VfioPciIntrs(String name, PciDeviceModel model) {
        this.name = name;
        this.model = model;
    }

    /** vfio_pci_core_enable: interrupts off, the line low. */
    void enable() {
        synchronized (lock) {
            irqType = IrqType.NONE;
            intxLine = false;
        }
    }

    /** vfio_pci_core_disable: every trigger dropped, interrupts off. */
    void disable() {
        synchronized (lock) {
            clearIntx();
            msiTriggers = new EventFd[0];
            irqType = IrqType.NONE;
            errTrigger = null;
            reqTrigger = null;
        }
    }

    /** Signals the user's REQ eventfd: the host wants the device back. */
    void requestRelease() {
        synchronized (lock) {
            if (reqTrigger != null) {
                reqTrigger.signal();
            }
        }
    }

    IrqType type() {
        synchronized (lock) {
            return irqType;
        }
    }

    /** The count VFIO_DEVICE_GET_IRQ_INFO reports for {@code index}. */
    int irqCount(int index) {
        return switch (index) {
            case VFIO_PCI_INTX_IRQ_INDEX -> model.interruptPin() != 0 ? 1 : 0;
            case VFIO_PCI_MSI_IRQ_INDEX -> model.msiVectors();
            case VFIO_PCI_MSIX_IRQ_INDEX -> model.msix() == null ? 0 : model.msix().tableSize();
            case VFIO_PCI_ERR_IRQ_INDEX -> model.isPcie() ? 1 : 0;
            case VFIO_PCI_REQ_IRQ_INDEX -> 1;
            default -> 0;
        };
    }

    /** VFIO_DEVICE_SET_IRQS (vfio_pci_set_irqs_ioctl); the core holds its monitor. */
    void setIrqs(IrqSet set) {
        String op = "VFIO_DEVICE_SET_IRQS";
        int flags = set.flags();
        int index = set.index();
        int start = set.start();
        int count = set.count();
        if (index < 0 || index >= VFIO_PCI_NUM_IRQS
                || Integer.toUnsignedLong(count) >= 0xffff_ffffL - Integer.toUnsignedLong(start)
                || (flags & ~(VFIO_IRQ_SET_DATA_TYPE_MASK | VFIO_IRQ_SET_ACTION_TYPE_MASK)) != 0) {
            throw new ErrnoException(op, Errno.EINVAL, set + ": bad index, range or flags");
        }
        int max = irqCount(index);
        if (Integer.toUnsignedLong(start) >= max || Integer.toUnsignedLong(start) + Integer.toUnsignedLong(count) > max) {
            throw new ErrnoException(op, Errno.EINVAL, set + ": vectors beyond the " + max + " of index " + index);
        }
        int dataType = flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
        if (dataType != VFIO_IRQ_SET_DATA_NONE && dataType != VFIO_IRQ_SET_DATA_BOOL && dataType != VFIO_IRQ_SET_DATA_EVENTFD) {
            throw new ErrnoException(op, Errno.EINVAL, set + ": exactly one DATA type is needed");
        }
        if (dataType != set.data().typeFlag() || (dataType != VFIO_IRQ_SET_DATA_NONE && set.data().length() < count)) {
            throw new ErrnoException(op, Errno.EINVAL, set + ": data does not match its type or count");
        }
        int action = flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;
        synchronized (lock) {
            switch (index) {
                case VFIO_PCI_INTX_IRQ_INDEX -> {
                    switch (action) {
                        case VFIO_IRQ_SET_ACTION_MASK -> intxMask(op, set);
                        case VFIO_IRQ_SET_ACTION_UNMASK -> intxUnmask(op, set);
                        case VFIO_IRQ_SET_ACTION_TRIGGER -> intxTrigger(op, set);
                        default -> throw noAction(op, set);
                    }
                }
                case VFIO_PCI_MSI_IRQ_INDEX, VFIO_PCI_MSIX_IRQ_INDEX -> {
                    if (action != VFIO_IRQ_SET_ACTION_TRIGGER) {
                        throw noAction(op, set); // masking is not offered for MSI/MSI-X
                    }
                    msiTrigger(op, set, index == VFIO_PCI_MSIX_IRQ_INDEX ? IrqType.MSIX : IrqType.MSI);
                }
                case VFIO_PCI_ERR_IRQ_INDEX, VFIO_PCI_REQ_IRQ_INDEX -> {
                    if (action != VFIO_IRQ_SET_ACTION_TRIGGER) {
                        throw noAction(op, set);
                    }
                    if (start != 0 || count > 1) {
                        throw new ErrnoException(op, Errno.EINVAL, set + ": ERR/REQ have one vector");
                    }
                    EventFd cur = index == VFIO_PCI_ERR_IRQ_INDEX ? errTrigger : reqTrigger;
                    EventFd next = triggerSingle(op, set, cur);
                    if (index == VFIO_PCI_ERR_IRQ_INDEX) {
                        errTrigger = next;
                    } else {
                        reqTrigger = next;
                    }
                }
                default -> throw noAction(op, set);
            }
        }
    }

    private static ErrnoException noAction(String op, IrqSet set) {
        return new ErrnoException(op, Errno.ENOTTY, set + ": no handler for this index and action");
    }

    private void intxMask(String op, IrqSet set) {
        if (irqType != IrqType.INTX || set.start() != 0 || set.count() != 1) {
            throw new ErrnoException(op, Errno.EINVAL, set + ": INTx is not enabled, or not vector 0 alone");
        }
        switch (set.data()) {
            case IrqData.None n -> intxMasked = true;
            case IrqData.Bools b -> {
                if (b.get(0)) {
                    intxMasked = true;
                }
            }
            case IrqData.EventFds e -> throw new ErrnoException(op, Errno.EINVAL, set + ": MASK by eventfd is not supported");
        }
    }

    private void intxUnmask(String op, IrqSet set) {
        if (irqType != IrqType.INTX || set.start() != 0 || set.count() != 1) {
            throw new ErrnoException(op, Errno.EINVAL, set + ": INTx is not enabled, or not vector 0 alone");
        }
        switch (set.data()) {
            case IrqData.None n -> unmaskNow();
            case IrqData.Bools b -> {
                if (b.get(0)) {
                    unmaskNow();
                }
            }
            case IrqData.EventFds e -> intxUnmaskFd = e.fds().get(0);
        }
    }

    /** vfio_pci_intx_unmask: unmask; a still-asserted line fires again and masks again. */
    private void unmaskNow() {
        if (!intxMasked) {
            return;
        }
        intxMasked = false;
        if (intxLine) {
            intxMasked = true;
            if (intxTrigger != null) {
                intxTrigger.signal();
            }
        }
    }

    private void pollUnmaskFd() {
        EventFd fd = intxUnmaskFd;
        if (fd != null && !fd.isClosed() && fd.testAndClear()) {
            unmaskNow();
        }
    }

    private void clearIntx() {
        intxTrigger = null;
        intxUnmaskFd = null;
        intxMasked = false;
        if (irqType == IrqType.INTX) {
            irqType = IrqType.NONE;
        }
    }

    private void intxTrigger(String op, IrqSet set) {
        if (irqType == IrqType.INTX && set.count() == 0 && set.data() instanceof IrqData.None) {
            clearIntx();
            return;
        }
        if (!(irqType == IrqType.INTX || irqType == IrqType.NONE) || set.start() != 0 || set.count() != 1) {
            throw new ErrnoException(op, Errno.EINVAL, set + ": another interrupt type (" + irqType
                    + ") is enabled, or not vector 0 alone");
        }
        if (set.data() instanceof IrqData.EventFds e) {
            EventFd fd = e.fds().get(0);
            if (irqType == IrqType.INTX) {
                intxTrigger = fd;
            } else {
                irqType = IrqType.INTX;
                intxTrigger = fd;
                intxMasked = false;
                if (intxLine) { // a line already asserted fires at once
                    intxMasked = true;
                    if (fd != null) {
                        fd.signal();
                    }
                }
            }
            return;
        }
        if (irqType != IrqType.INTX) {
            throw new ErrnoException(op, Errno.EINVAL, set + ": INTx is not enabled");
        }
        boolean fire = !(set.data() instanceof IrqData.Bools b) || b.get(0);
        if (fire && intxTrigger != null) {
            intxTrigger.signal(); // loopback test of the user's handler
        }
    }

    private void msiTrigger(String op, IrqSet set, IrqType type) {
        if (irqType == type && set.count() == 0 && set.data() instanceof IrqData.None) {
            msiTriggers = new EventFd[0];
            irqType = IrqType.NONE;
            return;
        }
        if (!(irqType == type || irqType == IrqType.NONE)) {
            throw new ErrnoException(op, Errno.EINVAL, set + ": another interrupt type (" + irqType + ") is enabled");
        }
        int start = set.start();
        int count = set.count();
        if (set.data() instanceof IrqData.EventFds e) {
            if (irqType == type) {
                if (start + count > msiTriggers.length) {
                    throw new ErrnoException(op, Errno.EINVAL, set + ": beyond the " + msiTriggers.length + " enabled vectors");
                }
                for (int i = 0; i < count; i++) {
                    msiTriggers[start + i] = e.fds().get(i);
                }
                return;
            }
            int nvec = start + count;
            if (nvec == 0) {
                throw new ErrnoException(op, Errno.EINVAL, set + ": no vectors to enable");
            }
            EventFd[] t = new EventFd[nvec];
            for (int i = 0; i < count; i++) {
                t[start + i] = e.fds().get(i);
            }
            msiTriggers = t;
            irqType = type;
            return;
        }
        if (irqType != type) {
            throw new ErrnoException(op, Errno.EINVAL, set + ": " + type + " is not enabled");
        }
        for (int i = start; i < start + count && i < msiTriggers.length; i++) {
            EventFd fd = msiTriggers[i];
            if (fd == null) {
                continue;
            }
            if (!(set.data() instanceof IrqData.Bools b) || b.get(i - start)) {
                fd.signal();
            }
        }
    }

    /** vfio_pci_set_ctx_trigger_single for ERR and REQ. */
    private static EventFd triggerSingle(String op, IrqSet set, EventFd cur) {
        switch (set.data()) {
            case IrqData.None n -> {
                if (cur != null) {
                    if (set.count() != 0) {
                        cur.signal();
                        return cur;
                    }
                    return null;
                }
                throw new ErrnoException(op, Errno.EINVAL, set + ": no trigger set");
            }
            case IrqData.Bools b -> {
                if (set.count() == 0) {
                    throw new ErrnoException(op, Errno.EINVAL, set + ": count 0 with BOOL data");
                }
                if (b.get(0) && cur != null) {
                    cur.signal();
                }
                return cur;
            }
            case IrqData.EventFds e -> {
                if (set.count() == 0) {
                    throw new ErrnoException(op, Errno.EINVAL, set + ": count 0 with EVENTFD data");
                }
                return e.fds().get(0);
            }
        }
    }

    // ---- interrupts from the device ----

    /** The device's INTx line changed. */
    void setIntx(boolean asserted) {
        synchronized (lock) {
            intxLine = asserted;
            if (!asserted || irqType != IrqType.INTX) {
                return;
            }
            pollUnmaskFd();
            if (!intxMasked) {
                intxMasked = true; // AUTOMASKED
                if (intxTrigger != null) {
                    intxTrigger.signal();
                }
            }
        }
    }

    boolean msiEnabled() {
        synchronized (lock) {
            return irqType == IrqType.MSI;
        }
    }

    boolean msixEnabled() {
        synchronized (lock) {
            return irqType == IrqType.MSIX;
        }
    }

    void signalMsi(int vector) {
        synchronized (lock) {
            if ((irqType == IrqType.MSI || irqType == IrqType.MSIX) && vector >= 0 && vector < msiTriggers.length
                    && msiTriggers[vector] != null) {
                msiTriggers[vector].signal();
            }
        }
    }

    /** True while INTx is masked (by the user or automatically after it fired). */
    boolean intxMasked() {
        synchronized (lock) {
            pollUnmaskFd();
            return intxMasked;
        }
    }
}
