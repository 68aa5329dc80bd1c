package org.jvmm.memory;

import java.lang.foreign.MemorySegment;
import org.jvmm.address.HostAddress;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.host.memory.HostMemoryRegistry;

/**
 * Guest RAM (or ROM, when read-only): native memory mapped through FFM, page aligned, whose host
 * address is real, so KVM takes it as a memslot's userspace_addr and VFIO MAP_DMA as its vaddr.
 *
 * <p>The region owns its {@link HostMapping}: {@link #close()} releases the memory (munmap and the
 * memfd) and is done once, by the machine that allocated it, after the region has left every
 * address space. Accesses from guests go through {@link AddressSpace}; only memory providers (this
 * package, the accelerator's memslots, host devices) touch the segment itself.
 */
public final class RamRegion extends MemoryRegion implements AutoCloseable {
    private final HostMapping mapping;
    private final MemorySegment segment;
    private final boolean readOnly;
    private final boolean ownsMapping;

    private RamRegion(String name, HostMapping mapping, boolean readOnly, boolean ownsMapping) {
        super(name, mapping.size());
        this.mapping = mapping;
        this.segment = mapping.segment();
        this.readOnly = readOnly;
        this.ownsMapping = ownsMapping;
    }

    private RamRegion(String name, MemorySegment deviceMemory) {
        super(name, deviceMemory.byteSize());
        this.mapping = null;
        this.segment = deviceMemory;
        this.readOnly = false;
        this.ownsMapping = false;
    }

    /** Allocates {@code size} bytes (whole pages) of zeroed guest RAM. */
    public static RamRegion allocate(HostMemoryRegistry registry, String name, long size) {
        return new RamRegion(name, registry.allocate(name, size), false, true);
    }

    /** Allocates a read-only region: guest writes to it are dropped (QEMU's ROM). */
    public static RamRegion allocateRom(HostMemoryRegistry registry, String name, long size) {
        return new RamRegion(name, registry.allocate(name, size), true, true);
    }

    /**
     * Wraps memory a host device provides (a mmap-able BAR, faulted in); the device keeps owning
     * it. Its host address is the segment's address, so it must be memory of this process's host
     * memory registry for KVM or VFIO to take it.
     */
    public static RamRegion ofDeviceMemory(String name, MemorySegment deviceMemory) {
        return new RamRegion(name, deviceMemory);
    }

    @Override
    public String kind() {
        return readOnly ? "rom" : "ram";
    }

    public boolean isReadOnly() {
        return readOnly;
    }

    /** The host virtual address of offset 0. */
    public HostAddress hostAddress() {
        return new HostAddress(segment.address());
    }

    /** The backing memory, for memory providers: the accessor, memslots, loaders of images. */
    public MemorySegment segment() {
        return segment;
    }

    /**
     * The memfd behind the region (offset 0 of the region is offset 0 of the file), for handing
     * the memory to another process (vfio-user DMA_MAP); -1 for device memory.
     */
    public int memfd() {
        return mapping == null ? -1 : mapping.memfd();
    }

    /** True when this region allocated its memory and so releases it on {@link #close()}. */
    public boolean ownsMemory() {
        return ownsMapping;
    }

    /**
     * Releases the memory this region allocated.
     *
     * @throws IllegalStateException for device memory (its device owns it), or on a second close
     */
    @Override
    public void close() {
        if (!ownsMapping) {
            throw new IllegalStateException("ram region " + name() + " close: its memory belongs to a device");
        }
        mapping.close();
    }
}
