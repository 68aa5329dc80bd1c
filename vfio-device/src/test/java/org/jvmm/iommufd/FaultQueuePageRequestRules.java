package org.jvmm.iommufd;

import static org.jvmm.iommufd.IommufdUapi.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.iommufd.IommufdStructs.*;
import org.jvmm.testing.IommufdRig;

/**
 * The fault queue (IOMMU_FAULT_QUEUE_ALLOC; drivers/iommu/iommufd/eventq.c; reference B-28 to
 * B-31): page requests of a PASID-tagged DMA are read as iommu_hwpt_pgfault records and answered
 * with iommu_hwpt_page_response; the device retries on SUCCESS and stops on INVALID.
 */
class FaultQueuePageRequestRules {
    private static final int PASID = 7;
    private final IommufdRig rig = IommufdRig.open();
    private final Iommufd fd = rig.iommufd;
    private final int ioas = fd.ioasAlloc();
    private final FaultAlloc fault = fd.faultQueueAlloc(FaultAlloc.of());
    private final FaultQueue queue = fd.faultFile(fault.outFaultFd());
    private final int hwpt = fd.hwptAlloc(HwptAlloc.of(IOMMU_HWPT_ALLOC_PASID, rig.devId, ioas).withFault(fault.outFaultId()), null)
            .outHwptId();

    FaultQueuePageRequestRules() {
        rig.device.attachIommufdPt(AttachPt.pasid(hwpt, PASID));
        IommufdRig.enableBusMaster(rig.device);
    }

    @AfterEach
    void close() {
        rig.close();
    }

    private static Errno errno(Runnable r) {
        return assertThrows(ErrnoException.class, r::run).errno();
    }

    private static MemorySegment responses(int... cookieCode) {
        MemorySegment s = MemorySegment.ofArray(new byte[cookieCode.length * 4]);
        for (int i = 0; i < cookieCode.length; i += 2) {
            new PageResponse(cookieCode[i], cookieCode[i + 1]).encode(s.asSlice(i * 4L, 8));
        }
        return s;
    }

    /** DMA from the buffer to the (not yet mapped) virtual address of ram + 0x5000 with the PASID. */
    private long faultingDma() {
        long va = rig.va(0x5000);
        IommufdRig.eduDma(rig.device, va, 0, 0x100, true, PASID);
        return va;
    }

    @Test
    @DisplayName("a missing page becomes one record: PASID_VALID|LAST_PAGE, dev_id, PASID, page address, READ|WRITE for a write, cookie 0")
    void aMissingPageIsQueuedAsOneRecord() {
        long va = faultingDma();
        assertTrue(rig.pasidEdu.dmaRunning(), "the device waits for the answer");
        assertEquals(1, queue.pendingGroups());
        MemorySegment buf = MemorySegment.ofArray(new byte[80]);
        assertEquals(40L, queue.read(buf, 0));
        Pgfault f = Pgfault.decode(buf);
        assertEquals(IOMMU_PGFAULT_FLAGS_PASID_VALID | IOMMU_PGFAULT_FLAGS_LAST_PAGE, f.flags());
        assertEquals(rig.devId, f.devId());
        assertEquals(PASID, f.pasid());
        assertEquals(va & ~0xfffL, f.addr());
        assertEquals(IOMMU_PGFAULT_PERM_READ | IOMMU_PGFAULT_PERM_WRITE, f.perm());
        assertEquals(0, f.cookie());
        assertEquals(1, queue.awaitingResponse());
        assertEquals(0L, queue.read(buf, 0), "nothing more queued");
    }

    @Test
    @DisplayName("user space maps the page and answers SUCCESS: the device retries and the DMA lands")
    void successMakesTheDeviceRetry() {
        rig.fill(0, 0x100, (byte) 0x6c);
        IommufdRig.eduDma(rig.device, rig.va(0), 0, 0x100, false, PASID); // read side faults too
        MemorySegment buf = MemorySegment.ofArray(new byte[40]);
        queue.read(buf, 0);
        Pgfault f = Pgfault.decode(buf);
        fd.ioasMap(IoasMap.of(IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE, ioas, rig.va(0),
                0x10000, rig.va(0)));
        assertEquals(8L, queue.write(responses(f.cookie(), IOMMUFD_PAGE_RESP_SUCCESS), 0));
        assertFalse(rig.pasidEdu.dmaRunning());
        faultingDma(); // mapped now: no fault
        assertEquals(0, queue.pendingGroups());
        assertEquals((byte) 0x6c, rig.ramByte(0x5000));
        assertEquals((byte) 0x6c, rig.ramByte(0x50ff));
        assertEquals(1L, rig.pasidEdu.pageRequests());
    }

