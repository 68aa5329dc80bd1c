package org.jvmm.vfio.iommu;

import static org.jvmm.vfio.uapi.VfioUapi.*;

import org.jvmm.host.memory.LockedMemoryAccount;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.jvmm.address.Iova;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.pci.host.IommuGroup;
import org.jvmm.pci.host.spapr.PartitionableEndpoint;
import org.jvmm.pci.host.spapr.PreregisteredMemory;
import org.jvmm.pci.host.spapr.PnvPhb;
import org.jvmm.pci.host.spapr.PnvPhbConfig;
import org.jvmm.pci.host.spapr.TceTable;
import org.jvmm.iommu.AccessKind;
import org.jvmm.iommu.FaultReason;
import org.jvmm.iommu.HostIommuTlbEntry;

/**
 * The sPAPR TCE IOMMU backend, v1 (VFIO_SPAPR_TCE_IOMMU, 2) and v2 (VFIO_SPAPR_TCE_v2_IOMMU, 7),
 * after Linux drivers/vfio/vfio_iommu_spapr_tce.c:
 * <ul>
 * <li>v1: one group per container (EBUSY for a second); its default 32-bit window is created when
 * the group attaches; MAP/UNMAP need VFIO_IOMMU_ENABLE first (EPERM), and ENABLE charges the whole
 * 32-bit window to the locked-memory limit (DISABLE gives it back).</li>
 * <li>v2: the PHB must support dynamic DMA windows (EINVAL otherwise); several groups may share
 * the container's tables; memory must be pre-registered (REGISTER_MEMORY, which also enables the
 * container) before MAP_DMA can use it; each table created is charged by its own size; the
 * default window is created lazily, on the first MAP/UNMAP/TCE_CREATE, and at most 2 windows
 * exist (TCE_CREATE ENOSPC past that).</li>
 * </ul>
 * Attaching takes ownership of the group's PE (the platform's tables go), detaching unsets and
 * clears every table and hands the PE back to the platform (the sPAPR IOMMU ownership rework; seed 002). MAP_DMA writes TCEs into
 * the window's {@link TceTable}; device DMA translates through the PE ({@link PartitionableEndpoint}).
 *
 * <p>Thread rules: every ioctl holds this object's monitor (the container calls with its own
 * monitor held: lock order container, backend, PE). Device DMA does not take it.
 */
public final class SpaprTceIommu implements IommuBackend {
    private static final int MAX_TABLES = 2;
    private static final long SYSTEM_PAGE = 4096;

    private final boolean v2;
    private final PnvPhb phb;
    private final HostMemoryRegistry memory;
    private final LockedMemoryAccount memlock;
    private final List<IommuGroup> groups = new ArrayList<>();
    private final TceTable[] tables = new TceTable[MAX_TABLES];
    private final List<PreregisteredMemory.Region> prereg = new ArrayList<>();
    private boolean defWindowPending;
    private boolean enabled;
    private long lockedBytes;

    SpaprTceIommu(boolean v2, PnvPhb phb, LockedMemoryAccount memlock) {
        this.v2 = v2;
        this.phb = phb;
        this.memory = phb.memory();
        this.memlock = memlock;
    }

    public boolean isV2() {
        return v2;
    }

    public PnvPhb phb() {
        return phb;
    }

    @Override
    public long type() {
        return v2 ? VFIO_SPAPR_TCE_v2_IOMMU : VFIO_SPAPR_TCE_IOMMU;
    }

    static int checkExtension(PnvPhb phb, long extension) {
        if (extension == VFIO_SPAPR_TCE_IOMMU || extension == VFIO_SPAPR_TCE_v2_IOMMU) {
            return 1;
        }
        if (extension == VFIO_EEH) {
            return phb.config().eeh() ? 1 : 0;
        }
        return 0;
    }

    @Override
    public int checkExtension(long extension) {
        return checkExtension(phb, extension);
    }

    // ---- groups and ownership ----

