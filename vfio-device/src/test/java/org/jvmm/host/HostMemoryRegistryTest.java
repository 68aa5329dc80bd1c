package org.jvmm.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.jvmm.address.HostAddress;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.host.sys.ProcessFds;
import org.junit.jupiter.api.Test;

class HostMemoryRegistryTest {

    @Test
    void resolvesAnAddressInsideAMappingToTheSameBytes() {
        HostMemoryRegistry registry = new HostMemoryRegistry();
        try (HostMapping m = registry.allocate("ram", 0x4000)) {
            m.segment().set(ValueLayout.JAVA_LONG_UNALIGNED, 0x1008, 0x1122334455667788L);
            MemorySegment s = registry.resolve("test", m.address().plus(0x1000), 0x10);
            assertEquals(0x10, s.byteSize());
            assertEquals(0x1122334455667788L, s.get(ValueLayout.JAVA_LONG_UNALIGNED, 8));
            assertSame(m, registry.find(m.address().plus(0x3fff), 1));
        }
    }

    @Test
    void refusesAForeignAddressWithEfault() {
        HostMemoryRegistry registry = new HostMemoryRegistry();
        try (HostMapping m = registry.allocate("ram", 0x2000)) {
            ErrnoException past = assertThrows(ErrnoException.class,
                    () -> registry.resolve("VFIO_IOMMU_MAP_DMA", m.address().plus(0x1000), 0x1001));
            assertEquals(Errno.EFAULT, past.errno());
            assertEquals("VFIO_IOMMU_MAP_DMA", past.operation());
            assertTrue(past.getMessage().contains("vaddr=" + m.address().plus(0x1000)), past.getMessage());
            ErrnoException below = assertThrows(ErrnoException.class,
                    () -> registry.resolve("KVM_SET_USER_MEMORY_REGION", new HostAddress(m.address().value() - 1), 2));
            assertEquals(Errno.EFAULT, below.errno());
            assertThrows(ErrnoException.class, () -> registry.resolve("op", new HostAddress(0x1000), 8));
        }
    }

    @Test
    void closingAMappingUnregistersItAndReleasesItsFile() {
        HostMemoryRegistry registry = new HostMemoryRegistry();
        long fdsBefore = ProcessFds.count();
        HostMapping m = registry.allocate("ram", 0x10000);
        assertEquals(fdsBefore + 1, ProcessFds.count());
        assertEquals(1, registry.mappingCount());
        HostAddress at = m.address();
        m.close();
        assertEquals(0, registry.mappingCount());
        assertEquals(0, registry.mappedBytes());
        assertEquals(fdsBefore, ProcessFds.count());
        assertNull(registry.find(at, 1));
        assertThrows(IllegalStateException.class, m::close);
    }

    @Test
    void allocateRejectsASizeThatIsNotWholePages() {
        HostMemoryRegistry registry = new HostMemoryRegistry();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> registry.allocate("ram", 0x1800));
        assertTrue(e.getMessage().contains("0x1800"), e.getMessage());
        assertEquals(0, registry.mappingCount());
    }
}
