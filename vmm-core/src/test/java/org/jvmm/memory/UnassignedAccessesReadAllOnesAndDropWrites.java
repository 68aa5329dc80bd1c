package org.jvmm.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteOrder;
import org.jvmm.address.GuestAddress;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.junit.jupiter.api.Test;

/** An access that hits nothing reads all-ones, drops writes, is counted, and never throws. */
class UnassignedAccessesReadAllOnesAndDropWrites {

    @Test
    void readsAreAllOnesOfTheAccessSize() {
        AddressSpace as = new AddressSpace("as", new ContainerRegion("root", 0x10000), ByteOrder.LITTLE_ENDIAN);
        assertEquals(0xffL, as.read(new GuestAddress(0x10), 1));
        assertEquals(0xffffL, as.read(new GuestAddress(0x10), 2));
        assertEquals(0xffff_ffffL, as.read(new GuestAddress(0x10), 4));
        assertEquals(-1L, as.read(new GuestAddress(0x10), 8));
        // beyond the root region too
        assertEquals(-1L, as.read(new GuestAddress(0x7fff_ffff_0000L), 8));
        assertEquals(5, as.counters().snapshot().unassignedReads());
    }

    @Test
    void writesAreDroppedAndCounted() {
        HostMemoryRegistry registry = new HostMemoryRegistry();
        try (RamRegion ram = RamRegion.allocate(registry, "ram", 0x1000)) {
            ContainerRegion root = new ContainerRegion("root", 0x10000);
            root.addSubregion(0x2000, ram);
            AddressSpace as = new AddressSpace("as", root, ByteOrder.LITTLE_ENDIAN);
            as.write(new GuestAddress(0x1000), 8, 0x1234);
            as.write(new GuestAddress(0x3000), 4, 0x1234);
            assertEquals(2, as.counters().snapshot().unassignedWrites());
            for (long off = 0; off < 0x1000; off += 8) {
                assertEquals(0, as.read(new GuestAddress(0x2000 + off), 8));
            }
        }
    }

    @Test
    void anAccessHalfInRamHalfInAHoleKeepsTheRamBytes() {
        HostMemoryRegistry registry = new HostMemoryRegistry();
        try (RamRegion ram = RamRegion.allocate(registry, "ram", 0x1000)) {
            ContainerRegion root = new ContainerRegion("root", 0x10000);
            root.addSubregion(0, ram);
            AddressSpace as = new AddressSpace("as", root, ByteOrder.LITTLE_ENDIAN);
            as.write(new GuestAddress(0xffc), 8, 0x1122334455667788L);
            assertEquals(0x55667788L, as.read(new GuestAddress(0xffc), 4));
            assertEquals(0xffff_ffff_5566_7788L, as.read(new GuestAddress(0xffc), 8));
        }
    }
}
