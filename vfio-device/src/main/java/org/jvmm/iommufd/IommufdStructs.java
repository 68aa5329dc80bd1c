package org.jvmm.iommufd;

import static org.jvmm.iommufd.StructCodec.pad;
import static org.jvmm.iommufd.StructCodec.u32;
import static org.jvmm.iommufd.StructCodec.u64;
import static org.jvmm.iommufd.StructCodec.u8;

import java.lang.foreign.MemorySegment;

/**
 * The argument structs of the iommufd ioctls and of the VFIO device cdev's iommufd ioctls, byte
 * for byte as in include/uapi/linux/iommufd.h and vfio.h (native byte order, {@code __aligned_u64}
 * fields on 8-byte offsets). Each record names its struct's fields in a {@link StructCodec} (a
 * {@code StructLayout} in header order, as org.jvmm.vfio.uapi describes VFIO's structs), which
 * decodes from and encodes to a segment at offset 0; {@code SIZE} is the layout's {@code sizeof}
 * and tests pin every offset. Field names follow the header
 * ({@code outIoasId} is {@code out_ioas_id}); u32 fields are Java ints read unsigned where they
 * are numbers.
 */
public final class IommufdStructs {
    private IommufdStructs() {
    }

    /** {@code s} copied into a zeroed segment of {@code size} bytes: the fields past a short argsz read 0. */
    static MemorySegment zeroExtended(MemorySegment s, int size) {
        return MemorySegment.ofArray(new byte[size]).copyFrom(s);
    }

    /** struct iommu_destroy (8). */
    public record Destroy(int size, int id) {
        static final StructCodec<Destroy> CODEC = StructCodec.of(Destroy.class,
                u32("size"), u32("id"));
        public static final int SIZE = CODEC.size();

        public static Destroy of(int id) {
            return new Destroy(SIZE, id);
        }

        public static Destroy decode(MemorySegment s) {
            return CODEC.decode(s);
        }

        public void encode(MemorySegment s) {
            CODEC.encode(this, s);
        }
    }

    /** struct iommu_ioas_alloc (12). */
    public record IoasAlloc(int size, int flags, int outIoasId) {
        static final StructCodec<IoasAlloc> CODEC = StructCodec.of(IoasAlloc.class,
                u32("size"), u32("flags"), u32("out_ioas_id"));
        public static final int SIZE = CODEC.size();

        public static IoasAlloc of() {
            return new IoasAlloc(SIZE, 0, 0);
        }

        public static IoasAlloc decode(MemorySegment s) {
            return CODEC.decode(s);
        }

        public void encode(MemorySegment s) {
            CODEC.encode(this, s);
        }
    }

    /** struct iommu_iova_range (16): [start, last], last inclusive. */
    public record IovaRange(long start, long last) {
        static final StructCodec<IovaRange> CODEC = StructCodec.of(IovaRange.class,
                u64("start"), u64("last"));
        public static final int SIZE = CODEC.size();

        public static IovaRange decode(MemorySegment s) {
            return CODEC.decode(s);
        }

        public void encode(MemorySegment s) {
            CODEC.encode(this, s);
        }

        @Override
        public String toString() {
            return "[" + IommufdUapi.hex(start) + ", " + IommufdUapi.hex(last) + "]";
        }
    }

    /** struct iommu_ioas_iova_ranges (32). */
    public record IoasIovaRanges(int size, int ioasId, int numIovas, int reserved, long allowedIovas, long outIovaAlignment) {
        static final StructCodec<IoasIovaRanges> CODEC = StructCodec.of(IoasIovaRanges.class,
                u32("size"), u32("ioas_id"), u32("num_iovas"), u32("__reserved"),
                u64("allowed_iovas"), u64("out_iova_alignment"));
        public static final int SIZE = CODEC.size();

        public static IoasIovaRanges decode(MemorySegment s) {
            return CODEC.decode(s);
        }

        public void encode(MemorySegment s) {
            CODEC.encode(this, s);
        }
    }

    /** struct iommu_ioas_allow_iovas (24). */
    public record IoasAllowIovas(int size, int ioasId, int numIovas, int reserved, long allowedIovas) {
        static final StructCodec<IoasAllowIovas> CODEC = StructCodec.of(IoasAllowIovas.class,
                u32("size"), u32("ioas_id"), u32("num_iovas"), u32("__reserved"),
                u64("allowed_iovas"));
        public static final int SIZE = CODEC.size();

