package org.jvmm.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.jvmm.devices.edu.EduDevice;
import org.jvmm.machine.config.MemoryConfig;
import org.jvmm.machine.pseries.PseriesBuilder;
import org.jvmm.machine.pseries.PseriesMachine;
import org.jvmm.qtest.QtestSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * x-query-dma and x-query-irq on pseries after a guest (qtest) whose DMA and interrupts are
 * known: the edu moves 16 bytes out of guest memory and 8 into it through a TCE, raises its INTx
 * (XICS LSI 0x1201) once, then, with MSI set up by ibm,change-msi and enabled, sends vector 0
 * twice (XICS source 0x1300).
 */
class QmpCountsDmaAndInterruptsPerDevice {
    private static final long PHB_CFG = PseriesBuilder.EDU_SLOT << 11;
    private PseriesMachine machine;
    private QtestSession guest;
    private QmpMonitor monitor;
    private final List<String> lines = new ArrayList<>();
    private QmpMonitor.Session session;
    private long bar0;

    @BeforeEach
    void start() {
        machine = new PseriesBuilder(MemoryConfig.of(64L << 20)).build();
        guest = new QtestSession(machine, new PrintStream(new ByteArrayOutputStream()));
        monitor = new QmpMonitor(new PseriesMonitored(machine, false), false, () -> { });
        session = monitor.open(lines::add);
        run("{\"execute\":\"qmp_capabilities\"}");
        bar0 = machine.bar0Address(PseriesBuilder.EDU_SLOT);
    }

    @AfterEach
    void stop() {
        machine.close();
    }

    private String run(String json) {
        lines.clear();
        monitor.input(session, json);
        return lines.get(lines.size() - 1);
    }

    /** A store to an edu register: 64 bits for the DMA registers, 32 below 0x80 (edu ignores other sizes there). */
    private void edu(int register, long value) {
        String op = register < 0x80 ? "writel" : "writeq";
        assertEquals("OK", guest.execute(op + " 0x" + Long.toHexString(bar0 + register) + " " + value));
    }

    @Test
    void beforeTheGuestActsEveryCountIsZero() {
        assertEquals("{\"return\": {\"to-memory\": 0, \"from-memory\": 0, \"devices\": [{\"device\": \"vfio-0001:01:00.0\", \"host\": \"0001:01:00.0\", "
                + "\"to-memory\": 0, \"from-memory\": 0}]}}", run("{\"execute\":\"x-query-dma\"}"));
        assertEquals("{\"return\": {\"msi\": 0, \"intx\": 0, \"devices\": [{\"device\": \"vfio-0001:01:00.0\", \"host\": \"0001:01:00.0\", \"msi\": 0, "
                + "\"intx\": 0, \"vectors\": []}], \"sources\": []}}", run("{\"execute\":\"x-query-irq\"}"));
    }

    @Test
    void dmaBytesEachWayAndInterruptsPerVectorAndSource() {
        // a TCE for bus page 0x10000 -> guest page 0x200000, read and write
        assertEquals("OK 0 0x80000000 0x10000 0x200003 0x0 exited=no", guest.execute("hcall 0x20 0x80000000 0x10000 0x200003"));
        edu(EduDevice.REG_DMA_SRC, 0x10000);
        edu(EduDevice.REG_DMA_DST, EduDevice.DMA_BUFFER_START);
        edu(EduDevice.REG_DMA_COUNT, 16);
        edu(EduDevice.REG_DMA_CMD, EduDevice.DMA_CMD_RUN);
        edu(EduDevice.REG_DMA_SRC, EduDevice.DMA_BUFFER_START);
        edu(EduDevice.REG_DMA_DST, 0x10000);
        edu(EduDevice.REG_DMA_COUNT, 8);
        edu(EduDevice.REG_DMA_CMD, EduDevice.DMA_CMD_RUN | EduDevice.DMA_CMD_TO_RAM);
        assertEquals("{\"return\": {\"to-memory\": 8, \"from-memory\": 16, \"devices\": [{\"device\": \"vfio-0001:01:00.0\", \"host\": \"0001:01:00.0\", "
                + "\"to-memory\": 8, \"from-memory\": 16}]}}", run("{\"execute\":\"x-query-dma\"}"));

        edu(EduDevice.REG_IRQ_RAISE, 1);
        edu(EduDevice.REG_IRQ_ACK, 1);
        // ibm,change-msi function 3 (set up MSI), 1 vector: the first MSI source, 0x1300
        assertEquals("OK 0 0x1 0x1 0x1", guest.execute("rtas ibm,change-msi 4 " + PHB_CFG + " 0x8000000 0x20000000 3 1 0"));
        int cap = msiCap();
        int devfn = PseriesBuilder.EDU_SLOT << 3;
        machine.phb().bus().configWrite(devfn, cap + 2, 2, machine.phb().bus().configRead(devfn, cap + 2, 2) | 1);
        edu(EduDevice.REG_IRQ_RAISE, 1);
        edu(EduDevice.REG_IRQ_ACK, 1);
        edu(EduDevice.REG_IRQ_RAISE, 1);
        edu(EduDevice.REG_IRQ_ACK, 1);
        assertEquals("{\"return\": {\"msi\": 2, \"intx\": 1, \"devices\": [{\"device\": \"vfio-0001:01:00.0\", \"host\": \"0001:01:00.0\", \"msi\": 2, "
                + "\"intx\": 1, \"vectors\": [{\"vector\": 0, \"count\": 2}]}], \"sources\": [{\"irq\": 4609, \"type\": \"lsi\", \"count\": 1}, "
                + "{\"irq\": 4864, \"type\": \"msi\", \"count\": 2}]}}", run("{\"execute\":\"x-query-irq\"}"));
    }

    private int msiCap() {
        var bus = machine.phb().bus();
        int devfn = PseriesBuilder.EDU_SLOT << 3;
        int off = bus.configRead(devfn, org.jvmm.pci.PciRegs.CAPABILITY_LIST, 1) & 0xfc;
        while (off != 0 && bus.configRead(devfn, off, 1) != org.jvmm.pci.PciRegs.CAP_ID_MSI) {
            off = bus.configRead(devfn, off + 1, 1) & 0xfc;
        }
        return off;
    }
}
