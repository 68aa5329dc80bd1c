package org.jvmm.pci.host.spapr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import org.jvmm.address.Iova;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.testing.SpaprRig;
import org.jvmm.iommu.FaultReason;
import org.jvmm.vfio.iommu.DmaMap;
import org.jvmm.vfio.iommu.DmaUnmap;
import org.jvmm.vfio.iommu.SpaprRegisterMemory;
import org.jvmm.vfio.iommu.SpaprTceCreate;
import org.jvmm.vfio.iommu.SpaprTceRemove;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, defect 3: a device DMA on sPAPR checked its TCEs in one pass and read them again to
 * copy, so an unmap between the two passes made the copy pass dereference a cleared TCE
 * (NullPointerException out of the DMA). The rule: a DMA is whole or nothing against one view of
 * the table, or it faults. These tests put the table change exactly between translation and copy
 * (a test hook of {@link PartitionableEndpoint}): the DMA completes against the translation it
 * made (hardware finishes an in-flight transfer before the TCE invalidation completes), moving
 * every byte, and nothing escapes. A change while the DMA is still translating makes it translate
 * again: it then reads the table as it is after the change (never half old, half new), or faults
 * having moved nothing.
 */
@DisplayName("Issue 10 defect 3: a DMA racing a TCE unmap or window removal is whole against the table it translated, no exception")
class DmaRacingATceUnmapUsesOneViewOfTheTable {
    private static final long PAGE = 0x1000;

