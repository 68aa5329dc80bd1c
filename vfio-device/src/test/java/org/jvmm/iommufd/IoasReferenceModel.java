package org.jvmm.iommufd;

import java.util.ArrayList;
import java.util.List;

/**
 * An independent, deliberately naive model of an IOAS's MAP and UNMAP (io_pagetable.c's rules as
 * the reference page and {@link Ioas} state them): a list of areas, scanned linearly, with the
 * alignment, aperture and locked-memory rules of one optional domain. Results are an IOVA or a
 * byte count, or a negative errno.
 */
final class IoasReferenceModel {
    static final long PAGE = 4096;
    record Area(long iova, long len, long va, boolean r, boolean w) {
        long last() {
            return iova + len - 1;
        }
    }

    final List<Area> areas = new ArrayList<>();
    final boolean domain;
    final long ramVa;
    final long ramLen;
    final long memlockLimit;
    long locked;

    IoasReferenceModel(boolean domain, long ramVa, long ramLen, long memlockLimit) {
        this.domain = domain;
        this.ramVa = ramVa;
        this.ramLen = ramLen;
        this.memlockLimit = memlockLimit;
    }

    private long align() {
        return domain ? PAGE : 1;
    }

    private static boolean overlaps(long a0, long a1, long b0, long b1) {
        return Long.compareUnsigned(a0, b1) <= 0 && Long.compareUnsigned(b0, a1) <= 0;
    }

    private boolean reserved(long first, long last) {
        return domain && Long.compareUnsigned(last, (1L << 48) - 1) > 0;
    }

    private Area overlap(long first, long last) {
        for (Area a : areas) {
            if (overlaps(first, last, a.iova, a.last())) {
                return a;
            }
        }
        return null;
    }

    /** MAP: the IOVA, or -errno. */
    long map(boolean fixed, long iova, long len, long va, boolean r, boolean w) {
        if (iova == -1L || len == -1L) {
            return -75;
        }
        if (len == 0 || Long.compareUnsigned(len, -1L - PAGE) > 0) {
            return -22;
        }
        if (Long.compareUnsigned(va + len - 1, va) < 0) {
            return -75;
        }
        if (!fixed) {
            long al = Long.highestOneBit(len - 1) << 1;
            if (len == 1) {
                al = 1;
            }
            if (va != 0) {
                al = Math.min(al, Long.lowestOneBit(va));
            }
            if (Long.compareUnsigned(al, align()) < 0) {
                return -22;
            }
            // first fit: the lowest fitting aligned address is 0 or just past the end of some area
            List<Long> candidates = new ArrayList<>();
            candidates.add(0L);
            for (Area a : areas) {
                long after = a.last() + 1;
                long c = (after + al - 1) & -al;
                if (after != 0 && Long.compareUnsigned(c, after) >= 0) {
                    candidates.add(c);
                }
            }
            candidates.sort(Long::compareUnsigned);
            iova = -1;
            for (long c : candidates) {
                long l = c + len - 1;
                if (Long.compareUnsigned(l, c) >= 0 && overlap(c, l) == null && !reserved(c, l)) {
                    iova = c;
                    break;
                }
            }
            if (iova == -1) {
                return -28;
            }
        }
        if (((iova | len | (va % PAGE)) & (align() - 1)) != 0) {
            return -22;
        }
        long last = iova + len - 1;
        if (Long.compareUnsigned(last, iova) < 0) {
            return -75;
        }
        if (reserved(iova, last)) {
            return -22;
        }
        if (overlap(iova, last) != null) {
            return -17;
        }
        if (domain) {
            boolean inRam = Long.compareUnsigned(va, ramVa) >= 0 && Long.compareUnsigned(va - ramVa, ramLen) < 0
                    && Long.compareUnsigned(len, ramLen - (va - ramVa)) <= 0;
            if (!inRam) {
                return -14;
            }
            if (locked + len > memlockLimit) {
                return -12;
            }
            locked += len;
        }
        areas.add(new Area(iova, len, va, r, w));
        areas.sort((a, b) -> Long.compareUnsigned(a.iova, b.iova));
        return iova;
    }

    /** UNMAP: the bytes unmapped, or -errno (areas before a straddling last one stay unmapped). */
    long unmap(long iova, long len) {
        if (iova == 0 && len == -1L) {
            long n = 0;
            for (Area a : areas) {
                n += a.len;
            }
            areas.clear();
            locked = 0;
            return n;
        }
        if (iova == -1L || len == -1L) {
            return -75;
        }
        if (len == 0) {
            return -22;
        }
        long last = iova + len - 1;
        if (Long.compareUnsigned(last, iova) < 0) {
            return -75;
        }
        long n = 0;
        for (Area a : new ArrayList<>(areas)) {
            if (!overlaps(iova, last, a.iova, a.last())) {
                continue;
            }
            if (Long.compareUnsigned(a.iova, iova) < 0 || Long.compareUnsigned(a.last(), last) > 0) {
                return -2;
            }
            areas.remove(a);
            n += a.len;
            if (domain) {
                locked -= a.len;
            }
        }
        return n == 0 ? -2 : n;
    }
}
