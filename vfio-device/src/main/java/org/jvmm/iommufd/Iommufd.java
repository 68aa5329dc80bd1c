package org.jvmm.iommufd;

import static org.jvmm.iommufd.IommufdUapi.*;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jvmm.address.HostAddress;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.host.memory.LockedMemoryAccount;
import org.jvmm.pci.PasidSpec;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.host.HostPciFunction;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.pci.host.IommuGroup;
import org.jvmm.pci.host.IommuHardware;
import org.jvmm.iommufd.IommufdStructs.*;

/**
 * One open /dev/iommu (struct iommufd_ctx; Linux drivers/iommu/iommufd/main.c, ioas.c,
 * hw_pagetable.c, device.c): a table of objects (IOAS, HWPT, fault queue, bound device) named by
 * IDs from 1, the lowest free one first. Methods mirror the ioctls and take and return their
 * structs ({@link IommufdStructs}); {@link #ioctl} is the same interface at the byte level, with
 * the user pointers inside the structs resolved in the process's memory registry (EFAULT outside).
 *
 * <p>The errno convention of iommufd.h holds throughout: ENOTTY for an unknown ioctl, E2BIG for
 * non-zero bytes past the struct the kernel knows, EOPNOTSUPP for an unsupported flag or a
 * non-zero reserved field, EINVAL for a wrong field, ENOENT for an unknown ID (or an ID of the
 * wrong type) or IOVA, EOVERFLOW for arithmetic overflow. A failed call changes nothing, except
 * where the kernel itself stops part way (IOAS_UNMAP, HWPT_INVALIDATE; documented there).
 *
 * <p>The host IOMMU is modelled as VT-d in scalable mode: 4 KiB pages for the IOAS alignment, the
 * platform's aperture and reserved (MSI) regions, 20-bit PASIDs, nesting with VT-d stage-1
 * tables, page requests; no dirty tracking. {@link #VTD_CAP_REG} and {@link #VTD_ECAP_REG} are
 * the registers GET_HW_INFO reports.
 *
 * <p>Locking: the context's monitor guards the table and every attach/detach; each IOAS has its
 * own read-write lock for maps and DMA. Device DMA takes only the IOAS read lock.
 */
public final class Iommufd implements AutoCloseable {
    /** PASID bits the modelled IOMMU supports (ecap PSS + 1). */
    public static final int IOMMU_PASID_BITS = 20;
    /**
     * VT-d capability register: 256 domains (ND 2), 4- and 5-level second stage (SAGAW bits 2 and
     * 3), 48-bit MGAW (47), first-stage 1 GiB pages (FS1GP, bit 56).
     */
    public static final long VTD_CAP_REG = 2L | (0b01100L << 8) | (47L << 16) | (1L << 56);
    /**
     * VT-d extended capability register: coherency, queued invalidation, device TLB, interrupt
     * remapping, pass-through, nested translation (26), page requests (29), supervisor requests
     * (31), 20-bit PASIDs (PSS 19 at 35), PASID (40), scalable mode (43), second- and first-stage
     * translation (46, 47).
     */
    public static final long VTD_ECAP_REG = 1L | 2L | 4L | 8L | (1L << 6) | (1L << 26) | (1L << 29) | (1L << 31)
            | (19L << 35) | (1L << 40) | (1L << 43) | (1L << 46) | (1L << 47);

    private final HostMemoryRegistry memory;
    private final LockedMemoryAccount memlock;
    private final IommuHardware hardware;
    private final TreeMap<Integer, IommufdObject> objects = new TreeMap<>();
    private final Map<Integer, FaultQueue> faultFiles = new HashMap<>();
    private final Map<IommuGroup, Integer> groupOwners = new HashMap<>();
    private int nextFd = 100;
    private boolean closed;

    private Iommufd(HostMemoryRegistry memory, LockedMemoryAccount memlock, IommuHardware hardware) {
        this.memory = memory;
        this.memlock = memlock;
        this.hardware = hardware;
    }

    /** open("/dev/iommu") on {@code platform}: its memory registry, locked-memory account and IOMMU. */
    public static Iommufd open(HostPciPlatform platform) {
        return new Iommufd(platform.memory(), platform.memlock(), platform.iommuHardware());
    }

    public HostMemoryRegistry memory() {
        return memory;
    }

    // ---- object table ----

    private int allocId() {
        int id = 1;
        for (int k : objects.keySet()) {
            if (k != id) {
                break;
            }
            id++;
        }
        return id;
    }

    private <T extends IommufdObject> T add(T o) {
        objects.put(o.id(), o);
        return o;
    }

    private void live(String op) {
        if (closed) {
            throw new ErrnoException(op, Errno.EBADF, "the iommufd is closed");
        }
    }

    private Ioas ioas(String op, int id) {
        if (objects.get(id) instanceof Ioas i) {
            return i;
        }
        throw new ErrnoException(op, Errno.ENOENT, "no IOAS with ID " + Integer.toUnsignedString(id));
    }

    private IommufdDevice device(String op, int id) {
        if (objects.get(id) instanceof IommufdDevice d) {
            return d;
        }
        throw new ErrnoException(op, Errno.ENOENT, "no device with ID " + Integer.toUnsignedString(id));
    }

    /** The object with {@code id}, or null. */
    public synchronized IommufdObject object(int id) {
        return objects.get(id);
    }

    /** The IOAS with {@code id}; ENOENT when there is none. */
    public synchronized Ioas ioas(int id) {
        return ioas("iommufd ioas", id);
    }

    /** The HWPT with {@code id}, or null. */
    public synchronized Hwpt hwpt(int id) {
        return objects.get(id) instanceof Hwpt h ? h : null;
    }

