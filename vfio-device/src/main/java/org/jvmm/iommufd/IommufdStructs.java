package org.jvmm.iommufd;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.MemorySegment;

/**
 * The argument structs of the iommufd ioctls and of the VFIO device cdev's iommufd ioctls, byte
 * for byte as in include/uapi/linux/iommufd.h and vfio.h (native byte order, {@code __aligned_u64}
 * fields on 8-byte offsets). Each record decodes from and encodes to a segment at offset 0;
 * {@code SIZE} is {@code sizeof} and tests pin every offset. Field names follow the header
 * ({@code outIoasId} is {@code out_ioas_id}); u32 fields are Java ints read unsigned where they
 * are numbers.
 */
public final class IommufdStructs {
    private IommufdStructs() {
    }

    static int u32(MemorySegment s, long at) {
        return s.get(JAVA_INT_UNALIGNED, at);
    }

    static long u64(MemorySegment s, long at) {
        return s.get(JAVA_LONG_UNALIGNED, at);
    }

    static void u32(MemorySegment s, long at, int v) {
        s.set(JAVA_INT_UNALIGNED, at, v);
    }

    static void u64(MemorySegment s, long at, long v) {
        s.set(JAVA_LONG_UNALIGNED, at, v);
    }

    /** struct iommu_destroy (8). */
    public record Destroy(int size, int id) {
        public static final int SIZE = 8;

        public static Destroy of(int id) {
            return new Destroy(SIZE, id);
        }

        public static Destroy decode(MemorySegment s) {
            return new Destroy(u32(s, 0), u32(s, 4));
        }

        public void encode(MemorySegment s) {
            u32(s, 0, size);
            u32(s, 4, id);
        }
    }

    /** struct iommu_ioas_alloc (12). */
    public record IoasAlloc(int size, int flags, int outIoasId) {
        public static final int SIZE = 12;

        public static IoasAlloc of() {
            return new IoasAlloc(SIZE, 0, 0);
        }

        public static IoasAlloc decode(MemorySegment s) {
            return new IoasAlloc(u32(s, 0), u32(s, 4), u32(s, 8));
        }

        public void encode(MemorySegment s) {
            u32(s, 0, size);
            u32(s, 4, flags);
            u32(s, 8, outIoasId);
        }
    }

    /** struct iommu_iova_range (16): [start, last], last inclusive. */
    public record IovaRange(long start, long last) {
        public static final int SIZE = 16;

        public static IovaRange decode(MemorySegment s) {
            return new IovaRange(u64(s, 0), u64(s, 8));
        }

        public void encode(MemorySegment s) {
            u64(s, 0, start);
            u64(s, 8, last);
        }

        @Override
        public String toString() {
            return "[" + IommufdUapi.hex(start) + ", " + IommufdUapi.hex(last) + "]";
        }
    }

    /** struct iommu_ioas_iova_ranges (32). */
    public record IoasIovaRanges(int size, int ioasId, int numIovas, int reserved, long allowedIovas, long outIovaAlignment) {
        public static final int SIZE = 32;

        public static IoasIovaRanges decode(MemorySegment s) {
            return new IoasIovaRanges(u32(s, 0), u32(s, 4), u32(s, 8), u32(s, 12), u64(s, 16), u64(s, 24));
        }

        public void encode(MemorySegment s) {
            u32(s, 0, size);
            u32(s, 4, ioasId);
            u32(s, 8, numIovas);
            u32(s, 12, reserved);
            u64(s, 16, allowedIovas);
            u64(s, 24, outIovaAlignment);
        }
    }

    /** struct iommu_ioas_allow_iovas (24). */
    public record IoasAllowIovas(int size, int ioasId, int numIovas, int reserved, long allowedIovas) {
        public static final int SIZE = 24;

        public static IoasAllowIovas decode(MemorySegment s) {
            return new IoasAllowIovas(u32(s, 0), u32(s, 4), u32(s, 8), u32(s, 12), u64(s, 16));
        }

        public void encode(MemorySegment s) {
            u32(s, 0, size);
            u32(s, 4, ioasId);
            u32(s, 8, numIovas);
            u32(s, 12, reserved);
            u64(s, 16, allowedIovas);
        }
    }

    /** struct iommu_ioas_map (40). */
    public record IoasMap(int size, int flags, int ioasId, int reserved, long userVa, long length, long iova) {
        public static final int SIZE = 40;

        public static IoasMap of(int flags, int ioasId, long userVa, long length, long iova) {
            return new IoasMap(SIZE, flags, ioasId, 0, userVa, length, iova);
        }

        public IoasMap withIova(long newIova) {
            return new IoasMap(size, flags, ioasId, reserved, userVa, length, newIova);
        }

