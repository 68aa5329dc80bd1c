package org.jvmm.kvm.soft.spapr;

import static org.jvmm.kvm.spapr.Papr.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import org.jvmm.pci.host.spapr.PreregisteredMemory;
import org.jvmm.pci.host.spapr.TceTable;

/**
 * KVM's in-kernel handling of the TCE hypercalls (Linux arch/powerpc/kvm/book3s_64_vio.c,
 * virtual-mode handlers), for the soft accelerator:
 * <ul>
 * <li>An LIOBN with no KVM table is H_TOO_HARD: the call goes to the VMM (rule 26).</li>
 * <li>ioba: misaligned, below the window, past its end or wrapping is H_PARAMETER (rule 27).</li>
 * <li>A TCE with neither R nor W clears the entry; a mapping TCE whose address is misaligned, not
 *     in guest memory, or (with a linked hardware table) not pre-registered is H_TOO_HARD (rule 28).</li>
 * <li>INDIRECT validates every entry, then applies them; STUFF refuses R or W (H_PARAMETER); GET
 *     returns 0 for an entry never written (rule 29).</li>
 * </ul>
 * For each linked hardware table the TCE is translated guest-physical -&gt; user address (memslot)
 * -&gt; host page (pre-registered memory) and exchanged in place, with IOMMU pages smaller than
 * the guest's split into subpages; then the guest view is written. Nothing allocates.
 *
 * <p>Threads: any vCPU thread; each call holds the table's lock ({@link KvmTceTable#lock}).
 */
public final class SpaprTceFastPath {
    private static final ValueLayout.OfLong BE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** What the fast path needs of the VM: its TCE tables and its guest-physical memory. */
    public interface VmView {
        /** The KVM table of {@code liobn}, or null. */
        KvmTceTable table(long liobn);

        /** The user (host) address of guest-physical {@code gpa} through the memslots, or -1. */
        long userAddress(long gpa);

        /** Guest RAM [gpa, gpa + length) when one memslot backs it, else null. */
        MemorySegment ram(long gpa, long length);
    }

    private SpaprTceFastPath() {
    }

    /**
     * Handles hcall {@code regs[0]} with arguments {@code regs[1..]} when it is a TCE call KVM
     * knows; returns the status to put in r3 (H_TOO_HARD: hand it to the VMM), or H_TOO_HARD for
     * any other call.
     */
    public static long handle(VmView vm, long[] regs) {
        long nr = regs[0];
        if (nr == H_PUT_TCE) {
            return putTce(vm, regs[1], regs[2], regs[3]);
        } else if (nr == H_GET_TCE) {
            return getTce(vm, regs[1], regs[2], regs);
        } else if (nr == H_PUT_TCE_INDIRECT) {
            return putTceIndirect(vm, regs[1], regs[2], regs[3], regs[4]);
        } else if (nr == H_STUFF_TCE) {
            return stuffTce(vm, regs[1], regs[2], regs[3], regs[4]);
        }
        return H_TOO_HARD;
    }

    private static KvmTceTable find(VmView vm, long liobn) {
        return vm.table(liobn);
    }

    /** kvmppc_ioba_validate. */
    static long validateIoba(KvmTceTable t, long ioba, long npages) {
        long mask = (1L << t.pageShift()) - 1;
        long idx = ioba >>> t.pageShift();
        if ((ioba & mask) != 0 || Long.compareUnsigned(idx, t.offset()) < 0
                || Long.compareUnsigned(idx - t.offset() + npages, t.size()) > 0
                || Long.compareUnsigned(idx + npages, idx) < 0) {
            return H_PARAMETER;
        }
        return H_SUCCESS;
    }

    private static boolean mapsSomething(long tce) {
        return (tce & (TCE_READ | TCE_WRITE)) != 0;
    }

    /** kvmppc_tce_validate: a clearing TCE is fine; a mapping one must be aligned, in RAM and pre-registered. */
    static long validateTce(VmView vm, KvmTceTable t, long tce) {
        if (!mapsSomething(tce)) {
            return H_SUCCESS;
        }
        long gpa = tce & ~(TCE_READ | TCE_WRITE);
        if ((gpa & ((1L << t.pageShift()) - 1)) != 0) {
            return H_TOO_HARD;
        }
        long ua = vm.userAddress(gpa);
        if (ua == -1) {
            return H_TOO_HARD;
        }
        List<KvmTceTable.Link> links = t.linkList();
        for (int i = 0; i < links.size(); i++) {
            KvmTceTable.Link l = links.get(i);
            if (l.preregistered().lookup(ua, l.table().pageSize()) == null) {
                return H_TOO_HARD;
            }
        }
        return H_SUCCESS;
    }

    public static long putTce(VmView vm, long liobn, long ioba, long tce) {
        KvmTceTable t = find(vm, liobn);
        if (t == null) {
            return H_TOO_HARD;
        }
        t.lock();
        try {
            long ret = validateIoba(t, ioba, 1);
            if (ret != H_SUCCESS) {
                return ret;
            }
            ret = validateTce(vm, t, tce);
            if (ret != H_SUCCESS) {
                return ret;
            }
            long entry = ioba >>> t.pageShift();
            ret = applyToHardware(vm, t, entry, tce);
            if (ret != H_SUCCESS) {
                return ret;
            }
            t.set(entry - t.offset(), tce);
            return H_SUCCESS;
        } finally {
            t.unlock();
        }
    }

