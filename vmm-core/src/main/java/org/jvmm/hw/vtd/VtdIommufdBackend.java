package org.jvmm.hw.vtd;

import static org.jvmm.iommufd.IommufdUapi.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jvmm.iommufd.FaultQueue;
import org.jvmm.iommufd.Iommufd;
import org.jvmm.iommufd.IommufdStructs.AttachPt;
import org.jvmm.iommufd.IommufdStructs.DetachPt;
import org.jvmm.iommufd.IommufdStructs.FaultAlloc;
import org.jvmm.iommufd.IommufdStructs.HwptInvalidate;
import org.jvmm.iommufd.IommufdStructs.HwptVtdS1;
import org.jvmm.iommufd.IommufdStructs.PageResponse;
import org.jvmm.iommufd.IommufdStructs.Pgfault;
import org.jvmm.iommufd.IommufdStructs.VtdS1Invalidate;
import org.jvmm.vfio.VfioDevice;

/**
 * {@code pasid-api=iommufd} (the default; reference C-B, B-26): hardware nesting over iommufd
 * for one vfio-pci device. On the first binding the device's RID moves from the guest-RAM IOAS
 * to a NEST_PARENT|ALLOC_PASID HWPT made from it (stage 2), and a fault queue is allocated. Each
 * guest PASID entry with first-stage translation becomes an IOMMU_HWPT_DATA_VTD_S1 HWPT nested
 * on that parent (first-stage pointer, width from FLPM, SRE/WPE/EAFE), allocated with the fault
 * queue and attached to the device's PASID (a later entry replaces it); an invalid entry detaches
 * the PASID. A PASID-IOTLB invalidation becomes one {@code iommu_hwpt_vtd_s1_invalidate} entry
 * (C-20). Page requests read from the fault queue go to {@link VtdIommu#hostFault}, and its
 * answer is written back with the group's cookie (C-26).
 *
 * <p>Called by the virtual IOMMU without its lock; the fault queue's readiness callback comes on
 * the device's thread. Guarded by {@code this}.
 */
public final class VtdIommufdBackend implements VtdBackend {
    private final Iommufd iommufd;
    private final VfioDevice device;
    private final int devId;
    private final int ioas;
    private final int sid;
    private final VtdIommu viommu;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment invalidateEntry = arena.allocate(VtdS1Invalidate.SIZE, 8);
    private int parent;
    private int faultId;
    private FaultQueue faults;
    private final Map<Integer, Integer> nested = new TreeMap<>();
    private final Map<Integer, VtdPasidEntry> entries = new TreeMap<>();
    private long binds;
    private long invalidations;
    /** What {@link #bound} answers, replaced on each change, so the virtual IOMMU reads it without this lock. */
    private volatile Set<Integer> boundView = Set.of();

    /**
     * @param device the device's cdev, bound to {@code iommufd} with its RID attached to {@code ioas}
     * @param sid the device's source id behind the virtual IOMMU
     */
    public VtdIommufdBackend(Iommufd iommufd, VfioDevice device, int ioas, int sid, VtdIommu viommu) {
        this.iommufd = iommufd;
        this.device = device;
        this.devId = device.iommufdDevice().id();
        this.ioas = ioas;
        this.sid = sid;
        this.viommu = viommu;
    }

    private void ensureParent() {
        if (parent != 0) {
            return;
        }
        int p = iommufd.hwptAlloc(IOMMU_HWPT_ALLOC_NEST_PARENT | IOMMU_HWPT_ALLOC_PASID, devId, ioas);
        FaultAlloc fa;
        try {
            device.attachIommufdPt(p); // replaces the IOAS's automatic HWPT on the RID
            fa = iommufd.faultQueueAlloc(FaultAlloc.of());
        } catch (RuntimeException e) {
            device.attachIommufdPt(ioas);
            iommufd.destroy(p);
            throw e;
        }
        parent = p;
        faultId = fa.outFaultId();
        faults = iommufd.faultFile(fa.outFaultFd());
        faults.onReadable(this::readFaults);
    }

