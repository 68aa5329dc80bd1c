package org.jvmm.pci;

import java.lang.foreign.MemorySegment;
import org.jvmm.address.Iova;

/**
 * What a PCI function's bus-master engine uses to reach memory: reads and writes of I/O virtual
 * addresses, translated by the IOMMU its group is attached to. A device never sees host or guest
 * physical addresses.
 *
 * <p>Each transfer is all or nothing: on success every byte moved and the size is returned; when any
 * byte is unmapped or lacks the permission, nothing moves, 0 is returned and an IOMMU fault is
 * recorded (device, iova, access kind). Callable from any thread.
 */
public interface DmaPort {

    /** Device reads memory at {@code iova} into {@code dst}: bytes moved, or 0 on a fault. */
    long read(Iova iova, MemorySegment dst);

    /** Device writes {@code src} to memory at {@code iova}: bytes moved, or 0 on a fault. */
    long write(Iova iova, MemorySegment src);

    /** The value of a PASID argument for DMA without a PASID prefix. */
    int NO_PASID = -1;

    /**
     * Device reads memory at {@code addr} with a PASID prefix ({@code pasid}, 20 bits): the
     * address is translated by the domain attached to that PASID. Bytes moved, or 0 on a fault;
     * a port without a PASID path moves nothing.
     */
    default long read(int pasid, Iova addr, MemorySegment dst) {
        return pasid == NO_PASID ? read(addr, dst) : 0;
    }

    /** Device writes {@code src} to memory at {@code addr} with a PASID prefix: bytes moved, or 0. */
    default long write(int pasid, Iova addr, MemorySegment src) {
        return pasid == NO_PASID ? write(addr, src) : 0;
    }

    /**
     * A PCIe page request (PRI) for the page at {@code addr} ({@code pasid} or {@link #NO_PASID}):
     * {@code response} gets the answer exactly once, possibly later and from another thread:
     * 0 success (retry), 1 invalid, 2 response failure. Without a handler the answer is 1 at once.
     */
    default void pageRequest(int pasid, Iova addr, boolean write, java.util.function.IntConsumer response) {
        response.accept(1);
    }
}