    /** The fault queue whose file is {@code fd}; EBADF when none. */
    public synchronized FaultQueue faultFile(int fd) {
        FaultQueue q = faultFiles.get(fd);
        if (q == null) {
            throw new ErrnoException("fault fd", Errno.EBADF, "no fault file " + fd);
        }
        return q;
    }

    /** Objects in the table now. */
    public synchronized int objectCount() {
        return objects.size();
    }

    /** The bound device of {@code address}, or null. */
    synchronized IommufdDevice deviceAt(PciAddress address) {
        for (IommufdObject o : objects.values()) {
            if (o instanceof IommufdDevice d && d.function.address().equals(address)) {
                return d;
            }
        }
        return null;
    }

    // ---- IOMMU_DESTROY ----

    /** IOMMU_DESTROY: ENOENT for an unknown ID, EBUSY while the object is in use. */
    public synchronized void destroy(Destroy cmd) {
        String op = "IOMMU_DESTROY";
        live(op);
        IommufdObject o = objects.get(cmd.id());
        if (o == null) {
            throw new ErrnoException(op, Errno.ENOENT, "no object with ID " + Integer.toUnsignedString(cmd.id()));
        }
        String busy = o.busyReason();
        if (busy != null) {
            throw new ErrnoException(op, Errno.EBUSY, o + ": " + busy);
        }
        remove(o);
    }

    public void destroy(int id) {
        destroy(Destroy.of(id));
    }

    private void remove(IommufdObject o) {
        objects.remove(o.id());
        o.destroyed();
        if (o instanceof NestedHwpt n) {
            n.parent.children--;
        }
        if (o instanceof Hwpt h && h.fault != null) {
            h.fault.users--;
        }
        if (o instanceof FaultQueue q) {
            faultFiles.remove(q.fd());
        }
    }

    // ---- IOAS ----

    /** IOMMU_IOAS_ALLOC: flags must be 0 (EOPNOTSUPP). */
    public synchronized IoasAlloc ioasAlloc(IoasAlloc cmd) {
        String op = "IOMMU_IOAS_ALLOC";
        live(op);
        if (cmd.flags() != 0) {
            throw new ErrnoException(op, Errno.EOPNOTSUPP, "flags " + hex(cmd.flags()) + " must be 0");
        }
        Ioas ioas = add(new Ioas(allocId(), memory, memlock));
        return new IoasAlloc(cmd.size(), cmd.flags(), ioas.id());
    }

    /** IOMMU_IOAS_ALLOC with the usual struct: the new IOAS ID. */
    public int ioasAlloc() {
        return ioasAlloc(IoasAlloc.of()).outIoasId();
    }

    private static final int MAP_FLAGS = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_WRITEABLE | IOMMU_IOAS_MAP_READABLE;

    /** IOMMU_IOAS_MAP: the struct with {@code iova} where the mapping was placed. */
    public IoasMap ioasMap(IoasMap cmd) {
        String op = "IOMMU_IOAS_MAP";
        if ((cmd.flags() & ~MAP_FLAGS) != 0 || cmd.reserved() != 0) {
            throw new ErrnoException(op, Errno.EOPNOTSUPP, cmd + ": unknown flags or non-zero __reserved");
        }
        if (cmd.iova() == ULONG_MAX_ || cmd.length() == ULONG_MAX_) {
            throw new ErrnoException(op, Errno.EOVERFLOW, cmd + ": iova or length is ULONG_MAX");
        }
        Ioas ioas;
        synchronized (this) {
            live(op);
            ioas = ioas(op, cmd.ioasId());
        }
        return cmd.withIova(ioas.map(op, cmd.flags(), cmd.userVa(), cmd.length(), cmd.iova()));
    }

    private static final long ULONG_MAX_ = -1L;

    /** IOMMU_IOAS_UNMAP: the struct with {@code length} the bytes unmapped. */
    public IoasUnmap ioasUnmap(IoasUnmap cmd) {
        String op = "IOMMU_IOAS_UNMAP";
        Ioas ioas;
        synchronized (this) {
            live(op);
            ioas = ioas(op, cmd.ioasId());
        }
        if (!(cmd.iova() == 0 && cmd.length() == -1L) && (cmd.iova() == ULONG_MAX_ || cmd.length() == ULONG_MAX_)) {
            throw new ErrnoException(op, Errno.EOVERFLOW, cmd + ": iova or length is ULONG_MAX");
        }
        return cmd.withLength(ioas.unmap(op, cmd.iova(), cmd.length()));
    }

    /** IOMMU_IOAS_COPY: the struct with {@code dstIova} where the copy was placed. */
    public IoasCopy ioasCopy(IoasCopy cmd) {
        String op = "IOMMU_IOAS_COPY";
        if ((cmd.flags() & ~MAP_FLAGS) != 0) {
            throw new ErrnoException(op, Errno.EOPNOTSUPP, cmd + ": unknown flags");
        }
        if (cmd.length() == ULONG_MAX_ || cmd.srcIova() == ULONG_MAX_ || cmd.dstIova() == ULONG_MAX_) {
            throw new ErrnoException(op, Errno.EOVERFLOW, cmd + ": an IOVA or the length is ULONG_MAX");
        }
        Ioas src;
        Ioas dst;
        synchronized (this) {
            live(op);
            src = ioas(op, cmd.srcIoasId());
            dst = ioas(op, cmd.dstIoasId());
        }
        return cmd.withDstIova(dst.copyFrom(op, src, cmd.flags(), cmd.length(), cmd.dstIova(), cmd.srcIova()));
    }

    /** IOMMU_IOAS_IOVA_RANGES, typed: the usable ranges and out_iova_alignment. */
    public record IovaRanges(List<IovaRange> ranges, long alignment) {
    }