        public static IoasAllowIovas decode(MemorySegment s) {
            return CODEC.decode(s);
        }

        public void encode(MemorySegment s) {
            CODEC.encode(this, s);
        }
    }

    /** struct iommu_ioas_map (40). */
    public record IoasMap(int size, int flags, int ioasId, int reserved, long userVa, long length, long iova) {
        static final StructCodec<IoasMap> CODEC = StructCodec.of(IoasMap.class,
                u32("size"), u32("flags"), u32("ioas_id"), u32("__reserved"),
                u64("user_va"), u64("length"), u64("iova"));
        public static final int SIZE = CODEC.size();

        public static IoasMap of(int flags, int ioasId, long userVa, long length, long iova) {
            return new IoasMap(SIZE, flags, ioasId, 0, userVa, length, iova);
        }

        public IoasMap withIova(long newIova) {
            return new IoasMap(size, flags, ioasId, reserved, userVa, length, newIova);
        }

        public static IoasMap decode(MemorySegment s) {
            return CODEC.decode(s);
        }

        public void encode(MemorySegment s) {
            CODEC.encode(this, s);
        }

        @Override
        public String toString() {
            return "ioas_id=" + ioasId + ", flags=" + IommufdUapi.hex(flags) + ", user_va=" + IommufdUapi.hex(userVa)
                    + ", length=" + IommufdUapi.hex(length) + ", iova=" + IommufdUapi.hex(iova);
        }
    }

    /** struct iommu_ioas_copy (40). */
    public record IoasCopy(int size, int flags, int dstIoasId, int srcIoasId, long length, long dstIova, long srcIova) {
        static final StructCodec<IoasCopy> CODEC = StructCodec.of(IoasCopy.class,
                u32("size"), u32("flags"), u32("dst_ioas_id"), u32("src_ioas_id"),
                u64("length"), u64("dst_iova"), u64("src_iova"));
        public static final int SIZE = CODEC.size();

        public static IoasCopy of(int flags, int dstIoasId, int srcIoasId, long length, long dstIova, long srcIova) {
            return new IoasCopy(SIZE, flags, dstIoasId, srcIoasId, length, dstIova, srcIova);
        }

        public IoasCopy withDstIova(long v) {
            return new IoasCopy(size, flags, dstIoasId, srcIoasId, length, v, srcIova);
        }

        public static IoasCopy decode(MemorySegment s) {
            return CODEC.decode(s);
        }

        public void encode(MemorySegment s) {
            CODEC.encode(this, s);
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
        static final StructCodec<IoasUnmap> CODEC = StructCodec.of(IoasUnmap.class,
                u32("size"), u32("ioas_id"), u64("iova"), u64("length"));
        public static final int SIZE = CODEC.size();

        public static IoasUnmap of(int ioasId, long iova, long length) {
            return new IoasUnmap(SIZE, ioasId, iova, length);
        }

        public IoasUnmap withLength(long v) {
            return new IoasUnmap(size, ioasId, iova, v);
        }

        public static IoasUnmap decode(MemorySegment s) {
            return CODEC.decode(s);
        }

        public void encode(MemorySegment s) {
            CODEC.encode(this, s);
        }

        @Override
        public String toString() {
            return "ioas_id=" + ioasId + ", iova=" + IommufdUapi.hex(iova) + ", length=" + IommufdUapi.hex(length);
        }
    }

    /** struct iommu_hwpt_alloc (48). */
    public record HwptAlloc(int size, int flags, int devId, int ptId, int outHwptId, int reserved, int dataType, int dataLen,
            long dataUptr, int faultId, int reserved2) {
        static final StructCodec<HwptAlloc> CODEC = StructCodec.of(HwptAlloc.class,
                u32("size"), u32("flags"), u32("dev_id"), u32("pt_id"),
                u32("out_hwpt_id"), u32("__reserved"), u32("data_type"), u32("data_len"),
                u64("data_uptr"), u32("fault_id"), u32("__reserved2"));
        public static final int SIZE = CODEC.size();

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
            return CODEC.decode(s);
        }

        public void encode(MemorySegment s) {
            CODEC.encode(this, s);
        }

