package org.jvmm.vfio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.jvmm.vfio.uapi.VfioUapi.*;

import org.jvmm.address.Iova;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.testing.Hosts;
import org.jvmm.vfio.iommu.DmaMap;
import org.jvmm.host.memory.LockedMemoryAccount;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

@DisplayName("VFIO core: group viability and status, SET/UNSET_CONTAINER, sharing a TYPE1 container, GET_DEVICE_FD preconditions")
class VfioGroupContainerRules {

    private static ErrnoException fails(Errno errno, String op, Executable e) {
        ErrnoException x = assertThrows(ErrnoException.class, e);
        assertEquals(errno, x.errno(), x.getMessage());
        assertEquals(op, x.operation());
        return x;
    }

    private static HostPciPlatform vfioEduAndMsix() {
        HostPciPlatform p = Hosts.seed().platform();
        p.unbind(Hosts.EDU);
        p.unbind(Hosts.MSIX_DEV);
        p.newId("vfio-pci", 0x1234, 0x11e8);
        p.newId("vfio-pci", 0x8086, 0x10d3);
        return p;
    }

    @Test
    void groupFilesExistOnlyWithAVfioDeviceAndOpenOnce() {
        HostPciPlatform p = Hosts.seed().platform();
        fails(Errno.ENOENT, "open /dev/vfio/13", () -> VfioGroup.open(p, 13));
        fails(Errno.ENOENT, "open /dev/vfio/99", () -> VfioGroup.open(p, 99));
        p.unbind(Hosts.EDU);
        p.newId("vfio-pci", 0x1234, 0x11e8);
        try (VfioGroup g = VfioGroup.open(p, 13)) {
            fails(Errno.EBUSY, "open /dev/vfio/13", () -> VfioGroup.open(p, 13));
        }
        VfioGroup again = VfioGroup.open(p, 13);
        again.close();
        assertThrows(IllegalStateException.class, again::close);
    }

    @Test
    void statusReportsViableAndContainerSet() {
        HostPciPlatform p = Hosts.seed().platform();
        p.unbind(Hosts.SOUND);
        p.newId("vfio-pci", 0x1102, 0x0002);
        try (VfioGroup g = VfioGroup.open(p, 26); VfioContainer c = VfioContainer.open(p)) {
            assertEquals(new GroupStatus(0), g.getStatus()); // 06:0d.1 still on emu10k1-gp
            fails(Errno.EPERM, "VFIO_GROUP_SET_CONTAINER", () -> g.setContainer(c));
            p.unbind(Hosts.SOUND_1);
            assertEquals(new GroupStatus(VFIO_GROUP_FLAGS_VIABLE), g.getStatus());
            g.setContainer(c);
            assertEquals(new GroupStatus(VFIO_GROUP_FLAGS_VIABLE | VFIO_GROUP_FLAGS_CONTAINER_SET), g.getStatus());
            fails(Errno.EINVAL, "VFIO_GROUP_SET_CONTAINER", () -> g.setContainer(c));
            g.unsetContainer();
            fails(Errno.EINVAL, "VFIO_GROUP_UNSET_CONTAINER", g::unsetContainer);
        }
    }

    @Test
    void twoGroupsShareOneType1ContainerAndItsMappings() {
        HostPciPlatform p = vfioEduAndMsix();
        try (HostMemoryRegistryHolder h = new HostMemoryRegistryHolder(p);
                VfioContainer c = VfioContainer.open(p);
                VfioGroup g1 = VfioGroup.open(p, 13); VfioGroup g2 = VfioGroup.open(p, 14)) {
            g1.setContainer(c);
            c.setIommu(VFIO_TYPE1v2_IOMMU);
            g2.setContainer(c); // TYPE1 shares the context
            assertEquals(2, c.groupCount());
            c.mapDma(new DmaMap(VFIO_DMA_MAP_FLAG_READ, h.ram.address(), Iova.of(0x1000), 4096));
            assertNotNull(p.group(13).dmaDomain());
            assertEquals(p.group(13).dmaDomain(), p.group(14).dmaDomain());
            g2.unsetContainer();
            assertEquals(null, p.group(14).dmaDomain());
            assertEquals(4096, p.memlock().lockedBytes()); // g1 still holds the context
            g1.unsetContainer();
            assertEquals(0, p.memlock().lockedBytes());
            fails(Errno.EINVAL, "VFIO_IOMMU_GET_INFO", () -> c.iommuGetInfo(4096)); // back to unset
            g1.setContainer(c);
            c.setIommu(VFIO_TYPE1_IOMMU); // and may be set again
        }
    }

    /** The memory a test maps, from the platform's registry. */
    private static final class HostMemoryRegistryHolder implements AutoCloseable {
        final org.jvmm.host.memory.HostMapping ram;

        HostMemoryRegistryHolder(HostPciPlatform p) {
            ram = p.memory().allocate("ram", 1 << 16);
        }

        @Override
        public void close() {
            ram.close();
        }
    }

    @Test
    void getDeviceFdNeedsAContainerWithItsIommuAndAVfioDeviceOfThatName() {
        HostPciPlatform p = vfioEduAndMsix();
        try (VfioContainer c = VfioContainer.open(p); VfioGroup g = VfioGroup.open(p, 13)) {
            fails(Errno.EINVAL, "VFIO_GROUP_GET_DEVICE_FD", () -> g.getDeviceFd("0000:01:00.0"));
            g.setContainer(c);
            fails(Errno.EINVAL, "VFIO_GROUP_GET_DEVICE_FD", () -> g.getDeviceFd("0000:01:00.0"));
            c.setIommu(VFIO_TYPE1v2_IOMMU);
            fails(Errno.ENODEV, "VFIO_GROUP_GET_DEVICE_FD", () -> g.getDeviceFd("0000:02:00.0"));
            fails(Errno.ENODEV, "VFIO_GROUP_GET_DEVICE_FD", () -> g.getDeviceFd("01:00.0"));
            try (VfioDevice d = g.getDeviceFd("0000:01:00.0")) {
                assertEquals("0000:01:00.0", d.name());
                fails(Errno.EBUSY, "VFIO_GROUP_UNSET_CONTAINER", g::unsetContainer);
                assertThrows(IllegalStateException.class, g::close);
                // the host cannot take a device back while the user holds it
                fails(Errno.EBUSY, "remove vfio-pci", () -> p.unbind(Hosts.EDU));
            }
            g.unsetContainer();
        }
    }

    @Test
    void aNonViableGroupCannotJoinAndSetIommuNeedsAGroup() {
        var memory = new HostMemoryRegistry();
        HostPciPlatform p = Hosts.seed(memory, new LockedMemoryAccount(1 << 20, false)).platform();
        p.unbind(Hosts.NIC_0);
        p.newId("vfio-pci", 0x8086, 0x1521); // binds 03:00.0 only; 03:00.1 keeps igb
        try (VfioContainer c = VfioContainer.open(p); VfioGroup g = VfioGroup.open(p, 12)) {
            assertEquals(false, g.getStatus().viable());
            ErrnoException e = fails(Errno.EPERM, "VFIO_GROUP_SET_CONTAINER", () -> g.setContainer(c));
            assertEquals(true, e.getMessage().contains("0000:03:00.1 bound to igb"), e.getMessage());
            fails(Errno.EINVAL, "VFIO_SET_IOMMU", () -> c.setIommu(VFIO_TYPE1v2_IOMMU));
        }
    }
}
