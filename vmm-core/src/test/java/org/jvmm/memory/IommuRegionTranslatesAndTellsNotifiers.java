package org.jvmm.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.jvmm.address.GuestAddress;
import org.jvmm.address.Iova;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.iommu.IommuPermission;

/** An IOMMU region translates accesses into its target space and tells notifiers of changes. */
class IommuRegionTranslatesAndTellsNotifiers {
    private static final long PAGE = 0x1000;
    private final HostMemoryRegistry registry = new HostMemoryRegistry();
    private final RamRegion ram = RamRegion.allocate(registry, "ram", 0x10000);

    /** A page table: iova page -> (guest page, permission). */
    private final Map<Long, IommuTlbEntry> table = new TreeMap<>();
    private final IommuTranslator translator = (offset, access) -> {
        IommuTlbEntry e = table.get(offset & ~(PAGE - 1));
        return e != null ? e : IommuTlbEntry.none(new Iova(offset), PAGE - 1);
    };

    @AfterEach
    void release() {
        ram.close();
    }

    private AddressSpace guest() {
        ContainerRegion sys = new ContainerRegion("sys", 0x100000);
        sys.addSubregion(0, ram);
        return new AddressSpace("memory", sys, ByteOrder.LITTLE_ENDIAN);
    }

    private void map(long iova, long gpa, IommuPermission perm) {
        table.put(iova, new IommuTlbEntry(new Iova(iova), new GuestAddress(gpa), PAGE - 1, perm));
    }

    @Test
    void accessesAreTranslatedAndPermissionsChecked() {
        AddressSpace guest = guest();
        IommuRegion iommu = new IommuRegion("tce", 1L << 30, translator, guest);
        AddressSpace dma = new AddressSpace("dma", iommu, ByteOrder.LITTLE_ENDIAN);
        map(0x7000, 0x3000, IommuPermission.READ_WRITE);
        map(0x8000, 0x4000, IommuPermission.READ);
        dma.write(new GuestAddress(0x7010), 8, 0xfeedfacecafebeefL);
        assertEquals(0xfeedfacecafebeefL, guest.read(new GuestAddress(0x3010), 8));
        dma.write(new GuestAddress(0x8010), 8, 1);
        assertEquals(0, guest.read(new GuestAddress(0x4010), 8));
        assertEquals(-1L, dma.read(new GuestAddress(0x9000), 8));
        assertEquals(2, dma.counters().snapshot().iommuFaults());

        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(0x2000);
            // two pages: the first maps, the second is read-only, so a write faults there only
            assertEquals(MemTxResult.ACCESS_ERROR, dma.write(new GuestAddress(0x7000), buf.fill((byte) 3)));
            assertEquals((byte) 3, ram.segment().get(ValueLayout.JAVA_BYTE, 0x3fff));
            assertEquals((byte) 0, ram.segment().get(ValueLayout.JAVA_BYTE, 0x4000));
        }
    }

    @Test
    void notifiersHearChangesInTheirRangeAndReplayTellsEveryValidEntry() {
        IommuRegion iommu = new IommuRegion("tce", 1L << 30, translator, guest());
        List<String> heard = new ArrayList<>();
        IommuRegion.Registration reg = iommu.addNotifier(EnumSet.allOf(IommuEvent.Type.class), new Iova(0),
                new Iova(0xffff), e -> heard.add(e.type() + " " + e.entry().iova()));
        map(0x2000, 0x1000, IommuPermission.READ_WRITE);
        iommu.notifyChange(new IommuEvent(IommuEvent.Type.MAP, table.get(0x2000L)));
        iommu.notifyChange(new IommuEvent(IommuEvent.Type.MAP,
                new IommuTlbEntry(new Iova(0x20000), new GuestAddress(0), PAGE - 1, IommuPermission.READ)));
        iommu.notifyChange(new IommuEvent(IommuEvent.Type.UNMAP, IommuTlbEntry.none(new Iova(0x2000), PAGE - 1)));
        assertEquals(List.of("MAP 0x2000", "UNMAP 0x2000"), heard);

        map(0x5000, 0x6000, IommuPermission.READ);
        List<Long> replayed = new ArrayList<>();
        iommu.replay(e -> replayed.add(e.entry().iova().value()));
        assertEquals(List.of(0x2000L, 0x5000L), replayed);

        reg.close();
        assertEquals(0, iommu.notifierCount());
        assertThrows(IllegalStateException.class, reg::close);
    }
}
