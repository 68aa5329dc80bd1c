package org.jvmm.vfio;

import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.util.ArrayList;
import java.util.List;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.pci.host.IommuGroup;
import org.jvmm.iommu.IommuFault;
import org.jvmm.vfio.iommu.DmaMap;
import org.jvmm.vfio.iommu.DmaUnmap;
import org.jvmm.vfio.iommu.IommuBackend;
import org.jvmm.vfio.iommu.IommuDriver;
import org.jvmm.vfio.iommu.IommuInfo;
import org.jvmm.vfio.trace.VfioTrace;
import org.jvmm.vfio.iommu.EehPeOp;
import org.jvmm.vfio.iommu.SpaprRegisterMemory;
import org.jvmm.vfio.iommu.SpaprTceCreate;
import org.jvmm.vfio.iommu.SpaprTceIommu;
import org.jvmm.vfio.iommu.SpaprTceRemove;
import org.jvmm.address.Iova;

/**
 * A VFIO container: what opening /dev/vfio/vfio gives (Linux drivers/vfio/container.c). On its
 * own it answers only GET_API_VERSION and CHECK_EXTENSION; a group must be added
 * ({@link VfioGroup#setContainer}) before SET_IOMMU, and the IOMMU ioctls pass through to the
 * backend after it. Every IOMMU ioctl before SET_IOMMU is EINVAL.
 *
 * <p>When the last group leaves, the backend is released (every mapping unmapped, every locked
 * page given back) and the container returns to its unset state. Closing the container fd while
 * groups still hold it keeps their IOMMU context (mappings, device DMA) alive until they leave, as
 * in Linux; the closed container answers every call with EBADF.
 *
 * <p>Thread rules: group attach/detach and SET_IOMMU hold the platform lock then this container's
 * monitor; MAP/UNMAP/GET_INFO hold this monitor. Device DMA takes neither.
 */
public final class VfioContainer implements AutoCloseable {
    private final Vfio vfio;
    private final HostPciPlatform platform;
    private final List<VfioGroup> groups = new ArrayList<>();
    private IommuDriver driver;
    private IommuBackend backend;
    private boolean closed;

    private VfioContainer(Vfio vfio) {
        this.vfio = vfio;
        this.platform = vfio.platform();
    }

    /** open("/dev/vfio/vfio", O_RDWR) on the host's VFIO core. */
    public static VfioContainer open(Vfio vfio) {
        return new VfioContainer(vfio);
    }

    /** open("/dev/vfio/vfio", O_RDWR): ENOENT when VFIO is not loaded on {@code platform}. */
    public static VfioContainer open(HostPciPlatform platform) {
        return new VfioContainer(Vfio.of(platform));
    }

    public HostPciPlatform platform() {
        return platform;
    }

    /** VFIO_GET_API_VERSION: VFIO_API_VERSION (0). */
    public synchronized int getApiVersion() {
        ensureOpen("VFIO_GET_API_VERSION");
        return VFIO_API_VERSION;
    }

    /**
     * VFIO_CHECK_EXTENSION: with a backend, its answer; without, the first positive answer of the
     * registered IOMMU drivers (0 when none supports it).
     */
    public synchronized int checkExtension(long extension) {
        ensureOpen("VFIO_CHECK_EXTENSION");
        if (backend != null) {
            return backend.checkExtension(extension);
        }
        int ret = 0;
        for (IommuDriver d : vfio.iommuDrivers()) {
            ret = d.checkExtension(extension);
            if (ret > 0) {
                break;
            }
        }
        return ret;
    }

