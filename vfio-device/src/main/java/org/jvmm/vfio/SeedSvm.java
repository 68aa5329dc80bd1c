package org.jvmm.vfio;

import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.iommu.SvaDomain;
import org.jvmm.pci.PasidSpec;
import org.jvmm.pci.host.HostPciFunction;

/**
 * Seed 001 (Brucker, "vfio: Add support for Shared Virtual Memory", RFC, February 2017; never
 * merged): VFIO_DEVICE_BIND_TASK binds the calling process's address space to the device under a
 * PASID, VFIO_DEVICE_UNBIND_TASK removes the bond, and the release flags say when the PASID may
 * be reused. Offered only in {@link PasidApi#SEED} mode. In jvmm the process's address space is
 * the host memory registry (it plays the mm and its page tables): PASID-tagged DMA of a bound
 * device reads and writes the JVM's own mappings by virtual address ({@link SvaDomain}).
 *
 * <p>The seed fixes the structs and the meaning, not the errnos; every choice the model had to
 * make where the seed is silent is here, in one place (reference rules B-1 to B-8):
 * <ol>
 * <li>Errnos (B-8): argsz below 12 EINVAL; BIND with any flag EINVAL; UNBIND with a flag beyond
 * bits 0-1, or with both, EINVAL; a device without {@link #VFIO_DEVICE_FLAGS_SVM} ENODEV; no free
 * PASID ENOSPC; UNBIND of a PASID not bound on this device ESRCH. Outside seed mode the ioctls do
 * not exist: ENOTTY.</li>
 * <li>SVM capability: a PCIe function with PASID and PRI capabilities, on the modelled IOMMU
 * (which supports PASID); mediated devices never.</li>
 * <li>PASIDs are per device, as the seed says ("unique to a device"): the lowest free one from 1
 * up to the device's PASID width (the later in-kernel SVA API gives one PASID per mm instead,
 * B-9).</li>
 * <li>A second BIND by the same process returns the PASID it already has, without a second
 * reference: one UNBIND removes the bond.</li>
 * <li>Release (B-5): CLEAN frees the PASID at once; FLUSHED frees it too, because the modelled
 * device sends no page request for a PASID after it stopped using it, so the stop marker has
 * nothing to separate; with neither flag the PASID is never reused and counted in
 * {@link #leakedPasids()}.</li>
 * <li>Closing the device fd with bonds left (the seed requires UNBIND before exit) removes them
 * as an UNBIND without flags would: their PASIDs leak, counted.</li>
 * <li>Fork and exec (B-4) are not modelled: the JVM is one process.</li>
 * </ol>
 *
 * <p>Thread rules: one monitor guards all bonds.
 */
public final class SeedSvm {
    /** VFIO_DEVICE_BIND_TASK = _IO(';', 100 + 22). */
    public static final int VFIO_DEVICE_BIND_TASK = 0x3B7A;
    /** VFIO_DEVICE_UNBIND_TASK = _IO(';', 100 + 23). */
    public static final int VFIO_DEVICE_UNBIND_TASK = 0x3B7B;
    /** Seed's VFIO_DEVICE_FLAGS_SVM in vfio_device_info.flags (mainline's VFIO_DEVICE_FLAGS_CCW). */
    public static final int VFIO_DEVICE_FLAGS_SVM = 1 << 4;
    public static final int VFIO_SVM_PASID_RELEASE_FLUSHED = 1 << 0;
    public static final int VFIO_SVM_PASID_RELEASE_CLEAN = 1 << 1;

    private final HostMemoryRegistry mm;
    private final SvaDomain domain;
    private final Map<HostPciFunction, DeviceBonds> bonds = new HashMap<>();
    private long leaked;
    private long released;

    private static final class DeviceBonds {
        /** PASIDs in use or leaked on this device. */
        final BitSet taken = new BitSet();
        int bound = -1;
    }

    SeedSvm(HostMemoryRegistry mm) {
        this.mm = mm;
        this.domain = new SvaDomain(mm);
    }

