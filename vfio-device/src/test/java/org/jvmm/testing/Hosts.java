package org.jvmm.testing;

import org.jvmm.devices.edu.EduDevice;
import org.jvmm.host.kernel.HostKernel;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.pci.MsixSpec;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.PciIdentity;
import org.jvmm.pci.host.BridgeType;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.host.memory.LockedMemoryAccount;

/**
 * Test hosts. {@link #seed} is the machine of Documentation/vfio.txt's usage example: a
 * PCIe-to-PCI bridge 0000:00:1e.0 without a host driver, behind it a two-function sound card
 * 06:0d.0 (1102:0002) and 06:0d.1, all in IOMMU group 26; beside it an edu at 01:00.0 behind an
 * ACS root port (its own group), a PCIe function with MSI-X at 02:00.0, and a multifunction NIC
 * at 03:00.0/03:00.1 without ACS behind a root port without ACS, one function on a host driver.
 */
public final class Hosts {
    private Hosts() {
    }

    public static final PciAddress BRIDGE = PciAddress.parse("0000:00:1e.0");
    public static final PciAddress SOUND = PciAddress.parse("0000:06:0d.0");
    public static final PciAddress SOUND_1 = PciAddress.parse("0000:06:0d.1");
    public static final PciAddress EDU = PciAddress.parse("0000:01:00.0");
    public static final PciAddress MSIX_DEV = PciAddress.parse("0000:02:00.0");
    public static final PciAddress NIC_0 = PciAddress.parse("0000:03:00.0");
    public static final PciAddress NIC_1 = PciAddress.parse("0000:03:00.1");
    public static final PciAddress ROOT_PORT_NIC = PciAddress.parse("0000:00:1c.0");

    public record Seed(HostPciPlatform platform, EduDevice edu, SimpleFunction sound, SimpleFunction msixDev) {
    }

    public static Seed seed(HostMemoryRegistry memory, LockedMemoryAccount memlock) {
        EduDevice edu = new EduDevice();
        SimpleFunction sound = new SimpleFunction(PciIdentity.of(0x1102, 0x0002, 0x040100, 8), false, 0, null, 0x4000, true);
        SimpleFunction msix = new SimpleFunction(PciIdentity.of(0x8086, 0x10d3, 0x020000, 0), true, 4,
                new MsixSpec(16, 0, 0x2000, 0, 0x3000), 0x4000, false);
        HostPciPlatform p = HostKernel.builder()
                .memory(memory)
                .memlock(memlock)
                .firstGroupNumber(10)
                .groupNumber("0000:00:1e.0", 26)
                .bridge("0000:00:01.0", BridgeType.PCIE_ROOT_PORT, 1, true)
                .bridge("0000:00:02.0", BridgeType.PCIE_ROOT_PORT, 2, true)
                .bridge("0000:00:1c.0", BridgeType.PCIE_ROOT_PORT, 3, false)
                .bridge("0000:00:1e.0", BridgeType.PCIE_TO_PCI, 6, false)
                .endpoint("0000:01:00.0", edu, "edu", true)
                .endpoint("0000:02:00.0", msix, "e1000e", true)
                .endpoint("0000:03:00.0", SimpleFunction.of(0x8086, 0x1521, 0x020000), "igb", false)
                .endpoint("0000:03:00.1", SimpleFunction.of(0x8086, 0x1521, 0x020000), "igb", false)
                .endpoint("0000:06:0d.0", sound, "snd_emu10k1", false)
                .endpoint("0000:06:0d.1", SimpleFunction.of(0x1102, 0x7002, 0x098000), "emu10k1-gp", false)
                .build();
        return new Seed(p, edu, sound, msix);
    }

    public static Seed seed() {
        return seed(new HostMemoryRegistry(), new LockedMemoryAccount(64L << 20, false));
    }
}
