package org.jvmm.memory;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jvmm.address.GuestAddress;

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
 * Accesses are carried out by the address space's {@link AccessDispatch} (RAM, ROM, MMIO under
 * the device's access rules, IOMMU regions, unassigned holes); this class keeps the tree, the
 * transactions and the listeners, and publishes each new view to it.
 */
public final class AddressSpace implements GuestMemory, AutoCloseable {
    private final String name;
    private final MemoryRegion root;
    private final ByteOrder cpuOrder;
    private final AccessDispatch dispatch;

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
        Topology.lock();
        try {
            root.attachRoot(this);
            this.dispatch = new AccessDispatch(cpuOrder, FlatView.render(root));
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
        return dispatch.view();
    }

    public DispatchCounters counters() {
        return dispatch.counters();
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
        FlatView old = dispatch.view();
        FlatView next = FlatView.render(root);
        notifying = true;
        try {
            listeners.forEach(MemoryListener::begin);
            updateTopologyPass(old, next, false);
            updateTopologyPass(old, next, true);
            dispatch.publish(next);
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
                FlatView v = dispatch.view();
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
                FlatView v = dispatch.view();
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

    // ---------------------------------------------------------------- accesses (see AccessDispatch)

    /** The access half of this address space. */
    AccessDispatch dispatch() {
        return dispatch;
    }

    @Override
    public long read(GuestAddress address, int size) {
        return dispatch.read(address.value(), size);
    }

    @Override
    public void write(GuestAddress address, int size, long value) {
        dispatch.write(address.value(), size, value);
    }

    /**
     * As {@link #write(GuestAddress, int, long)}, returning how the store went (QEMU's
     * address_space_stl and friends with their MemTxResult): OK, DECODE_ERROR when it hit no
     * region, ACCESS_ERROR when a device's access rules or an IOMMU refused it. The outcome is
     * this access's own, whatever other threads do meanwhile.
     */
    public MemTxResult store(GuestAddress address, int size, long value) {
        return dispatch.write(address.value(), size, value);
    }

    long read(long a, int size) {
        return dispatch.read(a, size);
    }

    void write(long a, int size, long value) {
        dispatch.write(a, size, value);
    }

    @Override
    public MemTxResult read(GuestAddress address, MemorySegment dst) {
        return dispatch.bulk(address.value(), dst, false);
    }

    @Override
    public MemTxResult write(GuestAddress address, MemorySegment src) {
        return dispatch.bulk(address.value(), src, true);
    }

    @Override
    public String toString() {
        return "AddressSpace[" + name + ", root " + root.name() + ", " + dispatch.view().size() + " ranges]";
    }
}
