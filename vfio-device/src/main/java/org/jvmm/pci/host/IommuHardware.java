package org.jvmm.pci.host;

import java.util.ArrayList;
import java.util.List;

/**
 * What the host's IOMMU offers a domain: the page sizes it can map (a bitmap, bit n = 2^n bytes),
 * its aperture (the IOVA span it translates), and reserved regions inside the aperture that can
 * never be mapped (on x86 the MSI doorbell window 0xfee00000-0xfeefffff).
 */
public record IommuHardware(long pgsizeBitmap, IovaRange aperture, List<IovaRange> reserved) {

    public IommuHardware {
        if (pgsizeBitmap == 0) {
            throw new IllegalArgumentException("IOMMU page-size bitmap is empty");
        }
        reserved = List.copyOf(reserved);
    }

    /** An x86 VT-d-like IOMMU: 4 KiB, 2 MiB and 1 GiB pages, 48-bit aperture, MSI window reserved. */
    public static IommuHardware x86() {
        return new IommuHardware((1L << 12) | (1L << 21) | (1L << 30), new IovaRange(0, (1L << 48) - 1),
                List.of(new IovaRange(0xfee0_0000L, 0xfeef_ffffL)));
    }

    /**
     * The usable IOVA ranges: the aperture minus the reserved regions, in ascending order
     * (vfio_iommu_type1.c builds the same list from the aperture and reserved regions).
     */
    public List<IovaRange> usableRanges() {
        List<IovaRange> out = new ArrayList<>();
        out.add(aperture);
        for (IovaRange r : reserved) {
            List<IovaRange> next = new ArrayList<>();
            for (IovaRange u : out) {
                if (Long.compareUnsigned(r.end(), u.start()) < 0 || Long.compareUnsigned(r.start(), u.end()) > 0) {
                    next.add(u);
                    continue;
                }
                if (Long.compareUnsigned(r.start(), u.start()) > 0) {
                    next.add(new IovaRange(u.start(), r.start() - 1));
                }
                if (Long.compareUnsigned(r.end(), u.end()) < 0) {
                    next.add(new IovaRange(r.end() + 1, u.end()));
                }
            }
            out = next;
        }
        return List.copyOf(out);
    }
}
