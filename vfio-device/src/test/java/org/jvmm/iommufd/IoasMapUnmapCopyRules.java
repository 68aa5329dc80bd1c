package org.jvmm.iommufd;

import static org.jvmm.iommufd.IommufdUapi.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.iommufd.IommufdStructs.*;
import org.jvmm.testing.IommufdRig;

/**
 * IOMMU_IOAS_MAP / UNMAP / COPY (drivers/iommu/iommufd/ioas.c, io_pagetable.c): exact errnos,
 * the automatic IOVA choice, whole-area unmap, pinning only while a domain exists, pages shared
 * by COPY charged once.
 */
class IoasMapUnmapCopyRules {
    private final IommufdRig rig = IommufdRig.open();
    private final Iommufd fd = rig.iommufd;
    private final int ioas = fd.ioasAlloc();
    private static final int RW = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE;
    private static final int FIXED_RW = IOMMU_IOAS_MAP_FIXED_IOVA | RW;

    @AfterEach
    void close() {
        rig.close();
    }

    private long map(int flags, long va, long len, long iova) {
        return fd.ioasMap(IoasMap.of(flags, ioas, va, len, iova)).iova();
    }

    private static Errno errno(Runnable r) {
        return assertThrows(ErrnoException.class, r::run).errno();
    }

    @Test
    void fixedMapThenUnmapReturnsTheBytesUnmapped() {
        assertEquals(0x10000L, map(FIXED_RW, rig.va(0), 0x4000, 0x10000));
        assertEquals(List.of(new Ioas.Mapping(0x10000, 0x4000, rig.va(0), true, true)), fd.ioas(ioas).mappings());
        assertEquals(0x4000L, fd.ioasUnmap(IoasUnmap.of(ioas, 0x10000, 0x4000)).length());
        assertEquals(0, fd.ioas(ioas).mappingCount());
    }

    @Test
    @DisplayName("length 0 is EINVAL; unknown flags or a non-zero __reserved EOPNOTSUPP; iova or length ULONG_MAX EOVERFLOW")
    void mapArgumentErrors() {
        assertEquals(Errno.EINVAL, errno(() -> map(FIXED_RW, rig.va(0), 0, 0x1000)));
        assertEquals(Errno.EOPNOTSUPP, errno(() -> map(FIXED_RW | 8, rig.va(0), 0x1000, 0x1000)));
        assertEquals(Errno.EOPNOTSUPP, errno(() -> fd.ioasMap(new IoasMap(40, FIXED_RW, ioas, 1, rig.va(0), 0x1000, 0))));
        assertEquals(Errno.EOVERFLOW, errno(() -> map(FIXED_RW, rig.va(0), 0x1000, -1L)));
        assertEquals(Errno.EOVERFLOW, errno(() -> map(FIXED_RW, rig.va(0), -1L, 0)));
        assertEquals(Errno.EOVERFLOW, errno(() -> map(FIXED_RW, rig.va(0), 0x2000, -0x1000L)));
        assertEquals(0, fd.ioas(ioas).mappingCount());
    }

    @Test
    void unknownIoasOrAnIdOfAnotherTypeIsEnoent() {
        assertEquals(Errno.ENOENT, errno(() -> fd.ioasMap(IoasMap.of(FIXED_RW, 99, rig.va(0), 0x1000, 0))));
        int fault = fd.faultQueueAlloc(FaultAlloc.of()).outFaultId();
        assertEquals(Errno.ENOENT, errno(() -> fd.ioasMap(IoasMap.of(FIXED_RW, fault, rig.va(0), 0x1000, 0))));
    }

    @Test
    void anOverlapIsEexistAndLeavesTheFirstMapping() {
        map(FIXED_RW, rig.va(0), 0x2000, 0x10000);
        assertEquals(Errno.EEXIST, errno(() -> map(FIXED_RW, rig.va(0x4000), 0x2000, 0x11000)));
        assertEquals(Errno.EEXIST, errno(() -> map(FIXED_RW, rig.va(0x4000), 0x1000, 0xf000 + 0x1000)));
        assertEquals(1, fd.ioas(ioas).mappingCount());
    }

