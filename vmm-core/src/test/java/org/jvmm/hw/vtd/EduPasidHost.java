package org.jvmm.hw.vtd;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.jvmm.devices.edu.EduDevice;
import org.jvmm.host.kernel.HostKernel;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.host.memory.LockedMemoryAccount;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.host.BridgeType;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.vfio.VfioDevice;
import org.jvmm.vfio.uapi.VfioUapi;

/** The host side the nesting tests share: an edu in PASID mode behind a root port, driven through its vfio-pci regions. */
final class EduPasidHost {
    static final PciAddress EDU = PciAddress.parse("0000:01:00.0");

    private EduPasidHost() {
    }

    /** A host with one PCIe root port and the PASID-capable edu behind it, bound to vfio-pci. */
    static HostPciPlatform platform(HostMemoryRegistry registry, EduDevice edu) {
        return HostKernel.builder().memory(registry)
                .memlock(new LockedMemoryAccount(64L << 20, false))
                .bridge("0000:00:01.0", BridgeType.PCIE_ROOT_PORT, 1, true)
                .endpoint(EDU.toString(), edu, HostPciPlatform.VFIO_PCI, true).build();
    }

    /** A little-endian write of {@code size} bytes at {@code off} of vfio-pci region {@code region}. */
    static void regionWrite(VfioDevice device, int region, long off, int size, long v) {
        MemorySegment b = MemorySegment.ofArray(new byte[size]);
        for (int i = 0; i < size; i++) {
            b.set(ValueLayout.JAVA_BYTE, i, (byte) (v >>> (8 * i)));
        }
        device.write((long) region << VfioUapi.VFIO_PCI_OFFSET_SHIFT | off, b);
    }

    /** edu DMA of {@code count} bytes between GVA {@code va} and its buffer, tagged with PASID 5. */
    static void eduDma(VfioDevice device, long va, long count, boolean toRam) {
        long dev = EduDevice.DMA_BUFFER_START;
        regionWrite(device, 0, EduDevice.REG_DMA_SRC, 8, toRam ? dev : va);
        regionWrite(device, 0, EduDevice.REG_DMA_DST, 8, toRam ? va : dev);
        regionWrite(device, 0, EduDevice.REG_DMA_COUNT, 8, count);
        regionWrite(device, 0, EduDevice.REG_DMA_PASID, 8, 5);
        regionWrite(device, 0, EduDevice.REG_DMA_CMD, 8,
                EduDevice.DMA_CMD_RUN | EduDevice.DMA_CMD_PASID | (toRam ? EduDevice.DMA_CMD_TO_RAM : 0));
    }
}
