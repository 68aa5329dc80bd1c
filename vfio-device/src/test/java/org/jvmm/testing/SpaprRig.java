package org.jvmm.testing;

import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.jvmm.devices.edu.EduDevice;
import org.jvmm.host.kernel.HostKernel;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.PciRegs;
import org.jvmm.pci.host.BridgeType;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.pci.host.IommuGroup;
import org.jvmm.pci.host.spapr.PartitionableEndpoint;
import org.jvmm.pci.host.spapr.PnvPhb;
import org.jvmm.pci.host.spapr.PnvPhbConfig;
import org.jvmm.vfio.VfioContainer;
import org.jvmm.vfio.VfioDevice;
import org.jvmm.vfio.VfioGroup;
import org.jvmm.host.memory.LockedMemoryAccount;
import org.jvmm.vfio.iommu.IommuHostResources;
import org.jvmm.vfio.iommu.SpaprTceDriver;
import org.jvmm.vfio.iommu.SpaprTceIommu;

/**
 * A POWER host for sPAPR tests: one PHB ({@link PnvPhbConfig#ioda2()} unless told otherwise)
 * with two root ports with ACS, a big-endian edu with a 64-bit DMA mask at 0001:01:00.0 (group
 * 1) and a second edu at 0001:02:00.0 (group 2), both bound to vfio-pci; the only VFIO IOMMU
 * driver is vfio_iommu_spapr_tce. {@link #open} puts group 1 in a container of the given type.
 */
public final class SpaprRig implements AutoCloseable {
    public static final PciAddress EDU = PciAddress.parse("0001:01:00.0");
    public static final PciAddress EDU_2 = PciAddress.parse("0001:02:00.0");

    public final HostMemoryRegistry memory = new HostMemoryRegistry();
    public final LockedMemoryAccount memlock;
    public final PnvPhb phb;
    public final HostPciPlatform platform;
    /** What the VFIO core gives an IOMMU driver on this host. */
    public final IommuHostResources iommuHost;
    public final EduDevice edu = new EduDevice(ByteOrder.BIG_ENDIAN, Runnable::run, -1L);
    public final EduDevice edu2 = new EduDevice(ByteOrder.BIG_ENDIAN, Runnable::run, -1L);
    public final VfioContainer container;
    public VfioGroup group;
    public VfioDevice device;
    private final Arena arena = Arena.ofConfined();

    public SpaprRig(PnvPhbConfig config, long memlockLimit) {
        memlock = new LockedMemoryAccount(memlockLimit, false);
        phb = new PnvPhb(config, memory);
        platform = HostKernel.builder()
                .memory(memory)
                .memlock(memlock)
                .iommuDriver(new SpaprTceDriver(phb))
                .firstGroupNumber(1)
                .bridge("0001:00:01.0", BridgeType.PCIE_ROOT_PORT, 1, true)
                .bridge("0001:00:02.0", BridgeType.PCIE_ROOT_PORT, 2, true)
                .endpoint("0001:01:00.0", edu, "edu", true)
                .endpoint("0001:02:00.0", edu2, "edu", true)
                .build();
        platform.unbind(EDU);
        platform.unbind(EDU_2);
        platform.newId("vfio-pci", EduDevice.VENDOR_ID, EduDevice.DEVICE_ID);
        iommuHost = new IommuHostResources(platform.iommuHardware(), memory, memlock);
        container = VfioContainer.open(platform);
    }

    public SpaprRig() {
        this(PnvPhbConfig.ioda2(), 1L << 32);
    }

    /** Group 1 joins the container, SET_IOMMU(type), and the edu's device fd opens. */
    public SpaprRig open(int type) {
        group = VfioGroup.open(platform, platform.iommuGroupOf(EDU));
        group.setContainer(container);
        container.setIommu(type);
        device = group.getDeviceFd(EDU.toString());
        return this;
    }

    public SpaprTceIommu iommu() {
        return (SpaprTceIommu) container.backend();
    }

    public IommuGroup iommuGroup(PciAddress a) {
        return platform.function("test", a).iommuGroup();
    }

    public PartitionableEndpoint pe() {
        return phb.pe(iommuGroup(EDU));
    }

    /** Memory decode and bus master on, through the device fd's config region. */
    public void enableDevice() {
        write(VFIO_PCI_CONFIG_REGION_INDEX, 4, 2, PciRegs.COMMAND_MEMORY | PciRegs.COMMAND_MASTER);
    }

    /** A region read through the device fd, little-endian as pread returns bus bytes. */
    public long read(int region, long at, int size) {
        MemorySegment buf = arena.allocate(size);
        device.read((long) region << VFIO_PCI_OFFSET_SHIFT | at, buf);
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            v = v << 8 | (buf.get(ValueLayout.JAVA_BYTE, i) & 0xff);
        }
        return v;
    }

    public void write(int region, long at, int size, long value) {
        MemorySegment buf = arena.allocate(size);
        for (int i = 0; i < size; i++) {
            buf.set(ValueLayout.JAVA_BYTE, i, (byte) (value >>> (8 * i)));
        }
        device.write((long) region << VFIO_PCI_OFFSET_SHIFT | at, buf);
    }

    /** An edu register write of a value, big-endian on the bus (as a POWER CPU stores it). */
    public void eduWrite(long reg, int size, long value) {
        write(0, reg, size, size == 8 ? Long.reverseBytes(value) : Integer.reverseBytes((int) value) & 0xffff_ffffL);
    }

    public long eduRead(long reg, int size) {
        long v = read(0, reg, size);
        return size == 8 ? Long.reverseBytes(v) : Integer.reverseBytes((int) v) & 0xffff_ffffL;
    }

    /** Runs an edu DMA: RAM to the device buffer (toRam false) or back. */
    public void eduDma(long iova, long bufferOffset, long count, boolean toRam) {
        long dev = EduDevice.DMA_BUFFER_START + bufferOffset;
        eduWrite(EduDevice.REG_DMA_SRC, 8, toRam ? dev : iova);
        eduWrite(EduDevice.REG_DMA_DST, 8, toRam ? iova : dev);
        eduWrite(EduDevice.REG_DMA_COUNT, 8, count);
        eduWrite(EduDevice.REG_DMA_CMD, 8, EduDevice.DMA_CMD_RUN | (toRam ? EduDevice.DMA_CMD_TO_RAM : 0));
    }

    @Override
    public void close() {
        if (device != null && !device.isClosed()) {
            device.close();
        }
        if (group != null) {
            group.close();
        }
        container.close();
        arena.close();
    }
}
