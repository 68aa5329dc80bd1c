package org.jvmm.kvm.soft;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.jvmm.address.GuestAddress;
import org.jvmm.address.HostAddress;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.host.sys.EventFd;
import org.jvmm.kvm.Gsi;
import org.jvmm.kvm.GsiRoute;
import org.jvmm.kvm.IoEventAddress;
import org.jvmm.kvm.IoEventFd;
import org.jvmm.kvm.IrqFd;
import org.jvmm.kvm.KvmDevice;
import org.jvmm.kvm.KvmDeviceType;
import org.jvmm.kvm.Memslot;
import org.jvmm.kvm.MemslotFlag;
import org.jvmm.kvm.MsiMessage;
import org.jvmm.kvm.soft.spapr.KvmTceTables;
import org.jvmm.kvm.soft.spapr.KvmTceTable;
import org.jvmm.kvm.soft.spapr.SpaprTceFastPath;
import org.jvmm.kvm.soft.xics.SoftXics;
import org.jvmm.kvm.spapr.SpaprTceCreate64;
import org.jvmm.kvm.spapr.SpaprVm;
import org.jvmm.vfio.VfioGroup;

/**
 * A VM of the soft accelerator (sPAPR): memslots over registered host memory, vCPUs with a
 * pluggable {@link SoftCpu}, KVM's sPAPR TCE tables ({@link #createSpaprTce64}) and the KVM-VFIO
 * device, and the in-bridge hypercall path ({@link SpaprTceFastPath}) every vCPU uses.
 * The in-kernel interrupt controller is the XICS ({@link #createDevice} with
 * {@link KvmDeviceType#XICS}): irqfds deliver to it, vCPUs get ICPs and their XICS hypercalls and
 * H_CEDE are answered in the bridge. Before it exists, irqfd signals are only counted. KVM_SIGNAL_MSI,
 * KVM_CREATE_IRQCHIP and ioeventfds are not offered (ENXIO / EINVAL, as KVM on POWER without them).
 *
 * <p>Thread rules: configuration under this object's monitor; the memslot list is published as an
 * immutable array, read lock-free by vCPUs. The VM refuses to close while anything it made is open.
 */
public final class SoftVm implements SpaprVm, SpaprTceFastPath.VmView {
    static final int MAX_MEMSLOTS = 512;
    static final int MAX_VCPUS = 64;
    private static final long PAGE = 4096;

    private final HostMemoryRegistry hostMemory;
    private final SoftFileTable files;
    private final Set<Object> open = new LinkedHashSet<>();
    private final Set<Integer> vcpuIds = new HashSet<>();
    private final List<SoftIrqFd> irqfds = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.Map<Integer, SoftVcpu> vcpus = new java.util.HashMap<>();
    private final java.util.concurrent.atomic.LongAdder droppedIrqfdSignals = new java.util.concurrent.atomic.LongAdder();
    private volatile SoftXics xics;
    private final KvmTceTables tceTables = new KvmTceTables();
    private volatile SoftMemslot[] memslots = new SoftMemslot[0];
    private volatile List<GsiRoute> routes = List.of();
    private SoftKvmVfioDevice vfioDevice;
    private boolean closed;

    SoftVm(HostMemoryRegistry hostMemory, SoftFileTable files) {
        this.hostMemory = hostMemory;
        this.files = files;
    }

    public SoftFileTable files() {
        return files;
    }

    public HostMemoryRegistry hostMemory() {
        return hostMemory;
    }

    private void ensureOpen(String op) {
        if (closed) {
            throw new IllegalStateException(op + ": soft VM is closed");
        }
    }

    // ---- vCPUs ----

    /** KVM_CREATE_VCPU with a {@link ScriptedCpu}. */
    @Override
    public SoftVcpu createVcpu(int id) {
        return createVcpu(id, new ScriptedCpu());
    }

    /** KVM_CREATE_VCPU with the given CPU. EEXIST for an id used before, EINVAL past the limit. */
    public synchronized SoftVcpu createVcpu(int id, SoftCpu cpu) {
        ensureOpen("KVM_CREATE_VCPU");
        if (id < 0 || id >= MAX_VCPUS) {
            throw new ErrnoException("KVM_CREATE_VCPU", Errno.EINVAL, "id " + id + " outside 0.." + (MAX_VCPUS - 1));
        }
        if (!vcpuIds.add(id)) {
            throw new ErrnoException("KVM_CREATE_VCPU", Errno.EEXIST, "vCPU id " + id + " exists");
        }
        SoftVcpu v = new SoftVcpu(this, id, cpu);
        open.add(v);
        vcpus.put(id, v);
        if (xics != null) {
            xics.addServer(id, cpu::setExternalInterrupt);
        }
        return v;
    }

