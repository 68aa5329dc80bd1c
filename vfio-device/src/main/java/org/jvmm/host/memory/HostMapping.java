package org.jvmm.host.memory;

import java.lang.foreign.MemorySegment;
import org.jvmm.address.HostAddress;
import org.jvmm.host.sys.Syscalls;

/**
 * One native mapping of this process (mmap of a memfd, shared), page aligned, registered in the
 * {@link HostMemoryRegistry} that made it. Its owner closes it once: the mapping is removed from
 * the registry, unmapped, and its memfd closed. Closing twice throws.
 *
 * <p>The memfd stays open for the mapping's life so that the same memory can be mapped again
 * elsewhere (a KVM memslot of a BAR, a second process in later work).
 */
public final class HostMapping implements AutoCloseable {
    private final HostMemoryRegistry registry;
    private final Syscalls sys;
    private final String name;
    private final MemorySegment segment;
    private final int memfd;
    private volatile boolean closed;

    HostMapping(HostMemoryRegistry registry, Syscalls sys, String name, MemorySegment segment, int memfd) {
        this.registry = registry;
        this.sys = sys;
        this.name = name;
        this.segment = segment;
        this.memfd = memfd;
    }

    public String name() {
        return name;
    }

    /** The host virtual address of the first byte. */
    public HostAddress address() {
        return new HostAddress(segment.address());
    }

    public long size() {
        return segment.byteSize();
    }

    /** True when [address, address + size) lies inside this mapping. */
    public boolean contains(HostAddress address, long size) {
        long off = address.value() - segment.address();
        // unsigned: an address below the mapping gives an offset of 2^63 or more, past byteSize
        return size >= 0 && Long.compareUnsigned(off, segment.byteSize()) <= 0 && size <= segment.byteSize() - off;
    }

    /**
     * The whole mapping as a segment. Only memory providers (guest RAM, host devices) use it;
     * everybody else goes through an accessor.
     */
    public MemorySegment segment() {
        if (closed) {
            throw new IllegalStateException("host mapping " + name + " is closed");
        }
        return segment;
    }

    /** The memfd behind the mapping. */
    public int memfd() {
        return memfd;
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("host mapping " + name + " at " + address() + " closed twice");
            }
            closed = true;
        }
        registry.unregister(this);
        Syscalls.check(sys.munmap(segment.address(), segment.byteSize()), "munmap",
                "addr=" + address() + ", size=0x" + Long.toHexString(size()));
        Syscalls.check(sys.close(memfd), "close", "memfd=" + memfd + " of " + name);
    }

    @Override
    public String toString() {
        return "HostMapping[" + name + " " + address() + "+0x" + Long.toHexString(size()) + (closed ? ", closed]" : "]");
    }
}
