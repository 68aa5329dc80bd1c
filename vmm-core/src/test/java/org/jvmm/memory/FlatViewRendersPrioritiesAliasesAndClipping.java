package org.jvmm.memory;

import static org.jvmm.memory.TestRegions.describe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteOrder;
import java.util.List;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.memory.TestRegions.RecordingOps;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Flattening: priorities, overlaps, aliases, nested containers, clipping and disabling. */
class FlatViewRendersPrioritiesAliasesAndClipping {
    private final HostMemoryRegistry registry = new HostMemoryRegistry();
    private final RamRegion ram = RamRegion.allocate(registry, "ram", 0x10000);

    @AfterEach
    void release() {
        ram.close();
    }

    private static MmioRegion mmio(String name, long size) {
        return new MmioRegion(name, size, new RecordingOps(AccessRules.DEFAULT));
    }

    @Test
    void higherPriorityWinsWhereSubregionsOverlap() {
        ContainerRegion root = new ContainerRegion("root", 0x100000);
        root.addSubregion(0, ram);
        root.addSubregion(0x4000, mmio("dev", 0x2000), 1);
        AddressSpace as = new AddressSpace("as", root, ByteOrder.LITTLE_ENDIAN);
        assertEquals(List.of("0-4000 ram@0", "4000-6000 dev@0", "6000-10000 ram@6000"), describe(as.flatView()));
    }

    @Test
    void lowerPriorityShowsOnlyInTheGapsOfHigherOnes() {
        ContainerRegion root = new ContainerRegion("root", 0x100000);
        root.addSubregion(0x4000, mmio("dev", 0x2000), -1);
        root.addSubregion(0, ram);
        AddressSpace as = new AddressSpace("as", root, ByteOrder.LITTLE_ENDIAN);
        assertEquals(List.of("0-10000 ram@0"), describe(as.flatView()));
    }

    @Test
    void atEqualPriorityTheLaterAddedRegionWins() {
        ContainerRegion root = new ContainerRegion("root", 0x100000);
        root.addSubregion(0x1000, mmio("first", 0x2000));
        root.addSubregion(0x2000, mmio("second", 0x2000));
        AddressSpace as = new AddressSpace("as", root, ByteOrder.LITTLE_ENDIAN);
        assertEquals(List.of("1000-2000 first@0", "2000-4000 second@0"), describe(as.flatView()));
    }

    @Test
    void aliasesResolveToTheirTargetWithTheRightOffset() {
        ContainerRegion root = new ContainerRegion("root", 0x100000);
        root.addSubregion(0x20000, new AliasRegion("hi", ram, 0x8000, 0x8000));
        root.addSubregion(0x0, new AliasRegion("lo", ram, 0, 0x8000));
        AddressSpace as = new AddressSpace("as", root, ByteOrder.LITTLE_ENDIAN);
        assertEquals(List.of("0-8000 ram@0", "20000-28000 ram@8000"), describe(as.flatView()));
    }

    @Test
    void nestedContainersAddOffsetsAndClipTheirSubregions() {
        ContainerRegion root = new ContainerRegion("root", 0x100000);
        ContainerRegion hole = new ContainerRegion("pci", 0x3000);
        root.addSubregion(0x50000, hole);
        // a BAR that hangs over the end of its container is clipped to it
        hole.addSubregion(0x2000, mmio("bar", 0x4000));
        ContainerRegion inner = new ContainerRegion("inner", 0x1000);
        hole.addSubregion(0x0, inner);
        inner.addSubregion(0x800, new AliasRegion("ram-window", ram, 0x1000, 0x1000));
        AddressSpace as = new AddressSpace("as", root, ByteOrder.LITTLE_ENDIAN);
        assertEquals(List.of("50800-51000 ram@1000", "52000-53000 bar@0"), describe(as.flatView()));
    }