    @Override
    public synchronized void bind(int pasid, VtdPasidEntry entry) {
        if (entry.equals(entries.get(pasid))) {
            return; // the entry did not change: the HWPT stays
        }
        ensureParent();
        int h = iommufd.hwptAllocNested(IOMMU_HWPT_FAULT_ID_VALID | IOMMU_HWPT_ALLOC_PASID, devId, parent,
                new HwptVtdS1(entry.s1Flags(), entry.fsptptr(), entry.addrWidth(), 0), faultId);
        try {
            device.attachIommufdPt(AttachPt.pasid(h, pasid));
        } catch (RuntimeException e) {
            iommufd.destroy(h);
            throw e;
        }
        Integer old = nested.put(pasid, h);
        entries.put(pasid, entry);
        boundView = Set.copyOf(nested.keySet());
        binds++;
        if (old != null) {
            iommufd.destroy(old);
        }
    }

    @Override
    public synchronized void unbind(int pasid) {
        Integer h = nested.remove(pasid);
        entries.remove(pasid);
        boundView = Set.copyOf(nested.keySet());
        if (h != null) {
            device.detachIommufdPt(DetachPt.pasid(pasid));
            iommufd.destroy(h);
        }
    }

    @Override
    public synchronized void invalidate(int pasid, long addr, long npages, boolean leaf) {
        Integer h = nested.get(pasid);
        if (h == null) {
            return;
        }
        new VtdS1Invalidate(npages == -1L ? 0 : addr, npages, leaf ? IOMMU_VTD_INV_FLAGS_LEAF : 0, 0).encode(invalidateEntry);
        iommufd.hwptInvalidate(HwptInvalidate.of(h, invalidateEntry.address(), IOMMU_HWPT_INVALIDATE_DATA_VTD_S1,
                VtdS1Invalidate.SIZE, 1), invalidateEntry);
        invalidations++;
    }

    @Override
    public Set<Integer> bound() {
        return boundView;
    }

    /** The nested HWPT bound to {@code pasid}, or 0. */
    public synchronized int hwpt(int pasid) {
        return nested.getOrDefault(pasid, 0);
    }

    /** PASID bindings made (HWPT allocations attached). */
    public synchronized long binds() {
        return binds;
    }

    /** HWPT_INVALIDATE calls made. */
    public synchronized long invalidations() {
        return invalidations;
    }

    /** Reads every group queued on the fault fd and hands each request to the virtual IOMMU. */
    private void readFaults() {
        FaultQueue q = faults;
        MemorySegment buf = MemorySegment.ofArray(new byte[Pgfault.SIZE * 8]);
        long n;
        while ((n = q.read(buf, 0)) > 0) {
            for (long off = 0; off < n; off += Pgfault.SIZE) {
                Pgfault f = Pgfault.decode(buf.asSlice(off, Pgfault.SIZE));
                int pasid = (f.flags() & IOMMU_PGFAULT_FLAGS_PASID_VALID) != 0 ? f.pasid() : -1;
                int cookie = f.cookie();
                viommu.hostFault(sid, pasid, f.addr(), (f.perm() & IOMMU_PGFAULT_PERM_WRITE) != 0, f.grpid(),
                        code -> respond(q, cookie, code));
            }
        }
    }

    private static void respond(FaultQueue q, int cookie, int code) {
        MemorySegment r = MemorySegment.ofArray(new byte[PageResponse.SIZE]);
        new PageResponse(cookie, code == 0 ? IOMMUFD_PAGE_RESP_SUCCESS : IOMMUFD_PAGE_RESP_INVALID).encode(r);
        q.write(r, 0);
    }

    /** Unbinds every PASID and gives back the parent HWPT and the fault queue; before the device is closed. */
    @Override
    public synchronized void close() {
        for (int pasid : Set.copyOf(nested.keySet())) {
            unbind(pasid);
        }
        if (parent != 0) {
            faults.onReadable(null);
            device.detachIommufdPt(DetachPt.of()); // attaching the IOAS would reuse the parent made from it
            iommufd.destroy(parent);
            iommufd.destroy(faultId);
            device.attachIommufdPt(ioas);
            parent = 0;
        }
        arena.close();
    }
}
