package org.jvmm.host.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.jvmm.vfio.uapi.VfioUapi.VFIO_SPAPR_TCE_IOMMU;
import static org.jvmm.vfio.uapi.VfioUapi.VFIO_TYPE1v2_IOMMU;

import java.util.List;
import java.util.Optional;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.pci.host.spapr.PnvPhb;
import org.jvmm.pci.host.spapr.PnvPhbConfig;
import org.jvmm.testing.SimpleFunction;
import org.jvmm.vfio.Vfio;
import org.jvmm.vfio.VfioContainer;
import org.jvmm.vfio.VfioGroup;
import org.jvmm.vfio.iommu.IommuDriver;
import org.jvmm.vfio.iommu.SpaprTceDriver;
import org.jvmm.vfio.iommu.Type1Driver;
import org.jvmm.vfio.pci.VfioPciDriver;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The PCI platform knows VFIO only as a registered bus driver: until the host-kernel assembler
 * loads VFIO (the core, its IOMMU drivers, vfio-pci), /dev/vfio/vfio does not open and a function
 * meant for vfio-pci at boot stays unbound; loading binds it (pci_register_driver's
 * driver_attach). Registering a second driver or IOMMU driver of the same name is refused.
 */
@DisplayName("Host kernel: VFIO loads on the PCI platform as a module would; before that /dev/vfio does not open")
class VfioLoadsOnThePlatformLikeAModule {
    static final PciAddress DEV = PciAddress.parse("0000:00:04.0");

    static HostPciPlatform bareHost() {
        return HostPciPlatform.builder()
                .endpoint(DEV.toString(), SimpleFunction.of(0x1234, 0x5, 0xff0000), HostPciPlatform.VFIO_PCI, true)
                .build();
    }

    @Test
    void withoutVfioLoadedNothingOpensAndTheBootFunctionStaysUnbound() {
        HostPciPlatform p = bareHost();
        assertEquals(Optional.empty(), p.driverOf(DEV));
        ErrnoException c = assertThrows(ErrnoException.class, () -> VfioContainer.open(p));
        assertEquals(Errno.ENOENT, c.errno());
        assertEquals("open /dev/vfio/vfio", c.operation());
        ErrnoException g = assertThrows(ErrnoException.class, () -> VfioGroup.open(p, p.iommuGroupOf(DEV)));
        assertEquals(Errno.ENOENT, g.errno());
        assertEquals("open /dev/vfio/0", g.operation());
        ErrnoException n = assertThrows(ErrnoException.class, () -> p.newId(HostPciPlatform.VFIO_PCI, 0x1234, 0x5));
        assertEquals(Errno.ENOENT, n.errno());
    }

    @Test
    void loadingVfioBindsTheBootFunctionAndContainersUseTheDriversInOrder() {
        HostPciPlatform p = bareHost();
        PnvPhb phb = new PnvPhb(PnvPhbConfig.ioda2(), p.memory());
        IommuDriver type1 = new Type1Driver();
        IommuDriver spapr = new SpaprTceDriver(phb);
        Vfio vfio = HostKernel.loadVfio(p, List.of(type1, spapr));

        assertEquals(Optional.of(HostPciPlatform.VFIO_PCI), p.driverOf(DEV));
        assertSame(vfio, Vfio.of(p));
        assertEquals(List.of(type1, spapr), vfio.iommuDrivers());
        try (VfioContainer c = VfioContainer.open(p); VfioGroup g = VfioGroup.open(vfio, p.iommuGroupOf(DEV))) {
            assertEquals(1, c.checkExtension(VFIO_TYPE1v2_IOMMU));
            assertEquals(1, c.checkExtension(VFIO_SPAPR_TCE_IOMMU));
            g.setContainer(c);
            c.setIommu(VFIO_TYPE1v2_IOMMU);
            assertSame(type1, c.driver());
        }
    }

    @Test
    void theBuilderLoadsType1AloneByDefault() {
        HostPciPlatform p = HostKernel.builder().memory(new HostMemoryRegistry())
                .endpoint(DEV.toString(), SimpleFunction.of(0x1234, 0x5, 0xff0000), HostPciPlatform.VFIO_PCI, true)
                .build();
        assertEquals(List.of("vfio_iommu_type1"), Vfio.of(p).iommuDrivers().stream().map(IommuDriver::name).toList());
        assertEquals(Optional.of(HostPciPlatform.VFIO_PCI), p.driverOf(DEV));
    }

    @Test
    void aSecondDriverOfTheSameNameIsRefusedAndChangesNothing() {
        HostPciPlatform p = bareHost();
        Vfio vfio = HostKernel.loadVfio(p, List.of(new Type1Driver()));
        ErrnoException pci = assertThrows(ErrnoException.class, () -> p.registerDriver(new VfioPciDriver(new Vfio(p))));
        assertEquals(Errno.EEXIST, pci.errno());
        assertEquals("pci_register_driver vfio-pci", pci.operation());
        assertSame(vfio, Vfio.of(p));
        ErrnoException iommu = assertThrows(ErrnoException.class, () -> vfio.registerIommuDriver(new Type1Driver(7)));
        assertEquals(Errno.EINVAL, iommu.errno());
        assertEquals("vfio_register_iommu_driver vfio_iommu_type1", iommu.operation());
        assertEquals(1, vfio.iommuDrivers().size());
    }
}
