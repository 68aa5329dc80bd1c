package org.jvmm.devices.mbochs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.testing.MdevRig;
import org.jvmm.vfio.VfioDevice;
import org.junit.jupiter.api.function.Executable;

/** Shared steps of the mbochs rule tests: a rig with mbochs loaded, sized pread/pwrite, errno checks. */
final class MbochsFixture {
    static final String TYPES = "/sys/class/mdev_bus/mbochs/mdev_supported_types/";
    static final String U = "7b4e3a1c-0d2f-4f6a-9b8c-1d2e3f405060";
    static final long MMIO = MbochsDevice.MMIO_BAR_OFFSET;
    static final long EDID = MbochsDevice.EDID_REGION_OFFSET;
    static final long VRAM = MbochsDevice.MEMORY_BAR_OFFSET;

    private MbochsFixture() {
    }

    static MdevRig.Opened open(MdevRig rig, String type) {
        MbochsDriver.load(rig.bus);
        rig.bus.write(TYPES + type + "/create", U + "\n");
        return rig.open(U);
    }

    static long read(VfioDevice d, long off, int size) {
        MemorySegment b = MemorySegment.ofArray(new byte[size]);
        assertEquals(size, d.read(off, b));
        long v = 0;
        for (int i = 0; i < size; i++) {
            v |= (long) (b.get(ValueLayout.JAVA_BYTE, i) & 0xff) << (8 * i);
        }
        return v;
    }

    static void write(VfioDevice d, long off, int size, long value) {
        MemorySegment b = MemorySegment.ofArray(new byte[size]);
        for (int i = 0; i < size; i++) {
            b.set(ValueLayout.JAVA_BYTE, i, (byte) (value >>> (8 * i)));
        }
        assertEquals(size, d.write(off, b));
    }

    /** Programs the dispi registers for an XRGB8888 mode and enables it. */
    static void mode(VfioDevice d, int width, int height, int virtWidth, int xOff, int yOff) {
        write(d, MMIO + 0x500 + 2 * MbochsDevice.DISPI_ENABLE, 2, 0);
        write(d, MMIO + 0x500 + 2 * MbochsDevice.DISPI_XRES, 2, width);
        write(d, MMIO + 0x500 + 2 * MbochsDevice.DISPI_YRES, 2, height);
        write(d, MMIO + 0x500 + 2 * MbochsDevice.DISPI_BPP, 2, 32);
        write(d, MMIO + 0x500 + 2 * MbochsDevice.DISPI_VIRT_WIDTH, 2, virtWidth);
        write(d, MMIO + 0x500 + 2 * MbochsDevice.DISPI_X_OFFSET, 2, xOff);
        write(d, MMIO + 0x500 + 2 * MbochsDevice.DISPI_Y_OFFSET, 2, yOff);
        write(d, MMIO + 0x500 + 2 * MbochsDevice.DISPI_ENABLE, 2, MbochsDevice.DISPI_ENABLED);
    }

    static ErrnoException assertErrno(Errno errno, String op, Executable call) {
        ErrnoException e = assertThrows(ErrnoException.class, call);
        assertEquals(errno, e.errno(), e.getMessage());
        assertEquals(op, e.operation(), e.getMessage());
        return e;
    }
}