    /**
     * VFIO_SET_IOMMU: EINVAL without a group or with a backend already set; ENODEV when no loaded
     * driver serves {@code type}; otherwise the first driver that opens and accepts every group.
     */
    public void setIommu(long type) {
        String op = "VFIO_SET_IOMMU";
        synchronized (platform.lock()) {
            synchronized (this) {
                ensureOpen(op);
                if (groups.isEmpty()) {
                    throw new ErrnoException(op, Errno.EINVAL, "type=" + type + ": no group in the container");
                }
                if (backend != null) {
                    throw new ErrnoException(op, Errno.EINVAL, "type=" + type + ": IOMMU already set (type "
                            + backend.type() + ")");
                }
                ErrnoException last = new ErrnoException(op, Errno.ENODEV, "type=" + type + ": no IOMMU driver supports it");
                for (IommuDriver d : vfio.iommuDrivers()) {
                    if (d.checkExtension(type) <= 0) {
                        continue;
                    }
                    IommuBackend b;
                    try {
                        b = d.open(type, vfio.iommuHost());
                    } catch (ErrnoException e) {
                        last = e;
                        continue;
                    }
                    List<IommuGroup> attached = new ArrayList<>();
                    try {
                        for (VfioGroup g : groups) {
                            b.attachGroup(g.iommuGroup());
                            attached.add(g.iommuGroup());
                        }
                    } catch (ErrnoException e) {
                        b.release();
                        last = e;
                        continue;
                    }
                    driver = d;
                    backend = b;
                    return;
                }
                throw last;
            }
        }
    }

    /** VFIO_IOMMU_GET_INFO with the user's argsz. */
    public synchronized IommuInfo iommuGetInfo(int argsz) {
        return requireBackend("VFIO_IOMMU_GET_INFO").getInfo(argsz);
    }

    /** VFIO_IOMMU_MAP_DMA. */
    public synchronized void mapDma(DmaMap map) {
        VfioTrace.MapDma ev = org.jvmm.host.trace.Jfr.started() ? new VfioTrace.MapDma() : null;
        if (ev != null) {
            ev.begin();
        }
        int errno = 0;
        try {
            requireBackend("VFIO_IOMMU_MAP_DMA", map).mapDma(map);
        } catch (ErrnoException e) {
            errno = e.errnoNumber();
            throw e;
        } finally {
            org.jvmm.host.trace.TraceHook hook = org.jvmm.host.trace.TraceHook.installed();
            if (hook != null) {
                hook.dma(true, map.iova().value(), map.size(), errno);
            }
            if (ev != null && ev.shouldCommit()) {
                ev.errno = errno;
                ev.iova = map.iova().value();
                ev.size = map.size();
                ev.vaddr = map.vaddr().value();
                ev.flags = map.flags();
                ev.commit();
            }
        }
    }

    /** VFIO_IOMMU_UNMAP_DMA: returns the request with size = bytes unmapped. */
    public synchronized DmaUnmap unmapDma(DmaUnmap unmap) {
        VfioTrace.UnmapDma ev = org.jvmm.host.trace.Jfr.started() ? new VfioTrace.UnmapDma() : null;
        if (ev != null) {
            ev.begin();
        }
        int errno = 0;
        long unmapped = 0;
        try {
            DmaUnmap done = requireBackend("VFIO_IOMMU_UNMAP_DMA", unmap).unmapDma(unmap);
            unmapped = done.size();
            return done;
        } catch (ErrnoException e) {
            errno = e.errnoNumber();
            throw e;
        } finally {
            org.jvmm.host.trace.TraceHook hook = org.jvmm.host.trace.TraceHook.installed();
            if (hook != null) {
                hook.dma(false, unmap.iova().value(), errno == 0 ? unmapped : unmap.size(), errno);
            }
            if (ev != null && ev.shouldCommit()) {
                ev.errno = errno;
                ev.unmapped = unmapped;
                ev.iova = unmap.iova().value();
                ev.size = unmap.size();
                ev.flags = unmap.flags();
                ev.commit();
            }
        }
    }

    // ---- sPAPR TCE ioctls (ENOTTY on another backend, EINVAL before SET_IOMMU) ----

    /** VFIO_IOMMU_ENABLE. */
    public synchronized void iommuEnable() {
        requireSpapr("VFIO_IOMMU_ENABLE", null).enable();
    }

    /** VFIO_IOMMU_DISABLE. */
    public synchronized void iommuDisable() {
        requireSpapr("VFIO_IOMMU_DISABLE", null).disableIoctl();
    }

