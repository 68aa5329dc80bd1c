package org.jvmm.iommufd;

import static org.jvmm.iommufd.IommufdUapi.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.jvmm.iommufd.IommufdStructs.*;
import org.jvmm.vfio.SeedSvm;
import org.jvmm.vfio.VfioDeviceSvm;

/**
 * The ioctl numbers (all {@code _IO(';', nr)}) and the struct layouts of include/uapi/linux/iommufd.h
 * and vfio.h, byte for byte, plus seed 001's numbers (reference Appendix 1).
 */
class IommufdUapiNumbersAndStructLayouts {

    @Test
    void iommufdIoctlNumbersAreIoSemicolonFrom0x80() {
        assertEquals(0x3B80, IOMMU_DESTROY);
        assertEquals(0x3B81, IOMMU_IOAS_ALLOC);
        assertEquals(0x3B82, IOMMU_IOAS_ALLOW_IOVAS);
        assertEquals(0x3B83, IOMMU_IOAS_COPY);
        assertEquals(0x3B84, IOMMU_IOAS_IOVA_RANGES);
        assertEquals(0x3B85, IOMMU_IOAS_MAP);
        assertEquals(0x3B86, IOMMU_IOAS_UNMAP);
        assertEquals(0x3B89, IOMMU_HWPT_ALLOC);
        assertEquals(0x3B8A, IOMMU_GET_HW_INFO);
        assertEquals(0x3B8D, IOMMU_HWPT_INVALIDATE);
        assertEquals(0x3B8E, IOMMU_FAULT_QUEUE_ALLOC);
    }

    @Test
    @DisplayName("VFIO cdev ioctls are VFIO_BASE + 18..20; seed 001's BIND/UNBIND_TASK are + 22/23 and FLAGS_SVM is bit 4")
    void vfioCdevAndSeedIoctlNumbers() {
        assertEquals(0x3B76, VFIO_DEVICE_BIND_IOMMUFD);
        assertEquals(0x3B77, VFIO_DEVICE_ATTACH_IOMMUFD_PT);
        assertEquals(0x3B78, VFIO_DEVICE_DETACH_IOMMUFD_PT);
        assertEquals(0x3B7A, SeedSvm.VFIO_DEVICE_BIND_TASK);
        assertEquals(0x3B7B, SeedSvm.VFIO_DEVICE_UNBIND_TASK);
        assertEquals(0x10, SeedSvm.VFIO_DEVICE_FLAGS_SVM);
        assertEquals(1, SeedSvm.VFIO_SVM_PASID_RELEASE_FLUSHED);
        assertEquals(2, SeedSvm.VFIO_SVM_PASID_RELEASE_CLEAN);
    }

    @Test
    void flagBitsMatchTheHeader() {
        assertEquals(1, IOMMU_IOAS_MAP_FIXED_IOVA);
        assertEquals(2, IOMMU_IOAS_MAP_WRITEABLE);
        assertEquals(4, IOMMU_IOAS_MAP_READABLE);
        assertEquals(1, IOMMU_HWPT_ALLOC_NEST_PARENT);
        assertEquals(2, IOMMU_HWPT_ALLOC_DIRTY_TRACKING);
        assertEquals(4, IOMMU_HWPT_FAULT_ID_VALID);
        assertEquals(8, IOMMU_HWPT_ALLOC_PASID);
        assertEquals(1, IOMMU_HWPT_DATA_VTD_S1);
        assertEquals(0, IOMMU_HWPT_INVALIDATE_DATA_VTD_S1);
        assertEquals(1, IOMMU_HW_INFO_TYPE_INTEL_VTD);
        assertEquals(2L, IOMMU_HW_CAP_PCI_PASID_EXEC);
        assertEquals(4L, IOMMU_HW_CAP_PCI_PASID_PRIV);
    }

    @Test
    void structSizesMatchSizeof() {
        assertEquals(8, Destroy.SIZE);
        assertEquals(12, IoasAlloc.SIZE);
        assertEquals(40, IoasMap.SIZE);
        assertEquals(24, IoasUnmap.SIZE);
        assertEquals(40, IoasCopy.SIZE);
        assertEquals(32, IoasIovaRanges.SIZE);
        assertEquals(24, IoasAllowIovas.SIZE);
        assertEquals(16, IovaRange.SIZE);
        assertEquals(48, HwptAlloc.SIZE);
        assertEquals(24, HwptVtdS1.SIZE);
        assertEquals(40, HwInfo.SIZE);
        assertEquals(24, HwInfoVtd.SIZE);
        assertEquals(32, HwptInvalidate.SIZE);
        assertEquals(24, VtdS1Invalidate.SIZE);
        assertEquals(40, Pgfault.SIZE);
        assertEquals(8, PageResponse.SIZE);
        assertEquals(16, FaultAlloc.SIZE);
        assertEquals(16, BindIommufd.SIZE);
        assertEquals(16, AttachPt.SIZE);
        assertEquals(12, DetachPt.SIZE);
        assertEquals(12, VfioDeviceSvm.SIZE);
    }