    @Override
    public synchronized void attachGroup(IommuGroup group) {
        String op = "VFIO_GROUP_SET_CONTAINER";
        if (group.isEmulated()) {
            // tce_iommu_attach_group: an emulated-IOMMU (mdev) group has no TCE table group
            throw new ErrnoException(op, Errno.EINVAL, "group " + group.id() + " is an emulated IOMMU group (mdev)");
        }
        if (groups.contains(group)) {
            throw new ErrnoException(op, Errno.EBUSY, "group " + group.id() + " is already attached to this sPAPR TCE IOMMU");
        }
        if (!v2 && !groups.isEmpty()) {
            throw new ErrnoException(op, Errno.EBUSY, "group " + group.id() + ": a v1 sPAPR TCE container takes one group, it has group "
                    + groups.get(0).id());
        }
        PnvPhbConfig c = phb.config();
        if (v2 && !c.supportsDdw()) {
            throw new ErrnoException(op, Errno.EINVAL, "group " + group.id()
                    + ": sPAPR TCE v2 needs dynamic DMA windows, the PHB supports none");
        }
        PartitionableEndpoint pe = phb.pe(group);
        if (pe.owner() != PartitionableEndpoint.PLATFORM) {
            throw new ErrnoException(op, Errno.EBUSY, "PE " + pe.number() + " is owned by " + pe.owner());
        }
        TceTable created = null;
        if (!v2 && tables[0] == null) {
            // v1: the container's 32-bit window, with 4 KiB pages over the PHB's tce32 window
            created = new TceTable(12, c.tce32Start() >>> 12, c.tce32Size() >>> 12, 1, this);
        }
        pe.takeOwnership(this);
        if (created != null) {
            tables[0] = created;
        }
        for (int i = 0; i < MAX_TABLES; i++) {
            if (tables[i] != null) {
                pe.setWindow(this, i, tables[i]);
            }
        }
        if (v2 && groups.isEmpty() && tables[0] == null) {
            defWindowPending = true;
        }
        groups.add(group);
    }

    @Override
    public synchronized void detachGroup(IommuGroup group) {
        if (!groups.remove(group)) {
            throw new IllegalStateException("group " + group.id() + " is not attached to this sPAPR TCE IOMMU");
        }
        PartitionableEndpoint pe = phb.pe(group);
        boolean last = groups.isEmpty();
        for (int i = 0; i < MAX_TABLES; i++) {
            if (tables[i] != null) {
                if (last) {
                    clear(tables[i], tables[i].offset(), tables[i].size());
                }
                pe.unsetWindow(this, i);
            }
        }
        if (!v2 && last && tables[0] != null) {
            tables[0] = null; // v1 tables live only as long as their group
        }
        pe.releaseOwnership(this);
    }

    @Override
    public synchronized void release() {
        while (!groups.isEmpty()) {
            detachGroup(groups.get(0));
        }
        for (int i = 0; i < MAX_TABLES; i++) {
            if (tables[i] != null) {
                clear(tables[i], tables[i].offset(), tables[i].size());
                freeTable(i);
            }
        }
        for (PreregisteredMemory.Region r : List.copyOf(prereg)) {
            phb.preregistered().release(r);
            memlock.uncharge(r.size());
            prereg.remove(r);
        }
        disable();
        defWindowPending = false;
    }

    /** The groups attached, in attach order. */
    public synchronized List<IommuGroup> groups() {
        return List.copyOf(groups);
    }

    /** The container's table in slot {@code num} (0: default 32-bit window), or null. */
    public synchronized TceTable table(int num) {
        return tables[num];
    }

    /** True while the default window is still to be created (v2). */
    public synchronized boolean defaultWindowPending() {
        return defWindowPending;
    }

    public synchronized boolean enabled() {
        return enabled;
    }

    // ---- ENABLE / DISABLE ----

    /** VFIO_IOMMU_ENABLE: v1 only (ENOTTY on v2); EBUSY when enabled; charges the 32-bit window. */
    public synchronized void enable() {
        String op = "VFIO_IOMMU_ENABLE";
        if (v2) {
            throw new ErrnoException(op, Errno.ENOTTY, "not an ioctl of a sPAPR TCE v2 container");
        }
        if (enabled) {
            throw new ErrnoException(op, Errno.EBUSY, "container is already enabled");
        }
        if (groups.isEmpty()) {
            throw new ErrnoException(op, Errno.ENODEV, "no group attached: nothing to account");
        }
        long bytes = phb.config().tce32Size();
        memlock.charge(op, bytes);
        lockedBytes = bytes;
        enabled = true;
    }

