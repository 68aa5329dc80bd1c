package org.jvmm.vfio.iommu;

import java.util.ArrayList;
import java.util.List;
import org.jvmm.host.Errno;

/**
 * A deliberately plain model of one sPAPR TCE container (v1 or v2) with one group attached, written
 * from the rules (semantics.md 13-17; Linux drivers/vfio/vfio_iommu_spapr_tce.c) rather than from
 * {@link SpaprTceIommu}: two window slots holding a plain array of TCEs each, a list of
 * pre-registered regions, one locked-memory counter. Nothing is cached: the use count of a region
 * is counted from the tables each time.
 *
 * <p>Rules modelled:
 * <ul>
 * <li>v1: the 32-bit window (4 KiB pages) exists from attach; ENABLE (EBUSY when enabled, ENOMEM
 * past the limit) charges the whole 32-bit window, DISABLE gives it back; MAP/UNMAP need ENABLE
 * (EPERM); MAP needs the pages to be the process's memory (EFAULT). v2-only ioctls are ENOTTY.</li>
 * <li>v2: REGISTER_MEMORY: misaligned, empty or wrapping EINVAL; the same range again EBUSY; a new one is
 * charged first (ENOMEM), then must be the process's memory (EFAULT), then must not overlap another
 * (EINVAL); it enables the container. UNREGISTER: misaligned EINVAL, not an exact registered range
 * ENOENT, used by a TCE EBUSY. MAP needs every IOMMU page inside one registered region (EINVAL).
 * The default window (4 KiB pages over the 32-bit window, 1 level) is created lazily by the first
 * MAP, UNMAP or TCE_CREATE; TCE_REMOVE of bus address 0 while it is pending only cancels it.
 * TCE_CREATE: first free slot (ENOSPC), page size in the PHB's mask, levels 1..max, a power-of-two
 * window of 1 to 2^26 entries (EINVAL), its table charged 8 bytes an entry rounded up to 4 KiB
 * (ENOMEM); slot 0 starts at the 32-bit window's start, slot 1 at the 64-bit window's. TCE_REMOVE
 * of an address in no window is EINVAL; removal clears the table and gives its charge back.
 * v1-only ioctls are ENOTTY.</li>
 * <li>MAP: not enabled EPERM; default window; no window holding iova ENXIO; size, vaddr or iova not
 * aligned to the window's page EINVAL; no READ/WRITE flag EINVAL; empty or leaving the window
 * EINVAL; each TCE becomes {@code vaddr | perms} (1 read, 2 write), replacing what was there; a
 * failed map writes nothing. UNMAP: not enabled EPERM, any flag EINVAL, default window, ENXIO,
 * misaligned EINVAL, leaving the window EINVAL, else the entries are cleared.</li>
 * </ul>
 */
final class SpaprTceReferenceModel {
    static final long PAGE = 4096;
    static final long TCE32_START = 0;
    static final long TCE32_SIZE = 64 * PAGE;
    static final long DDW_START = 1L << 59;
    static final long PGSIZES = (1L << 12) | (1L << 16) | (1L << 24);
    static final int MAX_LEVELS = 5;
    static final long MAX_ENTRIES = 1L << 26;

    /** Either a value (0, or a window's bus start) or an errno. */
    record Outcome(long value, Errno errno) {
        static Outcome ok(long v) {
            return new Outcome(v, null);
        }

        static Outcome err(Errno e) {
            return new Outcome(-1, e);
        }

        static final Outcome OK = ok(0);
    }

    static final class Window {
        final int shift;
        final long busStart;
        final long entries;
        final int levels;
        final long charge;
        final long[] tce;

        Window(int shift, long busStart, long entries, int levels, long charge) {
            this.shift = shift;
            this.busStart = busStart;
            this.entries = entries;
            this.levels = levels;
            this.charge = charge;
            this.tce = new long[(int) entries];
        }

        long pageSize() {
            return 1L << shift;
        }

        boolean holds(long busAddress) {
            long index = (busAddress - busStart) >>> shift;
            return Long.compareUnsigned(busAddress, busStart) >= 0 && Long.compareUnsigned(index, entries) < 0;
        }
    }

    record Region(long ua, long size) {
        boolean holds(long at, long len) {
            return Long.compareUnsigned(at, ua) >= 0 && Long.compareUnsigned(at - ua + len, size) <= 0
                    && Long.compareUnsigned(at - ua, size) < 0;
        }
    }

    final boolean v2;
    final long memlockLimit;
    final long ramBase;
    final long ramSize;
    final Window[] windows = new Window[2];
    final List<Region> regions = new ArrayList<>();
    boolean enabled;
    boolean defaultPending;
    long locked;
    private long enableCharge;

