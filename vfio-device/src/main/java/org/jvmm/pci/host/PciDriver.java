package org.jvmm.pci.host;

import org.jvmm.host.ErrnoException;

/**
 * A driver on the host's PCI bus (a host driver such as e1000e, or vfio-pci): probed when a
 * matching function is bound, removed when it is unbound (Linux struct pci_driver).
 */
public interface PciDriver {

    /** The driver's name, as in /sys/bus/pci/drivers/NAME. */
    String name();

    /** Takes the function; throws with the kernel's errno when the driver refuses it. */
    void probe(HostPciFunction function) throws ErrnoException;

    /** Lets go of the function; throws (e.g. EBUSY) when it cannot yet. */
    void remove(HostPciFunction function) throws ErrnoException;
}
