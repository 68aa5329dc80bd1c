package org.jvmm.pci.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.pci.PciAddress;
import org.jvmm.testing.Hosts;
import org.jvmm.testing.SimpleFunction;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("IOMMU groups: PCIe-to-PCI bridges alias, missing ACS merges upward, multifunction without ACS shares")
class IommuGroupsFollowTopology {

    private static List<PciAddress> addrs(String... s) {
        return java.util.Arrays.stream(s).map(PciAddress::parse).toList();
    }

    @Test
    void seedTopologyGroups() {
        HostPciPlatform p = Hosts.seed().platform();
        assertEquals(26, p.iommuGroupOf(Hosts.SOUND));
        assertEquals(addrs("0000:00:1e.0", "0000:06:0d.0", "0000:06:0d.1"), p.iommuGroupDevices(26));
        assertEquals(addrs("0000:00:01.0"), p.iommuGroupDevices(10));
        assertEquals(addrs("0000:00:02.0"), p.iommuGroupDevices(11));
        assertEquals(addrs("0000:00:1c.0", "0000:03:00.0", "0000:03:00.1"), p.iommuGroupDevices(12));
        assertEquals(addrs("0000:01:00.0"), p.iommuGroupDevices(13));
        assertEquals(addrs("0000:02:00.0"), p.iommuGroupDevices(14));
        assertEquals(6, p.groups().size());
        assertEquals(true, p.function("t", Hosts.SOUND).isMultifunction());
        assertEquals(false, p.function("t", Hosts.EDU).isMultifunction());
    }

    @Test
    void multifunctionWithAcsIsSplitAndWithoutIsShared() {
        HostPciPlatform p = HostPciPlatform.builder()
                .bridge("0000:00:01.0", BridgeType.PCIE_ROOT_PORT, 1, true)
                .endpoint("0000:01:00.0", SimpleFunction.of(1, 1, 0x020000), null, true)
                .endpoint("0000:01:00.1", SimpleFunction.of(1, 1, 0x020000), null, true)
                .endpoint("0000:00:1f.0", SimpleFunction.of(1, 2, 0x060100), null, false)
                .endpoint("0000:00:1f.3", SimpleFunction.of(1, 3, 0x040300), null, false)
                .endpoint("0000:00:1f.4", SimpleFunction.of(1, 4, 0x0c0500), null, true)
                .build();
        assertEquals(addrs("0000:00:1f.0", "0000:00:1f.3"), p.iommuGroupDevices(p.iommuGroupOf(PciAddress.parse("0000:00:1f.3"))));
        assertEquals(addrs("0000:00:1f.4"), p.iommuGroupDevices(p.iommuGroupOf(PciAddress.parse("0000:00:1f.4"))));
        assertEquals(addrs("0000:01:00.1"), p.iommuGroupDevices(p.iommuGroupOf(PciAddress.parse("0000:01:00.1"))));
    }

    @Test
    void nestedBridgesAliasToTheTopmostPcieToPciBridgeAndMissingAcsClimbs() {
        HostPciPlatform p = HostPciPlatform.builder()
                .bridge("0000:00:01.0", BridgeType.PCIE_ROOT_PORT, 1, false)
                .bridge("0000:01:00.0", BridgeType.PCIE_TO_PCI, 2, false)
                .bridge("0000:02:01.0", BridgeType.PCIE_TO_PCI, 3, false)
                .endpoint("0000:03:04.0", SimpleFunction.of(1, 1, 0xff0000), null, false)
                .endpoint("0000:00:05.0", SimpleFunction.of(1, 2, 0xff0000), null, false)
                .build();
        assertEquals(addrs("0000:00:01.0", "0000:01:00.0", "0000:02:01.0", "0000:03:04.0"),
                p.iommuGroupDevices(p.iommuGroupOf(PciAddress.parse("0000:03:04.0"))));
        assertEquals(addrs("0000:00:05.0"), p.iommuGroupDevices(p.iommuGroupOf(PciAddress.parse("0000:00:05.0"))));
    }

    @Test
    void unknownDeviceAndGroupAreErrors() {
        HostPciPlatform p = Hosts.seed().platform();
        ErrnoException e = assertThrows(ErrnoException.class, () -> p.iommuGroupOf(PciAddress.parse("0000:09:00.0")));
        assertEquals(Errno.ENODEV, e.errno());
        assertEquals(Errno.ENOENT, assertThrows(ErrnoException.class, () -> p.iommuGroupDevices(99)).errno());
    }

    @Test
    void aDeviceOnABusNoBridgeLeadsToIsRejected() {
        var b = HostPciPlatform.builder().endpoint("0000:05:00.0", SimpleFunction.of(1, 1, 0xff0000), null, true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);
        assertEquals(true, e.getMessage().contains("0000:05:00.0"), e.getMessage());
    }
}