    public static long getTce(VmView vm, long liobn, long ioba, long[] regs) {
        KvmTceTable t = find(vm, liobn);
        if (t == null) {
            return H_TOO_HARD;
        }
        t.lock();
        try {
            long ret = validateIoba(t, ioba, 1);
            if (ret != H_SUCCESS) {
                return ret;
            }
            regs[1] = t.get((ioba >>> t.pageShift()) - t.offset());
            return H_SUCCESS;
        } finally {
            t.unlock();
        }
    }

    public static long putTceIndirect(VmView vm, long liobn, long ioba, long tceList, long npages) {
        KvmTceTable t = find(vm, liobn);
        if (t == null) {
            return H_TOO_HARD;
        }
        if (Long.compareUnsigned(npages, MAX_TCES_PER_CALL) > 0) {
            return H_PARAMETER;
        }
        if ((tceList & 0xfff) != 0) {
            return H_PARAMETER;
        }
        t.lock();
        try {
            long ret = validateIoba(t, ioba, npages);
            if (ret != H_SUCCESS) {
                return ret;
            }
            MemorySegment list = vm.ram(tceList, npages * 8);
            if (list == null) {
                return H_TOO_HARD;
            }
            for (long i = 0; i < npages; i++) {
                ret = validateTce(vm, t, list.get(BE_LONG, i * 8));
                if (ret != H_SUCCESS) {
                    return ret;
                }
            }
            long entry = ioba >>> t.pageShift();
            for (long i = 0; i < npages; i++) {
                long tce = list.get(BE_LONG, i * 8);
                ret = applyToHardware(vm, t, entry + i, tce);
                if (ret != H_SUCCESS) {
                    return ret;
                }
                t.set(entry + i - t.offset(), tce);
            }
            return H_SUCCESS;
        } finally {
            t.unlock();
        }
    }

    public static long stuffTce(VmView vm, long liobn, long ioba, long tceValue, long npages) {
        KvmTceTable t = find(vm, liobn);
        if (t == null) {
            return H_TOO_HARD;
        }
        t.lock();
        try {
            long ret = validateIoba(t, ioba, npages);
            if (ret != H_SUCCESS) {
                return ret;
            }
            if (mapsSomething(tceValue)) {
                return H_PARAMETER;
            }
            long entry = ioba >>> t.pageShift();
            List<KvmTceTable.Link> links = t.linkList();
            for (int l = 0; l < links.size(); l++) {
                for (long i = 0; i < npages; i++) {
                    unmapHardware(links.get(l), t, entry + i);
                }
            }
            for (long i = 0; i < npages; i++) {
                t.set(entry + i - t.offset(), tceValue);
            }
            return H_SUCCESS;
        } finally {
            t.unlock();
        }
    }

    /** Maps or clears guest entry {@code entry} in every linked hardware table; on failure that entry is cleared. */
    private static long applyToHardware(VmView vm, KvmTceTable t, long entry, long tce) {
        List<KvmTceTable.Link> links = t.linkList();
        if (links.isEmpty()) {
            return H_SUCCESS;
        }
        boolean map = mapsSomething(tce);
        long ua = map ? vm.userAddress(tce & ~(TCE_READ | TCE_WRITE)) : 0;
        if (map && ua == -1) {
            return H_PARAMETER;
        }
        for (int l = 0; l < links.size(); l++) {
            KvmTceTable.Link link = links.get(l);
            long ret = map ? mapHardware(link, t, entry, ua, tce & (TCE_READ | TCE_WRITE)) : unmapHardware(link, t, entry);
            if (ret != H_SUCCESS) {
                unmapHardware(link, t, entry);
                return ret;
            }
        }
        return H_SUCCESS;
    }

    /** kvmppc_tce_iommu_map: one guest page is 2^(guest shift - hw shift) hardware entries. */
    private static long mapHardware(KvmTceTable.Link link, KvmTceTable t, long entry, long ua, long perms) {
        TceTable hw = link.table();
        int sub = t.pageShift() - hw.pageShift();
        long ioEntry = entry << sub;
        long subpages = 1L << sub;
        long hwPage = hw.pageSize();
        for (long i = 0; i < subpages; i++) {
            long e = ioEntry + i;
            long pua = ua + i * hwPage;
            if (!hw.containsEntry(e)) {
                return H_TOO_HARD;
            }
            PreregisteredMemory.Region r = link.preregistered().lookup(pua, hwPage);
            if (r == null) {
                return H_TOO_HARD;
            }
            r.mappedIncrement();
            long old = hw.xchg(e, pua | perms);
            if ((old & TceTable.TCE_PERMS) != 0) {
                dropUse(link, hw, e);
            }
            hw.setUserAddress(e, pua);
        }
        return H_SUCCESS;
    }

    /** kvmppc_tce_iommu_unmap. */
    private static long unmapHardware(KvmTceTable.Link link, KvmTceTable t, long entry) {
        TceTable hw = link.table();
        int sub = t.pageShift() - hw.pageShift();
        long ioEntry = entry << sub;
        for (long i = 0; i < (1L << sub); i++) {
            long e = ioEntry + i;
            if (!hw.containsEntry(e)) {
                return H_TOO_HARD;
            }
            long old = hw.xchg(e, 0);
            if ((old & TceTable.TCE_PERMS) != 0) {
                dropUse(link, hw, e);
            }
            hw.setUserAddress(e, 0);
        }
        return H_SUCCESS;
    }

    private static void dropUse(KvmTceTable.Link link, TceTable hw, long e) {
        PreregisteredMemory.Region r = link.preregistered().lookup(hw.userAddress(e), hw.pageSize());
        if (r != null) {
            r.mappedDecrement();
        }
    }
}
