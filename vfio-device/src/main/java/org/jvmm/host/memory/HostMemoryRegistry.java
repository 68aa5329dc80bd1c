package org.jvmm.host.memory;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import org.jvmm.address.HostAddress;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.host.sys.Linux;
import org.jvmm.host.sys.Syscalls;

/**
 * The host process's address space as far as the project's kernel models can see it: every
 * mapping it allocated, by host virtual address. It plays {@code get_user_pages}: {@link #resolve}
 * turns a host address range into memory only when the whole range lies inside one registered
 * mapping, and otherwise fails with EFAULT, so a foreign address is never dereferenced.
 *
 * <p>Thread-safe; lookups are O(log n) in the number of mappings and take no lock.
 */
public final class HostMemoryRegistry {
    private final Syscalls sys;
    private final ConcurrentSkipListMap<Long, HostMapping> byAddress = new ConcurrentSkipListMap<>(Long::compareUnsigned);

    public HostMemoryRegistry(Syscalls sys) {
        this.sys = sys;
    }

    public HostMemoryRegistry() {
        this(Syscalls.linux());
    }

    /**
     * Allocates {@code size} bytes of zeroed, shared native memory (a memfd, mapped shared), page
     * aligned, and registers it. The caller owns the returned mapping and closes it.
     *
     * @throws IllegalArgumentException if size is not a positive multiple of the page size
     * @throws ErrnoException if the kernel refuses (ENOMEM ...); nothing is left behind
     */
    public HostMapping allocate(String name, long size) {
        if (size <= 0 || (size & (Linux.PAGE_SIZE - 1)) != 0) {
            throw new IllegalArgumentException("host memory allocate " + name + ": size 0x"
                    + Long.toHexString(size) + " is not a positive multiple of the page size 0x"
                    + Long.toHexString(Linux.PAGE_SIZE));
        }
        int fd = Syscalls.check(sys.memfdCreate(name, Linux.MFD_CLOEXEC), "memfd_create", "name=" + name);
        long addr;
        try {
            Syscalls.check(sys.ftruncate(fd, size), "ftruncate", "memfd " + name + ", size=0x" + Long.toHexString(size));
            addr = Syscalls.check(sys.mmap(size, Linux.PROT_READ | Linux.PROT_WRITE, Linux.MAP_SHARED, fd, 0),
                    "mmap", "memfd " + name + ", size=0x" + Long.toHexString(size));
        } catch (RuntimeException e) {
            sys.close(fd);
            throw e;
        }
        MemorySegment segment = MemorySegment.ofAddress(addr).reinterpret(size);
        HostMapping mapping = new HostMapping(this, sys, name, segment, fd);
        byAddress.put(addr, mapping);
        return mapping;
    }

    /**
     * Maps {@code size} bytes at {@code offset} of a file another process handed over (a vfio-user
     * client's memory fd), shared, with {@code prot}, and registers the mapping. From then on the
     * mapping owns {@code fd}: closing it unmaps the memory and closes the fd. On failure nothing
     * is registered and the fd stays the caller's.
     *
     * @throws ErrnoException EINVAL when size is not a positive multiple of the page size or the
     *     offset is not page aligned; what mmap answers otherwise (EACCES, ENODEV ...)
     */
    public HostMapping map(String name, int fd, long offset, long size, int prot) {
        if (size <= 0 || (size & (Linux.PAGE_SIZE - 1)) != 0 || (offset & (Linux.PAGE_SIZE - 1)) != 0) {
            throw new ErrnoException("mmap", Errno.EINVAL, name + ": offset=0x" + Long.toHexString(offset)
                    + ", size=0x" + Long.toHexString(size) + " not page aligned");
        }
        long addr = sys.mmap(size, prot, Linux.MAP_SHARED, fd, offset);
        if (addr < 0 && addr >= -4095) {
            throw new ErrnoException("mmap", (int) -addr, name + ": fd=" + fd + ", offset=0x" + Long.toHexString(offset)
                    + ", size=0x" + Long.toHexString(size));
        }
        HostMapping mapping = new HostMapping(this, sys, name, MemorySegment.ofAddress(addr).reinterpret(size), fd);
        byAddress.put(addr, mapping);
        return mapping;
    }

    /**
     * The memory at [address, address + size), which must lie inside one registered mapping.
     *
     * @param operation the caller's operation, named in the error (e.g. {@code VFIO_IOMMU_MAP_DMA})
     * @throws ErrnoException EFAULT when any byte of the range is outside every mapping
     */
    public MemorySegment resolve(String operation, HostAddress address, long size) {
        HostMapping m = find(address, size);
        if (m == null) {
            throw new ErrnoException(operation, Errno.EFAULT, "vaddr=" + address + ", size=0x"
                    + Long.toHexString(size) + " is not inside one mapping of this process");
        }
        return m.segment().asSlice(address.value() - m.address().value(), size);
    }

    /** The mapping that holds all of [address, address + size), or null. */
    public HostMapping find(HostAddress address, long size) {
        Map.Entry<Long, HostMapping> e = byAddress.floorEntry(address.value());
        if (e == null) {
            return null;
        }
        HostMapping m = e.getValue();
        return m.contains(address, size) ? m : null;
    }

    /** How many mappings are registered now. */
    public int mappingCount() {
        return byAddress.size();
    }

    /** How many bytes the registered mappings cover now. */
    public long mappedBytes() {
        long total = 0;
        for (HostMapping m : byAddress.values()) {
            total += m.size();
        }
        return total;
    }

    /** A snapshot of the registered mappings, in address order. */
    public List<HostMapping> mappings() {
        return new ArrayList<>(byAddress.values());
    }

    void unregister(HostMapping mapping) {
        byAddress.remove(mapping.address().value(), mapping);
    }
}