    SpaprTceReferenceModel(boolean v2, long memlockLimit, long ramBase, long ramSize) {
        this.v2 = v2;
        this.memlockLimit = memlockLimit;
        this.ramBase = ramBase;
        this.ramSize = ramSize;
        if (v2) {
            defaultPending = true;
        } else {
            windows[0] = new Window(12, TCE32_START, TCE32_SIZE / PAGE, 1, 0);
        }
    }

    private boolean inRam(long ua, long size) {
        return Long.compareUnsigned(ua, ramBase) >= 0 && Long.compareUnsigned(ua + size, ramBase + ramSize) <= 0
                && Long.compareUnsigned(ua + size, ua) >= 0;
    }

    private boolean fits(long more) {
        return locked + more <= memlockLimit;
    }

    /** TCEs currently pointing into region {@code r} (v2 tables only). */
    long usesOf(Region r) {
        long n = 0;
        for (Window w : windows) {
            if (w == null) {
                continue;
            }
            for (long t : w.tce) {
                if ((t & 3) != 0 && r.holds(t & ~(w.pageSize() - 1), w.pageSize())) {
                    n++;
                }
            }
        }
        return n;
    }

    Outcome enable() {
        if (v2) {
            return Outcome.err(Errno.ENOTTY);
        }
        if (enabled) {
            return Outcome.err(Errno.EBUSY);
        }
        if (!fits(TCE32_SIZE)) {
            return Outcome.err(Errno.ENOMEM);
        }
        locked += TCE32_SIZE;
        enableCharge = TCE32_SIZE;
        enabled = true;
        return Outcome.OK;
    }

    Outcome disable() {
        if (v2) {
            return Outcome.err(Errno.ENOTTY);
        }
        if (enabled) {
            enabled = false;
            locked -= enableCharge;
            enableCharge = 0;
        }
        return Outcome.OK;
    }

    Outcome register(long ua, long size) {
        if (!v2) {
            return Outcome.err(Errno.ENOTTY);
        }
        if (ua % PAGE != 0 || size % PAGE != 0 || Long.compareUnsigned(ua + size, ua) < 0 || size == 0) {
            return Outcome.err(Errno.EINVAL); // empty: refused here (upstream registers an unusable empty region)
        }
        for (Region r : regions) {
            if (r.ua == ua && r.size == size) {
                return Outcome.err(Errno.EBUSY);
            }
        }
        if (!fits(size)) {
            return Outcome.err(Errno.ENOMEM);
        }
        if (!inRam(ua, size)) {
            return Outcome.err(Errno.EFAULT);
        }
        for (Region r : regions) {
            boolean disjoint = Long.compareUnsigned(ua + size, r.ua) <= 0 || Long.compareUnsigned(r.ua + r.size, ua) <= 0;
            if (!disjoint) {
                return Outcome.err(Errno.EINVAL);
            }
        }
        regions.add(new Region(ua, size));
        locked += size;
        enabled = true;
        return Outcome.OK;
    }

    Outcome unregister(long ua, long size) {
        if (!v2) {
            return Outcome.err(Errno.ENOTTY);
        }
        if (ua % PAGE != 0 || size % PAGE != 0) {
            return Outcome.err(Errno.EINVAL);
        }
        Region found = null;
        for (Region r : regions) {
            if (r.ua == ua && r.size == size) {
                found = r;
            }
        }
        if (found == null) {
            return Outcome.err(Errno.ENOENT);
        }
        if (usesOf(found) != 0) {
            return Outcome.err(Errno.EBUSY);
        }
        regions.remove(found);
        locked -= size;
        return Outcome.OK;
    }

    private Errno makeDefaultWindow() {
        if (!defaultPending) {
            return null;
        }
        Outcome o = newWindow(12, TCE32_SIZE, 1);
        if (o.errno() == null) {
            defaultPending = false;
        }
        return o.errno();
    }

    private Outcome newWindow(int shift, long windowSize, int levels) {
        int slot = windows[0] == null ? 0 : windows[1] == null ? 1 : -1;
        if (slot < 0) {
            return Outcome.err(Errno.ENOSPC);
        }
        if (shift < 0 || shift > 63 || (PGSIZES & (1L << shift)) == 0) {
            return Outcome.err(Errno.EINVAL);
        }
        long entries = windowSize >>> shift;
        boolean powerOfTwo = windowSize != 0 && (windowSize & (windowSize - 1)) == 0;
        if (levels < 1 || levels > MAX_LEVELS || !powerOfTwo || entries == 0 || entries > MAX_ENTRIES) {
            return Outcome.err(Errno.EINVAL);
        }
        long charge = (entries * 8 + PAGE - 1) / PAGE * PAGE;
        if (!fits(charge)) {
            return Outcome.err(Errno.ENOMEM);
        }
        long start = slot == 0 ? TCE32_START : DDW_START;
        windows[slot] = new Window(shift, start, entries, levels, charge);
        locked += charge;
        return Outcome.ok(start);
    }

