package org.jvmm.machine.x86;

import org.jvmm.hw.vfio.VfioIommufdSpace;
import org.jvmm.hw.vfio.VfioPciDevice;
import org.jvmm.hw.vtd.VtdIommu;
import org.jvmm.hw.vtd.VtdIommufdBackend;
import org.jvmm.hw.vtd.VtdPasidApi;
import org.jvmm.hw.vtd.VtdRegs;
import org.jvmm.hw.vtd.VtdSeedBackend;
import org.jvmm.vfio.PasidApi;
import org.jvmm.vfio.Vfio;
import org.jvmm.kvm.MsiMessage;
import org.jvmm.memory.ContainerRegion;
import org.jvmm.memory.MmioRegion;
import org.jvmm.vfio.VfioDevice;

/**
 * Puts the virtual VT-d on an x86-toy machine (QEMU's {@code -device intel-iommu,x-scalable-mode=on,
 * x-flts=on,svm=on}): its register block at {@link VtdRegs#BASE} in the memory space (the toy
 * machine has no ACPI DMAR table; the guest is told the address in its boot argument), its
 * interrupts as MSIs into KVM, and every vfio-pci device behind it: with {@code pasid-api=iommufd}
 * each must be opened over iommufd and gets a {@link VtdIommufdBackend} (as QEMU, only
 * iommufd-backed devices can nest); with {@code pasid-api=seed} each must be on the VFIO container,
 * the host's VFIO offers seed 001's API, and it gets a {@link VtdSeedBackend}. The backends are owned by the machine after their devices, so they close first.
 */
final class VtdSetup {
    private VtdSetup() {
    }

    static VtdIommu install(X86ToyMachine m, VtdPasidApi api, int seedRelease) {
        VtdIommu iommu = new VtdIommu(m.layout().memory(), (address, data) -> m.vm().signalMsi(new MsiMessage(address, data)));
        for (VfioPciDevice d : m.vfioDevices()) {
            VfioDevice dev = d.vfioDevice();
            int sid = d.devfn().device() << 3 | d.devfn().function();
            if (api == VtdPasidApi.SEED) {
                if (dev.iommufdDevice() != null || m.vfio() == null) {
                    throw new IllegalArgumentException("-device intel-iommu,pasid-api=seed: " + d.name()
                            + " is on iommufd; seed 001's passdown needs the device on the VFIO container (no iommufd=)");
                }
                Vfio.of(m.vfio().platform()).setPasidApi(PasidApi.SEED);
                iommu.attachBackend(sid, m.own(new VtdSeedBackend(dev, sid, iommu, seedRelease)));
                continue;
            }
            VfioIommufdSpace space = m.iommufds().values().stream()
                    .filter(s -> dev.iommufdDevice() != null && dev.iommufdDevice().iommufd() == s.iommufd()).findFirst().orElse(null);
            if (space == null) {
                throw new IllegalArgumentException("-device intel-iommu: " + d.name()
                        + " is on a VFIO container; first-stage nesting needs -device vfio-pci,...,iommufd=ID");
            }
            iommu.attachBackend(sid, m.own(new VtdIommufdBackend(space.iommufd(), dev, space.ioasId(), sid, iommu)));
        }
        ContainerRegion system = (ContainerRegion) m.layout().memory().root();
        m.layout().memory().transaction(() -> system.addSubregion(VtdRegs.BASE, new MmioRegion("intel-iommu", VtdRegs.SIZE, iommu)));
        m.vtd(iommu);
        return iommu;
    }
}
