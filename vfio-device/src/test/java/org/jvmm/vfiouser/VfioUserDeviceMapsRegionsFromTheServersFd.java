package org.jvmm.vfiouser;

import static org.jvmm.vfio.uapi.VfioUapi.VFIO_TYPE1v2_IOMMU;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.jvmm.devices.ivshmem.IvshmemPlainDevice;
import org.jvmm.host.kernel.HostKernel;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.host.memory.LockedMemoryAccount;
import org.jvmm.pci.host.BridgeType;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.vfio.BusErrorException;
import org.jvmm.vfio.RegionCapability;
import org.jvmm.vfio.RegionInfo;
import org.jvmm.vfio.RegionMapping;
import org.jvmm.vfio.VfioContainer;
import org.jvmm.vfio.VfioDevice;
import org.jvmm.vfio.VfioGroup;
import org.jvmm.vfio.uapi.VfioUapi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link VfioUserDevice#mmap}: ivshmem's shared-memory BAR, offered by the server with an fd, is
 * reported mmap-able with its sparse areas and mapped shared from that fd (the same memory the
 * served device uses); a mapping of a region the server gave no fd, or past the region, is
 * EINVAL; after the server is gone the first touch is a bus error (the trap reads all-ones).
 */
@DisplayName("VfioUserDevice mmap: a region mapped shared from the fd the server sent")
class VfioUserDeviceMapsRegionsFromTheServersFd {
    private static final PciAddress IVSHMEM = PciAddress.parse("0000:01:00.0");
    private static final int BAR2 = 2;
    private static final long SHM = 0x10_0000;

    private final HostMemoryRegistry memory = new HostMemoryRegistry();
    private HostMapping shm;
    private VfioContainer container;
    private VfioGroup group;
    private VfioDevice device;
    private VfioUserSocket serverEnd;
    private Thread thread;
    private VfioUserDevice dev;
    private final List<String> reports = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        shm = memory.allocate("ivshmem", SHM);
        HostPciPlatform p = HostKernel.builder().memory(memory).memlock(new LockedMemoryAccount(64L << 20, false))
                .bridge("0000:00:01.0", BridgeType.PCIE_ROOT_PORT, 1, true)
                .endpoint(IVSHMEM.toString(), new IvshmemPlainDevice(shm), null, true)
                .build();
        p.newId("vfio-pci", IvshmemPlainDevice.VENDOR_ID, IvshmemPlainDevice.DEVICE_ID);
        container = VfioContainer.open(p);
        group = VfioGroup.open(p, p.iommuGroupOf(IVSHMEM));
        group.setContainer(container);
        container.setIommu(VFIO_TYPE1v2_IOMMU);
        device = group.getDeviceFd(IVSHMEM.toString());
        VfioUserSocket[] s = VfioUserSocket.pair(8, 1 << 20);
        serverEnd = s[1];
        thread = Thread.ofPlatform().name("vfio-user-server")
                .start(new VfioUserServer(device, container, s[1], 8, 1 << 16).shareRegion(BAR2, shm.memfd(), 0));
        VfioUserClient c = new VfioUserClient(s[0], reports::add);
        c.negotiate(8, 1 << 20);
        dev = VfioUserDevice.over("vfio-user:ivshmem", c, new HostMemoryRegistry());
    }

    @AfterEach
    void stop() throws Exception {
        if (!dev.isClosed()) {
            dev.close();
        }
        thread.join(5000);
        serverEnd.close();
        device.close();
        group.close();
        container.close();
        shm.close();
    }

    @Test
    void sharedBarIsMappableAndMapsTheServedDevicesMemory() {
        RegionInfo r = dev.getRegionInfo(BAR2);
        assertTrue(r.mmappable(), r.toString());
        assertEquals(SHM, r.size());
        assertEquals(List.of(new RegionCapability.Area(0, SHM)), r.sparseMmap().areas());
        assertEquals(VfioUapi.VFIO_REGION_INFO_FLAG_READ | VfioUapi.VFIO_REGION_INFO_FLAG_WRITE,
                dev.getRegionInfo(0).flags(), "the register BAR came without an fd: it traps");

        try (RegionMapping m = dev.mmap((long) BAR2 << 40, SHM)) {
            shm.segment().set(ValueLayout.JAVA_INT_UNALIGNED, 0x40, 0x600dbeef);
            assertEquals(0x600dbeefL, m.read(0x40, 4), "the mapping is the served device's memory");
            m.fault().set(ValueLayout.JAVA_INT_UNALIGNED, 0x80, 0x12345678);
            assertEquals(0x12345678, shm.segment().get(ValueLayout.JAVA_INT_UNALIGNED, 0x80));
            assertEquals(BAR2, m.region());
            assertEquals(SHM, m.length());
        }
    }

    @Test
    void regionWithoutAnFdOrARangePastTheRegionIsEinval() {
        org.jvmm.host.ErrnoException e = assertThrows(org.jvmm.host.ErrnoException.class, () -> dev.mmap(0, 256));
        assertEquals(org.jvmm.host.Errno.EINVAL, e.errno());
        e = assertThrows(org.jvmm.host.ErrnoException.class, () -> dev.mmap((long) BAR2 << 40 | 0x1000, SHM));
        assertEquals(org.jvmm.host.Errno.EINVAL, e.errno());
    }

    @Test
    void firstTouchAfterTheServerWentIsABusErrorReportedOnce() throws Exception {
        assertTrue(dev.getRegionInfo(BAR2).mmappable());
        serverEnd.shutdown();
        thread.join(5000);
        assertThrows(BusErrorException.class, () -> dev.mmap((long) BAR2 << 40, SHM));
        assertThrows(BusErrorException.class, () -> dev.mmap((long) BAR2 << 40, SHM));
        assertEquals(1, reports.size(), reports.toString());
    }
}
