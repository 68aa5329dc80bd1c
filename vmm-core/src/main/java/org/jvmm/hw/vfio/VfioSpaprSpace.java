package org.jvmm.hw.vfio;

import static org.jvmm.vfio.uapi.VfioUapi.*;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jvmm.address.GuestAddress;
import org.jvmm.address.HostAddress;
import org.jvmm.address.Iova;
import org.jvmm.host.ErrnoException;
import org.jvmm.hw.spapr.SpaprPhb;
import org.jvmm.hw.spapr.SpaprTceTable;
import org.jvmm.kvm.KvmVfioDevice;
import org.jvmm.kvm.spapr.KvmSpaprTceTable;
import org.jvmm.kvm.spapr.SpaprVm;
import org.jvmm.memory.AddressSpace;
import org.jvmm.memory.FlatRange;
import org.jvmm.memory.IommuEvent;
import org.jvmm.memory.IommuRegion;
import org.jvmm.memory.MemoryListener;
import org.jvmm.memory.MemoryRegionSection;
import org.jvmm.memory.RamRegion;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.vfio.VfioContainer;
import org.jvmm.vfio.VfioDevice;
import org.jvmm.vfio.VfioGroup;
import org.jvmm.iommu.AccessKind;
import org.jvmm.iommu.IommuPermission;
import org.jvmm.vfio.iommu.DmaMap;
import org.jvmm.vfio.iommu.DmaUnmap;
import org.jvmm.vfio.iommu.SpaprRegisterMemory;
import org.jvmm.vfio.iommu.SpaprTceCreate;
import org.jvmm.vfio.iommu.SpaprTceInfo;
import org.jvmm.vfio.iommu.SpaprTceRemove;

/**
 * A sPAPR TCE v2 container for one guest PHB, as QEMU's hw/vfio/spapr.c drives it:
 * <ul>
 * <li>the first group joins, SET_IOMMU(v2), and the host's default window is removed (the guest's
 *     windows decide);</li>
 * <li>a pre-registration listener on guest memory: each RAM section is REGISTER_MEMORY'd on
 *     region_add and unregistered on region_del;</li>
 * <li>a window listener on the PHB's DMA address space: an IOMMU region appearing is a guest
 *     window, so a host window of the same page size and size is created (TCE_CREATE, which must
 *     land at the same bus address), an IOMMU notifier is registered over it (MAP -&gt; MAP_DMA of
 *     the page's host address, UNMAP -&gt; UNMAP_DMA) and replayed; its removal unregisters the
 *     notifier and removes the host window;</li>
 * <li>when an sPAPR VM is given, each group is added to the KVM-VFIO device and every window's KVM
 *     table is linked to the host window (mainline SET_SPAPR_TCE, or the per-window LIOBN link's
 *     SET_SPAPR_TCE_LIOBN), so H_PUT_TCE on it never leaves the accelerator.</li>
 * </ul>
 * Failures cannot be thrown into the memory core; they are recorded ({@link #errors()}).
 *
 * <p>Owns the container, the groups, the listeners and the KVM-VFIO device. Used under the
 * machine's control; listener callbacks run under the topology lock.
 */
public final class VfioSpaprSpace implements VfioSpace, AutoCloseable {

    /** How windows are linked to KVM. */
    public enum KvmLink {
        /** KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE {groupfd, tablefd} (mainline). */
        MAINLINE,
        /** The per-window LIOBN link: KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE_LIOBN {argsz, fd, liobn, start_addr}, proposed and never merged (seed 000), once per window. */
        SEED_LIOBN
    }

    private final HostPciPlatform platform;
    private final AddressSpace systemMemory;
    private final SpaprPhb phb;
    private final SpaprVm kvmVm;
    private final KvmLink linkStyle;
    private final VfioContainer container;
    private final Map<Integer, VfioGroup> groups = new LinkedHashMap<>();
    private final Map<Integer, Integer> groupFds = new HashMap<>();
    private final List<String> errors = new ArrayList<>();
    private final Map<IommuRegion, IommuRegion.Registration> notifiers = new HashMap<>();
    private KvmVfioDevice kvmVfio;
    private PreregListener prereg;
    private WindowListener windows;
    private long maps;
    private long unmaps;
    private boolean closed;

