package org.jvmm.memory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jvmm.address.GuestAddress;
import org.jvmm.iommu.AccessKind;

/**
 * A view of a region tree from one bus master (QEMU's AddressSpace): the CPU's system memory, a
 * PCI device's DMA space, the x86 port I/O space. It keeps the tree's current {@link FlatView},
 * dispatches every access through it, and tells its {@link MemoryListener}s what changed.
 *
 * <h2>Threads and state</h2>
 * Topology (tree changes, transactions, listener registration) happens under the package's
 * topology lock, from any thread, one at a time; listener callbacks run with it held. Accesses come from any thread and read {@link #flatView()} through a volatile field
 * without locking; a commit publishes a new view whole, so an access sees the old or the new
 * view, never a mix. Counters are lock-free adders.
 *
 * <h2>Dispatch</h2>
 * RAM is loaded and stored directly in the machine's byte order ({@code cpuOrder}); writes to ROM
 * are dropped. MMIO goes through the device's ops under its {@link AccessRules}: an access the
 * device does not accept reads all-ones and drops writes; a valid one is widened or split into
 * implemented sizes and byte-swapped when the device's order differs from the CPU's. An access
 * that hits nothing reads all-ones, drops the write, and is counted as unassigned. An access that
 * straddles two ranges is done byte by byte.
 */
public final class AddressSpace implements GuestMemory, AutoCloseable {
    private final String name;
    private final MemoryRegion root;
    private final ByteOrder cpuOrder;
    private final ValueLayout.OfShort shortLayout;
    private final ValueLayout.OfInt intLayout;
    private final ValueLayout.OfLong longLayout;
    private final DispatchCounters counters = new DispatchCounters();

    private volatile FlatView view;
    private final List<MemoryListener> listeners = new ArrayList<>();
    private int transactionDepth;
    private boolean pendingChange;
    private boolean notifying;
    private boolean closed;
    private long commits;

    /** A new address space over {@code root} (placed at address 0), rendered at once. */
    public AddressSpace(String name, MemoryRegion root, ByteOrder cpuOrder) {
        this.name = Objects.requireNonNull(name, "name");
        this.root = Objects.requireNonNull(root, "root");
        this.cpuOrder = Objects.requireNonNull(cpuOrder, "cpuOrder");
        this.shortLayout = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(cpuOrder);
        this.intLayout = ValueLayout.JAVA_INT_UNALIGNED.withOrder(cpuOrder);
        this.longLayout = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(cpuOrder);
        Topology.lock();
        try {
            root.attachRoot(this);
            this.view = FlatView.render(root);
        } finally {
            Topology.unlock();
        }
    }

    public String name() {
        return name;
    }

    public MemoryRegion root() {
        return root;
    }

    public ByteOrder cpuOrder() {
        return cpuOrder;
    }

    /** The view accesses go through now. */
    public FlatView flatView() {
        return view;
    }

    public DispatchCounters counters() {
        return counters;
    }

    /** How many times a changed flat view has been committed. */
    public long commitCount() {
        return commits;
    }

    // ---------------------------------------------------------------- topology

    /**
     * Opens a transaction: changes are collected and the view is rebuilt once, at the last commit.
     * The topology lock is held from here to the matching {@link #commitTransaction()}, on this thread.
     */
    public void beginTransaction() {
        Topology.lock();
        if (closed) {
            Topology.unlock();
            throw new IllegalStateException("address space " + name + " begin transaction: closed");
        }
        transactionDepth++;
    }

    /** Closes a transaction; the outermost one rebuilds the view if anything changed. */
    public void commitTransaction() {
        if (transactionDepth == 0 || !Topology.isHeldByCurrentThread()) {
            throw new IllegalStateException("address space " + name + " commit: no transaction is open on this thread");
        }
        try {
            if (--transactionDepth == 0 && pendingChange) {
                pendingChange = false;
                rebuild();
            }
        } finally {
            Topology.unlock();
        }
    }

    /** Runs {@code changes} in one transaction. */
    public void transaction(Runnable changes) {
        beginTransaction();
        try {
            changes.run();
        } finally {
            commitTransaction();
        }
    }

    void checkNotNotifying() {
        if (notifying) {
            throw new IllegalStateException("address space " + name
                    + ": the memory tree cannot change from inside a memory listener callback");
        }
    }

    void topologyChanged() {
        if (transactionDepth > 0) {
            pendingChange = true;
        } else {
            rebuild();
        }
    }

