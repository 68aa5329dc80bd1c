package org.jvmm.hw.vfio;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jvmm.accel.kvm.GsiRouter;
import org.jvmm.host.sys.EventFd;
import org.jvmm.kvm.Gsi;
import org.jvmm.kvm.IrqFd;
import org.jvmm.kvm.MsiMessage;
import org.jvmm.kvm.Vm;
import org.jvmm.memory.AccessRules;
import org.jvmm.memory.Endianness;
import org.jvmm.memory.MmioOps;
import org.jvmm.vfio.IrqData;
import org.jvmm.vfio.IrqSet;
import org.jvmm.vfio.VfioDeviceFile;
import org.jvmm.vfio.uapi.VfioUapi;

/**
 * The guest's view of a vfio-pci function's MSI-X capability: the emulated vector table and PBA,
 * and the wiring of each vector to KVM (facts from QEMU hw/pci/msix.c and hw/vfio/pci.c, and the
 * PCI Local Bus Specification's MSI-X chapter; no code taken over).
 *
 * <p>The table holds 16 bytes per vector (message address low and high, message data, vector
 * control whose bit 0 masks the vector); at power-on every vector is masked with a zero message.
 * The PBA reads 0: a message the device raises while its vector is masked is dropped by VFIO
 * (the vector has no trigger then), not kept pending.
 *
 * <p>While MSI-X is enabled, each vector that is unmasked (by its own mask bit and the function
 * mask) with a non-zero address gets a GSI route to its message, an eventfd and an irqfd; the
 * eventfd is VFIO's trigger for the vector. Enabling hands VFIO all vectors in one
 * VFIO_DEVICE_SET_IRQS (fd -1 where a vector has none yet). Later, masking a vector detaches its
 * eventfd from VFIO (SET_IRQS for that vector, fd -1) and keeps the route and irqfd, unmasking
 * attaches it again; a changed message updates the route. Disabling tears VFIO's vectors down
 * (count 0) and releases every irqfd, route and eventfd.
 *
 * <p>Threads: table and PBA accesses come from vCPU threads (concurrently), control changes from
 * the configuration path, release from the control thread; all go through this object's lock.
 * Lock order: this, then the {@link GsiRouter}, then the VFIO device.
 */
final class VfioMsix {
    static final int ENTRY_SIZE = 16;
    static final int VECTOR_CTRL_MASKBIT = 1;
    private static final ValueLayout.OfInt LE_INT =
            ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** The KVM side of one vector, once it has had an unmasked non-zero message. */
    private static final class Wired {
        final Gsi gsi;
        final EventFd trigger;
        final IrqFd irqFd;
        MsiMessage message;
        boolean attached;

        Wired(Gsi gsi, EventFd trigger, IrqFd irqFd, MsiMessage message) {
            this.gsi = gsi;
            this.trigger = trigger;
            this.irqFd = irqFd;
            this.message = message;
        }
    }

    private final String name;
    private final VfioDeviceFile device;
    private final Vm vm;
    private final GsiRouter router;
    private final int vectors;
    private final MemorySegment table;
    private final Wired[] wired;
    private boolean enabled;
    private boolean functionMask;
    private long routesAdded;
    private long routesRemoved;

    VfioMsix(String name, VfioDeviceFile device, Vm vm, GsiRouter router, int vectors) {
        this.name = name;
        this.device = device;
        this.vm = vm;
        this.router = router;
        this.vectors = vectors;
        this.table = Arena.ofAuto().allocate((long) ENTRY_SIZE * vectors, 8);
        this.wired = new Wired[vectors];
        resetTable();
    }

    int vectors() {
        return vectors;
    }

    long tableBytes() {
        return (long) ENTRY_SIZE * vectors;
    }

    /** Bytes of the PBA: one bit per vector, in 64-bit words. */
    long pbaBytes() {
        return ((vectors + 63L) / 64) * 8;
    }

    private void resetTable() {
        table.fill((byte) 0);
        for (int i = 0; i < vectors; i++) {
            table.set(LE_INT, (long) i * ENTRY_SIZE + 12, VECTOR_CTRL_MASKBIT);
        }
    }

    // ------------------------------------------------------------------ table and PBA

    MmioOps tableOps() {
        return new MmioOps() {
            @Override
            public AccessRules rules() {
                return new AccessRules(4, 8, false, 4, 4, Endianness.LITTLE);
            }

            @Override
            public long read(long offset, int size) {
                return tableRead(offset);
            }

            @Override
            public void write(long offset, int size, long value) {
                tableWrite(offset, (int) value);
            }
        };
    }

    MmioOps pbaOps() {
        return new MmioOps() {
            @Override
            public AccessRules rules() {
                return new AccessRules(4, 8, false, 4, 4, Endianness.LITTLE);
            }

            @Override
            public long read(long offset, int size) {
                return 0;
            }

            @Override
            public void write(long offset, int size, long value) {
                // the PBA is read-only
            }
        };
    }

    private synchronized long tableRead(long offset) {
        return table.get(LE_INT, offset) & 0xffff_ffffL;
    }

    private synchronized void tableWrite(long offset, int value) {
        int vector = (int) (offset / ENTRY_SIZE);
        int field = (int) (offset % ENTRY_SIZE);
        int stored = switch (field) {
            case 0 -> value & ~3; // message address is dword aligned
            case 12 -> value & VECTOR_CTRL_MASKBIT; // other vector control bits are reserved
            default -> value;
        };
        table.set(LE_INT, offset, stored);
        if (enabled) {
            sync(vector);
        }
    }