    /** VFIO_IOMMU_DISABLE: v1 only (ENOTTY on v2); gives the 32-bit window's charge back. */
    public synchronized void disableIoctl() {
        if (v2) {
            throw new ErrnoException("VFIO_IOMMU_DISABLE", Errno.ENOTTY, "not an ioctl of a sPAPR TCE v2 container");
        }
        disable();
    }

    private void disable() {
        if (!enabled) {
            return;
        }
        enabled = false;
        memlock.uncharge(lockedBytes);
        lockedBytes = 0;
    }

    // ---- GET_INFO ----

    @Override
    public synchronized SpaprTceInfo getInfo(int argsz) {
        String op = "VFIO_IOMMU_SPAPR_TCE_GET_INFO";
        if (groups.isEmpty()) {
            throw new ErrnoException(op, Errno.ENXIO, "argsz=" + argsz + ": no group attached");
        }
        if (argsz < SpaprTceInfo.MIN_SIZE) {
            throw new ErrnoException(op, Errno.EINVAL, "argsz=" + argsz + " is below " + SpaprTceInfo.MIN_SIZE);
        }
        PnvPhbConfig c = phb.config();
        if (v2 && c.supportsDdw()) {
            return new SpaprTceInfo(argsz, VFIO_IOMMU_SPAPR_INFO_DDW, c.tce32Start(), c.tce32Size(), c.pgsizes(),
                    c.maxDynamicWindows(), c.maxLevels());
        }
        return new SpaprTceInfo(argsz, 0, c.tce32Start(), c.tce32Size(), 0, 0, 0);
    }

    // ---- pre-registration (v2) ----

    /** VFIO_IOMMU_SPAPR_REGISTER_MEMORY: v2 only; page-aligned, no wraparound (EINVAL); a duplicate is EBUSY. */
    public synchronized void registerMemory(SpaprRegisterMemory req) {
        String op = "VFIO_IOMMU_SPAPR_REGISTER_MEMORY";
        if (!v2) {
            throw new ErrnoException(op, Errno.ENOTTY, req + ": not an ioctl of a sPAPR TCE v1 container");
        }
        checkArgs(op, req.argsz(), SpaprRegisterMemory.MIN_SIZE, req.flags(), req);
        long ua = req.vaddr().value();
        long size = req.size();
        // size 0 is refused too: upstream registers an empty region that nothing can use, and here it
        // would share its start with (and hide) a real region in the PHB's index
        if ((ua & (SYSTEM_PAGE - 1)) != 0 || (size & (SYSTEM_PAGE - 1)) != 0 || Long.compareUnsigned(ua + size, ua) < 0
                || size == 0) {
            throw new ErrnoException(op, Errno.EINVAL, req + ": not page aligned, empty, or wraps around");
        }
        PreregisteredMemory mm = phb.preregistered();
        PreregisteredMemory.Region r = mm.get(ua, size);
        if (r != null) {
            if (prereg.contains(r)) {
                mm.put(op, r);
                throw new ErrnoException(op, Errno.EBUSY, req + ": already registered by this container");
            }
        } else {
            // mm_iommu_do_alloc: accounted first (ENOMEM), then pinned (EFAULT), then the overlap check (EINVAL)
            memlock.charge(op, size);
            try {
                MemorySegment mem = memory.resolve(op, req.vaddr(), size); // EFAULT: get_user_pages fails
                r = mm.create(op, ua, size, mem);
            } catch (ErrnoException e) {
                memlock.uncharge(size);
                throw e;
            }
        }
        prereg.add(r);
        enabled = true;
    }

    /** VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY: EINVAL when misaligned, ENOENT when not registered here, EBUSY while mapped. */
    public synchronized void unregisterMemory(SpaprRegisterMemory req) {
        String op = "VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY";
        if (!v2) {
            throw new ErrnoException(op, Errno.ENOTTY, req + ": not an ioctl of a sPAPR TCE v1 container");
        }
        checkArgs(op, req.argsz(), SpaprRegisterMemory.MIN_SIZE, req.flags(), req);
        long ua = req.vaddr().value();
        long size = req.size();
        if ((ua & (SYSTEM_PAGE - 1)) != 0 || (size & (SYSTEM_PAGE - 1)) != 0) {
            throw new ErrnoException(op, Errno.EINVAL, req + ": not page aligned");
        }
        PreregisteredMemory.Region found = null;
        for (PreregisteredMemory.Region r : prereg) {
            if (r.address().value() == ua && r.size() == size) {
                found = r;
            }
        }
        if (found == null) {
            throw new ErrnoException(op, Errno.ENOENT, req + ": no such registered region");
        }
        phb.preregistered().put(op, found); // EBUSY while TCEs use it; then nothing changed
        prereg.remove(found);
        memlock.uncharge(size);
    }

