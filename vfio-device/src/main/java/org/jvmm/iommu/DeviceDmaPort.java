package org.jvmm.iommu;

import java.util.concurrent.atomic.LongAdder;
import java.lang.foreign.MemorySegment;
import org.jvmm.address.Iova;
import org.jvmm.pci.DmaPort;

/**
 * The {@link DmaPort} the host platform gives each function: checks bus-master enable, finds
 * the group's current domain and lets it translate; every refusal becomes an {@link IommuFault}
 * in the platform's {@link IommuFaultLog} and moves nothing.
 *
 * <p>Counts the bytes it moved each way. Thread-safe; allocates nothing on success.
 */
public final class DeviceDmaPort implements DmaPort {
    private final DmaRequester requester;
    private final IommuFaultLog faults;
    private final LongAdder bytesToMemory = new LongAdder();
    private final LongAdder bytesFromMemory = new LongAdder();
    private final LongAdder pageRequests = new LongAdder();

    public DeviceDmaPort(DmaRequester requester, IommuFaultLog faults) {
        this.requester = requester;
        this.faults = faults;
    }

    /** Bytes the device wrote into memory through this port. */
    public long bytesToMemory() {
        return bytesToMemory.sum();
    }

    /** Bytes the device read from memory through this port. */
    public long bytesFromMemory() {
        return bytesFromMemory.sum();
    }

    @Override
    public long read(Iova iova, MemorySegment dst) {
        return transfer(iova, dst, false);
    }

    @Override
    public long write(Iova iova, MemorySegment src) {
        return transfer(iova, src, true);
    }

    @Override
    public long read(int pasid, Iova addr, MemorySegment dst) {
        return transfer(pasid, addr, dst, false);
    }

    @Override
    public long write(int pasid, Iova addr, MemorySegment src) {
        return transfer(pasid, addr, src, true);
    }

    /** Page requests the device sent through this port. */
    public long pageRequests() {
        return pageRequests.sum();
    }

    @Override
    public void pageRequest(int pasid, Iova addr, boolean write, java.util.function.IntConsumer response) {
        pageRequests.increment();
        DmaDomain domain = pasid == NO_PASID ? requester.dmaDomain() : requester.pasidDomain(pasid);
        IopfHandler handler = domain == null || !requester.busMasterEnabled() ? null : domain.iopfHandler();
        if (handler == null) {
            response.accept(PageResponseCode.INVALID.ordinal());
            return;
        }
        int grpid = (int) (groupIndex.getAndIncrement() & 0x1ff);
        handler.handle(new PageRequest(requester.address(), pasid == NO_PASID ? PageRequest.NO_PASID : pasid,
                new Iova(addr.value() & ~0xfffL), write ? AccessKind.WRITE : AccessKind.READ, grpid, true),
                code -> response.accept(code.ordinal()));
    }

    private final java.util.concurrent.atomic.AtomicLong groupIndex = new java.util.concurrent.atomic.AtomicLong();

    private long transfer(Iova iova, MemorySegment buffer, boolean toMemory) {
        return transfer(NO_PASID, iova, buffer, toMemory);
    }

    private long transfer(int pasid, Iova iova, MemorySegment buffer, boolean toMemory) {
        long size = buffer.byteSize();
        if (size == 0) {
            return 0;
        }
        FaultReason reason;
        if (!requester.busMasterEnabled()) {
            reason = FaultReason.BUS_MASTER_DISABLED;
        } else {
            DmaDomain domain = pasid == NO_PASID ? requester.dmaDomain() : requester.pasidDomain(pasid);
            reason = domain == null ? FaultReason.BLOCKED : domain.transfer(iova, buffer, toMemory);
        }
        if (reason == null) {
            (toMemory ? bytesToMemory : bytesFromMemory).add(size);
            return size;
        }
        faults.record(new IommuFault(requester.address(), iova, size, toMemory ? AccessKind.WRITE : AccessKind.READ, reason));
        return 0;
    }
}
