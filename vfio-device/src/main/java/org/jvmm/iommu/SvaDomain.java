package org.jvmm.iommu;

import java.lang.foreign.MemorySegment;
import org.jvmm.address.HostAddress;
import org.jvmm.address.Iova;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.host.memory.HostMemoryRegistry;

/**
 * A shared-virtual-addressing domain (Linux iommu-sva.c's SVA domain): the device's addresses are
 * the process's virtual addresses, translated by the process's own page tables, here the host
 * memory registry that plays them. Whatever the process maps is visible at once; what it unmaps
 * faults. Its recoverable faults are served as the kernel's SVA handler does (B-12): a request
 * for an address inside a mapping of the process is answered SUCCESS (the mm fault brings the
 * page in), any other INVALID.
 */
public final class SvaDomain implements DmaDomain {
    private final HostMemoryRegistry mm;
    private final IopfHandler handler;

    public SvaDomain(HostMemoryRegistry mm) {
        this.mm = mm;
        this.handler = (request, respond) -> respond.accept(
                mm.find(new HostAddress(request.addr().value()), 1) != null ? PageResponseCode.SUCCESS : PageResponseCode.INVALID);
    }

    public HostMemoryRegistry mm() {
        return mm;
    }

    @Override
    public FaultReason transfer(Iova iova, MemorySegment buffer, boolean toMemory) {
        long len = buffer.byteSize();
        HostMapping m = mm.find(new HostAddress(iova.value()), len);
        if (m == null || m.isClosed()) {
            return FaultReason.UNMAPPED;
        }
        MemorySegment mem;
        try {
            mem = m.segment().asSlice(iova.value() - m.address().value(), len);
        } catch (IllegalStateException closedMeanwhile) {
            return FaultReason.UNMAPPED;
        }
        if (toMemory) {
            MemorySegment.copy(buffer, 0, mem, 0, len);
        } else {
            MemorySegment.copy(mem, 0, buffer, 0, len);
        }
        return null;
    }

    @Override
    public HostIommuTlbEntry translate(Iova iova, AccessKind access) {
        long page = iova.value() & ~0xfffL;
        HostMapping m = mm.find(new HostAddress(page), 4096);
        if (m == null) {
            return HostIommuTlbEntry.miss(iova, 0xfff);
        }
        return new HostIommuTlbEntry(new Iova(page), new HostAddress(page), 0xfff, IommuPermission.READ_WRITE);
    }

    @Override
    public IopfHandler iopfHandler() {
        return handler;
    }
}
