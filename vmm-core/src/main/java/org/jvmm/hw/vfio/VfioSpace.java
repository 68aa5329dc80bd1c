package org.jvmm.hw.vfio;

import org.jvmm.pci.PciAddress;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.vfio.VfioContainer;
import org.jvmm.vfio.VfioDevice;

/**
 * A VFIO container serving one guest DMA address space, whatever its IOMMU type (QEMU's
 * VFIOAddressSpace + VFIOContainer): {@link VfioType1Space} for x86 guests, {@link VfioSpaprSpace}
 * for pseries. A vfio-pci device opens its host function through it.
 */
public interface VfioSpace {

    /** Opens the device at {@code host}, its group joining the container first if needed. */
    VfioDevice openDevice(PciAddress host);

    VfioContainer container();

    HostPciPlatform platform();
}