    @Test
    @DisplayName("INVALID stops the DMA: nothing moves, the command completes, a guest error is logged")
    void invalidStopsTheDma() {
        faultingDma();
        MemorySegment buf = MemorySegment.ofArray(new byte[40]);
        queue.read(buf, 0);
        queue.write(responses(Pgfault.decode(buf).cookie(), IOMMUFD_PAGE_RESP_INVALID), 0);
        assertFalse(rig.pasidEdu.dmaRunning());
        assertEquals(1L, rig.pasidEdu.pasidDmaFailures());
        assertEquals((byte) 0, rig.ramByte(0x5000));
    }

    @Test
    @DisplayName("SUCCESS without mapping the page: the device asks again, then gives up after PRI_RETRIES")
    void successWithoutAPageIsRetriedThenAbandoned() {
        faultingDma();
        MemorySegment buf = MemorySegment.ofArray(new byte[40]);
        for (int i = 0; i < 2; i++) {
            assertEquals(40L, queue.read(buf, 0));
            queue.write(responses(Pgfault.decode(buf).cookie(), IOMMUFD_PAGE_RESP_SUCCESS), 0);
        }
        assertEquals(0, queue.pendingGroups());
        assertFalse(rig.pasidEdu.dmaRunning());
        assertEquals(2L, rig.pasidEdu.pageRequests());
        assertEquals(1L, rig.pasidEdu.pasidDmaFailures());
    }

    @Test
    @DisplayName("reads and writes start at offset 0 and move whole records (ESPIPE); a group that does not fit stays queued")
    void fileOffsetAndSizeRules() {
        faultingDma();
        assertEquals(Errno.ESPIPE, errno(() -> queue.read(MemorySegment.ofArray(new byte[40]), 40)));
        assertEquals(Errno.ESPIPE, errno(() -> queue.read(MemorySegment.ofArray(new byte[39]), 0)));
        assertEquals(0L, queue.read(MemorySegment.ofArray(new byte[0]), 0));
        assertEquals(1, queue.pendingGroups());
        assertEquals(Errno.ESPIPE, errno(() -> queue.write(MemorySegment.ofArray(new byte[7]), 0)));
        assertEquals(Errno.ESPIPE, errno(() -> queue.write(MemorySegment.ofArray(new byte[8]), 8)));
    }

    @Test
    @DisplayName("a code other than SUCCESS/INVALID or an unknown cookie is EINVAL; the write stops there and returns what it consumed")
    void badResponses() {
        faultingDma();
        MemorySegment buf = MemorySegment.ofArray(new byte[40]);
        queue.read(buf, 0);
        int cookie = Pgfault.decode(buf).cookie();
        assertEquals(Errno.EINVAL, errno(() -> queue.write(responses(cookie, 2), 0)));
        assertEquals(Errno.EINVAL, errno(() -> queue.write(responses(cookie + 1, 0), 0)));
        assertEquals(1, queue.awaitingResponse());
        assertEquals(8L, queue.write(responses(cookie, IOMMUFD_PAGE_RESP_INVALID, 99, 0), 0));
        assertEquals(0, queue.awaitingResponse());
    }

    @Test
    @DisplayName("B-31: detaching the PASID answers its pending page requests INVALID, so the device is not left waiting")
    void detachAnswersPendingRequests() {
        faultingDma();
        rig.device.detachIommufdPt(DetachPt.pasid(PASID));
        assertEquals(1L, queue.autoResponses());
        assertFalse(rig.pasidEdu.dmaRunning());
        assertEquals(1L, rig.pasidEdu.pasidDmaFailures());
        assertEquals(0, queue.pendingGroups());
    }

    @Test
    void theFaultObjectIsBusyWhileAHwptUsesIt() {
        assertEquals(Errno.EBUSY, errno(() -> fd.destroy(fault.outFaultId())));
        assertEquals(Errno.EOPNOTSUPP, errno(() -> fd.faultQueueAlloc(new FaultAlloc(16, 1, 0, 0))));
    }

    @Test
    @DisplayName("a page request through a HWPT without a fault queue is answered INVALID at once")
    void noQueueMeansInvalidAtOnce() {
        int plainPasidHwpt = fd.hwptAlloc(IOMMU_HWPT_ALLOC_PASID, rig.devId, ioas);
        rig.device.attachIommufdPt(AttachPt.pasid(plainPasidHwpt, PASID));
        faultingDma();
        assertFalse(rig.pasidEdu.dmaRunning());
        assertEquals(1L, rig.pasidEdu.pasidDmaFailures());
    }
}