    synchronized void closed(Object child) {
        open.remove(child);
    }

    synchronized void vcpuClosed(SoftVcpu v) {
        open.remove(v);
        vcpus.remove(v.id());
        if (xics != null) {
            xics.removeServer(v.id());
        }
    }

    // ---- memory ----

    @Override
    public synchronized Memslot mapMemory(GuestAddress guestAddress, long size, HostAddress hostAddress, Set<MemslotFlag> flags) {
        String op = "KVM_SET_USER_MEMORY_REGION";
        ensureOpen(op);
        String what = "gpa=" + guestAddress + ", size=0x" + Long.toHexString(size) + ", hva=" + hostAddress;
        if (size <= 0 || ((guestAddress.value() | size | hostAddress.value()) & (PAGE - 1)) != 0) {
            throw new ErrnoException(op, Errno.EINVAL, what + ": not page aligned, or empty");
        }
        if (Long.compareUnsigned(guestAddress.value() + size, guestAddress.value()) < 0) {
            throw new ErrnoException(op, Errno.EINVAL, what + ": wraps around");
        }
        MemorySegment mem = hostMemory.resolve(op, hostAddress, size);
        SoftMemslot[] cur = memslots;
        if (cur.length >= MAX_MEMSLOTS) {
            throw new ErrnoException(op, Errno.ENOSPC, what + ": all " + MAX_MEMSLOTS + " slots in use");
        }
        boolean[] used = new boolean[MAX_MEMSLOTS];
        for (SoftMemslot s : cur) {
            used[s.slot()] = true;
            long a = guestAddress.value();
            if (Long.compareUnsigned(a, s.start() + s.size()) < 0 && Long.compareUnsigned(s.start(), a + size) < 0) {
                throw new ErrnoException(op, Errno.EEXIST, what + ": overlaps slot " + s.slot());
            }
        }
        int slot = 0;
        while (used[slot]) {
            slot++;
        }
        SoftMemslot m = new SoftMemslot(this, slot, guestAddress, size, hostAddress, flags, mem);
        SoftMemslot[] next = java.util.Arrays.copyOf(cur, cur.length + 1);
        next[cur.length] = m;
        memslots = next;
        open.add(m);
        return m;
    }

    synchronized void removeMemslot(SoftMemslot m) {
        List<SoftMemslot> next = new ArrayList<>(List.of(memslots));
        next.remove(m);
        memslots = next.toArray(SoftMemslot[]::new);
        open.remove(m);
    }

    private SoftMemslot slotFor(long gpa, long length) {
        for (SoftMemslot s : memslots) {
            if (s.contains(gpa, length)) {
                return s;
            }
        }
        return null;
    }

    @Override
    public MemorySegment ram(long gpa, long length) {
        SoftMemslot s = slotFor(gpa, length);
        return s == null ? null : s.memory.asSlice(gpa - s.start(), length);
    }

    @Override
    public long userAddress(long gpa) {
        SoftMemslot s = slotFor(gpa, 1);
        return s == null ? -1 : s.hostAddress().value() + (gpa - s.start());
    }

    // ---- interrupts ----

    @Override
    public void createIrqchip() {
        throw new ErrnoException("KVM_CREATE_IRQCHIP", Errno.ENXIO, "the soft sPAPR accelerator has no in-kernel irqchip");
    }

    @Override
    public void irqLine(Gsi gsi, boolean level) {
        throw new ErrnoException("KVM_IRQ_LINE", Errno.ENXIO, gsi + ": no in-kernel irqchip");
    }

    @Override
    public int signalMsi(MsiMessage message) {
        throw new ErrnoException("KVM_SIGNAL_MSI", Errno.ENXIO, message + ": no in-kernel irqchip");
    }

    @Override
    public synchronized void setGsiRouting(List<GsiRoute> routes) {
        ensureOpen("KVM_SET_GSI_ROUTING");
        this.routes = List.copyOf(routes);
    }

    public synchronized List<GsiRoute> gsiRoutes() {
        return routes;
    }

