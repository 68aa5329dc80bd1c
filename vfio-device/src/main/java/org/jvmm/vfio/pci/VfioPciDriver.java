package org.jvmm.vfio.pci;

import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.pci.host.HostPciFunction;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.vfio.Vfio;
import org.jvmm.vfio.VfioBusDriver;

/**
 * The vfio-pci bus driver (Linux drivers/vfio/pci/vfio_pci.c): probing a function creates its
 * {@link VfioPciCore} (the device VFIO groups hand out); bridges are refused (EINVAL, vfio-pci
 * takes only normal headers). Removing a device whose fd is open is refused with EBUSY after
 * signalling the user's REQ eventfd (the kernel would block until the user lets go).
 */
public final class VfioPciDriver implements VfioBusDriver {
    private final Vfio vfio;

    public VfioPciDriver(Vfio vfio) {
        this.vfio = vfio;
    }

    @Override
    public Vfio vfio() {
        return vfio;
    }

    @Override
    public String name() {
        return HostPciPlatform.VFIO_PCI;
    }

    @Override
    public void probe(HostPciFunction function) {
        if (function.isBridge() || function.model() == null) {
            throw new ErrnoException("probe vfio-pci", Errno.EINVAL, function.address()
                    + ": vfio-pci takes only normal (type 0) header functions");
        }
        VfioPciCore core = new VfioPciCore(function);
        function.setDriverData(core);
        function.setInterruptTarget(core);
    }

    @Override
    public void remove(HostPciFunction function) {
        VfioPciCore core = (VfioPciCore) function.driverData();
        if (core.openCount() > 0) {
            core.requestRelease();
            throw new ErrnoException("remove vfio-pci", Errno.EBUSY, function.address()
                    + " is still open by a VFIO user (REQ signalled)");
        }
        function.setInterruptTarget(null);
    }
}
