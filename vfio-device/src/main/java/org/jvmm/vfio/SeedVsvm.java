package org.jvmm.vfio;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jvmm.address.HostAddress;
import org.jvmm.address.Iova;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.iommu.AccessKind;
import org.jvmm.iommu.DmaDomain;
import org.jvmm.iommu.FaultReason;
import org.jvmm.iommu.HostIommuTlbEntry;
import org.jvmm.iommu.IommuPermission;
import org.jvmm.iommu.IopfHandler;
import org.jvmm.pci.host.HostPciFunction;

/**
 * Seed 001's virtual-SVM passdown: Yi Liu's counter-proposal in the seed thread (reference B-6),
 * in which the guest owns the PASID tables. {@code VFIO_DEVICE_BIND_TASK} carries
 * {@code struct vfio_device_svm { u32 argsz; u32 flags; u32 length; u8 data[]; }}; with
 * {@link #VFIO_SVM_BIND_PASIDTP} the data is {@code pasid_table_info { u64 ptr; u32 size; }} and the
 * host IOMMU uses the guest's PASID table (a guest-physical address, read through the device's
 * stage 2, the container's TYPE1 mappings) for the device's PASID-tagged DMA; with
 * {@link #VFIO_SVM_PASSDOWN_INVALIDATE} the data is one {@code iommu_svm_tlb_invalidate_info} that
 * the host applies to its caches. Offered in {@link PasidApi#SEED} mode beside Brucker's
 * BIND_TASK; the flag numbers differ, so this form is a separate call ({@link VfioDevice#svmPassdown}).
 *
 * <p>Model decisions where the proposal is pseudo-code: {@code ptr} is the scalable-mode PASID
 * directory and {@code size} its size field (2^(7+size) entries), as a VT-d 3 context entry has
 * them; the host's PASID cache is filled when a PASID_CACHE invalidation names a PASID (or all),
 * as QEMU's nesting does; {@code iommu_svm_tlb_invalidate_info} is laid out with natural alignment
 * (48 bytes: inv_type 0, pasid 4, addr 8, size 16 (pages), granularity 24, flags 32, mip 40,
 * pfsid 42); the proposal has no fault path, so a VMM registers a handler
 * ({@link VfioDevice#svmFaultHandler}) standing in for the fault reporting later series added.
 * Errnos: argsz below 12 or length past argsz EINVAL; a data length short of its payload EINVAL;
 * flags other than one of BIND_PASIDTP, PASSDOWN_INVALIDATE (alone) or an unbind's release flags
 * EINVAL; a passdown before a bind ENODEV; a device without PASID EINVAL.
 */
public final class SeedVsvm {
    public static final int VFIO_SVM_BIND_PASIDTP = 1 << 0;
    public static final int VFIO_SVM_PASSDOWN_INVALIDATE = 1 << 1;
    public static final int VFIO_SVM_PASID_RELEASE_FLUSHED = 1 << 2;
    public static final int VFIO_SVM_PASID_RELEASE_CLEAN = 1 << 3;
    public static final int INV_TYPE_IOTLB = 1;
    public static final int INV_TYPE_EXTENDED_IOTLB = 2;
    public static final int INV_TYPE_DEVICE_IOTLB = 4;
    public static final int INV_TYPE_EXTENDED_DEVICE_IOTLB = 8;
    public static final int INV_TYPE_PASID_CACHE = 16;
    public static final int GRANU_DEFAULT = 0;
    public static final int GRANU_PAGE = 1;
    public static final int GRANU_PASID = 2;

    /** The header: argsz, flags, length; data follows. */
    public record Svm(int argsz, int flags, int length) {
        public static final int SIZE = 12;
    }

    /** pasid_table_info. */
    public record PasidTableInfo(long ptr, int size) {
        public static final int SIZE = 16;

        public void encode(MemorySegment s) {
            s.set(JAVA_LONG_UNALIGNED, 0, ptr);
            s.set(JAVA_INT_UNALIGNED, 8, size);
        }
    }

    /** iommu_svm_tlb_invalidate_info, laid out as the class comment says. */
    public record TlbInvalidateInfo(int invType, int pasid, long addr, long size, int granularity, long flags, int mip, int pfsid) {
        public static final int SIZE = 48;