    /**
     * @param kvmVm the sPAPR VM whose TCE tables to link, or null for none (every H_PUT_TCE then
     *        reaches the VMM)
     */
    public VfioSpaprSpace(HostPciPlatform platform, AddressSpace systemMemory, SpaprPhb phb, SpaprVm kvmVm, KvmLink linkStyle) {
        this.platform = platform;
        this.systemMemory = systemMemory;
        this.phb = phb;
        this.kvmVm = kvmVm;
        this.linkStyle = linkStyle;
        this.container = VfioContainer.open(platform);
    }

    @Override
    public synchronized VfioDevice openDevice(PciAddress host) {
        if (closed) {
            throw new IllegalStateException("vfio sPAPR space closed");
        }
        int n = platform.iommuGroupOf(host);
        VfioGroup g = groups.get(n);
        boolean fresh = g == null;
        if (fresh) {
            g = VfioGroup.open(platform, n);
            try {
                g.setContainer(container);
                if (groups.isEmpty()) {
                    container.setIommu(VFIO_SPAPR_TCE_v2_IOMMU);
                    SpaprTceInfo info = (SpaprTceInfo) container.iommuGetInfo(SpaprTceInfo.DDW_SIZE);
                    container.spaprTceRemove(SpaprTceRemove.of(new Iova(info.dma32WindowStart())));
                }
            } catch (RuntimeException e) {
                g.close();
                throw e;
            }
            groups.put(n, g);
            if (kvmVm != null) {
                int fd = kvmVm.installVfioGroupFd(g);
                groupFds.put(n, fd);
                if (kvmVfio == null) {
                    kvmVfio = kvmVm.createVfioDevice();
                }
                kvmVfio.addFile(fd);
            }
            if (prereg == null) {
                prereg = new PreregListener();
                systemMemory.addListener(prereg);
                windows = new WindowListener();
                phb.dmaAddressSpace().addListener(windows);
            } else {
                linkAll(n); // a later group: link the windows that exist
            }
        }
        return g.getDeviceFd(host.toString());
    }

    @Override
    public VfioContainer container() {
        return container;
    }

    @Override
    public HostPciPlatform platform() {
        return platform;
    }

    public SpaprPhb phb() {
        return phb;
    }

    /** The soft fd of group {@code n} (for the KVM-VFIO device), or -1. */
    public synchronized int groupFd(int n) {
        return groupFds.getOrDefault(n, -1);
    }

    public synchronized List<VfioGroup> groups() {
        return List.copyOf(groups.values());
    }

    public synchronized List<String> errors() {
        return List.copyOf(errors);
    }

    /** MAP_DMA / UNMAP_DMA calls the IOMMU notifier made (the exit path's work). */
    public synchronized long notifierMaps() {
        return maps;
    }

    public synchronized long notifierUnmaps() {
        return unmaps;
    }

    private synchronized void error(ErrnoException e) {
        errors.add(e.getMessage());
    }

    // ---- pre-registration (vfio_prereg_listener) ----

    private final class PreregListener implements MemoryListener {
        @Override
        public int priority() {
            return 10;
        }

        @Override
        public void regionAdd(MemoryRegionSection s) {
            if (!s.isRam() || !((RamRegion) s.region()).ownsMemory()) {
                return;
            }
            try {
                container.spaprRegisterMemory(SpaprRegisterMemory.of(s.hostAddress(), s.size() & -4096L));
            } catch (ErrnoException e) {
                error(e);
            }
        }

        @Override
        public void regionDel(MemoryRegionSection s) {
            if (!s.isRam() || !((RamRegion) s.region()).ownsMemory()) {
                return;
            }
            try {
                container.spaprUnregisterMemory(SpaprRegisterMemory.of(s.hostAddress(), s.size() & -4096L));
            } catch (ErrnoException e) {
                error(e);
            }
        }
    }

    // ---- windows (vfio_listener_region_add for IOMMU regions, vfio_spapr_create_window) ----

    private final class WindowListener implements MemoryListener {
        @Override
        public int priority() {
            return 10;
        }

        @Override
        public void regionAdd(MemoryRegionSection s) {
            if (!(s.region() instanceof IommuRegion r) || !(r.translator() instanceof SpaprTceTable t)) {
                return;
            }
            long start = s.offsetWithinAddressSpace().value();
            try {
                Iova got = container.spaprTceCreate(SpaprTceCreate.of(t.pageShift(), t.nbTable() << t.pageShift(), 1));
                if (got.value() != start) {
                    container.spaprTceRemove(SpaprTceRemove.of(got));
                    errors.add("host window for LIOBN 0x" + Long.toHexString(t.liobn()) + " came at " + got + ", not 0x"
                            + Long.toHexString(start));
                    return;
                }
            } catch (ErrnoException e) {
                error(e);
                return;
            }
            long offset = start - s.offsetWithinRegion();
            IommuRegion.Registration reg = r.addNotifier(EnumSet.allOf(IommuEvent.Type.class), new Iova(0),
                    new Iova(r.size() - 1), ev -> iommuNotify(offset, ev));
            synchronized (VfioSpaprSpace.this) {
                notifiers.put(r, reg);
            }
            r.replay(ev -> iommuNotify(offset, ev));
            for (int n : groups.keySet()) {
                link(n, t, start);
            }
        }