    @Override
    public IrqFd irqfd(EventFd eventFd, Gsi gsi) {
        return irqfd(eventFd, gsi, null);
    }

    @Override
    public synchronized IrqFd irqfd(EventFd eventFd, Gsi gsi, EventFd resample) {
        ensureOpen("KVM_IRQFD");
        for (SoftIrqFd f : irqfds) {
            if (f.eventFd() == eventFd) {
                throw new ErrnoException("KVM_IRQFD", Errno.EBUSY, "eventfd " + eventFd.fd() + " already wired to " + f.gsi());
            }
        }
        SoftIrqFd f = new SoftIrqFd(this, eventFd, gsi, resample);
        irqfds.add(f);
        open.add(f);
        // kvm_irqfd_assign polls the eventfd once: a count already there is injected at once.
        irqfdSignalled(f);
        return f;
    }

    synchronized void removeIrqFd(SoftIrqFd f) {
        irqfds.remove(f);
        open.remove(f);
    }

    /**
     * The GSIs whose irqfds were signalled since the last poll: delivered to the XICS, or (without
     * one) still counted on their eventfds, which this reads and clears.
     */
    public synchronized List<Gsi> pollIrqFds() {
        List<Gsi> fired = new ArrayList<>();
        for (SoftIrqFd f : irqfds) {
            boolean delivered = f.takeDelivered();
            if (f.eventFd().testAndClear() || delivered) {
                fired.add(f.gsi());
            }
        }
        return fired;
    }

    /**
     * An irqfd's eventfd was signalled (on the signalling thread, KVM's irqfd_wakeup). With an
     * XICS: the count is consumed and the source the GSI routes to is raised. KVM on POWER maps
     * GSIs directly to XICS source numbers; an MSI route on the GSI names the source by its data
     * instead, as QEMU's spapr MSI window takes the data as the source number. Without a
     * resample eventfd the source gets a pulse (an MSI fires, an LSI is sent once); with one the
     * level is held until the guest EOIs the source, then dropped and the resample eventfd is
     * signalled (irqfd_resampler_ack), so VFIO unmasks INTx. A GSI naming no ICS source is
     * counted ({@link #droppedIrqfdSignals}) and dropped.
     */
    void irqfdSignalled(SoftIrqFd f) {
        SoftXics x = xics;
        if (x == null || f.eventFd().isClosed() || f.eventFd().readCount() == 0) {
            return;
        }
        f.countDelivery();
        int irq = xicsSource(f.gsi());
        if (!x.validIrq(irq)) {
            droppedIrqfdSignals.increment();
            return;
        }
        x.setIrq(irq, true);
        if (f.resample() == null) {
            x.setIrq(irq, false);
        } else {
            f.levelHeld = true;
        }
    }

    /** The XICS source a GSI reaches: an MSI route's data, else the GSI number itself. */
    int xicsSource(Gsi gsi) {
        for (GsiRoute r : routes) {
            if (r instanceof GsiRoute.Msi m && m.gsi().equals(gsi)) {
                return m.message().data() & 0xffff;
            }
        }
        return gsi.value();
    }

    /**
     * The guest EOI'd source {@code irq} (called by the XICS with its monitor held, before it
     * resends): resampling irqfds on it drop their level, then signal their resample eventfd.
     */
    private void eoi(int irq) {
        SoftXics x = xics;
        for (SoftIrqFd f : irqfds) {
            if (f.resample() != null && f.levelHeld && xicsSource(f.gsi()) == irq) {
                f.levelHeld = false;
                x.setIrq(irq, false);
                if (!f.resample().isClosed()) {
                    f.resample().signal();
                }
            }
        }
    }

    /** irqfd signals whose GSI named no XICS source. */
    public long droppedIrqfdSignals() {
        return droppedIrqfdSignals.sum();
    }

    /** The XICS once KVM_CREATE_DEVICE(KVM_DEV_TYPE_XICS) made it, else null. */
    @Override
    public SoftXics xics() {
        return xics;
    }

    @Override
    public IoEventFd ioeventfd(EventFd eventFd, IoEventAddress address, int length, OptionalLong datamatch) {
        throw new ErrnoException("KVM_IOEVENTFD", Errno.EINVAL, address + ": not offered by the soft accelerator");
    }

    // ---- devices ----

    @Override
    public boolean supportsDevice(KvmDeviceType type) {
        return type == KvmDeviceType.VFIO || type == KvmDeviceType.XICS;
    }