        public static IoasMap decode(MemorySegment s) {
            return new IoasMap(u32(s, 0), u32(s, 4), u32(s, 8), u32(s, 12), u64(s, 16), u64(s, 24), u64(s, 32));
        }

        public void encode(MemorySegment s) {
            u32(s, 0, size);
            u32(s, 4, flags);
            u32(s, 8, ioasId);
            u32(s, 12, reserved);
            u64(s, 16, userVa);
            u64(s, 24, length);
            u64(s, 32, iova);
        }

        @Override
        public String toString() {
            return "ioas_id=" + ioasId + ", flags=" + IommufdUapi.hex(flags) + ", user_va=" + IommufdUapi.hex(userVa)
                    + ", length=" + IommufdUapi.hex(length) + ", iova=" + IommufdUapi.hex(iova);
        }
    }

    /** struct iommu_ioas_copy (40). */
    public record IoasCopy(int size, int flags, int dstIoasId, int srcIoasId, long length, long dstIova, long srcIova) {
        public static final int SIZE = 40;

        public static IoasCopy of(int flags, int dstIoasId, int srcIoasId, long length, long dstIova, long srcIova) {
            return new IoasCopy(SIZE, flags, dstIoasId, srcIoasId, length, dstIova, srcIova);
        }

        public IoasCopy withDstIova(long v) {
            return new IoasCopy(size, flags, dstIoasId, srcIoasId, length, v, srcIova);
        }

        public static IoasCopy decode(MemorySegment s) {
            return new IoasCopy(u32(s, 0), u32(s, 4), u32(s, 8), u32(s, 12), u64(s, 16), u64(s, 24), u64(s, 32));
        }

        public void encode(MemorySegment s) {
            u32(s, 0, size);
            u32(s, 4, flags);
            u32(s, 8, dstIoasId);
            u32(s, 12, srcIoasId);
            u64(s, 16, length);
            u64(s, 24, dstIova);
            u64(s, 32, srcIova);
        }

        @Override
        public String toString() {
            return "dst_ioas_id=" + dstIoasId + ", src_ioas_id=" + srcIoasId + ", flags=" + IommufdUapi.hex(flags)
                    + ", length=" + IommufdUapi.hex(length) + ", dst_iova=" + IommufdUapi.hex(dstIova) + ", src_iova="
                    + IommufdUapi.hex(srcIova);
        }
    }

    /** struct iommu_ioas_unmap (24); {@code length} comes back as the bytes unmapped. */
    public record IoasUnmap(int size, int ioasId, long iova, long length) {
        public static final int SIZE = 24;

        public static IoasUnmap of(int ioasId, long iova, long length) {
            return new IoasUnmap(SIZE, ioasId, iova, length);
        }

        public IoasUnmap withLength(long v) {
            return new IoasUnmap(size, ioasId, iova, v);
        }

        public static IoasUnmap decode(MemorySegment s) {
            return new IoasUnmap(u32(s, 0), u32(s, 4), u64(s, 8), u64(s, 16));
        }

        public void encode(MemorySegment s) {
            u32(s, 0, size);
            u32(s, 4, ioasId);
            u64(s, 8, iova);
            u64(s, 16, length);
        }

        @Override
        public String toString() {
            return "ioas_id=" + ioasId + ", iova=" + IommufdUapi.hex(iova) + ", length=" + IommufdUapi.hex(length);
        }
    }

    /** struct iommu_hwpt_alloc (48). */
    public record HwptAlloc(int size, int flags, int devId, int ptId, int outHwptId, int reserved, int dataType, int dataLen,
            long dataUptr, int faultId, int reserved2) {
        public static final int SIZE = 48;

        public static HwptAlloc of(int flags, int devId, int ptId) {
            return new HwptAlloc(SIZE, flags, devId, ptId, 0, 0, IommufdUapi.IOMMU_HWPT_DATA_NONE, 0, 0, 0, 0);
        }

        public HwptAlloc withData(int type, int len, long uptr) {
            return new HwptAlloc(size, flags, devId, ptId, outHwptId, reserved, type, len, uptr, faultId, reserved2);
        }

        public HwptAlloc withFault(int id) {
            return new HwptAlloc(size, flags | IommufdUapi.IOMMU_HWPT_FAULT_ID_VALID, devId, ptId, outHwptId, reserved,
                    dataType, dataLen, dataUptr, id, reserved2);
        }

        public HwptAlloc withOut(int id) {
            return new HwptAlloc(size, flags, devId, ptId, id, reserved, dataType, dataLen, dataUptr, faultId, reserved2);
        }

        public static HwptAlloc decode(MemorySegment s) {
            return new HwptAlloc(u32(s, 0), u32(s, 4), u32(s, 8), u32(s, 12), u32(s, 16), u32(s, 20), u32(s, 24), u32(s, 28),
                    u64(s, 32), u32(s, 40), u32(s, 44));
        }

        public void encode(MemorySegment s) {
            u32(s, 0, size);
            u32(s, 4, flags);
            u32(s, 8, devId);
            u32(s, 12, ptId);
            u32(s, 16, outHwptId);
            u32(s, 20, reserved);
            u32(s, 24, dataType);
            u32(s, 28, dataLen);
            u64(s, 32, dataUptr);
            u32(s, 40, faultId);
            u32(s, 44, reserved2);
        }

        @Override
        public String toString() {
            return "flags=" + IommufdUapi.hex(flags) + ", dev_id=" + devId + ", pt_id=" + ptId + ", data_type=" + dataType
                    + ", data_len=" + dataLen + ", fault_id=" + faultId;
        }
    }