    @Test
    void aliasOfAContainerWithOverlapsKeepsTheContainersPriorities() {
        ContainerRegion dev = new ContainerRegion("dev", 0x4000);
        dev.addSubregion(0, ram, 0);
        dev.addSubregion(0x1000, mmio("regs", 0x1000), 5);
        ContainerRegion root = new ContainerRegion("root", 0x100000);
        root.addSubregion(0x10000, new AliasRegion("dev-alias", dev, 0x800, 0x2000));
        AddressSpace as = new AddressSpace("as", root, ByteOrder.LITTLE_ENDIAN);
        assertEquals(List.of("10000-10800 ram@800", "10800-11800 regs@0", "11800-12000 ram@2000"),
                describe(as.flatView()));
    }

    @Test
    void disabledRegionsAndTheirSubregionsDisappear() {
        ContainerRegion root = new ContainerRegion("root", 0x100000);
        root.addSubregion(0, ram);
        MmioRegion bar = mmio("bar", 0x1000);
        root.addSubregion(0x2000, bar, 1);
        AddressSpace as = new AddressSpace("as", root, ByteOrder.LITTLE_ENDIAN);
        bar.setEnabled(false);
        assertEquals(List.of("0-10000 ram@0"), describe(as.flatView()));
        bar.setEnabled(true);
        assertEquals(List.of("0-2000 ram@0", "2000-3000 bar@0", "3000-10000 ram@3000"), describe(as.flatView()));
    }

    @Test
    void movingARegionRebuildsTheView() {
        ContainerRegion root = new ContainerRegion("root", 0x100000);
        MmioRegion bar = mmio("bar", 0x1000);
        root.addSubregion(0x2000, bar);
        AddressSpace as = new AddressSpace("as", root, ByteOrder.LITTLE_ENDIAN);
        bar.setOffset(0x9000);
        assertEquals(List.of("9000-a000 bar@0"), describe(as.flatView()));
    }

    @Test
    void lookupFindsTheRangeOrNothing() {
        ContainerRegion root = new ContainerRegion("root", 0x100000);
        root.addSubregion(0x1000, mmio("a", 0x1000));
        root.addSubregion(0x3000, mmio("b", 0x1000));
        FlatView v = new AddressSpace("as", root, ByteOrder.LITTLE_ENDIAN).flatView();
        assertNull(v.lookup(0xfff));
        assertEquals("a", v.lookup(0x1000).region().name());
        assertEquals("a", v.lookup(0x1fff).region().name());
        assertNull(v.lookup(0x2000));
        assertEquals("b", v.lookup(0x3800).region().name());
        assertNull(v.lookup(0x4000));
        assertEquals(0x3000, v.nextStart(0x2000));
        assertEquals(FlatView.NONE, v.nextStart(0x3000));
    }

    @Test
    void aRegionSitsInOneContainerAndCannotContainItself() {
        ContainerRegion root = new ContainerRegion("root", 0x100000);
        ContainerRegion child = new ContainerRegion("child", 0x1000);
        root.addSubregion(0, child);
        IllegalStateException twice = assertThrows(IllegalStateException.class, () -> root.addSubregion(0x1000, child));
        assertEquals("container root add subregion child at 0x1000: it already sits in container root", twice.getMessage());
        assertThrows(IllegalStateException.class, () -> child.addSubregion(0, new AliasRegion("loop", root, 0, 0x1000)));
        assertSame(root, child.container());
        assertEquals(1, root.subregions().size());
        assertEquals(0, child.subregions().size());
    }

    @Test
    void aTransactionRebuildsOnceAtCommit() {
        ContainerRegion root = new ContainerRegion("root", 0x100000);
        AddressSpace as = new AddressSpace("as", root, ByteOrder.LITTLE_ENDIAN);
        long before = as.commitCount();
        as.transaction(() -> {
            root.addSubregion(0x1000, mmio("a", 0x1000));
            root.addSubregion(0x2000, mmio("b", 0x1000));
            assertEquals(0, as.flatView().size());
        });
        assertEquals(before + 1, as.commitCount());
        assertEquals(2, as.flatView().size());
    }
}
