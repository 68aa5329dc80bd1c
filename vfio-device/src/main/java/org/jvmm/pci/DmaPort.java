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
}