    /** The regions this container registered. */
    public synchronized List<PreregisteredMemory.Region> registeredMemory() {
        return List.copyOf(prereg);
    }

    // ---- windows (v2) ----

    /** VFIO_IOMMU_SPAPR_TCE_CREATE: returns the new window's bus start. */
    public synchronized Iova createWindow(SpaprTceCreate req) {
        String op = "VFIO_IOMMU_SPAPR_TCE_CREATE";
        if (!v2) {
            throw new ErrnoException(op, Errno.ENOTTY, req + ": not an ioctl of a sPAPR TCE v1 container");
        }
        if (groups.isEmpty()) {
            throw new ErrnoException(op, Errno.ENXIO, req + ": no group attached");
        }
        checkArgs(op, req.argsz(), SpaprTceCreate.MIN_SIZE, req.flags(), req);
        createDefaultWindow(op);
        return createWindowInternal(op, req.pageShift(), req.windowSize(), req.levels());
    }

    /** VFIO_IOMMU_SPAPR_TCE_REMOVE: EINVAL for a start that is no window's. */
    public synchronized void removeWindow(SpaprTceRemove req) {
        String op = "VFIO_IOMMU_SPAPR_TCE_REMOVE";
        if (!v2) {
            throw new ErrnoException(op, Errno.ENOTTY, req + ": not an ioctl of a sPAPR TCE v1 container");
        }
        if (groups.isEmpty()) {
            throw new ErrnoException(op, Errno.ENXIO, req + ": no group attached");
        }
        checkArgs(op, req.argsz(), SpaprTceRemove.MIN_SIZE, req.flags(), req);
        long start = req.startAddr().value();
        if (defWindowPending && start == 0) {
            defWindowPending = false; // the default window is not wanted: never create it
            return;
        }
        int num = findTable(start);
        if (num < 0) {
            throw new ErrnoException(op, Errno.EINVAL, req + ": no DMA window there");
        }
        for (IommuGroup g : groups) {
            phb.pe(g).unsetWindow(this, num);
        }
        clear(tables[num], tables[num].offset(), tables[num].size());
        freeTable(num);
    }

    private void createDefaultWindow(String op) {
        if (!defWindowPending) {
            return;
        }
        createWindowInternal(op, 12, phb.config().tce32Size(), 1);
        defWindowPending = false;
    }

    private Iova createWindowInternal(String op, int pageShift, long windowSize, int levels) {
        String what = "page_shift=" + pageShift + ", window_size=0x" + Long.toHexString(windowSize) + ", levels=" + levels;
        int num = -1;
        for (int i = 0; i < MAX_TABLES; i++) {
            if (tables[i] == null) {
                num = i;
                break;
            }
        }
        if (num < 0) {
            throw new ErrnoException(op, Errno.ENOSPC, what + ": both DMA windows are in use");
        }
        PnvPhbConfig c = phb.config();
        if (pageShift < 0 || pageShift > 63 || (c.pgsizes() & (1L << pageShift)) == 0) {
            throw new ErrnoException(op, Errno.EINVAL, what + ": page size not in the PHB's mask 0x" + Long.toHexString(c.pgsizes()));
        }
        // get_table_size: 0 (EINVAL) for bad levels, a window that is not a power of two of pages, or too large
        long entries = windowSize >>> pageShift;
        if (levels < 1 || levels > c.maxLevels() || windowSize <= 0 || Long.bitCount(windowSize) != 1
                || entries == 0 || entries > (1L << 26)) {
            throw new ErrnoException(op, Errno.EINVAL, what + ": no table can describe this window (levels 1.."
                    + c.maxLevels() + ", power-of-two size of at least one page, at most 2^26 entries)");
        }
        long busStart = num == 0 ? c.tce32Start() : c.ddwStart();
        TceTable t = new TceTable(pageShift, busStart >>> pageShift, entries, levels, this);
        memlock.charge(op, t.allocatedBytes());
        for (IommuGroup g : groups) {
            phb.pe(g).setWindow(this, num, t);
        }
        tables[num] = t;
        return t.busStart();
    }

