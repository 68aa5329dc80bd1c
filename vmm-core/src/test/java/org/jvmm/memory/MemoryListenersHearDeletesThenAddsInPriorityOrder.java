package org.jvmm.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.jvmm.memory.TestRegions.RecordingOps;
import org.junit.jupiter.api.Test;

/** Listener calls: begin, deletes in descending priority, adds in ascending priority, commit; replay. */
class MemoryListenersHearDeletesThenAddsInPriorityOrder {
    private final List<String> calls = new ArrayList<>();

    private MemoryListener listener(String id, int priority) {
        return new MemoryListener() {
            @Override
            public int priority() {
                return priority;
            }

            @Override
            public void begin() {
                calls.add(id + ":begin");
            }

            @Override
            public void regionAdd(MemoryRegionSection s) {
                calls.add(id + ":add " + s);
            }

            @Override
            public void regionDel(MemoryRegionSection s) {
                calls.add(id + ":del " + s);
            }

            @Override
            public void commit() {
                calls.add(id + ":commit");
            }
        };
    }

    private static MmioRegion mmio(String name) {
        return new MmioRegion(name, 0x1000, new RecordingOps(AccessRules.DEFAULT));
    }

    @Test
    void addsGoInAscendingAndDeletesInDescendingPriority() {
        ContainerRegion root = new ContainerRegion("root", 0x100000);
        AddressSpace as = new AddressSpace("as", root, ByteOrder.LITTLE_ENDIAN);
        MmioRegion old = mmio("old");
        root.addSubregion(0x1000, old);
        as.addListener(listener("B", 10));
        as.addListener(listener("A", 0));
        as.addListener(listener("C", 10));
        calls.clear();

        as.transaction(() -> {
            root.removeSubregion(old);
            root.addSubregion(0x8000, mmio("new"));
        });

        assertEquals(List.of(
                "A:begin", "B:begin", "C:begin",
                "C:del old@0x1000+0x1000", "B:del old@0x1000+0x1000", "A:del old@0x1000+0x1000",
                "A:add new@0x8000+0x1000", "B:add new@0x8000+0x1000", "C:add new@0x8000+0x1000",
                "A:commit", "B:commit", "C:commit"),
                calls);
    }

    @Test
    void aNewListenerIsReplayedEveryPresentRange() {
        ContainerRegion root = new ContainerRegion("root", 0x100000);
        root.addSubregion(0x1000, mmio("a"));
        root.addSubregion(0x3000, mmio("b"));
        AddressSpace as = new AddressSpace("as", root, ByteOrder.LITTLE_ENDIAN);
        as.addListener(listener("L", 0));
        assertEquals(List.of("L:begin", "L:add a@0x1000+0x1000", "L:add b@0x3000+0x1000", "L:commit"), calls);
    }

    @Test
    void anUnregisteredListenerIsToldEveryRangeIsGone() {
        ContainerRegion root = new ContainerRegion("root", 0x100000);
        root.addSubregion(0x1000, mmio("a"));
        AddressSpace as = new AddressSpace("as", root, ByteOrder.LITTLE_ENDIAN);
        MemoryListener l = listener("L", 0);
        as.addListener(l);
        calls.clear();
        as.removeListener(l);
        root.addSubregion(0x5000, mmio("late"));
        assertEquals(List.of("L:begin", "L:del a@0x1000+0x1000", "L:commit"), calls);
    }

    @Test
    void anUnchangedRangeIsNotReported() {
        ContainerRegion root = new ContainerRegion("root", 0x100000);
        root.addSubregion(0x1000, mmio("stays"));
        AddressSpace as = new AddressSpace("as", root, ByteOrder.LITTLE_ENDIAN);
        as.addListener(listener("L", 0));
        calls.clear();
        root.addSubregion(0x4000, mmio("added"));
        assertEquals(List.of("L:begin", "L:add added@0x4000+0x1000", "L:commit"), calls);
    }

    @Test
    void aMoveIsADeleteThenAnAdd() {
        ContainerRegion root = new ContainerRegion("root", 0x100000);
        MmioRegion bar = mmio("bar");
        root.addSubregion(0x1000, bar);
        AddressSpace as = new AddressSpace("as", root, ByteOrder.LITTLE_ENDIAN);
        as.addListener(listener("L", 0));
        calls.clear();
        bar.setOffset(0x2000);
        assertEquals(List.of("L:begin", "L:del bar@0x1000+0x1000", "L:add bar@0x2000+0x1000", "L:commit"), calls);
    }

    @Test
    void changingTheTreeFromACallbackIsRefused() {
        ContainerRegion root = new ContainerRegion("root", 0x100000);
        AddressSpace as = new AddressSpace("as", root, ByteOrder.LITTLE_ENDIAN);
        as.addListener(new MemoryListener() {
            @Override
            public void regionAdd(MemoryRegionSection s) {
                root.addSubregion(0x9000, mmio("nested"));
            }
        });
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> root.addSubregion(0x1000, mmio("a")));
        assertEquals("address space as: the memory tree cannot change from inside a memory listener callback",
                e.getMessage());
        // the refused nested change left nothing behind
        assertEquals(1, root.subregions().size());
    }
}