        public void encode(MemorySegment s) {
            s.set(JAVA_INT_UNALIGNED, 0, invType);
            s.set(JAVA_INT_UNALIGNED, 4, pasid);
            s.set(JAVA_LONG_UNALIGNED, 8, addr);
            s.set(JAVA_LONG_UNALIGNED, 16, size);
            s.set(JAVA_BYTE, 24, (byte) granularity);
            s.set(JAVA_LONG_UNALIGNED, 32, flags);
            s.set(JAVA_BYTE, 40, (byte) mip);
            s.set(JAVA_SHORT_UNALIGNED, 42, (short) pfsid);
        }

        static TlbInvalidateInfo decode(MemorySegment s) {
            return new TlbInvalidateInfo(s.get(JAVA_INT_UNALIGNED, 0), s.get(JAVA_INT_UNALIGNED, 4), s.get(JAVA_LONG_UNALIGNED, 8),
                    s.get(JAVA_LONG_UNALIGNED, 16), s.get(JAVA_BYTE, 24) & 0xff, s.get(JAVA_LONG_UNALIGNED, 32),
                    s.get(JAVA_BYTE, 40) & 0xff, s.get(JAVA_SHORT_UNALIGNED, 42) & 0xffff);
        }
    }

    /** One device's bound guest PASID table. */
    private static final class Binding {
        final long dir;
        final int size;
        final java.util.Set<Integer> pasids = new java.util.TreeSet<>();
        volatile IopfHandler faults;

        Binding(long dir, int size) {
            this.dir = dir;
            this.size = size;
        }
    }

    private final Map<HostPciFunction, Binding> bindings = new HashMap<>();
    private final Map<HostPciFunction, IopfHandler> handlers = new HashMap<>();
    private long binds;
    private long unbinds;
    private long leaked;
    private long invalidations;

    /** BIND_PASIDTP / PASSDOWN_INVALIDATE / unbind on {@code fn} with {@code data} of {@code arg.length()} bytes. */
    synchronized void passdown(HostPciFunction fn, Svm arg, MemorySegment data) {
        String op = "VFIO_DEVICE_BIND_TASK (vSVM)";
        if (Integer.compareUnsigned(arg.argsz(), Svm.SIZE) < 0
                || Integer.compareUnsigned(arg.length(), arg.argsz() - Svm.SIZE) > 0) {
            throw new ErrnoException(op, Errno.EINVAL, "argsz " + Integer.toUnsignedString(arg.argsz()) + ", length "
                    + Integer.toUnsignedString(arg.length()) + ": argsz below 12 or data past argsz");
        }
        if (fn.model().pasid() == null) {
            throw new ErrnoException(op, Errno.EINVAL, fn.address() + " has no PASID capability");
        }
        int flags = arg.flags();
        switch (flags) {
            case VFIO_SVM_BIND_PASIDTP -> {
                need(op, arg, data, PasidTableInfo.SIZE);
                long ptr = data.get(JAVA_LONG_UNALIGNED, 0);
                int size = data.get(JAVA_INT_UNALIGNED, 8);
                if ((ptr & 0xfff) != 0 || Integer.compareUnsigned(size, 7) > 0) {
                    throw new ErrnoException(op, Errno.EINVAL, "pasid_table_info ptr 0x" + Long.toHexString(ptr) + ", size " + size
                            + ": ptr must be 4 KiB aligned, size at most 7");
                }
                unbindLocked(fn);
                Binding b = new Binding(ptr, size);
                b.faults = handlers.get(fn);
                bindings.put(fn, b);
                binds++;
            }
            case VFIO_SVM_PASSDOWN_INVALIDATE -> {
                need(op, arg, data, TlbInvalidateInfo.SIZE);
                Binding b = bindings.get(fn);
                if (b == null) {
                    throw new ErrnoException(op, Errno.ENODEV, fn.address() + ": no PASID table is bound");
                }
                invalidate(fn, b, TlbInvalidateInfo.decode(data));
                invalidations++;
            }
            case 0, VFIO_SVM_PASID_RELEASE_FLUSHED, VFIO_SVM_PASID_RELEASE_CLEAN -> {
                if (bindings.get(fn) == null) {
                    throw new ErrnoException(op, Errno.ESRCH, fn.address() + ": no PASID table is bound");
                }
                unbindLocked(fn);
                unbinds++;
                if (flags == 0) {
                    leaked++; // B-5: with neither release flag the PASIDs are never reused
                }
            }
            default -> throw new ErrnoException(op, Errno.EINVAL, "flags 0x" + Integer.toHexString(flags)
                    + ": one of BIND_PASIDTP, PASSDOWN_INVALIDATE, or an unbind's release flag");
        }
    }