    @Test
    @DisplayName("without FIXED_IOVA the lowest free IOVA aligned to min(roundup_pow_of_two(length), user_va's alignment)")
    void automaticIovaIsTheLowestSuitablyAlignedHole() {
        // no domain yet, so nothing is pinned and any user_va will do
        assertEquals(0L, map(RW, 0x1000_0000L, 0x3000, 0));
        // 0x3000 rounds up to 0x4000 alignment (user_va is 256 MiB aligned), so the next lands at 0x4000
        assertEquals(0x4000L, map(RW, 0x1000_0000L, 0x3000, 0));
        // a 0x1000 mapping fits the hole at 0x3000
        assertEquals(0x3000L, map(RW, 0x1000_1000L, 0x1000, 0));
        // user_va 0x...800 allows only 0x800 alignment: the lowest 0x800-aligned hole
        assertEquals(0x7000L, map(RW, 0x1000_0800L, 0x800, 0));
    }

    @Test
    @DisplayName("UNMAP must cover whole areas: splitting is ENOENT; nothing in range ENOENT; length 0 EINVAL")
    void unmapMustCoverWholeAreas() {
        map(FIXED_RW, rig.va(0), 0x2000, 0x10000);
        assertEquals(Errno.ENOENT, errno(() -> fd.ioasUnmap(IoasUnmap.of(ioas, 0x11000, 0x1000))));
        assertEquals(Errno.ENOENT, errno(() -> fd.ioasUnmap(IoasUnmap.of(ioas, 0x10000, 0x1000))));
        assertEquals(Errno.ENOENT, errno(() -> fd.ioasUnmap(IoasUnmap.of(ioas, 0x20000, 0x1000))));
        assertEquals(Errno.EINVAL, errno(() -> fd.ioasUnmap(IoasUnmap.of(ioas, 0x10000, 0))));
        assertEquals(1, fd.ioas(ioas).mappingCount());
        assertEquals(0x2000L, fd.ioasUnmap(IoasUnmap.of(ioas, 0, 0x100000)).length());
    }

    @Test
    @DisplayName("an area straddling the end of the range: the areas before it are unmapped, then ENOENT (iopt_unmap_iova_range)")
    void unmapStopsAtAStraddlingLastArea() {
        map(FIXED_RW, rig.va(0), 0x1000, 0x10000);
        map(FIXED_RW, rig.va(0x1000), 0x2000, 0x11000);
        assertEquals(Errno.ENOENT, errno(() -> fd.ioasUnmap(IoasUnmap.of(ioas, 0x10000, 0x2000))));
        assertEquals(List.of(new Ioas.Mapping(0x11000, 0x2000, rig.va(0x1000), true, true)), fd.ioas(ioas).mappings());
    }

    @Test
    void iovaZeroWithLengthU64MaxUnmapsEverything() {
        map(FIXED_RW, rig.va(0), 0x1000, 0x10000);
        map(FIXED_RW, rig.va(0x1000), 0x2000, 0x7000_0000L);
        assertEquals(0x3000L, fd.ioasUnmap(IoasUnmap.of(ioas, 0, -1L)).length());
        assertEquals(0, fd.ioas(ioas).mappingCount());
        assertEquals(0L, fd.ioasUnmap(IoasUnmap.of(ioas, 0, -1L)).length());
    }

    @Test
    @DisplayName("pages are pinned and charged only while a domain exists; unmapping and destroying give them back")
    void pinningFollowsTheDomains() {
        map(FIXED_RW, rig.va(0), 0x4000, 0x10000);
        assertEquals(0L, rig.memlock.lockedBytes());
        int hwpt = fd.hwptAlloc(0, rig.devId, ioas);
        assertEquals(0x4000L, rig.memlock.lockedBytes());
        map(FIXED_RW, rig.va(0x4000), 0x1000, 0x20000);
        assertEquals(0x5000L, rig.memlock.lockedBytes());
        fd.ioasUnmap(IoasUnmap.of(ioas, 0x20000, 0x1000));
        assertEquals(0x4000L, rig.memlock.lockedBytes());
        fd.destroy(hwpt);
        assertEquals(0L, rig.memlock.lockedBytes());
    }

