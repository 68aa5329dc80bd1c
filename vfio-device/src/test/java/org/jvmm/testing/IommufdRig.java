package org.jvmm.testing;

import org.jvmm.devices.edu.EduDevice;
import org.jvmm.host.kernel.HostKernel;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.host.memory.LockedMemoryAccount;
import org.jvmm.iommufd.Iommufd;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.host.BridgeType;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.vfio.Vfio;
import org.jvmm.vfio.VfioDevice;

/**
 * A host for iommufd tests: a PASID-capable edu ({@link EduDevice#withPasid}) at 01:00.0 and a
 * plain edu at 02:00.0, each behind an ACS root port in a group of its own, and a NIC pair at
 * 03:00.0/03:00.1 without ACS (one group) with 03:00.1 on a host driver. Both edus are bound to
 * vfio-pci. {@link #open()} also opens /dev/iommu, the PASID edu's cdev bound to it, and 1 MiB
 * of process memory to map. Closing tears everything down in order.
 */
public final class IommufdRig implements AutoCloseable {
    public static final PciAddress PASID_EDU = PciAddress.parse("0000:01:00.0");
    public static final PciAddress PLAIN_EDU = PciAddress.parse("0000:02:00.0");
    public static final PciAddress NIC_0 = PciAddress.parse("0000:03:00.0");

    public final HostMemoryRegistry memory = new HostMemoryRegistry();
    public final LockedMemoryAccount memlock;
    public final EduDevice pasidEdu = EduDevice.withPasid();
    public final EduDevice plainEdu = new EduDevice();
    public final HostPciPlatform platform;
    public final Vfio vfio;
    public final Iommufd iommufd;
    public final VfioDevice device;
    public final int devId;
    public final HostMapping ram;

    private IommufdRig(long memlockLimit, boolean bind) {
        memlock = new LockedMemoryAccount(memlockLimit, false);
        platform = HostKernel.builder()
                .memory(memory)
                .memlock(memlock)
                .firstGroupNumber(10)
                .bridge("0000:00:01.0", BridgeType.PCIE_ROOT_PORT, 1, true)
                .bridge("0000:00:02.0", BridgeType.PCIE_ROOT_PORT, 2, true)
                .bridge("0000:00:03.0", BridgeType.PCIE_ROOT_PORT, 3, false)
                .endpoint("0000:01:00.0", pasidEdu, "vfio-pci", true)
                .endpoint("0000:02:00.0", plainEdu, "vfio-pci", true)
                .endpoint("0000:03:00.0", SimpleFunction.of(0x8086, 0x1521, 0x020000), "vfio-pci", false)
                .endpoint("0000:03:00.1", SimpleFunction.of(0x8086, 0x1521, 0x020000), "igb", false)
                .build();
        vfio = Vfio.of(platform);
        iommufd = Iommufd.open(platform);
        ram = memory.allocate("ram", 1 << 20);
        if (bind) {
            device = VfioDevice.openCdev(vfio, PASID_EDU);
            devId = device.bindIommufd(iommufd);
        } else {
            device = null;
            devId = 0;
        }
    }

    /** The host with the PASID edu's cdev bound to the iommufd, memlock limit 64 MiB. */
    public static IommufdRig open() {
        return new IommufdRig(64L << 20, true);
    }

    /** The host with nothing opened but /dev/iommu. */
    public static IommufdRig unbound() {
        return new IommufdRig(64L << 20, false);
    }

    public static IommufdRig open(long memlockLimit) {
        return new IommufdRig(memlockLimit, true);
    }

    /** The host virtual address of byte {@code offset} of {@link #ram}. */
    public long va(long offset) {
        return ram.address().value() + offset;
    }

    /** Writes {@code size} bytes of {@code value} (little-endian) at {@code offset} of region {@code index} of the device file. */
    public static void regionWrite(VfioDevice d, int index, long offset, int size, long value) {
        java.lang.foreign.MemorySegment b = java.lang.foreign.MemorySegment.ofArray(new byte[size]);
        for (int i = 0; i < size; i++) {
            b.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) (value >>> (8 * i)));
        }
        d.write((long) index << org.jvmm.vfio.uapi.VfioUapi.VFIO_PCI_OFFSET_SHIFT | offset, b);
    }

    /** Reads {@code size} bytes (little-endian) at {@code offset} of region {@code index}. */
    public static long regionRead(VfioDevice d, int index, long offset, int size) {
        java.lang.foreign.MemorySegment b = java.lang.foreign.MemorySegment.ofArray(new byte[size]);
        d.read((long) index << org.jvmm.vfio.uapi.VfioUapi.VFIO_PCI_OFFSET_SHIFT | offset, b);
        long v = 0;
        for (int i = 0; i < size; i++) {
            v |= (b.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i) & 0xffL) << (8 * i);
        }
        return v;
    }

    /** Memory decode and bus mastering on, through the device file's config region. */
    public static void enableBusMaster(VfioDevice d) {
        regionWrite(d, org.jvmm.vfio.uapi.VfioUapi.VFIO_PCI_CONFIG_REGION_INDEX, 4, 2,
                org.jvmm.pci.PciRegs.COMMAND_MEMORY | org.jvmm.pci.PciRegs.COMMAND_MASTER);
    }

    /**
     * Programs one edu DMA through BAR0: {@code count} bytes between memory at {@code addr} and
     * the buffer at {@code bufOffset}; {@code toRam} for buffer -> memory; {@code pasid} >= 0 tags
     * it with that PASID (PASID mode).
     */
    public static void eduDma(VfioDevice d, long addr, long bufOffset, long count, boolean toRam, int pasid) {
        long dev = EduDevice.DMA_BUFFER_START + bufOffset;
        regionWrite(d, 0, EduDevice.REG_DMA_SRC, 8, toRam ? dev : addr);
        regionWrite(d, 0, EduDevice.REG_DMA_DST, 8, toRam ? addr : dev);
        regionWrite(d, 0, EduDevice.REG_DMA_COUNT, 8, count);
        if (pasid >= 0) {
            regionWrite(d, 0, EduDevice.REG_DMA_PASID, 8, pasid);
        }
        regionWrite(d, 0, EduDevice.REG_DMA_CMD, 8, EduDevice.DMA_CMD_RUN | (toRam ? EduDevice.DMA_CMD_TO_RAM : 0)
                | (pasid >= 0 ? EduDevice.DMA_CMD_PASID : 0));
    }

    /** Fills {@link #ram} bytes [offset, offset + n) with {@code b}. */
    public void fill(long offset, long n, byte b) {
        ram.segment().asSlice(offset, n).fill(b);
    }

    /** The byte of {@link #ram} at {@code offset}. */
    public byte ramByte(long offset) {
        return ram.segment().get(java.lang.foreign.ValueLayout.JAVA_BYTE, offset);
    }

    @Override
    public void close() {
        if (device != null && !device.isClosed()) {
            device.close();
        }
        if (!iommufd.isClosed()) {
            iommufd.close();
        }
        ram.close();
    }
}
