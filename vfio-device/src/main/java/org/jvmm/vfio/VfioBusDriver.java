package org.jvmm.vfio;

import org.jvmm.pci.host.PciDriver;

/**
 * A VFIO bus driver (vfio-pci): a {@link PciDriver} whose bound functions VFIO groups hand out as
 * devices ({@link VfioDeviceOps} in the function's driver data), and the VFIO core it serves.
 */
public interface VfioBusDriver extends PciDriver {

    /** The VFIO core the driver registered with. */
    Vfio vfio();
}