        @Override
        public void regionDel(MemoryRegionSection s) {
            if (!(s.region() instanceof IommuRegion r) || !(r.translator() instanceof SpaprTceTable)) {
                return;
            }
            IommuRegion.Registration reg;
            synchronized (VfioSpaprSpace.this) {
                reg = notifiers.remove(r);
            }
            if (reg != null) {
                reg.close();
            }
            try {
                container.spaprTceRemove(SpaprTceRemove.of(new Iova(s.offsetWithinAddressSpace().value())));
            } catch (ErrnoException e) {
                error(e);
            }
        }
    }

    private void linkAll(int groupNumber) {
        for (SpaprTceTable t : phb.tables()) {
            if (t.enabled()) {
                link(groupNumber, t, t.busOffset());
            }
        }
    }

    private void link(int groupNumber, SpaprTceTable t, long start) {
        KvmSpaprTceTable k = t.kvmTable();
        if (kvmVfio == null || k == null) {
            return;
        }
        try {
            if (linkStyle == KvmLink.MAINLINE) {
                kvmVfio.setSpaprTce(groupFds.get(groupNumber), k.fd());
            } else {
                kvmVfio.setSpaprTceLiobn(KvmVfioDevice.SPAPR_TCE_LIOBN_SIZE, groupFds.get(groupNumber), t.liobn(), start);
            }
        } catch (ErrnoException e) {
            error(e);
        }
    }

    /** vfio_iommu_map_notify: a guest TCE changed. */
    private void iommuNotify(long windowOffset, IommuEvent ev) {
        long iova = windowOffset + ev.entry().iova().value();
        long size = ev.entry().pageSize();
        try {
            if (ev.type() == IommuEvent.Type.MAP) {
                HostAddress vaddr = ramAddress(ev.entry().translated(), size);
                if (vaddr == null) {
                    errors.add("TCE for iova 0x" + Long.toHexString(iova) + " points at " + ev.entry().translated()
                            + ", which is not guest RAM");
                    return;
                }
                IommuPermission p = ev.entry().perm();
                int flags = (p.allows(AccessKind.READ) ? VFIO_DMA_MAP_FLAG_READ : 0)
                        | (p.allows(AccessKind.WRITE) ? VFIO_DMA_MAP_FLAG_WRITE : 0);
                container.mapDma(new DmaMap(flags, vaddr, new Iova(iova), size));
                synchronized (this) {
                    maps++;
                }
            } else {
                container.unmapDma(new DmaUnmap(0, new Iova(iova), size));
                synchronized (this) {
                    unmaps++;
                }
            }
        } catch (ErrnoException e) {
            error(e);
        }
    }

    /** vfio_get_xlat_addr: the host address of guest RAM [gpa, gpa + size), or null. */
    private HostAddress ramAddress(GuestAddress gpa, long size) {
        FlatRange r = systemMemory.flatView().lookup(gpa.value());
        if (r == null || !(r.region() instanceof RamRegion ram) || Long.compareUnsigned(size, r.end() - gpa.value()) > 0) {
            return null;
        }
        return ram.hostAddress().plus(r.offsetInRegion() + (gpa.value() - r.start()));
    }

    @Override
    public synchronized void close() {
        if (closed) {
            throw new IllegalStateException("vfio sPAPR space closed twice");
        }
        closed = true;
        if (windows != null) {
            phb.dmaAddressSpace().removeListener(windows);
            systemMemory.removeListener(prereg);
        }
        if (kvmVfio != null) {
            kvmVfio.close();
        }
        for (Map.Entry<Integer, VfioGroup> e : groups.entrySet()) {
            if (groupFds.containsKey(e.getKey())) {
                kvmVm.closeVfioGroupFd(groupFds.get(e.getKey()));
            }
            e.getValue().close();
        }
        groups.clear();
        container.close();
    }
}
