package org.jvmm.cli;

import static org.jvmm.vfio.uapi.VfioUapi.VFIO_TYPE1v2_IOMMU;

import java.io.IOException;
import org.jvmm.devices.edu.EduDevice;
import org.jvmm.devices.ivshmem.IvshmemPlainDevice;
import org.jvmm.devices.msixdoorbell.MsixDoorbellDevice;
import org.jvmm.host.kernel.HostKernel;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.host.memory.LockedMemoryAccount;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.PciDeviceModel;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.vfio.VfioContainer;
import org.jvmm.vfio.VfioDevice;
import org.jvmm.vfio.VfioGroup;
import org.jvmm.vfiouser.VfioUserDmaModel;
import org.jvmm.vfiouser.VfioUserServer;
import org.jvmm.vfiouser.VfioUserSocket;

/**
 * One host device of this process made ready for vfio-user: the model (edu, edu in PASID mode,
 * the MSI-X doorbell device, or ivshmem with its shared memory in a memfd) wrapped for message
 * DMA, on a simulated host bound to vfio-pci, its group in a TYPE1v2 container, the device opened. {@link #serve} serves
 * one client on a connection until it goes, then resets the device and releases what the client
 * held, as libvfio-user does when a connection is lost, so the next client finds it as new.
 */
public final class VfioUserHostDevice implements AutoCloseable {
    /** Where the function sits on the simulated host. */
    public static final PciAddress ADDRESS = PciAddress.parse("0000:00:03.0");
    /** The VFIO region index of ivshmem's shared memory (BAR2). */
    public static final int IVSHMEM_SHARED_REGION = 2;
    /** The capabilities this server offers at VERSION. */
    public static final int MAX_MSG_FDS = 64;
    public static final long MAX_DATA_XFER_SIZE = 1L << 20;

    /** The models this can serve, by the name {@code serve-device} takes. */
    public enum Model {
        EDU("edu"), EDU_PASID("edu-pasid"), IVSHMEM("ivshmem"), MSIX_DOORBELL("msix-doorbell");

        private final String spelling;

        Model(String spelling) {
            this.spelling = spelling;
        }

        public String spelling() {
            return spelling;
        }

        /** The model of this name, or null. */
        public static Model of(String name) {
            for (Model m : values()) {
                if (m.spelling.equals(name)) {
                    return m;
                }
            }
            return null;
        }
    }

    private final Model model;
    private final HostMemoryRegistry memory = new HostMemoryRegistry();
    private final HostMapping shared;
    private final VfioUserDmaModel wrapped;
    private final VfioContainer container;
    private final VfioGroup group;
    private final VfioDevice device;

    /**
     * @param sharedMemorySize ivshmem's shared memory (a power of two, at least a page); ignored for edu
     */
    public VfioUserHostDevice(Model model, long sharedMemorySize) {
        this.model = model;
        HostMapping shm = null;
        VfioContainer c = null;
        VfioGroup g = null;
        try {
            PciDeviceModel inner = switch (model) {
                case EDU -> new EduDevice();
                case EDU_PASID -> EduDevice.withPasid();
                case IVSHMEM -> new IvshmemPlainDevice(shm = memory.allocate("ivshmem@" + ADDRESS, sharedMemorySize));
                case MSIX_DOORBELL -> new MsixDoorbellDevice();
            };
            wrapped = new VfioUserDmaModel(inner);
            // the client's memory is pinned here as a VMM pins guest RAM: no limit below the client's own
            HostPciPlatform p = HostKernel.builder().memory(memory).memlock(new LockedMemoryAccount(Long.MAX_VALUE, true))
                    .endpoint(ADDRESS.toString(), wrapped, HostPciPlatform.VFIO_PCI, true)
                    .build();
            c = VfioContainer.open(p);
            g = VfioGroup.open(p, p.iommuGroupOf(ADDRESS));
            g.setContainer(c);
            c.setIommu(VFIO_TYPE1v2_IOMMU);
            device = g.getDeviceFd(ADDRESS.toString());
        } catch (RuntimeException e) {
            if (g != null) {
                g.close();
            }
            if (c != null) {
                c.close();
            }
            if (shm != null) {
                shm.close();
            }
            throw e;
        }
        shared = shm;
        container = c;
        group = g;
    }

    public Model model() {
        return model;
    }

    /** The device model behind vfio-pci (not the wrapper). */
    public PciDeviceModel deviceModel() {
        return wrapped.inner();
    }

    /** ivshmem's shared memory, or null. */
    public HostMapping sharedMemory() {
        return shared;
    }

    /** The bytes of the client's memory mapped into the device's container now. */
    public long mappedClientBytes() {
        return memory.mappedBytes() - (shared == null ? 0 : shared.size());
    }

    /**
     * Serves the client on {@code connection} until it goes away; then the device is reset and
     * every DMA range and interrupt it set is released. Returns why serving ended.
     */
    public IOException serve(VfioUserSocket connection) {
        VfioUserServer server = new VfioUserServer(device, container, connection, MAX_MSG_FDS, MAX_DATA_XFER_SIZE)
                .dmaModel(wrapped);
        if (shared != null) {
            server.shareRegion(IVSHMEM_SHARED_REGION, shared.memfd(), 0);
        }
        server.run();
        try {
            device.reset();
        } catch (RuntimeException e) {
            // a device that cannot reset keeps its state; the next client resets it itself
        }
        return server.ended();
    }

    @Override
    public void close() {
        device.close();
        group.close();
        container.close();
        if (shared != null) {
            shared.close();
        }
    }
}
