package org.jvmm.iommufd;

import static org.jvmm.iommufd.IommufdUapi.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.iommu.FaultReason;
import org.jvmm.iommufd.IommufdStructs.*;
import org.jvmm.testing.IommufdRig;

/**
 * IOMMU_HWPT_ALLOC (hw_pagetable.c, intel/nested.c; reference B-22, B-23), a VT-d stage-1 table
 * walked through its nest parent, and IOMMU_HWPT_INVALIDATE (B-24, B-25): the IOTLB keeps a
 * translation until user space invalidates it.
 */
class HwptAllocNestedAndInvalidateRules {
    private final IommufdRig rig = IommufdRig.open();
    private final Iommufd fd = rig.iommufd;
    private final int ioas = fd.ioasAlloc();
    private static final int FIXED_RW = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE;

    @AfterEach
    void close() {
        rig.close();
    }

    private static Errno errno(Runnable r) {
        return assertThrows(ErrnoException.class, r::run).errno();
    }

    private static MemorySegment s1(long flags, long pgtbl, int width) {
        MemorySegment d = MemorySegment.ofArray(new byte[HwptVtdS1.SIZE]);
        new HwptVtdS1(flags, pgtbl, width, 0).encode(d);
        return d;
    }

    @Test
    @DisplayName("data_len without a type or a type without data_len EINVAL; __reserved EOPNOTSUPP; unknown flags or DIRTY_TRACKING EOPNOTSUPP; unknown dev_id, pt_id or fault_id ENOENT")
    void pagingAllocErrors() {
        assertEquals(Errno.EINVAL, errno(() -> fd.hwptAlloc(HwptAlloc.of(0, rig.devId, ioas).withData(0, 24, 1), s1(0, 0, 48))));
        assertEquals(Errno.EINVAL, errno(() -> fd.hwptAlloc(HwptAlloc.of(0, rig.devId, ioas).withData(1, 0, 0), null)));
        assertEquals(Errno.EINVAL, errno(() -> fd.hwptAlloc(HwptAlloc.of(0, rig.devId, ioas).withData(1, 24, 1), s1(0, 0, 48))),
                "an IOAS takes no user data");
        assertEquals(Errno.EOPNOTSUPP, errno(() -> fd.hwptAlloc(new HwptAlloc(48, 0, rig.devId, ioas, 0, 1, 0, 0, 0, 0, 0), null)));
        assertEquals(Errno.EOPNOTSUPP, errno(() -> fd.hwptAlloc(0x10, rig.devId, ioas)));
        assertEquals(Errno.EOPNOTSUPP, errno(() -> fd.hwptAlloc(IOMMU_HWPT_ALLOC_DIRTY_TRACKING, rig.devId, ioas)));
        assertEquals(Errno.ENOENT, errno(() -> fd.hwptAlloc(0, 99, ioas)));
        assertEquals(Errno.ENOENT, errno(() -> fd.hwptAlloc(0, rig.devId, 99)));
        assertEquals(Errno.ENOENT, errno(() -> fd.hwptAlloc(HwptAlloc.of(0, rig.devId, ioas).withFault(99), null)));
        assertEquals(Errno.EINVAL, errno(() -> fd.hwptAlloc(0, rig.devId, rig.devId)), "pt_id names a device");
        assertEquals(2, fd.objectCount(), "nothing was made: the IOAS and the device");
    }

    @Test
    @DisplayName("nested: parent not a nest parent EINVAL; flags other than FAULT_ID_VALID/PASID EOPNOTSUPP; a type other than VTD_S1 EOPNOTSUPP; data shorter than 24 EINVAL, non-zero bytes past it E2BIG")
    void nestedAllocErrors() {
        int plain = fd.hwptAlloc(0, rig.devId, ioas);
        int parent = fd.hwptAlloc(IOMMU_HWPT_ALLOC_NEST_PARENT, rig.devId, ioas);
        assertEquals(Errno.EINVAL, errno(() -> fd.hwptAlloc(HwptAlloc.of(0, rig.devId, plain).withData(1, 24, 1), s1(0, 0, 48))));
        assertEquals(Errno.EOPNOTSUPP, errno(() -> fd.hwptAlloc(HwptAlloc.of(IOMMU_HWPT_ALLOC_NEST_PARENT, rig.devId, parent)
                .withData(1, 24, 1), s1(0, 0, 48))));
        assertEquals(Errno.EOPNOTSUPP, errno(() -> fd.hwptAlloc(HwptAlloc.of(0, rig.devId, parent).withData(2, 24, 1), s1(0, 0, 48))));
        assertEquals(Errno.EINVAL, errno(() -> fd.hwptAlloc(HwptAlloc.of(0, rig.devId, parent).withData(1, 16, 1),
                MemorySegment.ofArray(new byte[16]))));
        MemorySegment longer = MemorySegment.ofArray(new byte[32]);
        MemorySegment.copy(s1(0, 0, 48), 0, longer, 0, 24);
        longer.set(ValueLayout.JAVA_BYTE, 30, (byte) 1);
        assertEquals(Errno.E2BIG, errno(() -> fd.hwptAlloc(HwptAlloc.of(0, rig.devId, parent).withData(1, 32, 1), longer)));
        longer.set(ValueLayout.JAVA_BYTE, 30, (byte) 0);
        int nested = fd.hwptAlloc(HwptAlloc.of(0, rig.devId, parent).withData(1, 32, 1), longer).outHwptId();
        assertEquals(Errno.EBUSY, errno(() -> fd.destroy(parent)), "the nested HWPT uses it");
        fd.destroy(nested);
        fd.destroy(parent);
    }