    public IovaRanges ioasIovaRanges(int ioasId) {
        String op = "IOMMU_IOAS_IOVA_RANGES";
        Ioas ioas;
        synchronized (this) {
            live(op);
            ioas = ioas(op, ioasId);
        }
        return new IovaRanges(ioas.iovaRanges(), ioas.iovaAlignment());
    }

    /** IOMMU_IOAS_ALLOW_IOVAS, typed. */
    public void ioasAllowIovas(int ioasId, List<IovaRange> ranges) {
        String op = "IOMMU_IOAS_ALLOW_IOVAS";
        Ioas ioas;
        synchronized (this) {
            live(op);
            ioas = ioas(op, ioasId);
        }
        ioas.allowIovas(op, ranges);
    }

    // ---- HWPT ----

    private static final int PAGING_FLAGS = IOMMU_HWPT_ALLOC_NEST_PARENT | IOMMU_HWPT_ALLOC_DIRTY_TRACKING
            | IOMMU_HWPT_FAULT_ID_VALID | IOMMU_HWPT_ALLOC_PASID;

    /**
     * IOMMU_HWPT_ALLOC: {@code data} holds the data_len bytes of the type-specific data (null for
     * none). A kernel-managed HWPT from an IOAS (data type NONE), or a VT-d stage-1 HWPT nested on
     * a paging HWPT allocated as nest parent.
     */
    public synchronized HwptAlloc hwptAlloc(HwptAlloc cmd, MemorySegment data) {
        String op = "IOMMU_HWPT_ALLOC";
        live(op);
        if (cmd.reserved() != 0 || cmd.reserved2() != 0) {
            throw new ErrnoException(op, Errno.EOPNOTSUPP, cmd + ": non-zero __reserved");
        }
        boolean none = cmd.dataType() == IOMMU_HWPT_DATA_NONE;
        if ((none && cmd.dataLen() != 0) || (!none && cmd.dataLen() == 0)) {
            throw new ErrnoException(op, Errno.EINVAL, cmd + ": data_len must be 0 exactly for data type NONE");
        }
        IommufdDevice dev = device(op, cmd.devId());
        IommufdObject pt = objects.get(cmd.ptId());
        if (pt == null) {
            throw new ErrnoException(op, Errno.ENOENT, "no object with pt_id " + Integer.toUnsignedString(cmd.ptId()));
        }
        FaultQueue fault = null;
        Hwpt made;
        if (pt instanceof Ioas ioas) {
            if (!none) {
                throw new ErrnoException(op, Errno.EINVAL, cmd + ": a HWPT from an IOAS takes no data");
            }
            if ((cmd.flags() & ~PAGING_FLAGS) != 0) {
                throw new ErrnoException(op, Errno.EOPNOTSUPP, cmd + ": unknown flags");
            }
            if ((cmd.flags() & IOMMU_HWPT_ALLOC_DIRTY_TRACKING) != 0) {
                throw new ErrnoException(op, Errno.EOPNOTSUPP, cmd + ": the IOMMU has no dirty tracking");
            }
            fault = faultFor(op, cmd);
            made = newPaging(op, ioas, (cmd.flags() & IOMMU_HWPT_ALLOC_NEST_PARENT) != 0,
                    (cmd.flags() & IOMMU_HWPT_ALLOC_PASID) != 0, false, fault);
        } else if (pt instanceof PagingHwpt parent) {
            if (none) {
                throw new ErrnoException(op, Errno.EINVAL, cmd + ": a HWPT on a HWPT needs user data");
            }
            if ((cmd.flags() & ~(IOMMU_HWPT_FAULT_ID_VALID | IOMMU_HWPT_ALLOC_PASID)) != 0) {
                throw new ErrnoException(op, Errno.EOPNOTSUPP, cmd + ": a nested HWPT takes only the FAULT_ID_VALID and PASID flags");
            }
            if (parent.auto || !parent.nestParent || parent.fault != null) {
                throw new ErrnoException(op, Errno.EINVAL, "HWPT " + parent.id() + " is not a nest parent"
                        + (parent.auto ? " (an automatic domain)" : parent.fault != null ? " (it has a fault queue)" : ""));
            }
            if (cmd.dataType() != IOMMU_HWPT_DATA_VTD_S1) {
                throw new ErrnoException(op, Errno.EOPNOTSUPP, cmd + ": data type " + cmd.dataType() + " is not IOMMU_HWPT_DATA_VTD_S1");
            }
            HwptVtdS1 s1 = copyStruct(op, data, cmd.dataLen(), HwptVtdS1.SIZE, HwptVtdS1::decode);
            fault = faultFor(op, cmd);
            made = add(new NestedHwpt(allocId(), parent, s1.flags(), s1.pgtblAddr(), s1.addrWidth(),
                    (cmd.flags() & IOMMU_HWPT_ALLOC_PASID) != 0, fault));
            parent.children++;
        } else {
            throw new ErrnoException(op, Errno.EINVAL, "pt_id " + cmd.ptId() + " is a " + pt.kind() + ", not an IOAS or a paging HWPT");
        }
        if (fault != null) {
            fault.users++;
        }
        return cmd.withOut(made.id());
    }

    /** IOMMU_HWPT_ALLOC of a kernel-managed HWPT from {@code ioasId}: the HWPT ID. */
    public int hwptAlloc(int flags, int devId, int ioasId) {
        return hwptAlloc(HwptAlloc.of(flags, devId, ioasId), null).outHwptId();
    }

    /** IOMMU_HWPT_ALLOC of a VT-d stage-1 HWPT nested on {@code parentId}: the HWPT ID. */
    public int hwptAllocNested(int flags, int devId, int parentId, HwptVtdS1 s1, int faultId) {
        MemorySegment data = MemorySegment.ofArray(new byte[HwptVtdS1.SIZE]);
        s1.encode(data);
        HwptAlloc cmd = HwptAlloc.of(flags & ~IOMMU_HWPT_FAULT_ID_VALID, devId, parentId)
                .withData(IOMMU_HWPT_DATA_VTD_S1, HwptVtdS1.SIZE, 1);
        if ((flags & IOMMU_HWPT_FAULT_ID_VALID) != 0) {
            cmd = cmd.withFault(faultId);
        }
        return hwptAlloc(cmd, data).outHwptId();
    }