    private void rebuild() {
        FlatView old = view;
        FlatView next = FlatView.render(root);
        notifying = true;
        try {
            listeners.forEach(MemoryListener::begin);
            updateTopologyPass(old, next, false);
            updateTopologyPass(old, next, true);
            view = next;
            commits++;
            listeners.forEach(MemoryListener::commit);
        } finally {
            notifying = false;
        }
    }

    /**
     * One pass of QEMU's address_space_update_topology_pass: ranges only in {@code old} are
     * deleted (listeners in reverse order) when {@code adding} is false; ranges only in
     * {@code next} are added (listeners in order) when it is true.
     */
    private void updateTopologyPass(FlatView old, FlatView next, boolean adding) {
        int io = 0;
        int in = 0;
        while (io < old.size() || in < next.size()) {
            FlatRange o = io < old.size() ? old.get(io) : null;
            FlatRange n = in < next.size() ? next.get(in) : null;
            if (o != null && (n == null || o.start() < n.start() || (o.start() == n.start() && !o.sameAs(n)))) {
                if (!adding) {
                    MemoryRegionSection s = MemoryRegionSection.of(this, o);
                    for (int i = listeners.size() - 1; i >= 0; i--) {
                        listeners.get(i).regionDel(s);
                    }
                }
                io++;
            } else if (o != null && o.sameAs(n)) {
                io++;
                in++;
            } else {
                if (adding) {
                    MemoryRegionSection s = MemoryRegionSection.of(this, n);
                    for (MemoryListener l : listeners) {
                        l.regionAdd(s);
                    }
                }
                in++;
            }
        }
    }

    /**
     * Registers {@code listener} and replays every present range to it as an add. Listeners are
     * kept in ascending priority; equal priorities in registration order.
     */
    public void addListener(MemoryListener listener) {
        Topology.lock();
        try {
            ensureOpen("add listener");
            if (listeners.contains(listener)) {
                throw new IllegalStateException("address space " + name + " add listener: already registered");
            }
            int at = listeners.size();
            while (at > 0 && listeners.get(at - 1).priority() > listener.priority()) {
                at--;
            }
            listeners.add(at, listener);
            notifying = true;
            try {
                listener.begin();
                FlatView v = view;
                for (int i = 0; i < v.size(); i++) {
                    listener.regionAdd(MemoryRegionSection.of(this, v.get(i)));
                }
                listener.commit();
            } finally {
                notifying = false;
            }
        } finally {
            Topology.unlock();
        }
    }

    /** Unregisters {@code listener}, telling it every present range is deleted. */
    public void removeListener(MemoryListener listener) {
        Topology.lock();
        try {
            if (!listeners.remove(listener)) {
                throw new IllegalStateException("address space " + name + " remove listener: not registered");
            }
            notifying = true;
            try {
                listener.begin();
                FlatView v = view;
                for (int i = 0; i < v.size(); i++) {
                    listener.regionDel(MemoryRegionSection.of(this, v.get(i)));
                }
                listener.commit();
            } finally {
                notifying = false;
            }
        } finally {
            Topology.unlock();
        }
    }

    public List<MemoryListener> listeners() {
        return List.copyOf(listeners);
    }

    /**
     * Detaches from the tree after removing every listener (each told of the deletions). The
     * regions themselves belong to the machine, which closes them.
     */
    @Override
    public void close() {
        Topology.lock();
        try {
            ensureOpen("close");
            for (MemoryListener l : List.copyOf(listeners).reversed()) {
                removeListener(l);
            }
            root.detachRoot(this);
            closed = true;
        } finally {
            Topology.unlock();
        }
    }

    private void ensureOpen(String op) {
        if (closed) {
            throw new IllegalStateException("address space " + name + " " + op + ": closed");
        }
    }

    // ---------------------------------------------------------------- single accesses

    @Override
    public long read(GuestAddress address, int size) {
        return read(address.value(), size);
    }

    @Override
    public void write(GuestAddress address, int size, long value) {
        write(address.value(), size, value);
    }

    long read(long a, int size) {
        checkSize(size);
        FlatView v = view;
        FlatRange r = v.lookup(a);
        if (r == null || a - r.start() > r.size() - size) {
            if (r == null && holeCovers(v, a, size)) {
                counters.unassignedReads.increment();
                return ones(size);
            }
            return readStraddling(a, size);
        }
        long off = r.offsetInRegion() + (a - r.start());
        return switch (r.region()) {
            case RamRegion ram -> load(ram.segment(), off, size);
            case MmioRegion m -> mmioRead(m, off, size);
            case IommuRegion io -> iommuRead(io, off, size);
            default -> throw new IllegalStateException("flat view holds a non-terminal region " + r.region());
        };
    }

