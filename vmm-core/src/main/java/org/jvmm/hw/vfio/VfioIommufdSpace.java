package org.jvmm.hw.vfio;

import org.jvmm.iommufd.Iommufd;
import org.jvmm.iommufd.IommufdStructs.IoasUnmap;
import org.jvmm.memory.AddressSpace;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.vfio.Vfio;
import org.jvmm.vfio.VfioContainer;
import org.jvmm.vfio.VfioDevice;

/**
 * The guest DMA address space over an iommufd backend (QEMU's {@code -object iommufd,id=ID} with
 * {@code -device vfio-pci,host=..,iommufd=ID}; hw/vfio/iommufd.c): the object opens /dev/iommu;
 * the first device allocates one IOAS and registers the {@link VfioIommufdListener}, whose replay
 * maps all guest RAM into it; each device opens its VFIO cdev, binds it to the iommufd and
 * attaches its RID to the IOAS (the kernel makes the HWPT). There is no container: {@link
 * #container()} is null.
 *
 * <p>Owns the iommufd and the listener. {@link #close()} removes the listener (every mapping is
 * unmapped), destroys the IOAS and closes /dev/iommu; devices must be closed first.
 */
public final class VfioIommufdSpace implements VfioSpace, AutoCloseable {
    private final String id;
    private final HostPciPlatform platform;
    private final AddressSpace memory;
    private final Iommufd iommufd;
    private int ioas;
    private VfioIommufdListener listener;
    private boolean closed;

    /** {@code -object iommufd,id=ID}: opens /dev/iommu on the host. */
    public VfioIommufdSpace(String id, HostPciPlatform platform, AddressSpace memory) {
        this.id = id;
        this.platform = platform;
        this.memory = memory;
        this.iommufd = Iommufd.open(platform);
    }

    public String id() {
        return id;
    }

    /**
     * Opens the device at {@code host} through its cdev, binds it to the iommufd and attaches it to
     * the IOAS (allocated, with guest RAM mapped, on the first device). A failure leaves the space
     * as it was.
     */
    @Override
    public synchronized VfioDevice openDevice(PciAddress host) {
        if (closed) {
            throw new IllegalStateException("iommufd " + id + " closed");
        }
        boolean first = listener == null;
        if (first) {
            ioas = iommufd.ioasAlloc();
        }
        VfioDevice d = VfioDevice.openCdev(Vfio.of(platform), host);
        try {
            d.bindIommufd(iommufd);
            d.attachIommufdPt(ioas);
        } catch (RuntimeException e) {
            d.close();
            if (first) {
                iommufd.destroy(ioas);
            }
            throw e;
        }
        if (first) {
            // attach first: the device's reserved regions and the 4 KiB alignment are then in force for the replay
            listener = new VfioIommufdListener(iommufd, ioas);
            memory.addListener(listener);
        }
        return d;
    }

    /** No VFIO container: the device is used through iommufd. */
    @Override
    public VfioContainer container() {
        return null;
    }

    @Override
    public HostPciPlatform platform() {
        return platform;
    }

    public Iommufd iommufd() {
        return iommufd;
    }

    /** The IOAS guest RAM is mapped in, or 0 before the first device. */
    public synchronized int ioasId() {
        return ioas;
    }

    /** The listener keeping the IOAS in step with guest RAM, or null before the first device. */
    public synchronized VfioIommufdListener listener() {
        return listener;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            throw new IllegalStateException("iommufd " + id + " closed twice");
        }
        closed = true;
        if (listener != null) {
            memory.removeListener(listener);
            iommufd.ioasUnmap(IoasUnmap.of(ioas, 0, -1L));
            iommufd.destroy(ioas);
            listener = null;
        }
        iommufd.close();
    }
}
