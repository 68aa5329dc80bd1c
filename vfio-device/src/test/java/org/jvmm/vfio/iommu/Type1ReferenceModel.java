package org.jvmm.vfio.iommu;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jvmm.host.Errno;

/**
 * A deliberately plain model of TYPE1 MAP/UNMAP (a list and linear scans), written from the rules
 * rather than from {@link Type1Iommu}, to check it against: results, errnos, the mapping set and
 * the locked-memory count. x86 IOVA ranges: [0, 0xfedfffff] and [0xfef00000, 2^48 - 1].
 */
final class Type1ReferenceModel {
    record Map(long iova, long size, long vaddr) {
    }

    /** Either the unmapped size (or 0 for a map) or an errno. */
    record Outcome(long value, Errno errno) {
        static Outcome ok(long v) {
            return new Outcome(v, null);
        }

        static Outcome err(Errno e) {
            return new Outcome(-1, e);
        }
    }

    private final boolean v2;
    private final int entryLimit;
    private final long memlockLimit;
    private final long ramBase;
    private final long ramSize;
    final List<Map> maps = new ArrayList<>();
    long locked;

    Type1ReferenceModel(boolean v2, int entryLimit, long memlockLimit, long ramBase, long ramSize) {
        this.v2 = v2;
        this.entryLimit = entryLimit;
        this.memlockLimit = memlockLimit;
        this.ramBase = ramBase;
        this.ramSize = ramSize;
    }

    private static boolean inRanges(long first, long last) {
        boolean low = Long.compareUnsigned(last, 0xfedf_ffffL) <= 0;
        boolean high = Long.compareUnsigned(first, 0xfef0_0000L) >= 0 && Long.compareUnsigned(last, (1L << 48) - 1) <= 0;
        return low || high;
    }

    Outcome map(long vaddr, long iova, long size) {
        if (size == 0 || ((iova | vaddr | size) & 0xfff) != 0) {
            return Outcome.err(Errno.EINVAL);
        }
        if (Long.compareUnsigned(iova + size - 1, iova) < 0 || Long.compareUnsigned(vaddr + size - 1, vaddr) < 0) {
            return Outcome.err(Errno.EINVAL);
        }
        for (Map m : maps) {
            if (Long.compareUnsigned(m.iova, iova + size - 1) <= 0 && Long.compareUnsigned(iova, m.iova + m.size - 1) <= 0) {
                return Outcome.err(Errno.EEXIST);
            }
        }
        if (maps.size() == entryLimit) {
            return Outcome.err(Errno.ENOSPC);
        }
        if (!inRanges(iova, iova + size - 1)) {
            return Outcome.err(Errno.EINVAL);
        }
        if (vaddr < ramBase || vaddr + size > ramBase + ramSize) {
            return Outcome.err(Errno.EFAULT);
        }
        if (locked + size > memlockLimit) {
            return Outcome.err(Errno.ENOMEM);
        }
        maps.add(new Map(iova, size, vaddr));
        locked += size;
        return Outcome.ok(0);
    }

    Outcome unmap(long iova, long size, boolean all) {
        if ((iova & 0xfff) != 0) {
            return Outcome.err(Errno.EINVAL);
        }
        if (all) {
            if (iova != 0 || size != 0) {
                return Outcome.err(Errno.EINVAL);
            }
            long sum = 0;
            for (Map m : maps) {
                sum += m.size;
            }
            maps.clear();
            locked = 0;
            return Outcome.ok(sum);
        }
        if (size == 0 || (size & 0xfff) != 0 || Long.compareUnsigned(iova + size - 1, iova) < 0) {
            return Outcome.err(Errno.EINVAL);
        }
        long last = iova + size - 1;
        List<Map> overlapping = new ArrayList<>();
        for (Map m : maps) {
            if (Long.compareUnsigned(m.iova, last) <= 0 && Long.compareUnsigned(iova, m.iova + m.size - 1) <= 0) {
                overlapping.add(m);
            }
        }
        overlapping.sort(Comparator.comparing(Map::iova, Long::compareUnsigned));
        if (v2) {
            for (Map m : overlapping) {
                if (Long.compareUnsigned(m.iova, iova) < 0) {
                    return Outcome.err(Errno.EINVAL); // would split at the start
                }
                if (Long.compareUnsigned(m.iova + m.size - 1, last) > 0) {
                    return Outcome.err(Errno.EINVAL); // would split at the end
                }
            }
        } else if (!overlapping.isEmpty() && Long.compareUnsigned(overlapping.get(0).iova, iova) < 0) {
            return Outcome.ok(0);
        }
        long sum = 0;
        for (Map m : overlapping) {
            maps.remove(m);
            locked -= m.size;
            sum += m.size;
        }
        return Outcome.ok(sum);
    }
}