        @Override
        public String toString() {
            return "flags=" + IommufdUapi.hex(flags) + ", dev_id=" + devId + ", pt_id=" + ptId + ", data_type=" + dataType
                    + ", data_len=" + dataLen + ", fault_id=" + faultId;
        }
    }

    /** struct iommu_hwpt_vtd_s1 (24). */
    public record HwptVtdS1(long flags, long pgtblAddr, int addrWidth, int reserved) {
        static final StructCodec<HwptVtdS1> CODEC = StructCodec.of(HwptVtdS1.class,
                u64("flags"), u64("pgtbl_addr"), u32("addr_width"), u32("__reserved"));
        public static final int SIZE = CODEC.size();

        public static HwptVtdS1 decode(MemorySegment s) {
            return CODEC.decode(s);
        }

        public void encode(MemorySegment s) {
            CODEC.encode(this, s);
        }
    }

    /** struct iommu_hw_info (40). */
    public record HwInfo(int size, int flags, int devId, int dataLen, long dataUptr, int outDataType, int outMaxPasidLog2,
            long outCapabilities) {
        static final StructCodec<HwInfo> CODEC = StructCodec.of(HwInfo.class,
                u32("size"), u32("flags"), u32("dev_id"), u32("data_len"),
                u64("data_uptr"), u32("out_data_type"), u8("out_max_pasid_log2"), pad(3), u64("out_capabilities"));
        public static final int SIZE = CODEC.size();

        public static HwInfo of(int devId, int dataLen, long dataUptr) {
            return new HwInfo(SIZE, 0, devId, dataLen, dataUptr, 0, 0, 0);
        }

        public static HwInfo decode(MemorySegment s) {
            return CODEC.decode(s);
        }

        public void encode(MemorySegment s) {
            CODEC.encode(this, s);
        }
    }

    /** struct iommu_hw_info_vtd (24): the raw VT-d capability and extended capability registers. */
    public record HwInfoVtd(int flags, int reserved, long capReg, long ecapReg) {
        static final StructCodec<HwInfoVtd> CODEC = StructCodec.of(HwInfoVtd.class,
                u32("flags"), u32("__reserved"), u64("cap_reg"), u64("ecap_reg"));
        public static final int SIZE = CODEC.size();

        public static HwInfoVtd decode(MemorySegment s) {
            return CODEC.decode(s);
        }

        public void encode(MemorySegment s) {
            CODEC.encode(this, s);
        }
    }

    /** struct iommu_hwpt_invalidate (32); {@code entryNum} comes back as the entries handled. */
    public record HwptInvalidate(int size, int hwptId, long dataUptr, int dataType, int entryLen, int entryNum, int reserved) {
        static final StructCodec<HwptInvalidate> CODEC = StructCodec.of(HwptInvalidate.class,
                u32("size"), u32("hwpt_id"), u64("data_uptr"), u32("data_type"),
                u32("entry_len"), u32("entry_num"), u32("__reserved"));
        public static final int SIZE = CODEC.size();

        public static HwptInvalidate of(int hwptId, long dataUptr, int dataType, int entryLen, int entryNum) {
            return new HwptInvalidate(SIZE, hwptId, dataUptr, dataType, entryLen, entryNum, 0);
        }

        public HwptInvalidate withEntryNum(int n) {
            return new HwptInvalidate(size, hwptId, dataUptr, dataType, entryLen, n, reserved);
        }

        public static HwptInvalidate decode(MemorySegment s) {
            return CODEC.decode(s);
        }

        public void encode(MemorySegment s) {
            CODEC.encode(this, s);
        }
    }

    /** struct iommu_hwpt_vtd_s1_invalidate (24). */
    public record VtdS1Invalidate(long addr, long npages, int flags, int reserved) {
        static final StructCodec<VtdS1Invalidate> CODEC = StructCodec.of(VtdS1Invalidate.class,
                u64("addr"), u64("npages"), u32("flags"), u32("__reserved"));
        public static final int SIZE = CODEC.size();

        public static VtdS1Invalidate decode(MemorySegment s) {
            return CODEC.decode(s);
        }

        public void encode(MemorySegment s) {
            CODEC.encode(this, s);
        }
    }