    void write(long a, int size, long value) {
        checkSize(size);
        FlatView v = view;
        FlatRange r = v.lookup(a);
        if (r == null || a - r.start() > r.size() - size) {
            if (r == null && holeCovers(v, a, size)) {
                counters.unassignedWrites.increment();
                return;
            }
            writeStraddling(a, size, value);
            return;
        }
        long off = r.offsetInRegion() + (a - r.start());
        switch (r.region()) {
            case RamRegion ram -> {
                if (ram.isReadOnly()) {
                    counters.romWritesDropped.increment();
                } else {
                    store(ram.segment(), off, size, value);
                }
            }
            case MmioRegion m -> mmioWrite(m, off, size, value);
            case IommuRegion io -> iommuWrite(io, off, size, value);
            default -> throw new IllegalStateException("flat view holds a non-terminal region " + r.region());
        }
    }

    /**
     * True when no range starts inside (a, a + size): the whole access falls in a hole. Unsigned:
     * a hole at the top of the 2^64 space covers every access there, bytes past 2^64 included
     * (they read all-ones with the rest and never wrap to address 0).
     */
    private static boolean holeCovers(FlatView v, long a, int size) {
        long next = v.nextStart(a);
        return next == FlatView.NONE || Long.compareUnsigned(next - a, size) >= 0;
    }

    private long readStraddling(long a, int size) {
        long value = 0;
        boolean big = cpuOrder == ByteOrder.BIG_ENDIAN;
        for (int i = 0; i < size; i++) {
            long b = read(a + i, 1);
            value |= big ? b << ((size - 1 - i) * 8) : b << (i * 8);
        }
        return value;
    }

    private void writeStraddling(long a, int size, long value) {
        boolean big = cpuOrder == ByteOrder.BIG_ENDIAN;
        for (int i = 0; i < size; i++) {
            long b = big ? value >>> ((size - 1 - i) * 8) : value >>> (i * 8);
            write(a + i, 1, b & 0xff);
        }
    }

    private long load(MemorySegment s, long off, int size) {
        return switch (size) {
            case 1 -> s.get(ValueLayout.JAVA_BYTE, off) & 0xffL;
            case 2 -> s.get(shortLayout, off) & 0xffffL;
            case 4 -> s.get(intLayout, off) & 0xffff_ffffL;
            default -> s.get(longLayout, off);
        };
    }

    private void store(MemorySegment s, long off, int size, long value) {
        switch (size) {
            case 1 -> s.set(ValueLayout.JAVA_BYTE, off, (byte) value);
            case 2 -> s.set(shortLayout, off, (short) value);
            case 4 -> s.set(intLayout, off, (int) value);
            default -> s.set(longLayout, off, value);
        }
    }

    private long mmioRead(MmioRegion m, long off, int size) {
        AccessRules rules = m.rules();
        if (!rules.accepts(off, size)) {
            counters.invalidAccesses.increment();
            return ones(size);
        }
        counters.mmioReads.increment();
        ByteOrder devOrder = rules.endianness().resolve(cpuOrder);
        long value = MmioAccess.read(m.ops(), rules, devOrder, off, size);
        return devOrder == cpuOrder ? value : MmioAccess.swap(value, size);
    }

    private void mmioWrite(MmioRegion m, long off, int size, long value) {
        AccessRules rules = m.rules();
        if (!rules.accepts(off, size)) {
            counters.invalidAccesses.increment();
            return;
        }
        counters.mmioWrites.increment();
        ByteOrder devOrder = rules.endianness().resolve(cpuOrder);
        long v = (devOrder == cpuOrder ? value : MmioAccess.swap(value, size)) & MmioAccess.mask(size);
        MmioAccess.write(m.ops(), rules, devOrder, off, size, v);
    }

    private long iommuRead(IommuRegion io, long off, int size) {
        IommuTlbEntry e = io.translate(off, AccessKind.READ);
        if (!e.perm().allows(AccessKind.READ) || !fitsInPage(off, size, e.addrMask())) {
            counters.iommuFaults.increment();
            return ones(size);
        }
        return io.target().read(e.translated().value() | (off & e.addrMask()), size);
    }

    private void iommuWrite(IommuRegion io, long off, int size, long value) {
        IommuTlbEntry e = io.translate(off, AccessKind.WRITE);
        if (!e.perm().allows(AccessKind.WRITE) || !fitsInPage(off, size, e.addrMask())) {
            counters.iommuFaults.increment();
            return;
        }
        io.target().write(e.translated().value() | (off & e.addrMask()), size, value);
    }