    @Test
    @DisplayName("a stage-1 width other than 48 or 57 is refused at attach (EINVAL), not at alloc")
    void badStage1WidthIsRefusedAtAttach() {
        int parent = fd.hwptAlloc(IOMMU_HWPT_ALLOC_NEST_PARENT, rig.devId, ioas);
        int nested = fd.hwptAllocNested(0, rig.devId, parent, new HwptVtdS1(0, 0x1000, 39, 0), 0);
        assertEquals(Errno.EINVAL, errno(() -> rig.device.attachIommufdPt(nested)));
    }

    // guest "physical" memory = the IOAS at IOVA 0 -> ram; a 4-level table at GPA 0x1000..0x4fff
    private static final long PML4 = 0x1000;
    private static final long PDPT = 0x2000;
    private static final long PD = 0x3000;
    private static final long PT = 0x4000;
    private static final long VA = 0x40_0000L; // PML4[0] PDPT[0] PD[2] PT[0] (inside edu's 28-bit DMA mask)
    private static final long P_RW_US = 0x7;

    private void pte(long tableGpa, int index, long value) {
        rig.ram.segment().set(ValueLayout.JAVA_LONG_UNALIGNED, tableGpa + index * 8L, value);
    }

    private int nestedOnGuestTables() {
        fd.ioasMap(IoasMap.of(FIXED_RW, ioas, rig.va(0), 1 << 20, 0));
        pte(PML4, 0, PDPT | P_RW_US);
        pte(PDPT, 0, PD | P_RW_US);
        pte(PD, 2, PT | P_RW_US);
        pte(PT, 0, 0x10000 | P_RW_US);
        int parent = fd.hwptAlloc(IOMMU_HWPT_ALLOC_NEST_PARENT, rig.devId, ioas);
        int nested = fd.hwptAllocNested(0, rig.devId, parent, new HwptVtdS1(0, PML4, 48, 0), 0);
        rig.device.attachIommufdPt(nested);
        IommufdRig.enableBusMaster(rig.device);
        return nested;
    }

    @Test
    @DisplayName("DMA through a nested HWPT walks the user's stage-1 table, then the parent's IOAS")
    void dmaGoesThroughBothStages() {
        nestedOnGuestTables();
        rig.fill(0x20000, 0x80, (byte) 0x33);
        IommufdRig.eduDma(rig.device, VA + 0x1000, 0, 0x80, false, -1); // fails: PT[1] is not present yet
        assertEquals(FaultReason.UNMAPPED, rig.platform.faults().last().reason());
        pte(PT, 1, 0x20000 | P_RW_US);
        IommufdRig.eduDma(rig.device, VA + 0x1000, 0, 0x80, false, -1);
        IommufdRig.eduDma(rig.device, VA + 0x40, 0, 0x80, true, -1);
        assertEquals((byte) 0x33, rig.ramByte(0x10040));
        assertEquals((byte) 0x33, rig.ramByte(0x100bf));
    }

    @Test
    @DisplayName("a changed stage-1 entry is not seen until IOMMU_HWPT_INVALIDATE drops the cached translation")
    void theIotlbHoldsUntilInvalidated() {
        int nested = nestedOnGuestTables();
        rig.fill(0x30000, 0x10, (byte) 0x77);
        pte(PT, 2, 0x30000 | P_RW_US);
        IommufdRig.eduDma(rig.device, VA + 0x2000, 0, 0x10, false, -1); // buffer <- 0x77
        IommufdRig.eduDma(rig.device, VA, 0, 0x10, true, -1); // VA page 0 -> 0x10000 (cached now)
        assertEquals((byte) 0x77, rig.ramByte(0x10000));
        pte(PT, 0, 0x11000 | P_RW_US);
        IommufdRig.eduDma(rig.device, VA, 0, 0x10, true, -1);
        assertEquals((byte) 0, rig.ramByte(0x11000), "stale translation still used");
        MemorySegment e = rig.ram.segment().asSlice(0x80000, 24);
        new VtdS1Invalidate(VA, 1, IOMMU_VTD_INV_FLAGS_LEAF, 0).encode(e);
        HwptInvalidate done = fd.hwptInvalidate(HwptInvalidate.of(nested, rig.va(0x80000), 0, 24, 1), e);
        assertEquals(1, done.entryNum());
        IommufdRig.eduDma(rig.device, VA, 0, 0x10, true, -1);
        assertEquals((byte) 0x77, rig.ramByte(0x11000));
    }

