package org.jvmm.machine.x86;

import org.jvmm.hw.vfio.VfioIommufdSpace;
import org.jvmm.hw.vfio.VfioPciDevice;
import org.jvmm.hw.vtd.VtdIommu;
import org.jvmm.hw.vtd.VtdIommufdBackend;
import org.jvmm.hw.vtd.VtdPasidApi;
import org.jvmm.hw.vtd.VtdRegs;
import org.jvmm.kvm.MsiMessage;
import org.jvmm.memory.ContainerRegion;
import org.jvmm.memory.MmioRegion;
import org.jvmm.vfio.VfioDevice;

/**
 * Puts the virtual VT-d on an x86-toy machine (QEMU's {@code -device intel-iommu,x-scalable-mode=on,
 * x-flts=on,svm=on}): its register block at {@link VtdRegs#BASE} in the memory space (the toy
 * machine has no ACPI DMAR table; the guest is told the address in its boot argument), its
 * interrupts as MSIs into KVM, and every vfio-pci device opened over iommufd behind it with a
 * {@link VtdIommufdBackend} (as QEMU, only iommufd-backed devices can nest: a device on a VFIO
 * container is refused). The backends are owned by the machine after their devices, so they close first.
 */
final class VtdSetup {
    private VtdSetup() {
    }

    static VtdIommu install(X86ToyMachine m, VtdPasidApi api) {
        VtdIommu iommu = new VtdIommu(m.layout().memory(), (address, data) -> m.vm().signalMsi(new MsiMessage(address, data)));
        for (VfioPciDevice d : m.vfioDevices()) {
            VfioDevice dev = d.vfioDevice();
            VfioIommufdSpace space = m.iommufds().values().stream()
                    .filter(s -> dev.iommufdDevice() != null && dev.iommufdDevice().iommufd() == s.iommufd()).findFirst().orElse(null);
            if (space == null) {
                throw new IllegalArgumentException("-device intel-iommu: " + d.name()
                        + " is on a VFIO container; first-stage nesting needs -device vfio-pci,...,iommufd=ID");
            }
            int sid = d.devfn().device() << 3 | d.devfn().function();
            if (api == VtdPasidApi.SEED) {
                throw new IllegalArgumentException("-device intel-iommu,pasid-api=seed: not built yet (use pasid-api=iommufd)");
            }
            iommu.attachBackend(sid, m.own(new VtdIommufdBackend(space.iommufd(), dev, space.ioasId(), sid, iommu)));
        }
        ContainerRegion system = (ContainerRegion) m.layout().memory().root();
        m.layout().memory().transaction(() -> system.addSubregion(VtdRegs.BASE, new MmioRegion("intel-iommu", VtdRegs.SIZE, iommu)));
        m.vtd(iommu);
        return iommu;
    }
}