    private void freeTable(int num) {
        memlock.uncharge(tables[num].allocatedBytes());
        tables[num] = null;
    }

    private int findTable(long ioba) {
        for (int i = 0; i < MAX_TABLES; i++) {
            if (tables[i] != null && tables[i].contains(ioba)) {
                return i;
            }
        }
        return -1;
    }

    private static void checkArgs(String op, int argsz, int minsz, int flags, Object req) {
        if (argsz < minsz) {
            throw new ErrnoException(op, Errno.EINVAL, req + ": argsz below " + minsz);
        }
        if (flags != 0) {
            throw new ErrnoException(op, Errno.EINVAL, req + ": no flag is supported");
        }
    }

    // ---- MAP / UNMAP ----

    @Override
    public synchronized void mapDma(DmaMap map) {
        String op = "VFIO_IOMMU_MAP_DMA";
        if (!enabled) {
            throw new ErrnoException(op, Errno.EPERM, map + ": container not enabled ("
                    + (v2 ? "no memory pre-registered" : "VFIO_IOMMU_ENABLE not called") + ")");
        }
        int flags = map.flags();
        if ((flags & ~(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)) != 0) {
            throw new ErrnoException(op, Errno.EINVAL, map + ": unknown flags");
        }
        createDefaultWindow(op);
        long iova = map.iova().value();
        int num = findTable(iova);
        if (num < 0) {
            throw new ErrnoException(op, Errno.ENXIO, map + ": outside every DMA window");
        }
        TceTable t = tables[num];
        long mask = t.pageSize() - 1;
        long ua = map.vaddr().value();
        if ((map.size() & mask) != 0 || (ua & mask) != 0 || (iova & mask) != 0) {
            throw new ErrnoException(op, Errno.EINVAL, map + ": not aligned to the window's IOMMU page 0x" + Long.toHexString(t.pageSize()));
        }
        if (flags == 0) {
            throw new ErrnoException(op, Errno.EINVAL, map + ": neither READ nor WRITE");
        }
        long entry = iova >>> t.pageShift();
        long pages = map.size() >>> t.pageShift();
        if (pages == 0 || !t.containsEntry(entry + pages - 1) || Long.compareUnsigned(ua + map.size(), ua) < 0) {
            throw new ErrnoException(op, Errno.EINVAL, map + ": range leaves the window " + t);
        }
        long perms = ((flags & VFIO_DMA_MAP_FLAG_READ) != 0 ? TceTable.TCE_READ : 0)
                | ((flags & VFIO_DMA_MAP_FLAG_WRITE) != 0 ? TceTable.TCE_WRITE : 0);
        // check every page first so that a failed map leaves nothing behind
        List<PreregisteredMemory.Region> regions = new ArrayList<>();
        for (long i = 0; i < pages; i++) {
            long pua = ua + (i << t.pageShift());
            if (v2) {
                PreregisteredMemory.Region r = phb.preregistered().lookup(pua, t.pageSize());
                if (r == null) {
                    throw new ErrnoException(op, Errno.EINVAL, map + ": page at vaddr 0x" + Long.toHexString(pua)
                            + " is not pre-registered");
                }
                regions.add(r);
            } else {
                memory.resolve(op, new org.jvmm.address.HostAddress(pua), t.pageSize()); // EFAULT: pin fails
            }
        }
        for (long i = 0; i < pages; i++) {
            long pua = ua + (i << t.pageShift());
            long old = t.xchg(entry + i, pua | perms);
            dropUse(t, entry + i, old);
            if (v2) {
                regions.get((int) i).mappedIncrement();
                t.setUserAddress(entry + i, pua);
            }
        }
    }

    @Override
    public synchronized DmaUnmap unmapDma(DmaUnmap unmap) {
        String op = "VFIO_IOMMU_UNMAP_DMA";
        if (!enabled) {
            throw new ErrnoException(op, Errno.EPERM, unmap + ": container not enabled");
        }
        if (unmap.flags() != 0) {
            throw new ErrnoException(op, Errno.EINVAL, unmap + ": no flag is supported");
        }
        createDefaultWindow(op);
        long iova = unmap.iova().value();
        int num = findTable(iova);
        if (num < 0) {
            throw new ErrnoException(op, Errno.ENXIO, unmap + ": outside every DMA window");
        }
        TceTable t = tables[num];
        long mask = t.pageSize() - 1;
        if ((unmap.size() & mask) != 0 || (iova & mask) != 0) {
            throw new ErrnoException(op, Errno.EINVAL, unmap + ": not aligned to the window's IOMMU page 0x"
                    + Long.toHexString(t.pageSize()));
        }
        long entry = iova >>> t.pageShift();
        long pages = unmap.size() >>> t.pageShift();
        if (pages > 0 && !t.containsEntry(entry + pages - 1)) {
            throw new ErrnoException(op, Errno.EINVAL, unmap + ": range leaves the window " + t);
        }
        clear(t, entry, pages);
        return unmap; // the sPAPR driver does not write the size back
    }