    private static void need(String op, Svm arg, MemorySegment data, int size) {
        if (Integer.compareUnsigned(arg.length(), size) < 0 || data == null || data.byteSize() < size) {
            throw new ErrnoException(op, Errno.EINVAL, "length " + Integer.toUnsignedString(arg.length()) + " is short of the "
                    + size + "-byte payload");
        }
    }

    private void unbindLocked(HostPciFunction fn) {
        Binding old = bindings.remove(fn);
        if (old != null) {
            for (int p : old.pasids) {
                if (fn.pasids().domain(p) instanceof NestedDomain) {
                    fn.pasids().set(p, null);
                }
            }
            old.pasids.clear();
        }
    }

    private void invalidate(HostPciFunction fn, Binding b, TlbInvalidateInfo inv) {
        if ((inv.invType() & INV_TYPE_PASID_CACHE) != 0) {
            if (inv.granularity() == GRANU_DEFAULT) {
                for (int p = 1; p < 64 * (1 << (7 + b.size)); p++) {
                    refresh(fn, b, p);
                }
            } else {
                refresh(fn, b, inv.pasid());
            }
        }
        if ((inv.invType() & (INV_TYPE_IOTLB | INV_TYPE_EXTENDED_IOTLB)) != 0) {
            if (inv.granularity() == GRANU_DEFAULT) {
                for (int p : b.pasids) {
                    if (fn.pasids().domain(p) instanceof NestedDomain n) {
                        n.iotlb.clear();
                    }
                }
            } else if (fn.pasids().domain(inv.pasid()) instanceof NestedDomain n) {
                if (inv.granularity() == GRANU_PASID) {
                    n.iotlb.clear();
                } else {
                    for (long i = 0; Long.compareUnsigned(i, inv.size()) < 0 && i < 512; i++) {
                        n.iotlb.remove((inv.addr() & ~0xfffL) + (i << 12));
                    }
                }
            }
        }
    }

    /** Re-reads the guest's PASID entry of {@code pasid} through stage 2 and attaches or blocks the PASID. */
    private void refresh(HostPciFunction fn, Binding b, int pasid) {
        if (pasid <= 0 || pasid >= 1 << 20) {
            return;
        }
        DmaDomain stage2 = fn.dmaDomain();
        NestedDomain made = null;
        long dirIndex = pasid >>> 6;
        if (stage2 != null && dirIndex < (1L << (7 + b.size))) {
            long pde = load(stage2, b.dir + dirIndex * 8);
            if ((pde & 1) != 0 && pde != -1L) {
                long pe = (pde & NestedDomain.ADDR) + (pasid & 0x3f) * 64L;
                long w0 = load(stage2, pe);
                long w2 = load(stage2, pe + 16);
                if (w0 != -1L && (w0 & 1) != 0 && ((w0 >>> 6) & 7) == 1) {
                    made = new NestedDomain(stage2, w2 & NestedDomain.ADDR, ((w2 >>> 2) & 3) == 1 ? 5 : 4, b);
                }
            }
        }
        if (made != null) {
            fn.pasids().set(pasid, made);
            b.pasids.add(pasid);
        } else if (b.pasids.remove(pasid)) {
            fn.pasids().set(pasid, null);
        }
    }

    /** An 8-byte read through stage 2, or -1 when it faults. */
    static long load(DmaDomain stage2, long gpa) {
        MemorySegment b = MemorySegment.ofArray(new long[1]);
        return stage2.transfer(new Iova(gpa), b, false) == null ? b.get(JAVA_LONG_UNALIGNED, 0) : -1L;
    }

    /** The fault handler the VMM gives (see the class comment); null for none. */
    synchronized void faultHandler(HostPciFunction fn, IopfHandler h) {
        if (h == null) {
            handlers.remove(fn);
        } else {
            handlers.put(fn, h);
        }
        Binding b = bindings.get(fn);
        if (b != null) {
            b.faults = h;
        }
    }