    /** True when the function qualifies for FLAGS_SVM: PCIe with PASID and PRI. */
    static boolean capable(HostPciFunction fn) {
        if (fn == null || fn.model() == null || !fn.model().isPcie()) {
            return false;
        }
        PasidSpec p = fn.model().pasid();
        return p != null && p.pri();
    }

    synchronized VfioDeviceSvm bind(HostPciFunction fn, VfioDeviceSvm arg) {
        String op = "VFIO_DEVICE_BIND_TASK";
        if (Integer.compareUnsigned(arg.argsz(), VfioDeviceSvm.SIZE) < 0) {
            throw new ErrnoException(op, Errno.EINVAL, "argsz " + Integer.toUnsignedString(arg.argsz()) + " is below 12");
        }
        if (arg.flags() != 0) {
            throw new ErrnoException(op, Errno.EINVAL, "flags 0x" + Integer.toHexString(arg.flags()) + " must be 0 to bind");
        }
        if (!capable(fn)) {
            throw new ErrnoException(op, Errno.ENODEV, (fn == null ? "the device" : fn.address()) + " cannot do SVM");
        }
        DeviceBonds b = bonds.computeIfAbsent(fn, k -> new DeviceBonds());
        if (b.bound >= 0) {
            return arg.withPasid(b.bound);
        }
        int width = Math.min(fn.model().pasid().widthBits(), 20);
        int pasid = b.taken.nextClearBit(1);
        if (pasid >= 1 << width) {
            throw new ErrnoException(op, Errno.ENOSPC, "no free PASID below 2^" + width + " on " + fn.address());
        }
        b.taken.set(pasid);
        b.bound = pasid;
        fn.pasids().set(pasid, domain);
        return arg.withPasid(pasid);
    }

    synchronized void unbind(HostPciFunction fn, VfioDeviceSvm arg) {
        String op = "VFIO_DEVICE_UNBIND_TASK";
        if (Integer.compareUnsigned(arg.argsz(), VfioDeviceSvm.SIZE) < 0) {
            throw new ErrnoException(op, Errno.EINVAL, "argsz " + Integer.toUnsignedString(arg.argsz()) + " is below 12");
        }
        int both = VFIO_SVM_PASID_RELEASE_FLUSHED | VFIO_SVM_PASID_RELEASE_CLEAN;
        if ((arg.flags() & ~both) != 0 || arg.flags() == both) {
            throw new ErrnoException(op, Errno.EINVAL, "flags 0x" + Integer.toHexString(arg.flags())
                    + ": only one of FLUSHED (1) and CLEAN (2)");
        }
        if (!capable(fn)) {
            throw new ErrnoException(op, Errno.ENODEV, (fn == null ? "the device" : fn.address()) + " cannot do SVM");
        }
        DeviceBonds b = bonds.get(fn);
        if (b == null || b.bound != arg.pasid() || arg.pasid() < 0) {
            throw new ErrnoException(op, Errno.ESRCH, "PASID " + Integer.toUnsignedString(arg.pasid()) + " is not bound to this process on "
                    + fn.address());
        }
        release(fn, b, arg.flags());
    }

    private void release(HostPciFunction fn, DeviceBonds b, int flags) {
        fn.pasids().set(b.bound, null);
        if (flags == 0) {
            leaked++;
        } else {
            b.taken.clear(b.bound);
            released++;
        }
        b.bound = -1;
    }

    /** The device fd was closed: bonds left behind are removed, their PASIDs leaked. */
    synchronized void deviceClosed(HostPciFunction fn) {
        DeviceBonds b = bonds.get(fn);
        if (b != null && b.bound >= 0) {
            release(fn, b, 0);
        }
    }

    /** PASIDs unbound without CLEAN or FLUSHED (or never unbound): never reused. */
    public synchronized long leakedPasids() {
        return leaked;
    }

    /** PASIDs released for reuse (CLEAN or FLUSHED). */
    public synchronized long releasedPasids() {
        return released;
    }

    /** The PASID the process has on {@code fn}, or -1. */
    public synchronized int boundPasid(HostPciFunction fn) {
        DeviceBonds b = bonds.get(fn);
        return b == null ? -1 : b.bound;
    }

    public HostMemoryRegistry mm() {
        return mm;
    }
}
