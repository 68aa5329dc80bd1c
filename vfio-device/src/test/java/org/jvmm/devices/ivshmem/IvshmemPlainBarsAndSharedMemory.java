package org.jvmm.devices.ivshmem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.lang.foreign.ValueLayout;
import java.util.List;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.host.kernel.HostKernel;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.PciRegs;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.vfio.BusErrorException;
import org.jvmm.vfio.RegionInfo;
import org.jvmm.vfio.RegionMapping;
import org.jvmm.vfio.VfioContainer;
import org.jvmm.vfio.VfioDevice;
import org.jvmm.vfio.VfioGroup;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ivshmem-plain (docs/specs/ivshmem-spec.rst): BAR0 registers, BAR2 shared memory mmap-ed through vfio-pci")
class IvshmemPlainBarsAndSharedMemory {

    @Test
    void registersAndSharedMemoryThroughVfio() {
        HostMemoryRegistry memory = new HostMemoryRegistry();
        try (HostMapping shared = memory.allocate("ivshmem", 1 << 20)) {
            HostPciPlatform p = HostKernel.builder().memory(memory)
                    .endpoint("0000:00:05.0", new IvshmemPlainDevice(shared), null, true).build();
            p.newId("vfio-pci", 0x1af4, 0x1110);
            try (VfioContainer c = VfioContainer.open(p); VfioGroup g = VfioGroup.open(p, 0)) {
                g.setContainer(c);
                c.setIommu(VFIO_TYPE1v2_IOMMU);
                try (VfioDevice d = g.getDeviceFd("0000:00:05.0")) {
                    assertEquals(new RegionInfo(0, VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE, 256, 0, List.of()),
                            d.getRegionInfo(0)); // 256 bytes: below a page, not mmap-able
                    assertEquals(new RegionInfo(2, VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE
                            | VFIO_REGION_INFO_FLAG_MMAP, 1 << 20, 2L << 40, List.of()), d.getRegionInfo(2));
                    assertEquals(new RegionInfo(1, 0, 0, 1L << 40, List.of()), d.getRegionInfo(1));
                    var buf = java.lang.foreign.Arena.ofAuto().allocate(4);
                    d.read(7L << 40, buf);
                    assertEquals(0x1110_1af4, buf.get(ValueLayout.JAVA_INT_UNALIGNED, 0));
                    d.read((7L << 40) | 0x08, buf);
                    assertEquals(0x0500_0001, buf.get(ValueLayout.JAVA_INT_UNALIGNED, 0)); // class 0500, rev 1
                    buf.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) PciRegs.COMMAND_MEMORY);
                    d.write((7L << 40) | 0x04, buf.asSlice(0, 2));

                    buf.set(ValueLayout.JAVA_INT_UNALIGNED, 0, 0xffff_ffff);
                    d.write(0x00, buf); // interrupt mask
                    d.write(0x0c, buf); // doorbell: ignored
                    d.read(0x00, buf);
                    assertEquals(0xffff_ffff, buf.get(ValueLayout.JAVA_INT_UNALIGNED, 0));
                    d.read(0x08, buf);
                    assertEquals(0, buf.get(ValueLayout.JAVA_INT_UNALIGNED, 0)); // IVPosition: no interrupts

                    try (RegionMapping bar2 = d.mmap(2L << 40, 1 << 20)) {
                        assertEquals(shared.address(), bar2.hostAddress());
                        var seg = bar2.fault();
                        assertEquals(1 << 20, seg.byteSize());
                        seg.set(ValueLayout.JAVA_LONG_UNALIGNED, 0x100, 0x1122334455667788L);
                        assertEquals(0x1122334455667788L, shared.segment().get(ValueLayout.JAVA_LONG_UNALIGNED, 0x100));
                        bar2.write(0x200, 4, 0xabcd);
                        assertEquals(0xabcd, shared.segment().get(ValueLayout.JAVA_INT_UNALIGNED, 0x200));
                        d.read((2L << 40) | 0x200, buf);
                        assertEquals(0xabcd, buf.get(ValueLayout.JAVA_INT_UNALIGNED, 0));
                        buf.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) 0);
                        d.write((7L << 40) | 0x04, buf.asSlice(0, 2));
                        assertThrows(BusErrorException.class, bar2::fault);
                        assertThrows(BusErrorException.class, () -> bar2.read(0x200, 4));
                        assertEquals(Errno.EIO, assertThrows(ErrnoException.class, () -> d.read((2L << 40) | 0x200, buf)).errno());
                    }
                    assertEquals(Errno.EINVAL, assertThrows(ErrnoException.class, () -> d.mmap(0, 4096)).errno());
                }
            }
        }
    }

    @Test
    void sharedMemoryMustBeAPowerOfTwo() {
        try (HostMapping m = new HostMemoryRegistry().allocate("odd", 3 * 4096)) {
            assertThrows(IllegalArgumentException.class, () -> new IvshmemPlainDevice(m));
        }
    }

    @Test
    void identity() {
        try (HostMapping m = new HostMemoryRegistry().allocate("s", 4096)) {
            var id = new IvshmemPlainDevice(m).identity();
            assertEquals("1af4:1110", id.ids());
            assertEquals(1, id.revision());
            assertEquals(PciAddress.parse("0000:00:05.0").toString(), "0000:00:05.0");
        }
    }
}