    /** struct iommu_hwpt_vtd_s1 (24). */
    public record HwptVtdS1(long flags, long pgtblAddr, int addrWidth, int reserved) {
        public static final int SIZE = 24;

        public static HwptVtdS1 decode(MemorySegment s) {
            return new HwptVtdS1(u64(s, 0), u64(s, 8), u32(s, 16), u32(s, 20));
        }

        public void encode(MemorySegment s) {
            u64(s, 0, flags);
            u64(s, 8, pgtblAddr);
            u32(s, 16, addrWidth);
            u32(s, 20, reserved);
        }
    }

    /** struct iommu_hw_info (40). */
    public record HwInfo(int size, int flags, int devId, int dataLen, long dataUptr, int outDataType, int outMaxPasidLog2,
            long outCapabilities) {
        public static final int SIZE = 40;

        public static HwInfo of(int devId, int dataLen, long dataUptr) {
            return new HwInfo(SIZE, 0, devId, dataLen, dataUptr, 0, 0, 0);
        }

        public static HwInfo decode(MemorySegment s) {
            return new HwInfo(u32(s, 0), u32(s, 4), u32(s, 8), u32(s, 12), u64(s, 16), u32(s, 24),
                    Byte.toUnsignedInt(s.get(JAVA_BYTE, 28)), u64(s, 32));
        }

        public void encode(MemorySegment s) {
            u32(s, 0, size);
            u32(s, 4, flags);
            u32(s, 8, devId);
            u32(s, 12, dataLen);
            u64(s, 16, dataUptr);
            u32(s, 24, outDataType);
            s.set(JAVA_BYTE, 28, (byte) outMaxPasidLog2);
            s.set(JAVA_BYTE, 29, (byte) 0);
            s.set(JAVA_BYTE, 30, (byte) 0);
            s.set(JAVA_BYTE, 31, (byte) 0);
            u64(s, 32, outCapabilities);
        }
    }

    /** struct iommu_hw_info_vtd (24): the raw VT-d capability and extended capability registers. */
    public record HwInfoVtd(int flags, int reserved, long capReg, long ecapReg) {
        public static final int SIZE = 24;

        public static HwInfoVtd decode(MemorySegment s) {
            return new HwInfoVtd(u32(s, 0), u32(s, 4), u64(s, 8), u64(s, 16));
        }

        public void encode(MemorySegment s) {
            u32(s, 0, flags);
            u32(s, 4, reserved);
            u64(s, 8, capReg);
            u64(s, 16, ecapReg);
        }
    }

    /** struct iommu_hwpt_invalidate (32); {@code entryNum} comes back as the entries handled. */
    public record HwptInvalidate(int size, int hwptId, long dataUptr, int dataType, int entryLen, int entryNum, int reserved) {
        public static final int SIZE = 32;

        public static HwptInvalidate of(int hwptId, long dataUptr, int dataType, int entryLen, int entryNum) {
            return new HwptInvalidate(SIZE, hwptId, dataUptr, dataType, entryLen, entryNum, 0);
        }

        public HwptInvalidate withEntryNum(int n) {
            return new HwptInvalidate(size, hwptId, dataUptr, dataType, entryLen, n, reserved);
        }

        public static HwptInvalidate decode(MemorySegment s) {
            return new HwptInvalidate(u32(s, 0), u32(s, 4), u64(s, 8), u32(s, 16), u32(s, 20), u32(s, 24), u32(s, 28));
        }

        public void encode(MemorySegment s) {
            u32(s, 0, size);
            u32(s, 4, hwptId);
            u64(s, 8, dataUptr);
            u32(s, 16, dataType);
            u32(s, 20, entryLen);
            u32(s, 24, entryNum);
            u32(s, 28, reserved);
        }
    }

    /** struct iommu_hwpt_vtd_s1_invalidate (24). */
    public record VtdS1Invalidate(long addr, long npages, int flags, int reserved) {
        public static final int SIZE = 24;