    private static byte[] pattern(int seed, int len) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) {
            b[i] = (byte) (seed * 37 + i * 11 + (i >> 12) * 101); // differs from page to page
        }
        return b;
    }

    @Test
    void deviceReadAcrossTwoPagesWhoseSecondIsUnmappedMidDmaReadsBothPagesAsTranslated() {
        try (SpaprRig rig = new SpaprRig().open(VFIO_SPAPR_TCE_v2_IOMMU); HostMapping ram = rig.memory.allocate("ram", 1 << 16);
                Arena arena = Arena.ofConfined()) {
            rig.container.spaprRegisterMemory(SpaprRegisterMemory.of(ram.address(), 1 << 16));
            rig.container.mapDma(new DmaMap(VFIO_DMA_MAP_FLAG_READ, ram.address(), Iova.of(0x10000), 2 * PAGE));
            byte[] want = pattern(1, (int) (2 * PAGE));
            MemorySegment.copy(want, 0, ram.segment(), ValueLayout.JAVA_BYTE, 0, want.length);
            PartitionableEndpoint pe = rig.pe();
            pe.afterTranslationForTest(() -> rig.container.unmapDma(new DmaUnmap(0, Iova.of(0x11000), PAGE)));
            MemorySegment buf = arena.allocate(2 * PAGE);

            FaultReason r = pe.transfer(Iova.of(0x10800), buf.asSlice(0, PAGE + 0x800), false);

            assertNull(r);
            assertArrayEquals(Arrays.copyOfRange(want, 0x800, (int) (2 * PAGE)),
                    buf.asSlice(0, PAGE + 0x800).toArray(ValueLayout.JAVA_BYTE));
            pe.afterTranslationForTest(null);
            assertEquals(FaultReason.UNMAPPED, pe.transfer(Iova.of(0x11000), buf.asSlice(0, 8), false),
                    "the unmap took effect for the next DMA");
        }
    }

    @Test
    void deviceWriteWhoseWholeRangeIsUnmappedMidDmaWritesEveryByteItTranslated() {
        try (SpaprRig rig = new SpaprRig().open(VFIO_SPAPR_TCE_v2_IOMMU); HostMapping ram = rig.memory.allocate("ram", 1 << 16);
                Arena arena = Arena.ofConfined()) {
            rig.container.spaprRegisterMemory(SpaprRegisterMemory.of(ram.address(), 1 << 16));
            rig.container.mapDma(new DmaMap(VFIO_DMA_MAP_FLAG_WRITE, ram.address(), Iova.of(0x20000), 3 * PAGE));
            PartitionableEndpoint pe = rig.pe();
            pe.afterTranslationForTest(() -> rig.container.unmapDma(new DmaUnmap(0, Iova.of(0x20000), 3 * PAGE)));
            byte[] data = pattern(2, (int) (3 * PAGE));
            MemorySegment buf = arena.allocate(data.length);
            MemorySegment.copy(data, 0, buf, ValueLayout.JAVA_BYTE, 0, data.length);

            FaultReason r = pe.transfer(Iova.of(0x20000), buf, true);

            assertNull(r);
            assertArrayEquals(data, ram.segment().asSlice(0, data.length).toArray(ValueLayout.JAVA_BYTE));
            assertEquals(0, rig.iommu().registeredMemory().get(0).mappedCount(), "every TCE was cleared");
        }
    }

    @Test
    void dynamicWindowRemovedMidDmaStillCompletesTheDmaItTranslated() {
        try (SpaprRig rig = new SpaprRig().open(VFIO_SPAPR_TCE_v2_IOMMU); HostMapping ram = rig.memory.allocate("ram", 1 << 20);
                Arena arena = Arena.ofConfined()) {
            rig.container.spaprRegisterMemory(SpaprRegisterMemory.of(ram.address(), 1 << 20));
            Iova ddw = rig.container.spaprTceCreate(SpaprTceCreate.of(16, 1L << 30, 1));
            long aligned = ((ram.address().value() + 0x1ffff) & ~0xffffL) - ram.address().value();
            rig.container.mapDma(new DmaMap(VFIO_DMA_MAP_FLAG_READ, ram.address().plus(aligned), ddw, 0x20000));
            byte[] want = pattern(3, 0x20000);
            MemorySegment.copy(want, 0, ram.segment(), ValueLayout.JAVA_BYTE, aligned, want.length);
            PartitionableEndpoint pe = rig.pe();
            pe.afterTranslationForTest(() -> {
                rig.container.unmapDma(new DmaUnmap(0, ddw, 0x20000));
                rig.container.spaprTceRemove(SpaprTceRemove.of(ddw));
            });
            MemorySegment buf = arena.allocate(0x20000);

            FaultReason r = pe.transfer(ddw, buf, false);

            assertNull(r);
            assertArrayEquals(want, buf.toArray(ValueLayout.JAVA_BYTE));
            assertNull(pe.window(1), "the window is gone afterwards");
        }
    }

    @Test
    void eduDmaThroughTheDevicePortRacingAnUnmapMovesEveryByteAndRecordsNoFault() {
        try (SpaprRig rig = new SpaprRig().open(VFIO_SPAPR_TCE_v2_IOMMU); HostMapping ram = rig.memory.allocate("ram", 1 << 16)) {
            rig.container.spaprRegisterMemory(SpaprRegisterMemory.of(ram.address(), 1 << 16));
            rig.container.mapDma(new DmaMap(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE, ram.address(), Iova.of(0x30000), 2 * PAGE));
            rig.enableDevice();
            rig.pe().afterTranslationForTest(() -> rig.container.unmapDma(new DmaUnmap(0, Iova.of(0x30000), 2 * PAGE)));
            long faultsBefore = rig.platform.faults().total();

            rig.eduDma(0x30800, 0, PAGE, false);

            assertEquals(PAGE, rig.edu.dmaBytesMoved());
            assertEquals(faultsBefore, rig.platform.faults().total());
        }
    }

    @Test
    void pagesRemappedWhileADmaTranslatesAreReadAsTheyAreAfterTheChangeNeverMixed() {
        try (SpaprRig rig = new SpaprRig().open(VFIO_SPAPR_TCE_v2_IOMMU); HostMapping ram = rig.memory.allocate("ram", 1 << 16);
                Arena arena = Arena.ofConfined()) {
            rig.container.spaprRegisterMemory(SpaprRegisterMemory.of(ram.address(), 1 << 16));
            byte[] ramBytes = pattern(4, (int) (4 * PAGE));
            MemorySegment.copy(ramBytes, 0, ram.segment(), ValueLayout.JAVA_BYTE, 0, ramBytes.length);
            rig.container.mapDma(new DmaMap(VFIO_DMA_MAP_FLAG_READ, ram.address(), Iova.of(0x10000), 2 * PAGE));
            PartitionableEndpoint pe = rig.pe();
            boolean[] moved = {false};
            pe.midTranslationForTest(() -> { // page 0 is translated (to RAM page 0) when both move to RAM pages 2 and 3, once
                if (!moved[0]) {
                    moved[0] = true;
                    rig.container.unmapDma(new DmaUnmap(0, Iova.of(0x10000), 2 * PAGE));
                    rig.container.mapDma(new DmaMap(VFIO_DMA_MAP_FLAG_READ, ram.address().plus(2 * PAGE), Iova.of(0x10000), 2 * PAGE));
                }
            });
            MemorySegment buf = arena.allocate(2 * PAGE);

            FaultReason r = pe.transfer(Iova.of(0x10000), buf, false);

            assertNull(r);
            assertArrayEquals(Arrays.copyOfRange(ramBytes, (int) (2 * PAGE), (int) (4 * PAGE)), buf.toArray(ValueLayout.JAVA_BYTE),
                    "RAM pages 2 and 3, the table after the change; not RAM page 0 then 3");
        }
    }

    @Test
    void pagesUnmappedWhileADmaTranslatesFaultTheDmaWithNothingMoved() {
        try (SpaprRig rig = new SpaprRig().open(VFIO_SPAPR_TCE_v2_IOMMU); HostMapping ram = rig.memory.allocate("ram", 1 << 16);
                Arena arena = Arena.ofConfined()) {
            rig.container.spaprRegisterMemory(SpaprRegisterMemory.of(ram.address(), 1 << 16));
            rig.container.mapDma(new DmaMap(VFIO_DMA_MAP_FLAG_WRITE, ram.address(), Iova.of(0x10000), 2 * PAGE));
            PartitionableEndpoint pe = rig.pe();
            pe.midTranslationForTest(() -> rig.container.unmapDma(new DmaUnmap(0, Iova.of(0x10000), 2 * PAGE)));
            MemorySegment buf = arena.allocate(2 * PAGE);
            buf.fill((byte) 0x77);

            FaultReason r = pe.transfer(Iova.of(0x10000), buf, true);

            assertEquals(FaultReason.UNMAPPED, r);
            assertArrayEquals(new byte[(int) (2 * PAGE)], ram.segment().asSlice(0, 2 * PAGE).toArray(ValueLayout.JAVA_BYTE),
                    "nothing reached memory");
            assertEquals(0, pe.freezeCount());
        }
    }

    @Test
    void aDmaWhoseTableChangesUnderEveryTranslationPassFaultsWithNothingMoved() {
        try (SpaprRig rig = new SpaprRig().open(VFIO_SPAPR_TCE_v2_IOMMU); HostMapping ram = rig.memory.allocate("ram", 1 << 16);
                Arena arena = Arena.ofConfined()) {
            rig.container.spaprRegisterMemory(SpaprRegisterMemory.of(ram.address(), 1 << 16));
            rig.container.mapDma(new DmaMap(VFIO_DMA_MAP_FLAG_WRITE, ram.address(), Iova.of(0x10000), 2 * PAGE));
            PartitionableEndpoint pe = rig.pe();
            int[] passes = {0};
            pe.midTranslationForTest(() -> { // the second page flips between RAM pages 1 and 3 in every pass
                passes[0]++;
                rig.container.unmapDma(new DmaUnmap(0, Iova.of(0x11000), PAGE));
                long page = passes[0] % 2 == 0 ? PAGE : 3 * PAGE;
                rig.container.mapDma(new DmaMap(VFIO_DMA_MAP_FLAG_WRITE, ram.address().plus(page), Iova.of(0x11000), PAGE));
            });
            MemorySegment buf = arena.allocate(2 * PAGE);
            buf.fill((byte) 0x77);

            FaultReason r = pe.transfer(Iova.of(0x10000), buf, true);

            assertEquals(FaultReason.UNMAPPED, r, "never one view of the table: a fault, not a mix");
            assertEquals(64, passes[0], "every translation pass was made");
            assertArrayEquals(new byte[(int) (4 * PAGE)], ram.segment().asSlice(0, 4 * PAGE).toArray(ValueLayout.JAVA_BYTE),
                    "nothing reached memory");
            assertEquals(0, pe.freezeCount());
        }
    }
}
