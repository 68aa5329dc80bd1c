package org.jvmm.vfio.iommu;

import java.nio.ByteBuffer;
import java.util.List;
import org.jvmm.pci.host.IovaRange;

/**
 * A capability in the chain after struct vfio_iommu_type1_info: header {id u16, version u16,
 * next u32} then the body. Sizes are rounded up to 8 bytes in the chain.
 */
public sealed interface Type1InfoCapability {
    int id();

    int version();

    /** Header plus body, unpadded. */
    int byteSize();

    void encodeBody(ByteBuffer out);

    /** VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE: the usable IOVA ranges. */
    record IovaRanges(List<IovaRange> ranges) implements Type1InfoCapability {
        public IovaRanges {
            ranges = List.copyOf(ranges);
        }

        public int id() {
            return 1;
        }

        public int version() {
            return 1;
        }

        public int byteSize() {
            return 16 + 16 * ranges.size();
        }

        public void encodeBody(ByteBuffer out) {
            out.putInt(ranges.size()).putInt(0);
            for (IovaRange r : ranges) {
                out.putLong(r.start()).putLong(r.end());
            }
        }
    }

    /** VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION: dirty-tracking page size and the bitmap size limit. */
    record Migration(int flags, long pgsizeBitmap, long maxDirtyBitmapSize) implements Type1InfoCapability {
        public int id() {
            return 2;
        }

        public int version() {
            return 1;
        }

        public int byteSize() {
            return 32;
        }

        public void encodeBody(ByteBuffer out) {
            out.putInt(flags).putInt(0).putLong(pgsizeBitmap).putLong(maxDirtyBitmapSize);
        }
    }

    /** VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL: how many more mappings MAP_DMA will accept. */
    record DmaAvail(int avail) implements Type1InfoCapability {
        public int id() {
            return 3;
        }

        public int version() {
            return 1;
        }

        public int byteSize() {
            return 12;
        }

        public void encodeBody(ByteBuffer out) {
            out.putInt(avail);
        }
    }
}