    private void clear(TceTable t, long entry, long pages) {
        // only the entries that hold a TCE: a window is mostly empty, and each write is atomic
        for (long e = t.nextNonZero(entry, entry + pages); e >= 0; e = t.nextNonZero(e + 1, entry + pages)) {
            long old = t.xchg(e, 0);
            dropUse(t, e, old);
        }
    }

    /** After an entry lost TCE {@code old}: a v2 table drops the use of its pre-registered region. */
    private void dropUse(TceTable t, long entry, long old) {
        if ((old & TceTable.TCE_PERMS) == 0 || !v2) {
            return;
        }
        long oldUa = t.userAddress(entry);
        PreregisteredMemory.Region r = phb.preregistered().lookup(oldUa, t.pageSize());
        if (r != null) {
            r.mappedDecrement();
        }
        t.setUserAddress(entry, 0);
    }

    // ---- EEH ----

    /**
     * VFIO_EEH_PE_OP on every group's PE in turn (vfio_spapr_eeh.c): argsz below the op's size,
     * any flag, or an unknown op is EINVAL. Returns the ioctl result (the state for GET_STATE).
     */
    public synchronized int eehPeOp(EehPeOp req) {
        String op = "VFIO_EEH_PE_OP";
        if (req.argsz() < EehPeOp.MIN_SIZE || req.flags() != 0) {
            throw new ErrnoException(op, Errno.EINVAL, req + ": argsz below " + EehPeOp.MIN_SIZE + " or flags set");
        }
        if (req.op() < VFIO_EEH_PE_DISABLE || req.op() > VFIO_EEH_PE_INJECT_ERR) {
            throw new ErrnoException(op, Errno.EINVAL, req + ": unknown op");
        }
        if (req.op() == VFIO_EEH_PE_INJECT_ERR && req.argsz() < EehPeOp.ERR_SIZE) {
            throw new ErrnoException(op, Errno.EINVAL, req + ": argsz below " + EehPeOp.ERR_SIZE + " for INJECT_ERR");
        }
        int ret = 0;
        for (IommuGroup g : groups) {
            ret = phb.eehOp(op, phb.pe(g), req.op(), req.errType(), req.errFunc());
            if (ret != 0) {
                return ret;
            }
        }
        return ret;
    }

    // ---- DMA through the first group's PE (every group shares the tables) ----

    @Override
    public FaultReason transfer(Iova iova, MemorySegment buffer, boolean toMemory) {
        PartitionableEndpoint pe = firstPe();
        return pe == null ? FaultReason.BLOCKED : pe.transfer(iova, buffer, toMemory);
    }

    @Override
    public HostIommuTlbEntry translate(Iova iova, AccessKind access) {
        PartitionableEndpoint pe = firstPe();
        return pe == null ? HostIommuTlbEntry.miss(iova, 0xfff) : pe.translate(iova, access);
    }

    private synchronized PartitionableEndpoint firstPe() {
        return groups.isEmpty() ? null : phb.pe(groups.get(0));
    }

    /** Bytes this container charged to the locked-memory limit now (ENABLE, tables, pre-registration). */
    public synchronized long chargedBytes() {
        long n = lockedBytes;
        for (TceTable t : tables) {
            if (t != null && v2) {
                n += t.allocatedBytes();
            }
        }
        for (PreregisteredMemory.Region r : prereg) {
            n += r.size();
        }
        return n;
    }

    @Override
    public synchronized String toString() {
        return "SpaprTceIommu[" + (v2 ? "v2" : "v1") + ", groups=" + groups.stream().map(IommuGroup::id).toList()
                + ", tables=" + java.util.Arrays.toString(tables) + ", enabled=" + enabled + "]";
    }
}
