package org.jvmm.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.host.sys.Linux;
import org.jvmm.host.sys.ProcessFds;
import org.jvmm.host.sys.Syscalls;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link HostMemoryRegistry#map}: a file another process handed over (a vfio-user client's memory
 * fd) is mapped shared at an offset and registered; the mapping owns the fd and closing it closes
 * the fd; a refusal registers nothing and leaves the fd with the caller.
 */
@DisplayName("host memory: an fd handed over is mmapped shared, registered, and closed with its mapping")
class HostMemoryRegistryMapsAHandedOverFd {
    private final Syscalls sys = Syscalls.linux();

    private int memfd(long size) {
        int fd = sys.memfdCreate("handed over", Linux.MFD_CLOEXEC);
        assertEquals(0, sys.ftruncate(fd, size));
        return fd;
    }

    @Test
    void mapsTheFileAtTheOffsetSharedAndClosesTheFdWithTheMapping() {
        HostMemoryRegistry registry = new HostMemoryRegistry();
        long fds = ProcessFds.count();
        int fd = memfd(0x3000);
        long other = sys.mmap(0x3000, Linux.PROT_READ | Linux.PROT_WRITE, Linux.MAP_SHARED, fd, 0);
        MemorySegment theirs = MemorySegment.ofAddress(other).reinterpret(0x3000);
        try {
            HostMapping m = registry.map("dma", fd, 0x1000, 0x2000, Linux.PROT_READ | Linux.PROT_WRITE);
            assertSame(m, registry.find(m.address(), 0x2000));
            theirs.set(ValueLayout.JAVA_INT_UNALIGNED, 0x1010, 0x5eed);
            assertEquals(0x5eed, m.segment().get(ValueLayout.JAVA_INT_UNALIGNED, 0x10), "the same file, 0x1000 in");
            m.close();
            assertEquals(0, registry.mappingCount());
            assertEquals(fds, ProcessFds.count(), "the fd went with the mapping");
        } finally {
            sys.munmap(other, 0x3000);
        }
    }

    @Test
    void unalignedOffsetOrSizeIsEinvalAndTheFdStaysTheCallers() {
        HostMemoryRegistry registry = new HostMemoryRegistry();
        int fd = memfd(0x2000);
        try {
            assertEquals(Errno.EINVAL, assertThrows(ErrnoException.class,
                    () -> registry.map("dma", fd, 0x800, 0x1000, Linux.PROT_READ)).errno());
            assertEquals(Errno.EINVAL, assertThrows(ErrnoException.class,
                    () -> registry.map("dma", fd, 0, 0x1800, Linux.PROT_READ)).errno());
            assertEquals(Errno.EINVAL, assertThrows(ErrnoException.class,
                    () -> registry.map("dma", fd, 0, 0, Linux.PROT_READ)).errno());
            assertEquals(0, registry.mappingCount());
        } finally {
            assertEquals(0, sys.close(fd), "the fd is still open and the caller's to close");
        }
    }
}
