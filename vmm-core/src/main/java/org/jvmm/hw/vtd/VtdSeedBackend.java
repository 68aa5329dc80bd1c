package org.jvmm.hw.vtd;

import java.lang.foreign.MemorySegment;
import java.util.Set;
import java.util.TreeSet;
import org.jvmm.iommu.AccessKind;
import org.jvmm.iommu.PageResponseCode;
import org.jvmm.vfio.SeedVsvm;
import org.jvmm.vfio.SeedVsvm.PasidTableInfo;
import org.jvmm.vfio.SeedVsvm.Svm;
import org.jvmm.vfio.SeedVsvm.TlbInvalidateInfo;
import org.jvmm.vfio.VfioDevice;

/**
 * {@code pasid-api=seed}: seed 001's virtual-SVM passdown (reference B-6, {@link SeedVsvm}) for one
 * vfio-pci device on the VFIO container. The first binding passes the guest's PASID table down
 * (BIND_PASIDTP with the context entry's PASID directory pointer and size); after that the host
 * reads the guest's entries itself, so a PASID-cache invalidation becomes a passed-down
 * PASID_CACHE invalidation of that PASID and a PASID-IOTLB invalidation an EXTENDED_IOTLB one
 * (page-selective with the address and page count and the hint in flags, or PASID-selective).
 * When the last PASID goes, the table is unbound with {@code release} (CLEAN by default). Faults
 * come back through the device's fault handler into {@link VtdIommu#hostFault}.
 *
 * <p>Called by the virtual IOMMU without its lock; guarded by {@code this}. Closed before the device.
 */
public final class VtdSeedBackend implements VtdBackend {
    private final VfioDevice device;
    private final int sid;
    private final VtdIommu viommu;
    private final int release;
    private final Set<Integer> bound = new TreeSet<>();
    private long tableDir = -1;
    private int tablePdts = -1;
    private long passdowns;
    /** What {@link #bound} answers, replaced on each change, so the virtual IOMMU reads it without this lock. */
    private volatile Set<Integer> boundView = Set.of();

    public VtdSeedBackend(VfioDevice device, int sid, VtdIommu viommu) {
        this(device, sid, viommu, SeedVsvm.VFIO_SVM_PASID_RELEASE_CLEAN);
    }

    /** @param release the unbind's release flags: CLEAN, FLUSHED or 0 */
    public VtdSeedBackend(VfioDevice device, int sid, VtdIommu viommu, int release) {
        this.device = device;
        this.sid = sid;
        this.viommu = viommu;
        this.release = release;
    }

    private void passdown(int flags, MemorySegment data) {
        device.svmPassdown(new Svm((int) (Svm.SIZE + data.byteSize()), flags, (int) data.byteSize()), data);
        passdowns++;
    }

    private void invalidate(TlbInvalidateInfo info) {
        MemorySegment d = MemorySegment.ofArray(new byte[TlbInvalidateInfo.SIZE]);
        info.encode(d);
        passdown(SeedVsvm.VFIO_SVM_PASSDOWN_INVALIDATE, d);
    }

    @Override
    public synchronized void bind(int pasid, VtdPasidEntry entry) {
        if (tableDir != entry.pasidDir() || tablePdts != entry.pdts()) {
            MemorySegment d = MemorySegment.ofArray(new byte[PasidTableInfo.SIZE]);
            new PasidTableInfo(entry.pasidDir(), entry.pdts()).encode(d);
            if (tableDir == -1) {
                device.svmFaultHandler((req, respond) -> viommu.hostFault(sid, req.hasPasid() ? req.pasid() : -1, req.addr().value(),
                        req.access() == AccessKind.WRITE, req.groupIndex(),
                        code -> respond.accept(code == 0 ? PageResponseCode.SUCCESS : PageResponseCode.INVALID)));
            }
            passdown(SeedVsvm.VFIO_SVM_BIND_PASIDTP, d);
            tableDir = entry.pasidDir();
            tablePdts = entry.pdts();
        }
        invalidate(new TlbInvalidateInfo(SeedVsvm.INV_TYPE_PASID_CACHE, pasid, 0, 0, SeedVsvm.GRANU_PASID, 0, 0, 0));
        bound.add(pasid);
        boundView = Set.copyOf(bound);
    }

    @Override
    public synchronized void unbind(int pasid) {
        if (!bound.remove(pasid)) {
            return;
        }
        boundView = Set.copyOf(bound);
        invalidate(new TlbInvalidateInfo(SeedVsvm.INV_TYPE_PASID_CACHE, pasid, 0, 0, SeedVsvm.GRANU_PASID, 0, 0, 0));
        if (bound.isEmpty()) {
            passdown(release, MemorySegment.ofArray(new byte[0]));
            tableDir = -1;
            tablePdts = -1;
        }
    }

    @Override
    public synchronized void invalidate(int pasid, long addr, long npages, boolean leaf) {
        if (!bound.contains(pasid)) {
            return;
        }
        boolean all = npages == -1L;
        invalidate(new TlbInvalidateInfo(SeedVsvm.INV_TYPE_EXTENDED_IOTLB, pasid, all ? 0 : addr, all ? 0 : npages,
                all ? SeedVsvm.GRANU_PASID : SeedVsvm.GRANU_PAGE, leaf ? 1 : 0, 0, 0));
    }

    @Override
    public Set<Integer> bound() {
        return boundView;
    }

    /** Passdown calls made (binds, invalidations, unbinds). */
    public synchronized long passdowns() {
        return passdowns;
    }

    @Override
    public synchronized void close() {
        if (tableDir != -1) {
            passdown(release, MemorySegment.ofArray(new byte[0]));
            tableDir = -1;
        }
        device.svmFaultHandler(null);
    }
}