    @Override
    public synchronized KvmDevice createDevice(KvmDeviceType type) {
        String op = "KVM_CREATE_DEVICE";
        ensureOpen(op);
        if (type == KvmDeviceType.XICS) {
            return createXics(op);
        }
        if (type != KvmDeviceType.VFIO) {
            throw new ErrnoException(op, Errno.ENODEV, type.uapiName() + " is not offered by the soft accelerator");
        }
        if (vfioDevice != null) {
            throw new ErrnoException(op, Errno.EBUSY, "this VM already has a KVM-VFIO device");
        }
        vfioDevice = new SoftKvmVfioDevice(this);
        open.add(vfioDevice);
        return vfioDevice;
    }

    /**
     * KVM_DEV_TYPE_XICS (book3s_xics.c kvmppc_xics_create): EEXIST for a second one. Every vCPU,
     * now and later, gets an ICP with its id as server number. The XICS lives as long as the VM;
     * the device fd only carries its attributes.
     */
    private KvmDevice createXics(String op) {
        if (xics != null) {
            throw new ErrnoException(op, Errno.EEXIST, "this VM already has an XICS");
        }
        SoftXics x = new SoftXics(MAX_VCPUS);
        for (SoftVcpu v : vcpus.values()) {
            x.addServer(v.id(), v.cpu()::setExternalInterrupt);
        }
        x.addEoiListener(this::eoi);
        xics = x;
        SoftXicsDevice d = new SoftXicsDevice(this, x);
        open.add(d);
        return d;
    }

    synchronized void vfioDeviceClosed(SoftKvmVfioDevice d) {
        if (vfioDevice == d) {
            vfioDevice = null;
        }
        open.remove(d);
    }

    // ---- sPAPR TCE tables ----

    /**
     * KVM_CREATE_SPAPR_TCE_64 (rule 30): EINVAL unless size != 0, 12 &lt;= page_shift &lt;= 34 and
     * offset + size does not overflow the bus; EBUSY when the LIOBN has a table. The table's fd
     * is installed in the fd table; the caller owns the table and closes it.
     */
    @Override
    public synchronized KvmTceTable createSpaprTce64(SpaprTceCreate64 args) {
        String op = "KVM_CREATE_SPAPR_TCE_64";
        ensureOpen(op);
        if (args.size() == 0 || args.pageShift() < 12 || args.pageShift() > 34
                || Long.compareUnsigned(args.offset() + args.size(), -1L >>> args.pageShift()) > 0
                || Long.compareUnsigned(args.offset() + args.size(), args.offset()) < 0) {
            throw new ErrnoException(op, Errno.EINVAL, args + ": size 0, page shift outside 12..34, or the window overflows");
        }
        if (Long.compareUnsigned(args.size(), 1L << 28) > 0) {
            throw new ErrnoException(op, Errno.ENOMEM, args + ": more than 2^28 entries");
        }
        if (tceTables.get(args.liobn()) != null) {
            throw new ErrnoException(op, Errno.EBUSY, args + ": the LIOBN already has a table");
        }
        KvmTceTable[] holder = new KvmTceTable[1];
        KvmTceTable t = tceTables.create(args, () -> tableClosed(holder[0]));
        holder[0] = t;
        int fd = files.install(t);
        tceTables.setFd(t, fd);
        open.add(t);
        return t;
    }

    @Override
    public int installVfioGroupFd(VfioGroup group) {
        return files.install(group);
    }

    @Override
    public void closeVfioGroupFd(int fd) {
        files.close(fd);
    }

    private synchronized void tableClosed(KvmTceTable t) {
        tceTables.remove(t);
        files.close(t.fd());
        open.remove(t);
    }

    @Override
    public KvmTceTable table(long liobn) {
        return tceTables.get(liobn);
    }

    public List<KvmTceTable> tceTables() {
        return tceTables.all();
    }

    /** Runs the in-bridge hypercall path: true when handled without the VMM. */
    boolean hypercall(long[] regs) {
        long ret = SpaprTceFastPath.handle(this, regs);
        if (ret == org.jvmm.kvm.spapr.Papr.H_TOO_HARD) {
            return false;
        }
        regs[0] = ret;
        return true;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            throw new IllegalStateException("soft VM closed twice");
        }
        if (!open.isEmpty()) {
            throw new IllegalStateException("soft VM close: " + open.size() + " object(s) still open: " + open);
        }
        closed = true;
    }
}