    /** struct iommu_hwpt_pgfault (40): one page request as the fault fd reads it. */
    public record Pgfault(int flags, int devId, int pasid, int grpid, int perm, int reserved, long addr, int length, int cookie) {
        static final StructCodec<Pgfault> CODEC = StructCodec.of(Pgfault.class,
                u32("flags"), u32("dev_id"), u32("pasid"), u32("grpid"),
                u32("perm"), u32("__reserved"), u64("addr"), u32("length"), u32("cookie"));
        public static final int SIZE = CODEC.size();

        public static Pgfault decode(MemorySegment s) {
            return CODEC.decode(s);
        }

        public void encode(MemorySegment s) {
            CODEC.encode(this, s);
        }
    }

    /** struct iommu_hwpt_page_response (8). */
    public record PageResponse(int cookie, int code) {
        static final StructCodec<PageResponse> CODEC = StructCodec.of(PageResponse.class,
                u32("cookie"), u32("code"));
        public static final int SIZE = CODEC.size();

        public static PageResponse decode(MemorySegment s) {
            return CODEC.decode(s);
        }

        public void encode(MemorySegment s) {
            CODEC.encode(this, s);
        }
    }

    /** struct iommu_fault_alloc (16). */
    public record FaultAlloc(int size, int flags, int outFaultId, int outFaultFd) {
        static final StructCodec<FaultAlloc> CODEC = StructCodec.of(FaultAlloc.class,
                u32("size"), u32("flags"), u32("out_fault_id"), u32("out_fault_fd"));
        public static final int SIZE = CODEC.size();

        public static FaultAlloc of() {
            return new FaultAlloc(SIZE, 0, 0, 0);
        }

        public static FaultAlloc decode(MemorySegment s) {
            return CODEC.decode(s);
        }

        public void encode(MemorySegment s) {
            CODEC.encode(this, s);
        }
    }

    /** struct vfio_device_bind_iommufd (16 up to out_devid; 24 with token_uuid_ptr). */
    public record BindIommufd(int argsz, int flags, int iommufd, int outDevid) {
        static final StructCodec<BindIommufd> CODEC = StructCodec.of(BindIommufd.class,
                u32("argsz"), u32("flags"), u32("iommufd"), u32("out_devid"));
        public static final int SIZE = CODEC.size();

        public static BindIommufd decode(MemorySegment s) {
            return CODEC.decode(s);
        }

        public void encode(MemorySegment s) {
            CODEC.encode(this, s);
        }
    }

    /** struct vfio_device_attach_iommufd_pt (16; 12 without the PASID flag). */
    public record AttachPt(int argsz, int flags, int ptId, int pasid) {
        static final StructCodec<AttachPt> CODEC = StructCodec.of(AttachPt.class,
                u32("argsz"), u32("flags"), u32("pt_id"), u32("pasid"));
        public static final int SIZE = CODEC.size();
        public static final int MINSZ = 12;

        public static AttachPt of(int ptId) {
            return new AttachPt(SIZE, 0, ptId, 0);
        }

        public static AttachPt pasid(int ptId, int pasid) {
            return new AttachPt(SIZE, IommufdUapi.VFIO_DEVICE_ATTACH_PASID, ptId, pasid);
        }

        public static AttachPt decode(MemorySegment s) {
            return CODEC.decode(s.byteSize() >= SIZE ? s : zeroExtended(s, SIZE));
        }

        public void encode(MemorySegment s) {
            CODEC.encode(this, s);
        }
    }

    /** struct vfio_device_detach_iommufd_pt (12; 8 without the PASID flag). */
    public record DetachPt(int argsz, int flags, int pasid) {
        static final StructCodec<DetachPt> CODEC = StructCodec.of(DetachPt.class,
                u32("argsz"), u32("flags"), u32("pasid"));
        public static final int SIZE = CODEC.size();
        public static final int MINSZ = 8;

        public static DetachPt of() {
            return new DetachPt(SIZE, 0, 0);
        }

        public static DetachPt pasid(int pasid) {
            return new DetachPt(SIZE, IommufdUapi.VFIO_DEVICE_DETACH_PASID, pasid);
        }

        public static DetachPt decode(MemorySegment s) {
            return CODEC.decode(s.byteSize() >= SIZE ? s : zeroExtended(s, SIZE));
        }

        public void encode(MemorySegment s) {
            CODEC.encode(this, s);
        }
    }
}