    @Test
    void overTheMemlockLimitMapIsEnomemAndNothingChanges() {
        try (IommufdRig small = IommufdRig.open(0x2000)) {
            Iommufd f = small.iommufd;
            int a = f.ioasAlloc();
            f.hwptAlloc(0, small.devId, a);
            assertEquals(Errno.ENOMEM, errno(() -> f.ioasMap(IoasMap.of(FIXED_RW, a, small.va(0), 0x3000, 0))));
            assertEquals(0, f.ioas(a).mappingCount());
            assertEquals(0L, small.memlock.lockedBytes());
        }
    }

    @Test
    void aForeignUserVaIsEfaultOnlyOnceItMustBePinned() {
        assertEquals(0x1000L, map(FIXED_RW, 0x1000, 0x1000, 0x1000));
        assertEquals(Errno.EFAULT, errno(() -> fd.hwptAlloc(0, rig.devId, ioas)));
        fd.ioasUnmap(IoasUnmap.of(ioas, 0, -1L));
        fd.hwptAlloc(0, rig.devId, ioas);
        assertEquals(Errno.EFAULT, errno(() -> map(FIXED_RW, 0x1000, 0x1000, 0x1000)));
    }

    @Test
    @DisplayName("with a domain the IOAS alignment is 4 KiB: a 2 KiB-aligned IOVA is EINVAL; an existing unaligned area makes the domain EADDRINUSE")
    void alignmentComesWithTheDomain() {
        assertEquals(0x800L, map(FIXED_RW, rig.va(0x800), 0x800, 0x800));
        assertEquals(Errno.EADDRINUSE, errno(() -> fd.hwptAlloc(0, rig.devId, ioas)));
        fd.ioasUnmap(IoasUnmap.of(ioas, 0x800, 0x800));
        fd.hwptAlloc(0, rig.devId, ioas);
        assertEquals(0x1000L, fd.ioasIovaRanges(ioas).alignment());
        assertEquals(Errno.EINVAL, errno(() -> map(FIXED_RW, rig.va(0x800), 0x800, 0x800)));
    }

    @Test
    @DisplayName("COPY shares the source's pinned pages (charged once) and the copy translates to the same memory")
    void copySharesPages() {
        int dst = fd.ioasAlloc();
        fd.hwptAlloc(0, rig.devId, ioas);
        fd.hwptAlloc(0, rig.devId, dst);
        map(FIXED_RW, rig.va(0), 0x4000, 0x10000);
        assertEquals(0x4000L, rig.memlock.lockedBytes());
        long at = fd.ioasCopy(IoasCopy.of(FIXED_RW, dst, ioas, 0x2000, 0x80000, 0x11000)).dstIova();
        assertEquals(0x80000L, at);
        assertEquals(List.of(new Ioas.Mapping(0x80000, 0x2000, rig.va(0x1000), true, true)), fd.ioas(dst).mappings());
        assertEquals(0x4000L, rig.memlock.lockedBytes());
        rig.fill(0x1000, 1, (byte) 0x5a);
        MemorySegment one = MemorySegment.ofArray(new byte[1]);
        ((Hwpt) fd.ioas(dst).domains().get(0)).transfer(new org.jvmm.address.Iova(0x80000), one, false);
        assertEquals((byte) 0x5a, one.get(ValueLayout.JAVA_BYTE, 0));
        fd.ioasUnmap(IoasUnmap.of(ioas, 0, -1L));
        assertEquals(0x4000L, rig.memlock.lockedBytes(), "the copy still holds the pages");
        fd.ioasUnmap(IoasUnmap.of(dst, 0, -1L));
        assertEquals(0L, rig.memlock.lockedBytes());
    }

    @Test
    @DisplayName("COPY: a hole in the source is ENOENT, WRITEABLE from read-only pages EPERM, unknown flags EOPNOTSUPP")
    void copyErrors() {
        int dst = fd.ioasAlloc();
        map(FIXED_RW, rig.va(0), 0x1000, 0x10000);
        map(IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE, rig.va(0x2000), 0x1000, 0x12000);
        assertEquals(Errno.ENOENT, errno(() -> fd.ioasCopy(IoasCopy.of(FIXED_RW, dst, ioas, 0x3000, 0, 0x10000))));
        assertEquals(Errno.EPERM, errno(() -> fd.ioasCopy(IoasCopy.of(FIXED_RW, dst, ioas, 0x1000, 0, 0x12000))));
        assertEquals(Errno.EOPNOTSUPP, errno(() -> fd.ioasCopy(IoasCopy.of(0x10, dst, ioas, 0x1000, 0, 0x10000))));
        assertEquals(0, fd.ioas(dst).mappingCount());
    }