        public static VtdS1Invalidate decode(MemorySegment s) {
            return new VtdS1Invalidate(u64(s, 0), u64(s, 8), u32(s, 16), u32(s, 20));
        }

        public void encode(MemorySegment s) {
            u64(s, 0, addr);
            u64(s, 8, npages);
            u32(s, 16, flags);
            u32(s, 20, reserved);
        }
    }

    /** struct iommu_hwpt_pgfault (40): one page request as the fault fd reads it. */
    public record Pgfault(int flags, int devId, int pasid, int grpid, int perm, int reserved, long addr, int length, int cookie) {
        public static final int SIZE = 40;

        public static Pgfault decode(MemorySegment s) {
            return new Pgfault(u32(s, 0), u32(s, 4), u32(s, 8), u32(s, 12), u32(s, 16), u32(s, 20), u64(s, 24), u32(s, 32),
                    u32(s, 36));
        }

        public void encode(MemorySegment s) {
            u32(s, 0, flags);
            u32(s, 4, devId);
            u32(s, 8, pasid);
            u32(s, 12, grpid);
            u32(s, 16, perm);
            u32(s, 20, reserved);
            u64(s, 24, addr);
            u32(s, 32, length);
            u32(s, 36, cookie);
        }
    }

    /** struct iommu_hwpt_page_response (8). */
    public record PageResponse(int cookie, int code) {
        public static final int SIZE = 8;

        public static PageResponse decode(MemorySegment s) {
            return new PageResponse(u32(s, 0), u32(s, 4));
        }

        public void encode(MemorySegment s) {
            u32(s, 0, cookie);
            u32(s, 4, code);
        }
    }

    /** struct iommu_fault_alloc (16). */
    public record FaultAlloc(int size, int flags, int outFaultId, int outFaultFd) {
        public static final int SIZE = 16;

        public static FaultAlloc of() {
            return new FaultAlloc(SIZE, 0, 0, 0);
        }

        public static FaultAlloc decode(MemorySegment s) {
            return new FaultAlloc(u32(s, 0), u32(s, 4), u32(s, 8), u32(s, 12));
        }

        public void encode(MemorySegment s) {
            u32(s, 0, size);
            u32(s, 4, flags);
            u32(s, 8, outFaultId);
            u32(s, 12, outFaultFd);
        }
    }

    /** struct vfio_device_bind_iommufd (16 up to out_devid; 24 with token_uuid_ptr). */
    public record BindIommufd(int argsz, int flags, int iommufd, int outDevid) {
        public static final int SIZE = 16;

        public static BindIommufd decode(MemorySegment s) {
            return new BindIommufd(u32(s, 0), u32(s, 4), u32(s, 8), u32(s, 12));
        }

        public void encode(MemorySegment s) {
            u32(s, 0, argsz);
            u32(s, 4, flags);
            u32(s, 8, iommufd);
            u32(s, 12, outDevid);
        }
    }

    /** struct vfio_device_attach_iommufd_pt (16; 12 without the PASID flag). */
    public record AttachPt(int argsz, int flags, int ptId, int pasid) {
        public static final int SIZE = 16;
        public static final int MINSZ = 12;

        public static AttachPt of(int ptId) {
            return new AttachPt(SIZE, 0, ptId, 0);
        }

        public static AttachPt pasid(int ptId, int pasid) {
            return new AttachPt(SIZE, IommufdUapi.VFIO_DEVICE_ATTACH_PASID, ptId, pasid);
        }

        public static AttachPt decode(MemorySegment s) {
            return new AttachPt(u32(s, 0), u32(s, 4), u32(s, 8), s.byteSize() >= 16 ? u32(s, 12) : 0);
        }

        public void encode(MemorySegment s) {
            u32(s, 0, argsz);
            u32(s, 4, flags);
            u32(s, 8, ptId);
            u32(s, 12, pasid);
        }
    }

    /** struct vfio_device_detach_iommufd_pt (12; 8 without the PASID flag). */
    public record DetachPt(int argsz, int flags, int pasid) {
        public static final int SIZE = 12;
        public static final int MINSZ = 8;

        public static DetachPt of() {
            return new DetachPt(SIZE, 0, 0);
        }

        public static DetachPt pasid(int pasid) {
            return new DetachPt(SIZE, IommufdUapi.VFIO_DEVICE_DETACH_PASID, pasid);
        }

        public static DetachPt decode(MemorySegment s) {
            return new DetachPt(u32(s, 0), u32(s, 4), s.byteSize() >= 12 ? u32(s, 8) : 0);
        }

        public void encode(MemorySegment s) {
            u32(s, 0, argsz);
            u32(s, 4, flags);
            u32(s, 8, pasid);
        }
    }
}
