package org.jvmm.devices.edu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.jvmm.devices.edu.EduDevice.*;
import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import org.jvmm.host.sys.EventFd;
import org.jvmm.pci.DmaPort;
import org.jvmm.pci.InterruptSink;
import org.jvmm.pci.PciRegs;
import org.jvmm.testing.DeviceRig;
import org.jvmm.testing.Hosts;
import org.jvmm.vfio.IrqData;
import org.jvmm.vfio.IrqSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("edu (docs/specs/edu.rst): identification, liveness, factorial with status and interrupt, irq raise/ack, MSI and INTx, byte order")
class EduRegistersAndInterrupts {

    private static DeviceRig eduRig() {
        DeviceRig rig = new DeviceRig(Hosts.EDU);
        rig.setConfig(0x04, 2, PciRegs.COMMAND_MEMORY | PciRegs.COMMAND_MASTER);
        return rig;
    }

    @Test
    void identificationAndLiveness() {
        try (DeviceRig rig = eduRig()) {
            assertEquals(0x010000ed, rig.read(0, REG_ID, 4));
            rig.write(0, REG_LIVENESS, 4, 0xcafe0000L);
            assertEquals(0x3501ffffL, rig.read(0, REG_LIVENESS, 4));
            assertEquals(0xffff, rig.read(0, REG_ID, 2)); // only 4-byte accesses below 0x80
            assertEquals(0xffff_ffffL, rig.read(0, 0x30, 4)); // no register there
        }
    }

    @Test
    void factorialWithInterruptOverIntx() {
        try (DeviceRig rig = eduRig()) {
            EventFd intx = rig.eventfd();
            rig.device.setIrqs(IrqSet.of(VFIO_IRQ_SET_ACTION_TRIGGER, VFIO_PCI_INTX_IRQ_INDEX, 0, 1, IrqData.eventfds(intx)));
            rig.write(0, REG_STATUS, 4, STATUS_IRQFACT);
            assertEquals(STATUS_IRQFACT, rig.read(0, REG_STATUS, 4));
            rig.write(0, REG_FACTORIAL, 4, 10);
            assertEquals(3628800, rig.read(0, REG_FACTORIAL, 4));
            assertEquals(STATUS_IRQFACT, rig.read(0, REG_STATUS, 4)); // computing bit clear again
            assertEquals(FACT_IRQ, rig.read(0, REG_IRQ_STATUS, 4));
            assertEquals(1, intx.readCount());
            rig.write(0, REG_IRQ_ACK, 4, FACT_IRQ);
            assertEquals(0, rig.read(0, REG_IRQ_STATUS, 4));
            rig.device.setIrqs(IrqSet.of(VFIO_IRQ_SET_ACTION_UNMASK, VFIO_PCI_INTX_IRQ_INDEX, 0, 1, IrqData.none()));
            assertEquals(0, intx.readCount()); // line deasserted by the ack: no re-fire
            rig.write(0, REG_STATUS, 4, 0);
            rig.write(0, REG_FACTORIAL, 4, 13);
            assertEquals(1932053504L, rig.read(0, REG_FACTORIAL, 4)); // 13! mod 2^32
            assertEquals(0, intx.readCount());
        }
    }

    @Test
    void raiseAndAcknowledgeOverMsi() {
        try (DeviceRig rig = eduRig()) {
            EventFd msi = rig.eventfd();
            rig.device.setIrqs(IrqSet.of(VFIO_IRQ_SET_ACTION_TRIGGER, VFIO_PCI_MSI_IRQ_INDEX, 0, 1, IrqData.eventfds(msi)));
            rig.write(0, REG_IRQ_RAISE, 4, 0x50);
            rig.write(0, REG_IRQ_RAISE, 4, 0x05);
            assertEquals(0x55, rig.read(0, REG_IRQ_STATUS, 4));
            assertEquals(2, msi.readCount());
            rig.write(0, REG_IRQ_ACK, 4, 0x50);
            assertEquals(0x05, rig.read(0, REG_IRQ_STATUS, 4));
        }
    }

    @Test
    void dmaCommandOutsideTheBufferIsDroppedAndRegistersAreLockedWhileRunning() {
        ArrayDeque<Runnable> queue = new ArrayDeque<>();
        Executor deviceThread = queue::add;
        EduDevice edu = new EduDevice(ByteOrder.LITTLE_ENDIAN, deviceThread);
        edu.connect(new NoDma(), new NoIrq());
        edu.barWrite(0, REG_DMA_SRC, 8, 0x1000);
        edu.barWrite(0, REG_DMA_DST, 8, DMA_BUFFER_START + 4000);
        edu.barWrite(0, REG_DMA_COUNT, 8, 200);
        edu.barWrite(0, REG_DMA_CMD, 8, DMA_CMD_RUN);
        assertEquals(DMA_CMD_RUN, edu.barRead(0, REG_DMA_CMD, 8)); // running on the device thread
        edu.barWrite(0, REG_DMA_SRC, 8, 0x2000); // ignored while running
        assertEquals(0x1000, edu.barRead(0, REG_DMA_SRC, 8));
        queue.poll().run();
        assertEquals(0, edu.barRead(0, REG_DMA_CMD, 8));
        assertEquals(1, edu.rejectedDmaCommands());
        edu.barWrite(0, REG_FACTORIAL, 4, 5);
        assertEquals(STATUS_COMPUTING, edu.barRead(0, REG_STATUS, 4));
        edu.barWrite(0, REG_FACTORIAL, 4, 6); // ignored while computing
        queue.poll().run();
        assertEquals(120, edu.barRead(0, REG_FACTORIAL, 4));
        assertEquals(0, edu.barRead(0, REG_STATUS, 4));
    }

    @Test
    void bigEndianEduPutsRegistersOnTheBusBigEndian() {
        EduDevice edu = new EduDevice(ByteOrder.BIG_ENDIAN, Runnable::run);
        edu.connect(new NoDma(), new NoIrq());
        assertEquals(Integer.reverseBytes(0x010000ed) & 0xffff_ffffL, edu.barRead(0, REG_ID, 4));
        edu.barWrite(0, REG_LIVENESS, 4, Integer.reverseBytes(0x0000_00ff) & 0xffff_ffffL);
        assertEquals(Integer.reverseBytes(0xffff_ff00) & 0xffff_ffffL, edu.barRead(0, REG_LIVENESS, 4));
        edu.barWrite(0, REG_DMA_SRC, 8, Long.reverseBytes(0x1234_5678L));
        assertEquals(Long.reverseBytes(0x1234_5678L), edu.barRead(0, REG_DMA_SRC, 8));
    }

    private static final class NoDma implements DmaPort {
        public long read(org.jvmm.address.Iova iova, java.lang.foreign.MemorySegment dst) {
            return 0;
        }

        public long write(org.jvmm.address.Iova iova, java.lang.foreign.MemorySegment src) {
            return 0;
        }
    }

    private static final class NoIrq implements InterruptSink {
        public void setIntx(boolean asserted) {
        }

        public boolean msiEnabled() {
            return false;
        }

        public boolean msixEnabled() {
            return false;
        }

        public void signalMsi(int vector) {
        }
    }
}