    @Test
    @DisplayName("byte-level ioctl: unknown request ENOTTY, size below the minimum EINVAL, non-zero bytes past the struct E2BIG")
    void byteLevelSizeRules() {
        MemorySegment arg = MemorySegment.ofArray(new byte[64]);
        assertEquals(Errno.ENOTTY, errno(() -> fd.ioctl(0x3B8F, arg)));
        IoasMap.of(FIXED_RW, ioas, rig.va(0), 0x1000, 0x1000).encode(arg);
        arg.set(ValueLayout.JAVA_INT_UNALIGNED, 0, 36);
        assertEquals(Errno.EINVAL, errno(() -> fd.ioctl(IOMMU_IOAS_MAP, arg)));
        arg.set(ValueLayout.JAVA_INT_UNALIGNED, 0, 48);
        arg.set(ValueLayout.JAVA_BYTE, 44, (byte) 1);
        assertEquals(Errno.E2BIG, errno(() -> fd.ioctl(IOMMU_IOAS_MAP, arg)));
        arg.set(ValueLayout.JAVA_BYTE, 44, (byte) 0);
        assertEquals(0, fd.ioctl(IOMMU_IOAS_MAP, arg));
        assertEquals(1, fd.ioas(ioas).mappingCount());
        // the automatic IOVA comes back in the struct
        IoasMap.of(RW, ioas, rig.va(0x2000), 0x1000, 0).encode(arg);
        fd.ioctl(IOMMU_IOAS_MAP, arg);
        assertEquals(0L, arg.get(ValueLayout.JAVA_LONG_UNALIGNED, 32));
        IoasUnmap.of(ioas, 0, -1L).encode(arg);
        fd.ioctl(IOMMU_IOAS_UNMAP, arg);
        assertEquals(0x2000L, arg.get(ValueLayout.JAVA_LONG_UNALIGNED, 16));
    }

    @Test
    @DisplayName("byte-level IOVA_RANGES: num_iovas too small fills what fits, sets the count and fails EMSGSIZE; ALLOW_IOVAS reads the user's array")
    void byteLevelIovaRangesAndAllowIovas() {
        rig.device.attachIommufdPt(ioas); // the MSI window splits the space: two ranges
        MemorySegment out = rig.ram.segment().asSlice(0xf0000, 64);
        MemorySegment arg = MemorySegment.ofArray(new byte[32]);
        new IoasIovaRanges(32, ioas, 1, 0, rig.va(0xf0000), 0).encode(arg);
        assertEquals(Errno.EMSGSIZE, errno(() -> fd.ioctl(IOMMU_IOAS_IOVA_RANGES, arg)));
        assertEquals(2, IoasIovaRanges.decode(arg).numIovas());
        assertEquals(new IovaRange(0, 0xfedf_ffffL), IovaRange.decode(out));
        new IoasIovaRanges(32, ioas, 2, 0, rig.va(0xf0000), 0).encode(arg);
        assertEquals(0, fd.ioctl(IOMMU_IOAS_IOVA_RANGES, arg));
        assertEquals(0x1000L, IoasIovaRanges.decode(arg).outIovaAlignment());
        assertEquals(new IovaRange(0xfef0_0000L, (1L << 48) - 1), IovaRange.decode(out.asSlice(16, 16)));
        new IovaRange(0x10_0000L, 0x1f_ffffL).encode(out);
        MemorySegment allow = MemorySegment.ofArray(new byte[24]);
        new IoasAllowIovas(24, ioas, 1, 0, rig.va(0xf0000)).encode(allow);
        assertEquals(0, fd.ioctl(IOMMU_IOAS_ALLOW_IOVAS, allow));
        assertEquals(List.of(new IovaRange(0x10_0000L, 0x1f_ffffL)), fd.ioas(ioas).allowedIovas());
        new IoasAllowIovas(24, ioas, 1, 0, 0x1000).encode(allow);
        assertEquals(Errno.EFAULT, errno(() -> fd.ioctl(IOMMU_IOAS_ALLOW_IOVAS, allow)));
    }
}