    /**
     * True when {@code size} bytes at {@code off} stay in the translated page of {@code mask}
     * (unsigned, last byte inclusive: a mask of all ones is the whole 2^64 space).
     */
    private static boolean fitsInPage(long off, int size, long mask) {
        return Long.compareUnsigned(off & mask, mask - (size - 1)) <= 0;
    }

    private static void checkSize(int size) {
        if (size != 1 && size != 2 && size != 4 && size != 8) {
            throw new IllegalArgumentException("memory access size " + size + " is not 1, 2, 4 or 8");
        }
    }

    static long ones(int size) {
        return MmioAccess.mask(size);
    }

    // ---------------------------------------------------------------- bulk accesses

    @Override
    public MemTxResult read(GuestAddress address, MemorySegment dst) {
        return bulk(address.value(), dst, false);
    }

    @Override
    public MemTxResult write(GuestAddress address, MemorySegment src) {
        return bulk(address.value(), src, true);
    }

    private MemTxResult bulk(long a, MemorySegment buf, boolean isWrite) {
        FlatView v = view;
        long len = buf.byteSize();
        long done = 0;
        MemTxResult result = MemTxResult.OK;
        while (done < len) {
            long cur = a + done;
            long remaining = len - done;
            FlatRange r = v.lookup(cur);
            if (r == null) {
                long next = v.nextStart(cur);
                long n = next == FlatView.NONE ? remaining : Math.min(remaining, next - cur);
                if (isWrite) {
                    counters.unassignedWrites.increment();
                } else {
                    buf.asSlice(done, n).fill((byte) 0xff);
                    counters.unassignedReads.increment();
                }
                result = result.and(MemTxResult.DECODE_ERROR);
                done += n;
                continue;
            }
            long n = Math.min(remaining, r.end() - cur);
            long off = r.offsetInRegion() + (cur - r.start());
            switch (r.region()) {
                case RamRegion ram -> {
                    if (!isWrite) {
                        MemorySegment.copy(ram.segment(), off, buf, done, n);
                    } else if (ram.isReadOnly()) {
                        counters.romWritesDropped.increment();
                    } else {
                        MemorySegment.copy(buf, done, ram.segment(), off, n);
                    }
                }
                case MmioRegion m -> result = result.and(bulkMmio(cur, buf, done, n, isWrite));
                case IommuRegion io -> result = result.and(bulkIommu(io, off, buf, done, n, isWrite));
                default -> throw new IllegalStateException("flat view holds a non-terminal region " + r.region());
            }
            done += n;
        }
        return result;
    }

    /** MMIO in the largest naturally aligned pieces of at most 8 bytes. */
    private MemTxResult bulkMmio(long a, MemorySegment buf, long bufOff, long n, boolean isWrite) {
        long invalidBefore = counters.invalidAccesses.sum();
        long k = 0;
        while (k < n) {
            int size = 8;
            while (size > 1 && (((a + k) & (size - 1)) != 0 || size > n - k)) {
                size >>= 1;
            }
            if (isWrite) {
                write(a + k, size, load(buf, bufOff + k, size));
            } else {
                store(buf, bufOff + k, size, read(a + k, size));
            }
            k += size;
        }
        return counters.invalidAccesses.sum() == invalidBefore ? MemTxResult.OK : MemTxResult.ACCESS_ERROR;
    }

    /** Through an IOMMU region, one translated page at a time. */
    private MemTxResult bulkIommu(IommuRegion io, long off, MemorySegment buf, long bufOff, long n, boolean isWrite) {
        MemTxResult result = MemTxResult.OK;
        AccessKind access = isWrite ? AccessKind.WRITE : AccessKind.READ;
        long k = 0;
        while (k < n) {
            IommuTlbEntry e = io.translate(off + k, access);
            long inPage = (off + k) & e.addrMask();
            // Bytes left in the page, minus one (the page may be the whole 2^64 space).
            long pageLast = e.addrMask() - inPage;
            long chunk = Long.compareUnsigned(pageLast, n - k - 1) >= 0 ? n - k : pageLast + 1;
            MemorySegment slice = buf.asSlice(bufOff + k, chunk);
            if (!e.perm().allows(access)) {
                counters.iommuFaults.increment();
                if (!isWrite) {
                    slice.fill((byte) 0xff);
                }
                result = result.and(MemTxResult.ACCESS_ERROR);
            } else {
                GuestAddress t = new GuestAddress(e.translated().value() | inPage);
                result = result.and(isWrite ? io.target().write(t, slice) : io.target().read(t, slice));
            }
            k += chunk;
        }
        return result;
    }

    @Override
    public String toString() {
        return "AddressSpace[" + name + ", root " + root.name() + ", " + view.size() + " ranges]";
    }
}