    /** VFIO_IOMMU_SPAPR_REGISTER_MEMORY. */
    public synchronized void spaprRegisterMemory(SpaprRegisterMemory req) {
        requireSpapr("VFIO_IOMMU_SPAPR_REGISTER_MEMORY", req).registerMemory(req);
    }

    /** VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY. */
    public synchronized void spaprUnregisterMemory(SpaprRegisterMemory req) {
        requireSpapr("VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY", req).unregisterMemory(req);
    }

    /** VFIO_IOMMU_SPAPR_TCE_CREATE: the new window's bus start (start_addr). */
    public synchronized Iova spaprTceCreate(SpaprTceCreate req) {
        return requireSpapr("VFIO_IOMMU_SPAPR_TCE_CREATE", req).createWindow(req);
    }

    /** VFIO_IOMMU_SPAPR_TCE_REMOVE. */
    public synchronized void spaprTceRemove(SpaprTceRemove req) {
        requireSpapr("VFIO_IOMMU_SPAPR_TCE_REMOVE", req).removeWindow(req);
    }

    /** VFIO_EEH_PE_OP: the ioctl's result (the PE state for GET_STATE, otherwise 0). */
    public synchronized int eehPeOp(EehPeOp req) {
        return requireSpapr("VFIO_EEH_PE_OP", req).eehPeOp(req);
    }

    private SpaprTceIommu requireSpapr(String op, Object args) {
        IommuBackend b = requireBackend(op, args);
        if (!(b instanceof SpaprTceIommu s)) {
            throw new ErrnoException(op, Errno.ENOTTY, (args == null ? "" : args + ": ") + "not an ioctl of IOMMU type " + b.type());
        }
        return s;
    }

    /** The backend after SET_IOMMU (for backend-specific calls such as mdev pin_pages), or null. */
    public synchronized IommuBackend backend() {
        return backend;
    }

    /** The IOMMU driver that serves the backend, or null. */
    public synchronized IommuDriver driver() {
        return driver;
    }

    /** IOMMU faults of devices in this container's groups, oldest first. */
    public synchronized List<IommuFault> faults() {
        List<IommuFault> out = new ArrayList<>();
        for (IommuFault f : platform.faults().faults()) {
            for (VfioGroup g : groups) {
                if (g.iommuGroup().functions().stream().anyMatch(fn -> fn.address().equals(f.device()))) {
                    out.add(f);
                }
            }
        }
        return out;
    }

    public synchronized int groupCount() {
        return groups.size();
    }

    private IommuBackend requireBackend(String op) {
        return requireBackend(op, null);
    }

    private IommuBackend requireBackend(String op, Object args) {
        ensureOpen(op);
        if (backend == null) {
            throw new ErrnoException(op, Errno.EINVAL, (args == null ? "" : args + ": ") + "no IOMMU set on the container");
        }
        return backend;
    }

    // ---- called by VfioGroup, platform lock held ----

    void attach(VfioGroup group) {
        String op = "VFIO_GROUP_SET_CONTAINER";
        synchronized (this) {
            if (closed) {
                throw new ErrnoException(op, Errno.EBADF, "container fd is closed");
            }
            if (backend != null) {
                backend.attachGroup(group.iommuGroup());
            }
            groups.add(group);
        }
    }

    void detach(VfioGroup group) {
        synchronized (this) {
            if (!groups.remove(group)) {
                throw new IllegalStateException("group " + group.id() + " is not in this container");
            }
            if (backend != null) {
                backend.detachGroup(group.iommuGroup());
                if (groups.isEmpty()) {
                    backend.release();
                    backend = null;
                    driver = null;
                }
            }
        }
    }

    synchronized boolean hasBackend() {
        return backend != null;
    }

    private void ensureOpen(String op) {
        if (closed) {
            throw new ErrnoException(op, Errno.EBADF, "container fd is closed");
        }
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    /** close(2) of the container fd; closing twice throws. */
    @Override
    public synchronized void close() {
        if (closed) {
            throw new IllegalStateException("VFIO container closed twice");
        }
        closed = true;
    }

    @Override
    public synchronized String toString() {
        return "VfioContainer[groups=" + groups.stream().map(VfioGroup::id).toList() + ", backend=" + backend + "]";
    }
}