    Outcome createWindow(int shift, long windowSize, int levels) {
        if (!v2) {
            return Outcome.err(Errno.ENOTTY);
        }
        Errno e = makeDefaultWindow();
        if (e != null) {
            return Outcome.err(e);
        }
        return newWindow(shift, windowSize, levels);
    }

    Outcome removeWindow(long start) {
        if (!v2) {
            return Outcome.err(Errno.ENOTTY);
        }
        if (defaultPending && start == 0) {
            defaultPending = false;
            return Outcome.OK;
        }
        for (int i = 0; i < 2; i++) {
            Window w = windows[i];
            if (w != null && w.holds(start)) {
                windows[i] = null;
                locked -= w.charge;
                return Outcome.OK;
            }
        }
        return Outcome.err(Errno.EINVAL);
    }

    private Window windowHolding(long busAddress) {
        for (Window w : windows) {
            if (w != null && w.holds(busAddress)) {
                return w;
            }
        }
        return null;
    }

    Outcome map(int flags, long ua, long iova, long size) {
        if (!enabled) {
            return Outcome.err(Errno.EPERM);
        }
        Errno e = makeDefaultWindow();
        if (e != null) {
            return Outcome.err(e);
        }
        Window w = windowHolding(iova);
        if (w == null) {
            return Outcome.err(Errno.ENXIO);
        }
        long ps = w.pageSize();
        if (size % ps != 0 || ua % ps != 0 || iova % ps != 0) {
            return Outcome.err(Errno.EINVAL);
        }
        if ((flags & 3) == 0) {
            return Outcome.err(Errno.EINVAL);
        }
        long first = (iova - w.busStart) >>> w.shift;
        long pages = size >>> w.shift;
        if (pages == 0 || pages > w.entries - first || Long.compareUnsigned(ua + size, ua) < 0) {
            return Outcome.err(Errno.EINVAL);
        }
        for (long i = 0; i < pages; i++) {
            long pua = ua + i * ps;
            if (v2) {
                boolean registered = false;
                for (Region r : regions) {
                    registered |= r.holds(pua, ps);
                }
                if (!registered) {
                    return Outcome.err(Errno.EINVAL);
                }
            } else if (!inRam(pua, ps)) {
                return Outcome.err(Errno.EFAULT);
            }
        }
        for (long i = 0; i < pages; i++) {
            w.tce[(int) (first + i)] = (ua + i * ps) | (flags & 3);
        }
        return Outcome.OK;
    }

    Outcome unmap(int flags, long iova, long size) {
        if (!enabled) {
            return Outcome.err(Errno.EPERM);
        }
        if (flags != 0) {
            return Outcome.err(Errno.EINVAL);
        }
        Errno e = makeDefaultWindow();
        if (e != null) {
            return Outcome.err(e);
        }
        Window w = windowHolding(iova);
        if (w == null) {
            return Outcome.err(Errno.ENXIO);
        }
        long ps = w.pageSize();
        if (size % ps != 0 || iova % ps != 0) {
            return Outcome.err(Errno.EINVAL);
        }
        long first = (iova - w.busStart) >>> w.shift;
        long pages = size >>> w.shift;
        if (Long.compareUnsigned(pages, w.entries - first) > 0) {
            return Outcome.err(Errno.EINVAL);
        }
        for (long i = 0; i < pages; i++) {
            w.tce[(int) (first + i)] = 0;
        }
        return Outcome.OK;
    }

    /** What a device access at {@code iova} resolves to: the TCE, 0 when unmapped, or -1 outside every window. */
    long tceAt(long iova) {
        Window w = windowHolding(iova);
        return w == null ? -1 : w.tce[(int) ((iova - w.busStart) >>> w.shift)];
    }

    /** The IOMMU page size of the window holding {@code iova} (the window must exist). */
    long pageSizeAt(long iova) {
        return windowHolding(iova).pageSize();
    }

    /** VFIO container close: tables cleared and freed, regions released, ENABLE's charge given back. */
    void release() {
        for (int i = 0; i < 2; i++) {
            if (windows[i] != null) {
                locked -= windows[i].charge;
                windows[i] = null;
            }
        }
        for (Region r : regions) {
            locked -= r.size;
        }
        regions.clear();
        locked -= enableCharge;
        enableCharge = 0;
        enabled = false;
    }
}