    public synchronized boolean bound(HostPciFunction fn) {
        return bindings.containsKey(fn);
    }

    public synchronized long binds() {
        return binds;
    }

    public synchronized long unbinds() {
        return unbinds;
    }

    public synchronized long invalidations() {
        return invalidations;
    }

    /** Unbinds with neither release flag: their PASIDs are never reused (B-5). */
    public synchronized long leaked() {
        return leaked;
    }

    /**
     * A PASID's translation through the guest's first-stage table (x86-64 format, as the
     * iommufd nested HWPT walks it), every table read and the output through stage 2; cached per
     * page until a passdown invalidation drops it.
     */
    static final class NestedDomain implements DmaDomain {
        static final long ADDR = 0x000f_ffff_ffff_f000L;
        final DmaDomain stage2;
        final long root;
        final int levels;
        final Binding binding;
        final Map<Long, Long> iotlb = new ConcurrentHashMap<>();

        NestedDomain(DmaDomain stage2, long root, int levels, Binding binding) {
            this.stage2 = stage2;
            this.root = root;
            this.levels = levels;
            this.binding = binding;
        }

        /** GPA page | 1 | 2 (write), or -1 not mapped, -2 no permission. */
        private long lookup(long va) {
            Long hit = iotlb.get(va & ~0xfffL);
            if (hit != null) {
                return hit;
            }
            int width = levels == 5 ? 57 : 48;
            long high = va >> (width - 1);
            if (high != 0 && high != -1L) {
                return -1;
            }
            long table = root;
            boolean write = true;
            for (int level = levels; level >= 1; level--) {
                int shift = 12 + 9 * (level - 1);
                long e = load(stage2, table + ((va >>> shift) & 0x1ff) * 8);
                if (e == -1L || (e & 1) == 0) {
                    return -1;
                }
                write &= (e & 2) != 0;
                if ((e & 4) == 0) {
                    return -2;
                }
                boolean leaf = level == 1 || ((level == 2 || level == 3) && (e & 0x80) != 0);
                if (leaf) {
                    long mask = (1L << shift) - 1;
                    long r = ((e & ADDR) & ~mask) | (va & mask & ~0xfffL) | 1 | (write ? 2 : 0);
                    iotlb.put(va & ~0xfffL, r);
                    return r;
                }
                table = e & ADDR;
            }
            return -1;
        }

        @Override
        public FaultReason transfer(Iova iova, MemorySegment buffer, boolean toMemory) {
            long va = iova.value();
            long len = buffer.byteSize();
            long done = 0;
            long[] gpas = new long[(int) (((va & 0xfff) + len + 0xfff) >>> 12)];
            for (int i = 0; i < gpas.length; i++) {
                long r = lookup((va & ~0xfffL) + ((long) i << 12));
                if (r == -1) {
                    return FaultReason.UNMAPPED;
                }
                if (r == -2 || (toMemory && (r & 2) == 0)) {
                    return FaultReason.PERMISSION;
                }
                gpas[i] = r & ~0xfffL;
            }
            for (int i = 0; i < gpas.length; i++) {
                long off = i == 0 ? va & 0xfff : 0;
                long n = Math.min(len - done, 4096 - off);
                FaultReason f = stage2.transfer(new Iova(gpas[i] + off), buffer.asSlice(done, n), toMemory);
                if (f != null) {
                    return f;
                }
                done += n;
            }
            return null;
        }

        @Override
        public HostIommuTlbEntry translate(Iova iova, AccessKind access) {
            long r = lookup(iova.value());
            if (r < 0 || (access == AccessKind.WRITE && (r & 2) == 0)) {
                return HostIommuTlbEntry.miss(iova, 0xfff);
            }
            HostIommuTlbEntry s2 = stage2.translate(new Iova(r & ~0xfffL), access);
            if (s2.perm() == IommuPermission.NONE) {
                return HostIommuTlbEntry.miss(iova, 0xfff);
            }
            return new HostIommuTlbEntry(new Iova(iova.value() & ~0xfffL), new HostAddress(s2.translated().value()), 0xfff,
                    s2.perm());
        }

        @Override
        public IopfHandler iopfHandler() {
            return binding.faults;
        }
    }
}