    private FaultQueue faultFor(String op, HwptAlloc cmd) {
        if ((cmd.flags() & IOMMU_HWPT_FAULT_ID_VALID) == 0) {
            return null;
        }
        if (objects.get(cmd.faultId()) instanceof FaultQueue q) {
            return q;
        }
        throw new ErrnoException(op, Errno.ENOENT, "no fault object with fault_id " + Integer.toUnsignedString(cmd.faultId()));
    }

    private PagingHwpt newPaging(String op, Ioas ioas, boolean nestParent, boolean pasid, boolean auto, FaultQueue fault) {
        PagingHwpt h = new PagingHwpt(allocId(), ioas, nestParent, pasid, auto, fault);
        List<IovaRange> outside = new ArrayList<>();
        long start = hardware.aperture().start();
        long end = hardware.aperture().end();
        if (start != 0) {
            outside.add(new IovaRange(0, start - 1));
        }
        if (end != -1L) {
            outside.add(new IovaRange(end + 1, -1L));
        }
        ioas.addDomain(op, h, Long.lowestOneBit(hardware.pgsizeBitmap()) < Ioas.PAGE_SIZE ? Ioas.PAGE_SIZE
                : Long.lowestOneBit(hardware.pgsizeBitmap()), outside);
        return add(h);
    }

