package org.jvmm.devices.medu;

import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.jvmm.address.Iova;
import org.jvmm.devices.edu.EduDevice;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.testing.MdevRig;
import org.jvmm.vfio.VfioDevice;
import org.jvmm.vfio.iommu.DmaMap;
import org.jvmm.vfio.iommu.Type1Iommu;

/**
 * One medu mdev opened in a TYPE1v2 container with 64 KiB of "guest RAM" mapped READ|WRITE at
 * IOVA {@link #IOVA}, and the edu DMA programming sequence a guest driver would write.
 */
final class MeduRig implements AutoCloseable {
    static final String TYPES = "/sys/class/mdev_bus/medu/mdev_supported_types/";
    static final String U = "5a0d2c7e-1111-4222-8333-944455556666";
    static final long IOVA = 0x100000;
    static final int RAM = 1 << 16;
    final MdevRig rig;
    final HostMapping ram;
    final MdevRig.Opened opened;
    final MeduDevice medu;

    MeduRig(String type, MeduDriver.Options options, long memlock) {
        rig = new MdevRig(memlock);
        MeduDriver.load(rig.bus, options);
        rig.bus.write(TYPES + type + "/create", U);
        ram = rig.memory.allocate("guest-ram", RAM);
        opened = rig.open(U);
        medu = (MeduDevice) rig.bus.device(U).vendorDevice();
    }

    MeduRig(String type) {
        this(type, MeduDriver.Options.defaults(), 64L << 20);
    }

    VfioDevice device() {
        return opened.device();
    }

    Type1Iommu type1() {
        return (Type1Iommu) opened.container().backend();
    }

    void map(int flags) {
        opened.container().mapDma(new DmaMap(flags, ram.address(), Iova.of(IOVA), RAM));
    }

    void map() {
        map(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE);
    }

    void reg(long offset, int size, long value) {
        MemorySegment b = MemorySegment.ofArray(new byte[size]);
        for (int i = 0; i < size; i++) {
            b.set(ValueLayout.JAVA_BYTE, i, (byte) (value >>> (8 * i)));
        }
        device().write(offset, b);
    }

    long reg(long offset, int size) {
        MemorySegment b = MemorySegment.ofArray(new byte[size]);
        device().read(offset, b);
        long v = 0;
        for (int i = 0; i < size; i++) {
            v |= (long) (b.get(ValueLayout.JAVA_BYTE, i) & 0xff) << (8 * i);
        }
        return v;
    }

    /** edu DMA of {@code count} bytes between {@code iova} and the device buffer at {@code bufOff}. */
    void dma(long iova, int bufOff, int count, boolean toRam, boolean irq) {
        long dev = EduDevice.DMA_BUFFER_START + bufOff;
        reg(EduDevice.REG_DMA_SRC, 8, toRam ? dev : iova);
        reg(EduDevice.REG_DMA_DST, 8, toRam ? iova : dev);
        reg(EduDevice.REG_DMA_COUNT, 8, count);
        reg(EduDevice.REG_DMA_CMD, 8, EduDevice.DMA_CMD_RUN | (toRam ? EduDevice.DMA_CMD_TO_RAM : 0)
                | (irq ? EduDevice.DMA_CMD_IRQ : 0));
    }

    MemorySegment ram() {
        return ram.segment();
    }

    @Override
    public void close() {
        opened.close();
    }
}
