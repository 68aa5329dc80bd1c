package org.jvmm.machine;

import java.util.ArrayList;
import java.util.List;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.memory.AddressSpace;
import org.jvmm.memory.RamRegion;

/**
 * The one owner of a machine's memory: the RAM regions it allocated (native memory through FFM)
 * and the address spaces it built. {@link #close()} closes the address spaces first (their
 * listeners are told every range is gone), then releases every RAM region, newest first, so a
 * closed machine leaves no mapping and no file descriptor behind.
 *
 * <p>Used by the machine's control thread only.
 */
public final class MachineMemory implements AutoCloseable {
    private final HostMemoryRegistry registry;
    private final List<RamRegion> ram = new ArrayList<>();
    private final List<AddressSpace> spaces = new ArrayList<>();
    private boolean closed;

    public MachineMemory(HostMemoryRegistry registry) {
        this.registry = registry;
    }

    /** The registry guest RAM is allocated in: KVM and VFIO resolve host addresses through it. */
    public HostMemoryRegistry registry() {
        return registry;
    }

    /** Allocates zeroed guest RAM owned by this machine. */
    public RamRegion allocateRam(String name, long size) {
        ensureOpen();
        RamRegion r = RamRegion.allocate(registry, name, size);
        ram.add(r);
        return r;
    }

    /** Allocates a read-only region (ROM) owned by this machine. */
    public RamRegion allocateRom(String name, long size) {
        ensureOpen();
        RamRegion r = RamRegion.allocateRom(registry, name, size);
        ram.add(r);
        return r;
    }

    /** Releases one RAM region early (memory hot-unplug), after it left every address space. */
    public void release(RamRegion region) {
        if (region.container() != null) {
            throw new IllegalStateException("release " + region.name() + ": still placed in " + region.container().name());
        }
        if (!ram.remove(region)) {
            throw new IllegalStateException("release " + region.name() + ": not owned by this machine");
        }
        region.close();
    }

    /** Takes ownership of an address space: it is closed with the machine. */
    public AddressSpace adopt(AddressSpace as) {
        ensureOpen();
        spaces.add(as);
        return as;
    }

    public List<AddressSpace> addressSpaces() {
        return List.copyOf(spaces);
    }

    public List<RamRegion> ramRegions() {
        return List.copyOf(ram);
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("machine memory is closed");
        }
    }

    @Override
    public void close() {
        ensureOpen();
        closed = true;
        for (AddressSpace as : spaces.reversed()) {
            as.close();
        }
        for (RamRegion r : ram.reversed()) {
            r.close();
        }
        spaces.clear();
        ram.clear();
    }
}
