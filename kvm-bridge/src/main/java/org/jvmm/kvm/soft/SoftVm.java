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
import org.jvmm.kvm.spapr.SpaprTceCreate64;
import org.jvmm.kvm.spapr.SpaprVm;
import org.jvmm.vfio.VfioGroup;

/**
 * A VM of the soft accelerator (sPAPR): memslots over registered host memory, vCPUs with a
 * pluggable {@link SoftCpu}, KVM's sPAPR TCE tables ({@link #createSpaprTce64}) and the KVM-VFIO
 * device, and the in-bridge hypercall path ({@link SpaprTceFastPath}) every vCPU uses.
 * Interrupt wiring (irqfds, GSI routes) is kept but goes to no controller yet; MSI signalling,
 * an in-kernel irqchip and ioeventfds are not offered (ENXIO / EINVAL, as a KVM without them).
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
    private final List<SoftIrqFd> irqfds = new ArrayList<>();
    private final KvmTceTables tceTables = new KvmTceTables();
    private volatile SoftMemslot[] memslots = new SoftMemslot[0];
    private List<GsiRoute> routes = List.of();
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
        return v;
    }

    synchronized void closed(Object child) {
        open.remove(child);
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
        return f;
    }

    synchronized void removeIrqFd(SoftIrqFd f) {
        irqfds.remove(f);
        open.remove(f);
    }

    /** Reads every irqfd's eventfd: the GSIs that were signalled since the last poll. */
    public synchronized List<Gsi> pollIrqFds() {
        List<Gsi> fired = new ArrayList<>();
        for (SoftIrqFd f : irqfds) {
            if (f.eventFd().testAndClear()) {
                fired.add(f.gsi());
            }
        }
        return fired;
    }

    @Override
    public IoEventFd ioeventfd(EventFd eventFd, IoEventAddress address, int length, OptionalLong datamatch) {
        throw new ErrnoException("KVM_IOEVENTFD", Errno.EINVAL, address + ": not offered by the soft accelerator");
    }

    // ---- devices ----

    @Override
    public boolean supportsDevice(KvmDeviceType type) {
        return type == KvmDeviceType.VFIO;
    }

    @Override
    public synchronized KvmDevice createDevice(KvmDeviceType type) {
        String op = "KVM_CREATE_DEVICE";
        ensureOpen(op);
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