    /**
     * Copies a user struct of {@code len} bytes in: shorter than {@code min} EINVAL, non-zero bytes
     * past {@code size} E2BIG (copy_struct_from_user).
     */
    private static <T> T copyStruct(String op, MemorySegment data, long len, int size, java.util.function.Function<MemorySegment, T> dec) {
        if (data == null || Long.compareUnsigned(len, data.byteSize()) > 0) {
            throw new ErrnoException(op, Errno.EFAULT, "the user data of " + len + " bytes is not readable");
        }
        if (len < size) {
            throw new ErrnoException(op, Errno.EINVAL, "user data of " + len + " bytes is shorter than " + size);
        }
        for (long i = size; i < len; i++) {
            if (data.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i) != 0) {
                throw new ErrnoException(op, Errno.E2BIG, "non-zero byte at " + i + " past the " + size + "-byte struct");
            }
        }
        return dec.apply(data);
    }

    // ---- GET_HW_INFO ----

    /** IOMMU_GET_HW_INFO: fills {@code dataOut} (the user's data_len bytes, may be null for 0) with struct iommu_hw_info_vtd. */
    public synchronized HwInfo getHwInfo(HwInfo cmd, MemorySegment dataOut) {
        String op = "IOMMU_GET_HW_INFO";
        live(op);
        if (cmd.flags() != 0) {
            throw new ErrnoException(op, Errno.EOPNOTSUPP, "flags " + hex(cmd.flags()) + " must be 0");
        }
        IommufdDevice dev = device(op, cmd.devId());
        if (cmd.dataLen() != 0) {
            if (dataOut == null || Integer.toUnsignedLong(cmd.dataLen()) > dataOut.byteSize()) {
                throw new ErrnoException(op, Errno.EFAULT, "data_uptr does not hold data_len " + cmd.dataLen() + " bytes");
            }
            MemorySegment full = MemorySegment.ofArray(new byte[HwInfoVtd.SIZE]);
            new HwInfoVtd(0, 0, VTD_CAP_REG, VTD_ECAP_REG).encode(full);
            long n = Math.min(Integer.toUnsignedLong(cmd.dataLen()), HwInfoVtd.SIZE);
            MemorySegment.copy(full, 0, dataOut, 0, n);
            if (Integer.toUnsignedLong(cmd.dataLen()) > n) {
                dataOut.asSlice(n, cmd.dataLen() - n).fill((byte) 0);
            }
        }
        int width = dev.maxPasidLog2();
        PasidSpec p = dev.function.model() == null ? null : dev.function.model().pasid();
        long caps = 0;
        if (width > 0 && p != null) {
            caps |= (p.exec() ? IOMMU_HW_CAP_PCI_PASID_EXEC : 0) | (p.priv() ? IOMMU_HW_CAP_PCI_PASID_PRIV : 0);
        }
        return new HwInfo(cmd.size(), cmd.flags(), cmd.devId(), HwInfoVtd.SIZE, cmd.dataUptr(), IOMMU_HW_INFO_TYPE_INTEL_VTD,
                width, caps);
    }

    // ---- HWPT_INVALIDATE ----

    /**
     * IOMMU_HWPT_INVALIDATE on a nested VT-d HWPT: {@code entries} holds entry_num entries of
     * entry_len bytes. Per entry (intel nested.c): a type other than VTD_S1 EINVAL; flags beyond
     * LEAF or a non-zero reserved field EOPNOTSUPP; an address not 4 KiB aligned, or npages
     * U64_MAX with a non-zero address, EINVAL. The first bad entry stops the loop; entry_num comes
     * back as the entries handled (earlier ones stay done), and the error is thrown only after.
     */
    public HwptInvalidate hwptInvalidate(HwptInvalidate cmd, MemorySegment entries) {
        String op = "IOMMU_HWPT_INVALIDATE";
        if (cmd.reserved() != 0) {
            throw new ErrnoException(op, Errno.EOPNOTSUPP, "__reserved must be 0");
        }
        if (cmd.entryNum() != 0 && (cmd.dataUptr() == 0 || cmd.entryLen() == 0)) {
            throw new ErrnoException(op, Errno.EINVAL, "entry_num " + cmd.entryNum() + " needs data_uptr and entry_len");
        }
        NestedHwpt h;
        synchronized (this) {
            live(op);
            IommufdObject o = objects.get(cmd.hwptId());
            if (o == null) {
                throw new ErrnoException(op, Errno.ENOENT, "no object with hwpt_id " + Integer.toUnsignedString(cmd.hwptId()));
            }
            if (!(o instanceof NestedHwpt n)) {
                throw new ErrnoException(op, Errno.EINVAL, "hwpt_id " + cmd.hwptId() + " is a " + o.kind() + ", not a nested HWPT");
            }
            h = n;
        }
        if (cmd.dataType() != IOMMU_HWPT_INVALIDATE_DATA_VTD_S1) {
            throw new ErrnoException(op, Errno.EINVAL, "data_type " + cmd.dataType() + " is not IOMMU_HWPT_INVALIDATE_DATA_VTD_S1");
        }
        int n = cmd.entryNum();
        if (n != 0 && Integer.toUnsignedLong(cmd.entryLen()) < VtdS1Invalidate.SIZE) {
            throw new ErrnoException(op, Errno.EINVAL, "entry_len " + cmd.entryLen() + " is below " + VtdS1Invalidate.SIZE);
        }
        long need = Integer.toUnsignedLong(n) * Integer.toUnsignedLong(cmd.entryLen());
        if (n != 0 && (entries == null || entries.byteSize() < need)) {
            throw new ErrnoException(op, Errno.EFAULT, "data_uptr does not hold " + need + " bytes");
        }
        int done = 0;
        ErrnoException error = null;
        for (; Integer.compareUnsigned(done, n) < 0; done++) {
            MemorySegment e = entries.asSlice(Integer.toUnsignedLong(done) * cmd.entryLen(), cmd.entryLen());
            for (long i = VtdS1Invalidate.SIZE; i < e.byteSize(); i++) {
                if (e.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i) != 0) {
                    error = new ErrnoException(op, Errno.E2BIG, "entry " + done + ": non-zero byte past the struct");
                    break;
                }
            }
            if (error != null) {
                break;
            }
            VtdS1Invalidate inv = VtdS1Invalidate.decode(e);
            if ((inv.flags() & ~IOMMU_VTD_INV_FLAGS_LEAF) != 0 || inv.reserved() != 0) {
                error = new ErrnoException(op, Errno.EOPNOTSUPP, "entry " + done + ": flags " + hex(inv.flags())
                        + " or __reserved not supported");
                break;
            }
            if ((inv.addr() & 0xfff) != 0 || (inv.npages() == -1L && inv.addr() != 0)) {
                error = new ErrnoException(op, Errno.EINVAL, "entry " + done + ": addr " + hex(inv.addr()) + ", npages "
                        + hex(inv.npages()) + ": addr not 4 KiB aligned, or npages U64_MAX with a non-zero addr");
                break;
            }
            h.invalidate(inv.addr(), inv.npages());
        }
        if (error != null) {
            throw new InvalidateException(error, done);
        }
        return cmd.withEntryNum(done);
    }

    /** A failed IOMMU_HWPT_INVALIDATE: the errno, and the entries handled before the bad one (written back to entry_num). */
    public static final class InvalidateException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final ErrnoException error;
        private final int handled;

        InvalidateException(ErrnoException error, int handled) {
            super(error.getMessage() + " (" + handled + " entries handled)", error);
            this.error = error;
            this.handled = handled;
        }

        public ErrnoException error() {
            return error;
        }

        public int handled() {
            return handled;
        }
    }

    // ---- fault queue ----

    /** IOMMU_FAULT_QUEUE_ALLOC: flags must be 0 (EOPNOTSUPP); the new fault ID and its file. */
    public synchronized FaultAlloc faultQueueAlloc(FaultAlloc cmd) {
        String op = "IOMMU_FAULT_QUEUE_ALLOC";
        live(op);
        if (cmd.flags() != 0) {
            throw new ErrnoException(op, Errno.EOPNOTSUPP, "flags " + hex(cmd.flags()) + " must be 0");
        }
        int fd = nextFd++;
        FaultQueue q = add(new FaultQueue(allocId(), fd, this));
        faultFiles.put(fd, q);
        return new FaultAlloc(cmd.size(), cmd.flags(), q.id(), fd);
    }

    // ---- devices (kernel API for VFIO) ----

    /**
     * iommufd_device_bind: the function joins this iommufd with a new dev_id and its group's DMA
     * ownership is claimed (EPERM when a host driver holds a function of the group, or another
     * owner claimed it).
     */
    public synchronized IommufdDevice bind(String op, HostPciFunction fn) {
        live(op);
        IommuGroup g = fn.iommuGroup();
        if (!g.isViable()) {
            throw new ErrnoException(op, Errno.EPERM, "group " + g.id() + " of " + fn.address()
                    + " is not viable (a host driver holds one of its functions)");
        }
        Integer n = groupOwners.get(g);
        if (n == null && g.dmaOwner() != null) {
            throw new ErrnoException(op, Errno.EPERM, "group " + g.id() + "'s DMA is owned by " + g.dmaOwner());
        }
        groupOwners.put(g, n == null ? 1 : n + 1);
        g.setDmaOwner(this);
        return add(new IommufdDevice(allocId(), this, fn));
    }

    synchronized void unbind(IommufdDevice dev) {
        if (dev.unbound) {
            return;
        }
        for (Integer pasid : new ArrayList<>(dev.pasids.keySet())) {
            detach(dev, pasid);
        }
        detach(dev, IOMMU_NO_PASID);
        dev.unbound = true;
        objects.remove(dev.id());
        IommuGroup g = dev.function.iommuGroup();
        int n = groupOwners.get(g) - 1;
        if (n == 0) {
            groupOwners.remove(g);
            g.setDmaOwner(null);
        } else {
            groupOwners.put(g, n);
        }
        if (closed && objectsOfKind(IommufdDevice.class) == 0) {
            releaseAll();
        }
    }

    private int objectsOfKind(Class<?> k) {
        int n = 0;
        for (IommufdObject o : objects.values()) {
            if (k.isInstance(o)) {
                n++;
            }
        }
        return n;
    }

    /** The device's reserved regions as IOVA ranges (the IOMMU's, e.g. the x86 MSI window). */
    private List<IovaRange> deviceReserved() {
        List<IovaRange> out = new ArrayList<>();
        for (org.jvmm.pci.host.IovaRange r : hardware.reserved()) {
            out.add(new IovaRange(r.start(), r.end()));
        }
        return out;
    }

    /**
     * iommufd_device_attach / replace: the RID ({@code pasid} 0) or a PASID of {@code dev} to the
     * IOAS or HWPT {@code ptId}; an IOAS gets an automatic paging HWPT (an existing compatible one
     * is reused). Rules: a PASID past the device's width EINVAL (every PASID for a device without
     * PASID); ENOENT for an unknown ID; EINVAL for an object that is no IOAS or HWPT; a HWPT on a
     * PASID must be PASID-capable, and once PASIDs are attached so must the RID's (EINVAL both
     * ways, B-18); a VT-d stage-1 width other than 48 or 57, or unknown stage-1 flags, EINVAL;
     * reserved regions of the device meeting mapped IOVA EADDRINUSE. Replacing answers the old
     * HWPT's pending page requests of this attachment INVALID.
     */
    synchronized int attach(IommufdDevice dev, int pasid, int ptId) {
        String op = "VFIO_DEVICE_ATTACH_IOMMUFD_PT";
        live(op);
        if (dev.unbound) {
            throw new ErrnoException(op, Errno.EINVAL, "the device is not bound");
        }
        if (pasid != IOMMU_NO_PASID && (dev.maxPasidLog2() == 0 || Integer.compareUnsigned(pasid, 1 << dev.maxPasidLog2()) >= 0)) {
            throw new ErrnoException(op, Errno.EINVAL, "PASID " + Integer.toUnsignedString(pasid) + " is beyond the device's "
                    + dev.maxPasidLog2() + "-bit PASID width");
        }
        IommufdObject pt = objects.get(ptId);
        if (pt == null) {
            throw new ErrnoException(op, Errno.ENOENT, "no object with pt_id " + Integer.toUnsignedString(ptId));
        }
        boolean needPasid = pasid != IOMMU_NO_PASID || !dev.pasids.isEmpty();
        Hwpt target;
        PagingHwpt created = null;
        if (pt instanceof Ioas ioas) {
            Hwpt old = pasid == IOMMU_NO_PASID ? dev.rid : dev.pasids.get(pasid);
            PagingHwpt reuse = null;
            for (PagingHwpt d : ioas.domains()) {
                if (d.auto && (d.pasidCapable || !needPasid)) {
                    reuse = d;
                    break;
                }
            }
            if (reuse == null && old instanceof PagingHwpt op2 && op2.ioas == ioas && (op2.pasidCapable || !needPasid)) {
                reuse = op2;
            }
            if (reuse == null) {
                created = newPaging(op, ioas, false, needPasid, true, null);
                reuse = created;
            }
            target = reuse;
        } else if (pt instanceof Hwpt h) {
            target = h;
        } else {
            throw new ErrnoException(op, Errno.EINVAL, "pt_id " + ptId + " is a " + pt.kind() + ", not an IOAS or a HWPT");
        }
        try {
            if (pasid != IOMMU_NO_PASID) {
                if (!target.pasidCapable) {
                    throw new ErrnoException(op, Errno.EINVAL, target + " was not allocated with IOMMU_HWPT_ALLOC_PASID");
                }
                if (dev.rid != null && !dev.rid.pasidCapable) {
                    throw new ErrnoException(op, Errno.EINVAL, "the RID is attached to " + dev.rid + ", which is not PASID-capable");
                }
            } else if (!dev.pasids.isEmpty() && !target.pasidCapable) {
                throw new ErrnoException(op, Errno.EINVAL, target + " is not PASID-capable and PASIDs " + dev.pasids.keySet()
                        + " are attached");
            }
            if (target instanceof NestedHwpt n) {
                if (n.addrWidth != 48 && n.addrWidth != 57) {
                    throw new ErrnoException(op, Errno.EINVAL, target + ": stage-1 addr_width " + n.addrWidth + " is not 48 or 57");
                }
                if ((n.s1Flags & ~(long) (IOMMU_VTD_S1_SRE | IOMMU_VTD_S1_EAFE | IOMMU_VTD_S1_WPE)) != 0) {
                    throw new ErrnoException(op, Errno.EINVAL, target + ": stage-1 flags " + hex(n.s1Flags) + " unknown");
                }
            }
            Hwpt old = pasid == IOMMU_NO_PASID ? dev.rid : dev.pasids.get(pasid);
            if (old == target) {
                return target.id();
            }
            Ioas newIoas = ioasOf(target);
            if (old == null || ioasOf(old) != newIoas) {
                useIoas(op, dev, newIoas);
            }
            if (pasid == IOMMU_NO_PASID) {
                dev.rid = target;
                dev.function.iommuGroup().setDmaDomain(target);
            } else {
                dev.pasids.put(pasid, target);
                dev.function.pasids().set(pasid, target);
            }
            target.attachments++;
            if (old != null) {
                dropAttachment(dev, pasid, old, newIoas);
            }
            return target.id();
        } catch (ErrnoException e) {
            if (created != null) {
                remove(created);
            }
            throw e;
        }
    }

    private static Ioas ioasOf(Hwpt h) {
        return h instanceof PagingHwpt p ? p.ioas : ((NestedHwpt) h).parent.ioas;
    }

    private void useIoas(String op, IommufdDevice dev, Ioas ioas) {
        Integer n = dev.ioasUse.get(ioas);
        if (n == null) {
            ioas.addReserved(op, dev, deviceReserved());
        }
        dev.ioasUse.put(ioas, n == null ? 1 : n + 1);
    }

    private void releaseIoas(IommufdDevice dev, Ioas ioas) {
        int n = dev.ioasUse.get(ioas) - 1;
        if (n == 0) {
            dev.ioasUse.remove(ioas);
            ioas.removeReserved(dev);
        } else {
            dev.ioasUse.put(ioas, n);
        }
    }

    private void dropAttachment(IommufdDevice dev, int pasid, Hwpt old, Ioas keptIoas) {
        old.attachments--;
        if (old.fault != null) {
            old.fault.autoRespond(dev.id(), pasid, old);
        }
        Ioas oldIoas = ioasOf(old);
        if (oldIoas != keptIoas) {
            releaseIoas(dev, oldIoas);
        }
        if (old instanceof PagingHwpt p && p.auto && p.attachments == 0) {
            remove(p);
        }
    }

    synchronized void detach(IommufdDevice dev, int pasid) {
        Hwpt old = pasid == IOMMU_NO_PASID ? dev.rid : dev.pasids.get(pasid);
        if (old == null) {
            return;
        }
        if (pasid == IOMMU_NO_PASID) {
            dev.rid = null;
            dev.function.iommuGroup().setDmaDomain(null);
        } else {
            dev.pasids.remove(pasid);
            dev.function.pasids().set(pasid, null);
        }
        dropAttachment(dev, pasid, old, null);
    }

    // ---- close ----

    public synchronized boolean isClosed() {
        return closed;
    }

    /**
     * close(2): the table is freed (every mapping unmapped, locked memory given back) once no
     * device is bound; a VFIO device still bound keeps it alive until it unbinds, as its file
     * holds a reference in Linux. Closing twice throws.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            throw new IllegalStateException("iommufd closed twice");
        }
        closed = true;
        if (objectsOfKind(IommufdDevice.class) == 0) {
            releaseAll();
        }
    }

    private void releaseAll() {
        // children before parents: nested HWPTs, then paging HWPTs, then fault queues and IOASes
        for (Class<?> k : List.of(NestedHwpt.class, PagingHwpt.class, FaultQueue.class, Ioas.class)) {
            for (IommufdObject o : new ArrayList<>(objects.values())) {
                if (k.isInstance(o)) {
                    remove(o);
                }
            }
        }
    }

    // ---- the byte-level interface ----

    /**
     * ioctl(iommufd, request, arg): {@code arg} holds the struct, its first u32 the size user space
     * declared. ENOTTY for an unknown request; a size below the ioctl's minimum EINVAL; non-zero
     * bytes past the struct the kernel knows E2BIG. Output fields are written back into {@code arg}.
     */
    public int ioctl(int request, MemorySegment arg) {
        String op = name(request);
        if (op == null) {
            throw new ErrnoException("ioctl " + hex(request), Errno.ENOTTY, "not an iommufd ioctl");
        }
        long userSize = Integer.toUnsignedLong(arg.get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 0));
        if (userSize > arg.byteSize()) {
            throw new ErrnoException(op, Errno.EFAULT, "size " + userSize + " is past the argument buffer");
        }
        int[] sz = sizes(request);
        if (userSize < sz[0]) {
            throw new ErrnoException(op, Errno.EINVAL, "size " + userSize + " is below the minimum " + sz[0]);
        }
        for (long i = sz[1]; i < userSize; i++) {
            if (arg.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i) != 0) {
                throw new ErrnoException(op, Errno.E2BIG, "non-zero byte at offset " + i + " past the " + sz[1] + "-byte struct");
            }
        }
        MemorySegment cmd = MemorySegment.ofArray(new byte[sz[1]]);
        MemorySegment.copy(arg, 0, cmd, 0, Math.min(userSize, sz[1]));
        MemorySegment out = MemorySegment.ofArray(new byte[sz[1]]);
        switch (request) {
            case IOMMU_DESTROY -> {
                destroy(Destroy.decode(cmd));
                return 0;
            }
            case IOMMU_IOAS_ALLOC -> ioasAlloc(IoasAlloc.decode(cmd)).encode(out);
            case IOMMU_IOAS_MAP -> ioasMap(IoasMap.decode(cmd)).encode(out);
            case IOMMU_IOAS_UNMAP -> ioasUnmap(IoasUnmap.decode(cmd)).encode(out);
            case IOMMU_IOAS_COPY -> ioasCopy(IoasCopy.decode(cmd)).encode(out);
            case IOMMU_IOAS_IOVA_RANGES -> {
                IoasIovaRanges c = IoasIovaRanges.decode(cmd);
                if (c.reserved() != 0) {
                    throw new ErrnoException(op, Errno.EOPNOTSUPP, "__reserved must be 0");
                }
                IovaRanges r = ioasIovaRanges(c.ioasId());
                int have = c.numIovas();
                int total = r.ranges().size();
                int n = Integer.compareUnsigned(have, total) < 0 ? have : total; // filled as space permits
                if (n > 0) {
                    MemorySegment dst = user(op, c.allowedIovas(), (long) n * IovaRange.SIZE);
                    for (int i = 0; i < n; i++) {
                        r.ranges().get(i).encode(dst.asSlice((long) i * IovaRange.SIZE, IovaRange.SIZE));
                    }
                }
                new IoasIovaRanges(c.size(), c.ioasId(), r.ranges().size(), 0, c.allowedIovas(), r.alignment()).encode(out);
                MemorySegment.copy(out, 0, arg, 0, Math.min(userSize, sz[1]));
                if (Integer.compareUnsigned(have, r.ranges().size()) < 0) {
                    throw new ErrnoException(op, Errno.EMSGSIZE, "num_iovas " + have + " is below the " + r.ranges().size()
                            + " ranges (num_iovas now says so)");
                }
                return 0;
            }
            case IOMMU_IOAS_ALLOW_IOVAS -> {
                IoasAllowIovas c = IoasAllowIovas.decode(cmd);
                if (c.reserved() != 0) {
                    throw new ErrnoException(op, Errno.EOPNOTSUPP, "__reserved must be 0");
                }
                List<IovaRange> ranges = new ArrayList<>();
                if (c.numIovas() != 0) {
                    MemorySegment src = user(op, c.allowedIovas(), Integer.toUnsignedLong(c.numIovas()) * IovaRange.SIZE);
                    for (int i = 0; i < c.numIovas(); i++) {
                        ranges.add(IovaRange.decode(src.asSlice((long) i * IovaRange.SIZE, IovaRange.SIZE)));
                    }
                }
                ioasAllowIovas(c.ioasId(), ranges);
                return 0;
            }
            case IOMMU_HWPT_ALLOC -> {
                HwptAlloc c = HwptAlloc.decode(cmd);
                MemorySegment data = c.dataLen() == 0 ? null : user(op, c.dataUptr(), Integer.toUnsignedLong(c.dataLen()));
                hwptAlloc(c, data).encode(out);
            }
            case IOMMU_GET_HW_INFO -> {
                HwInfo c = HwInfo.decode(cmd);
                MemorySegment data = c.dataLen() == 0 ? null : user(op, c.dataUptr(), Integer.toUnsignedLong(c.dataLen()));
                getHwInfo(c, data).encode(out);
            }
            case IOMMU_HWPT_INVALIDATE -> {
                HwptInvalidate c = HwptInvalidate.decode(cmd);
                long len = Integer.toUnsignedLong(c.entryNum()) * Integer.toUnsignedLong(c.entryLen());
                MemorySegment entries = c.entryNum() == 0 || c.dataUptr() == 0 ? null : user(op, c.dataUptr(), len);
                try {
                    hwptInvalidate(c, entries).encode(out);
                } catch (InvalidateException e) {
                    c.withEntryNum(e.handled()).encode(out);
                    MemorySegment.copy(out, 0, arg, 0, Math.min(userSize, sz[1]));
                    throw e.error();
                }
            }
            case IOMMU_FAULT_QUEUE_ALLOC -> faultQueueAlloc(FaultAlloc.decode(cmd)).encode(out);
            default -> throw new ErrnoException(op, Errno.ENOTTY, "not modelled");
        }
        MemorySegment.copy(out, 0, arg, 0, Math.min(userSize, sz[1]));
        return 0;
    }

    private MemorySegment user(String op, long uptr, long len) {
        return memory.resolve(op, new HostAddress(uptr), len);
    }

    /** The ioctl's name, or null for a request iommufd does not know. */
    static String name(int request) {
        return switch (request) {
            case IOMMU_DESTROY -> "IOMMU_DESTROY";
            case IOMMU_IOAS_ALLOC -> "IOMMU_IOAS_ALLOC";
            case IOMMU_IOAS_ALLOW_IOVAS -> "IOMMU_IOAS_ALLOW_IOVAS";
            case IOMMU_IOAS_COPY -> "IOMMU_IOAS_COPY";
            case IOMMU_IOAS_IOVA_RANGES -> "IOMMU_IOAS_IOVA_RANGES";
            case IOMMU_IOAS_MAP -> "IOMMU_IOAS_MAP";
            case IOMMU_IOAS_UNMAP -> "IOMMU_IOAS_UNMAP";
            case IOMMU_HWPT_ALLOC -> "IOMMU_HWPT_ALLOC";
            case IOMMU_GET_HW_INFO -> "IOMMU_GET_HW_INFO";
            case IOMMU_HWPT_INVALIDATE -> "IOMMU_HWPT_INVALIDATE";
            case IOMMU_FAULT_QUEUE_ALLOC -> "IOMMU_FAULT_QUEUE_ALLOC";
            default -> null;
        };
    }

    /** {minimum size (offsetofend of the first release's last field), size the kernel knows}. */
    static int[] sizes(int request) {
        return switch (request) {
            case IOMMU_DESTROY -> new int[] {8, Destroy.SIZE};
            case IOMMU_IOAS_ALLOC -> new int[] {12, IoasAlloc.SIZE};
            case IOMMU_IOAS_ALLOW_IOVAS -> new int[] {24, IoasAllowIovas.SIZE};
            case IOMMU_IOAS_COPY -> new int[] {40, IoasCopy.SIZE};
            case IOMMU_IOAS_IOVA_RANGES -> new int[] {32, IoasIovaRanges.SIZE};
            case IOMMU_IOAS_MAP -> new int[] {40, IoasMap.SIZE};
            case IOMMU_IOAS_UNMAP -> new int[] {24, IoasUnmap.SIZE};
            case IOMMU_HWPT_ALLOC -> new int[] {40, HwptAlloc.SIZE};
            case IOMMU_GET_HW_INFO -> new int[] {32, HwInfo.SIZE};
            case IOMMU_HWPT_INVALIDATE -> new int[] {32, HwptInvalidate.SIZE};
            case IOMMU_FAULT_QUEUE_ALLOC -> new int[] {16, FaultAlloc.SIZE};
            default -> throw new IllegalArgumentException("request " + hex(request));
        };
    }
}