    private static MemorySegment seg(int n) {
        return MemorySegment.ofArray(new byte[n]);
    }

    @Test
    @DisplayName("iommu_hwpt_alloc: data_type at 24, data_len at 28, data_uptr at 32, fault_id at 40")
    void hwptAllocFieldOffsets() {
        MemorySegment s = seg(HwptAlloc.SIZE);
        new HwptAlloc(48, 0xf, 2, 3, 4, 0, 1, 24, 0x1122334455667788L, 9, 0).encode(s);
        assertEquals(0xf, s.get(ValueLayout.JAVA_INT_UNALIGNED, 4));
        assertEquals(3, s.get(ValueLayout.JAVA_INT_UNALIGNED, 12));
        assertEquals(4, s.get(ValueLayout.JAVA_INT_UNALIGNED, 16));
        assertEquals(1, s.get(ValueLayout.JAVA_INT_UNALIGNED, 24));
        assertEquals(24, s.get(ValueLayout.JAVA_INT_UNALIGNED, 28));
        assertEquals(0x1122334455667788L, s.get(ValueLayout.JAVA_LONG_UNALIGNED, 32));
        assertEquals(9, s.get(ValueLayout.JAVA_INT_UNALIGNED, 40));
        assertEquals(new HwptAlloc(48, 0xf, 2, 3, 4, 0, 1, 24, 0x1122334455667788L, 9, 0), HwptAlloc.decode(s));
    }

    @Test
    @DisplayName("iommu_hwpt_pgfault: perm at 16, addr at 24 (after __reserved), length at 32, cookie at 36")
    void pgfaultFieldOffsets() {
        MemorySegment s = seg(Pgfault.SIZE);
        new Pgfault(3, 1, 0x12345, 7, 2, 0, 0xdead_b000L, 4096, 5).encode(s);
        assertEquals(0x12345, s.get(ValueLayout.JAVA_INT_UNALIGNED, 8));
        assertEquals(7, s.get(ValueLayout.JAVA_INT_UNALIGNED, 12));
        assertEquals(2, s.get(ValueLayout.JAVA_INT_UNALIGNED, 16));
        assertEquals(0xdead_b000L, s.get(ValueLayout.JAVA_LONG_UNALIGNED, 24));
        assertEquals(4096, s.get(ValueLayout.JAVA_INT_UNALIGNED, 32));
        assertEquals(5, s.get(ValueLayout.JAVA_INT_UNALIGNED, 36));
    }

    @Test
    @DisplayName("iommu_ioas_map: user_va at 16, length at 24, iova at 32; iommu_hw_info: out_max_pasid_log2 is the byte at 28")
    void ioasMapAndHwInfoOffsets() {
        MemorySegment s = seg(IoasMap.SIZE);
        IoasMap.of(6, 1, 0x7000, 0x2000, 0x9000).encode(s);
        assertEquals(0x7000L, s.get(ValueLayout.JAVA_LONG_UNALIGNED, 16));
        assertEquals(0x2000L, s.get(ValueLayout.JAVA_LONG_UNALIGNED, 24));
        assertEquals(0x9000L, s.get(ValueLayout.JAVA_LONG_UNALIGNED, 32));
        MemorySegment h = seg(HwInfo.SIZE);
        new HwInfo(40, 0, 1, 24, 0, 1, 20, 6).encode(h);
        assertEquals(20, h.get(ValueLayout.JAVA_BYTE, 28));
        assertEquals(6L, h.get(ValueLayout.JAVA_LONG_UNALIGNED, 32));
    }

    @Test
    @DisplayName("vfio_device_attach_iommufd_pt: pt_id at 8, pasid at 12; iommu_hwpt_invalidate: entry_num at 24")
    void attachAndInvalidateOffsets() {
        MemorySegment s = seg(AttachPt.SIZE);
        AttachPt.pasid(5, 0x77).encode(s);
        assertEquals(1, s.get(ValueLayout.JAVA_INT_UNALIGNED, 4));
        assertEquals(5, s.get(ValueLayout.JAVA_INT_UNALIGNED, 8));
        assertEquals(0x77, s.get(ValueLayout.JAVA_INT_UNALIGNED, 12));
        MemorySegment i = seg(HwptInvalidate.SIZE);
        HwptInvalidate.of(3, 0x1000, 0, 24, 9).encode(i);
        assertEquals(0x1000L, i.get(ValueLayout.JAVA_LONG_UNALIGNED, 8));
        assertEquals(24, i.get(ValueLayout.JAVA_INT_UNALIGNED, 20));
        assertEquals(9, i.get(ValueLayout.JAVA_INT_UNALIGNED, 24));
    }
}