    /**
     * msix_set_message (QEMU hw/pci/msix.c): entry {@code vector} gets {@code m} and is unmasked,
     * as the VMM programs it for the guest (sPAPR's ibm,change-msi); synced once if enabled.
     */
    synchronized void setMessage(int vector, MsiMessage m) {
        java.util.Objects.checkIndex(vector, vectors);
        long base = (long) vector * ENTRY_SIZE;
        table.set(LE_INT, base, (int) m.address() & ~3);
        table.set(LE_INT, base + 4, (int) (m.address() >>> 32));
        table.set(LE_INT, base + 8, m.data());
        table.set(LE_INT, base + 12, 0);
        if (enabled) {
            sync(vector);
        }
    }

    private MsiMessage message(int vector) {
        long base = (long) vector * ENTRY_SIZE;
        long address = (table.get(LE_INT, base) & 0xffff_ffffL)
                | (table.get(LE_INT, base + 4) & 0xffff_ffffL) << 32;
        return new MsiMessage(address, table.get(LE_INT, base + 8));
    }

    private boolean masked(int vector) {
        return functionMask || (table.get(LE_INT, (long) vector * ENTRY_SIZE + 12) & VECTOR_CTRL_MASKBIT) != 0;
    }

    // ------------------------------------------------------------------ control

    /** The guest wrote message control: MSI-X enable (bit 15) and function mask (bit 14). */
    synchronized void control(boolean enable, boolean mask) {
        boolean wasEnabled = enabled;
        functionMask = mask;
        if (enable && !wasEnabled) {
            enable();
        } else if (!enable && wasEnabled) {
            disable();
        } else if (enable) {
            for (int i = 0; i < vectors; i++) {
                sync(i);
            }
        }
    }

    private void enable() {
        List<EventFd> fds = new ArrayList<>(vectors);
        for (int i = 0; i < vectors; i++) {
            Wired w = null;
            if (!masked(i) && message(i).address() != 0) {
                w = wire(i);
                w.attached = true;
            }
            fds.add(w == null ? null : w.trigger);
        }
        try {
            setIrqs(0, vectors, new IrqData.EventFds(fds));
        } catch (RuntimeException e) {
            releaseWired();
            throw e;
        }
        enabled = true;
    }

    private void disable() {
        enabled = false;
        setIrqs(0, 0, new IrqData.None());
        releaseWired();
    }

    /** Brings vector {@code i}'s KVM and VFIO side in line with its table entry (MSI-X enabled). */
    private void sync(int i) {
        MsiMessage m = message(i);
        Wired w = wired[i];
        if (masked(i) || m.address() == 0) {
            if (w != null && w.attached) {
                setIrqs(i, 1, new IrqData.EventFds(Arrays.asList((EventFd) null)));
                w.attached = false;
            }
            if (w != null && m.address() != 0 && !m.equals(w.message)) {
                w.message = m;
                router.updateMsiRoute(w.gsi, m);
            }
            return;
        }
        if (w == null) {
            w = wire(i);
        } else if (!m.equals(w.message)) {
            w.message = m;
            router.updateMsiRoute(w.gsi, m);
        }
        if (!w.attached) {
            setIrqs(i, 1, new IrqData.EventFds(List.of(w.trigger)));
            w.attached = true;
        }
    }

    private Wired wire(int i) {
        MsiMessage m = message(i);
        Gsi gsi = router.addMsiRoute(m);
        EventFd fd = null;
        try {
            fd = EventFd.create();
            Wired w = new Wired(gsi, fd, vm.irqfd(fd, gsi), m);
            wired[i] = w;
            routesAdded++;
            return w;
        } catch (RuntimeException e) {
            if (fd != null) {
                fd.close();
            }
            router.removeMsiRoute(gsi);
            throw e;
        }
    }

    private void setIrqs(int start, int count, IrqData data) {
        device.setIrqs(IrqSet.of(VfioUapi.VFIO_IRQ_SET_ACTION_TRIGGER, VfioUapi.VFIO_PCI_MSIX_IRQ_INDEX, start, count,
                data));
    }

    private void releaseWired() {
        for (int i = 0; i < vectors; i++) {
            Wired w = wired[i];
            if (w == null) {
                continue;
            }
            wired[i] = null;
            w.irqFd.close();
            router.removeMsiRoute(w.gsi);
            w.trigger.close();
            routesRemoved++;
        }
    }

    /**
     * MSI-X off and every vector released; the table back to power-on when {@code resetTable}
     * (device reset), kept otherwise (close).
     */
    synchronized void release(boolean resetTable) {
        if (enabled) {
            disable();
        }
        functionMask = false;
        if (resetTable) {
            resetTable();
        }
    }

    synchronized boolean enabled() {
        return enabled;
    }

    /** GSI routes this function's MSI-X vectors have added so far. */
    synchronized long routesAdded() {
        return routesAdded;
    }

    /** GSI routes this function's MSI-X vectors have removed so far. */
    synchronized long routesRemoved() {
        return routesRemoved;
    }

    /** The GSI of vector {@code i}'s route, or null when it has none. */
    synchronized Gsi gsi(int i) {
        Wired w = wired[i];
        return w == null ? null : w.gsi;
    }

    /** True when vector {@code i}'s eventfd is VFIO's trigger for it now. */
    synchronized boolean attached(int i) {
        Wired w = wired[i];
        return w != null && w.attached;
    }

    @Override
    public String toString() {
        return "msix(" + name + ", " + vectors + " vectors)";
    }
}
