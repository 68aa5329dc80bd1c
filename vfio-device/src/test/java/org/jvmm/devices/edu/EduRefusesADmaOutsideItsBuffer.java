package org.jvmm.devices.edu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.jvmm.devices.edu.EduDevice.*;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.jvmm.address.Iova;
import org.jvmm.pci.DmaPort;
import org.jvmm.pci.InterruptSink;
import org.jvmm.pci.PciRegs;
import org.jvmm.testing.DeviceRig;
import org.jvmm.testing.Hosts;

/**
 * The edu DMA range rule: [addr, addr + count) in the 4 KiB buffer at 0x40000, with addr and
 * count unsigned 64-bit and no wrap past 2^64. A command outside it moves nothing, completes (RUN
 * clears, the DMA interrupt is raised when asked), is logged as a guest error and counted; it
 * never throws. (QEMU releases whose edu_check_range calls hw_error abort instead; later ones log
 * LOG_GUEST_ERROR, as this model does.)
 */
@DisplayName("edu: a DMA outside the buffer (huge, wrapping or top-bit counts) is refused, logged as a guest error, and the device goes on")
class EduRefusesADmaOutsideItsBuffer {

    private static final class RecordingDma implements DmaPort {
        final List<String> calls = new ArrayList<>();

        public long read(Iova iova, MemorySegment dst) {
            calls.add("read " + iova.value() + " " + dst.byteSize());
            return dst.byteSize();
        }

        public long write(Iova iova, MemorySegment src) {
            calls.add("write " + iova.value() + " " + src.byteSize());
            return src.byteSize();
        }
    }

    private static final class CountingIrq implements InterruptSink {
        int msi;

        public void setIntx(boolean asserted) {
        }

        public boolean msiEnabled() {
            return true;
        }

        public boolean msixEnabled() {
            return false;
        }

        public void signalMsi(int vector) {
            msi++;
        }
    }

    private static void dma(EduDevice edu, long src, long dst, long count, long cmd) {
        edu.barWrite(0, REG_DMA_SRC, 8, src);
        edu.barWrite(0, REG_DMA_DST, 8, dst);
        edu.barWrite(0, REG_DMA_COUNT, 8, count);
        edu.barWrite(0, REG_DMA_CMD, 8, cmd);
    }

    @ParameterizedTest(name = "device address {0}, count {1}")
    @CsvSource({
            "0x40000, 0x8000000000000000",
            "0x40000, 0xffffffffffffffff",
            "0x40000, 0x1001",
            "0x40ff8, 0x9",
            "0x41000, 0x1",
            "0xfffffffffffff000, 0x1000",
            "0xfffffffffffffff8, 0x10",
            "0x8000000000040000, 0x10",
            "0x3ffff, 0x2",
    })
    void aCommandOutsideTheBufferIsRefusedLoggedAndCompletes(String devAddr, String count) {
        long dev = Long.parseUnsignedLong(devAddr.substring(2), 16);
        long n = Long.parseUnsignedLong(count.substring(2), 16);
        for (long cmd : new long[] {DMA_CMD_RUN | DMA_CMD_IRQ, DMA_CMD_RUN | DMA_CMD_TO_RAM | DMA_CMD_IRQ}) {
            EduDevice edu = new EduDevice(ByteOrder.LITTLE_ENDIAN, Runnable::run);
            RecordingDma port = new RecordingDma();
            CountingIrq irq = new CountingIrq();
            edu.connect(port, irq);
            boolean toRam = (cmd & DMA_CMD_TO_RAM) != 0;
            dma(edu, toRam ? dev : 0x1000, toRam ? 0x1000 : dev, n, cmd);
            assertEquals(List.of(), port.calls, "nothing moves");
            assertEquals(0, edu.barRead(0, REG_DMA_CMD, 8) & DMA_CMD_RUN, "the command completes");
            assertEquals(1, irq.msi, "the DMA interrupt is still raised");
            assertEquals(1, edu.rejectedDmaCommands());
            assertEquals(1, edu.guestErrors().count());
            assertEquals("dma-range: DMA of 0x" + Long.toHexString(n) + " bytes at device address 0x" + Long.toHexString(dev)
                    + " is outside the buffer [0x40000, 0x41000); command refused", edu.guestErrors().last());
        }
    }

