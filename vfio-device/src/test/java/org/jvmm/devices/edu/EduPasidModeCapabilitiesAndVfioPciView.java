package org.jvmm.devices.edu;

import static org.jvmm.pci.PasidSpec.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.jvmm.pci.PciConfigSpace;
import org.jvmm.testing.IommufdRig;
import org.jvmm.vfio.uapi.VfioUapi;

/**
 * edu in PASID mode is a PCIe function with the ATS (0x100), PASID (0x110) and PRI (0x120)
 * extended capabilities; through vfio-pci the PASID capability is unlinked from the chain
 * (vfio_pci_config.c does not expose it; reference B-20), ATS and PRI stay.
 */
class EduPasidModeCapabilitiesAndVfioPciView {

    @Test
    @DisplayName("the host config space chains ATS -> PASID (20-bit width) -> PRI (capacity 32)")
    void hostConfigSpaceHasTheThreeCapabilities() {
        try (IommufdRig rig = IommufdRig.unbound()) {
            PciConfigSpace c = rig.platform.function("t", IommufdRig.PASID_EDU).config();
            assertEquals(4096, c.size());
            assertEquals(EXT_CAP_ID_ATS | 1 << 16 | PASID_OFFSET << 20, c.read(ATS_OFFSET, 4));
            assertEquals(EXT_CAP_ID_PASID | 1 << 16 | PRI_OFFSET << 20, c.read(PASID_OFFSET, 4));
            assertEquals(20, c.read(PASID_OFFSET + 4, 2) >>> 8 & 0x1f);
            assertEquals(EXT_CAP_ID_PRI | 1 << 16, c.read(PRI_OFFSET, 4));
            assertEquals(32, c.read(PRI_OFFSET + 8, 4));
            c.write(PASID_OFFSET + 6, 2, PASID_CTRL_ENABLE);
            assertEquals(PASID_CTRL_ENABLE, c.read(PASID_OFFSET + 6, 2));
            assertEquals(256, rig.platform.function("t", IommufdRig.PLAIN_EDU).config().size(), "plain edu is conventional PCI");
        }
    }

    @Test
    @DisplayName("through vfio-pci the ATS header points past PASID to PRI")
    void vfioPciHidesThePasidCapability() {
        try (IommufdRig rig = IommufdRig.open()) {
            int cfg = VfioUapi.VFIO_PCI_CONFIG_REGION_INDEX;
            assertEquals(EXT_CAP_ID_ATS | 1 << 16 | PRI_OFFSET << 20, IommufdRig.regionRead(rig.device, cfg, ATS_OFFSET, 4));
            assertEquals(1 | PRI_OFFSET << 4, IommufdRig.regionRead(rig.device, cfg, ATS_OFFSET + 2, 2), "version 1, next 0x120");
            assertEquals(EXT_CAP_ID_PRI | 1 << 16, IommufdRig.regionRead(rig.device, cfg, PRI_OFFSET, 4));
        }
    }
}