    @Test
    @DisplayName("per-entry errors stop the loop: flags beyond LEAF EOPNOTSUPP, unaligned addr or npages U64_MAX with addr EINVAL; entry_num says how many were done")
    void invalidateEntryErrors() {
        int nested = nestedOnGuestTables();
        MemorySegment arr = MemorySegment.ofArray(new byte[3 * 24]);
        new VtdS1Invalidate(0, -1L, 0, 0).encode(arr.asSlice(0, 24));
        new VtdS1Invalidate(0x1000, 1, 0, 0).encode(arr.asSlice(24, 24));
        new VtdS1Invalidate(0x1000, 1, 2, 0).encode(arr.asSlice(48, 24));
        Iommufd.InvalidateException x = assertThrows(Iommufd.InvalidateException.class,
                () -> fd.hwptInvalidate(HwptInvalidate.of(nested, 1, 0, 24, 3), arr));
        assertEquals(Errno.EOPNOTSUPP, x.error().errno());
        assertEquals(2, x.handled());
        new VtdS1Invalidate(0x1800, 1, 0, 0).encode(arr.asSlice(0, 24));
        x = assertThrows(Iommufd.InvalidateException.class, () -> fd.hwptInvalidate(HwptInvalidate.of(nested, 1, 0, 24, 1), arr));
        assertEquals(Errno.EINVAL, x.error().errno());
        assertEquals(0, x.handled());
        new VtdS1Invalidate(0x1000, -1L, 0, 0).encode(arr.asSlice(0, 24));
        x = assertThrows(Iommufd.InvalidateException.class, () -> fd.hwptInvalidate(HwptInvalidate.of(nested, 1, 0, 24, 1), arr));
        assertEquals(Errno.EINVAL, x.error().errno());
    }

    @Test
    @DisplayName("INVALIDATE: a paging HWPT EINVAL, an unknown ID ENOENT, another data type EINVAL, __reserved EOPNOTSUPP; entry_num 0 only checks the type")
    void invalidateCallErrors() {
        int nested = nestedOnGuestTables();
        int parent = ((NestedHwpt) fd.hwpt(nested)).parent().id();
        assertEquals(Errno.EINVAL, errno(() -> fd.hwptInvalidate(HwptInvalidate.of(parent, 0, 0, 24, 0), null)));
        assertEquals(Errno.ENOENT, errno(() -> fd.hwptInvalidate(HwptInvalidate.of(99, 0, 0, 24, 0), null)));
        assertEquals(Errno.EINVAL, errno(() -> fd.hwptInvalidate(HwptInvalidate.of(nested, 0, 1, 24, 0), null)));
        assertEquals(Errno.EOPNOTSUPP, errno(() -> fd.hwptInvalidate(new HwptInvalidate(32, nested, 0, 0, 24, 0, 1), null)));
        assertEquals(Errno.EINVAL, errno(() -> fd.hwptInvalidate(HwptInvalidate.of(nested, 0, 0, 24, 1), null)));
        assertEquals(0, fd.hwptInvalidate(HwptInvalidate.of(nested, 0, 0, 0, 0), null).entryNum());
    }

    @Test
    void invalidateThroughTheByteLevelIoctlWritesBackEntryNum() {
        int nested = nestedOnGuestTables();
        MemorySegment entries = rig.ram.segment().asSlice(0x90000, 48);
        new VtdS1Invalidate(0, -1L, 0, 0).encode(entries.asSlice(0, 24));
        new VtdS1Invalidate(0x1001, 1, 0, 0).encode(entries.asSlice(24, 24));
        MemorySegment arg = MemorySegment.ofArray(new byte[32]);
        HwptInvalidate.of(nested, rig.va(0x90000), 0, 24, 2).encode(arg);
        assertEquals(Errno.EINVAL, errno(() -> fd.ioctl(IOMMU_HWPT_INVALIDATE, arg)));
        assertEquals(1, HwptInvalidate.decode(arg).entryNum());
    }
}