    @Test
    void theWholeBufferAndAZeroCountAreInRange() {
        EduDevice edu = new EduDevice(ByteOrder.LITTLE_ENDIAN, Runnable::run);
        RecordingDma port = new RecordingDma();
        edu.connect(port, new CountingIrq());
        dma(edu, 0x2000, DMA_BUFFER_START, DMA_BUFFER_SIZE, DMA_CMD_RUN);
        dma(edu, DMA_BUFFER_START + DMA_BUFFER_SIZE - 1, 0x3000, 1, DMA_CMD_RUN | DMA_CMD_TO_RAM);
        dma(edu, DMA_BUFFER_START + DMA_BUFFER_SIZE, 0x3000, 0, DMA_CMD_RUN | DMA_CMD_TO_RAM);
        assertEquals(List.of("read 8192 4096", "write 12288 1"), port.calls, "a zero count moves nothing, as QEMU's check allows");
        assertEquals(0, edu.rejectedDmaCommands());
        assertEquals(0, edu.guestErrors().count());
        assertNull(edu.guestErrors().last());
    }

    @Test
    void aDmaAddressBeyondTheMaskIsClampedAndLogged() {
        EduDevice edu = new EduDevice(ByteOrder.LITTLE_ENDIAN, Runnable::run);
        RecordingDma port = new RecordingDma();
        edu.connect(port, new CountingIrq());
        dma(edu, 0x8000_1000L, DMA_BUFFER_START, 16, DMA_CMD_RUN);
        assertEquals(List.of("read 4096 16"), port.calls);
        assertEquals(1, edu.guestErrors().count());
        assertEquals("dma-clamp: DMA address 0x80001000 clamped to 0x1000 by the DMA mask 0xfffffff", edu.guestErrors().last());
    }

    /** Through vfio-pci's region write, as a guest's trapped BAR store arrives: no exception escapes. */
    @Test
    void aTopBitCountWrittenThroughTheVfioPciBarIsRefusedNotThrown() {
        try (DeviceRig rig = new DeviceRig(Hosts.EDU)) {
            rig.setConfig(0x04, 2, PciRegs.COMMAND_MEMORY | PciRegs.COMMAND_MASTER);
            rig.write(0, REG_DMA_SRC, 8, DMA_BUFFER_START);
            rig.write(0, REG_DMA_DST, 8, 0x1000);
            rig.write(0, REG_DMA_COUNT, 8, 0x8000_0000_0000_0000L);
            rig.write(0, REG_DMA_CMD, 8, DMA_CMD_RUN | DMA_CMD_TO_RAM);
            assertEquals(0, rig.read(0, REG_DMA_CMD, 8) & DMA_CMD_RUN);
            EduDevice edu = (EduDevice) rig.seed.platform().function("test", Hosts.EDU).model();
            assertEquals(1, edu.guestErrors().count());
            assertEquals(1, rig.seed.platform().function("test", Hosts.EDU).guestErrorCount());
            assertEquals(0x010000ed, rig.read(0, REG_ID, 4), "the device goes on");
        }
    }

    @Test
    void aBarOffsetBeyondTheBarReadsAllOnesAndIsIgnoredWhenWritten() {
        EduDevice edu = new EduDevice(ByteOrder.LITTLE_ENDIAN, Runnable::run);
        edu.connect(new RecordingDma(), new CountingIrq());
        assertEquals(0xffff_ffffL, edu.barRead(0, 1L << 32, 4), "REG_ID's offset plus 4 GiB is not REG_ID");
        edu.barWrite(0, (1L << 32) | REG_LIVENESS, 4, 0x1234);
        assertEquals(0xffff_ffffL, edu.barRead(0, REG_LIVENESS, 4));
    }
}
