package org.jvmm.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.jvmm.machine.pseries.PseriesMachine;
import org.jvmm.qtest.QtestSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The jvmm-only queries and the machine commands on pseries (no KVM needed): the guest's
 * H_PUT_TCE shows in x-query-tce, a DMA outside the window shows in x-query-faults and freezes
 * the PE (x-query-pe), exits are counted, and the commands that mean nothing here say so.
 */
class QmpInspectsPseriesTceAndEehState {
    private final PseriesQmp q = new PseriesQmp();
    private final PseriesMachine machine = q.machine;
    private final QtestSession guest = q.guest;
    private final QmpMonitor monitor = q.monitor;
    private final List<String> lines = q.lines;
    private final QmpMonitor.Session session = q.session;

    @AfterEach
    void stop() {
        q.close();
    }

    private JsonNode run(String json) {
        try {
            return QmpJson.parse(q.run(json));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aPutTceShowsInXQueryTceWithItsIobaAndTce() {
        assertEquals("OK 0 0x80000000 0x10000 0x200001 0x0 exited=no", guest.execute("hcall 0x20 0x80000000 0x10000 0x200001"));
        JsonNode w = run("{\"execute\":\"x-query-tce\"}").get("return");
        assertEquals(2, w.size(), "the default window and the DDW slot");
        assertEquals(0x80000000L, w.get(0).get("liobn").asLong());
        assertEquals(12, w.get(0).get("page-shift").asInt());
        assertEquals(262144, w.get(0).get("entries").asLong());
        assertEquals("[{\"ioba\":65536,\"tce\":2097153}]", w.get(0).get("valid").toString());
        assertEquals(false, w.get(1).get("enabled").asBoolean());
        // kvm-tce=on (the default): H_PUT_TCE completes in the accelerator, no exit reaches the VMM
        assertEquals(0, run("{\"execute\":\"x-query-exits\"}").get("return").get("by-kind").get("papr_hcall").asLong());
    }

    @Test
    void aDmaOutsideTheWindowFaultsAndFreezesThePe() {
        JsonNode before = run("{\"execute\":\"x-query-pe\"}").get("return");
        assertEquals("[{\"pe\":" + before.get(0).get("pe").asInt() + ",\"phb\":0,\"buid\":576460752840294400,\"state\":5,"
                + "\"state-name\":\"unavailable\",\"freezes\":0}]", before.toString(), "EEH not enabled yet");
        guest.execute("eeh enable");
        assertEquals("normal", run("{\"execute\":\"x-query-pe\"}").get("return").get(0).get("state-name").asText());
        // edu DMA from bus address 2 GiB, outside the 1 GiB window, 16 bytes into its buffer
        guest.execute("writeq 0x200081000080 0x80000000");
        guest.execute("writeq 0x200081000088 0x40000");
        guest.execute("writeq 0x200081000090 16");
        guest.execute("writeq 0x200081000098 1");
        JsonNode pe = run("{\"execute\":\"x-query-pe\"}").get("return").get(0);
        assertEquals("stopped", pe.get("state-name").asText(), pe.toString());
        assertEquals(1, pe.get("freezes").asInt(), pe.toString());
        JsonNode faults = run("{\"execute\":\"x-query-faults\"}").get("return");
        assertEquals(1, faults.size(), faults.toString());
        assertEquals(0x80000000L, faults.get(0).get("iova").asLong());
    }

    @Test
    void queryPciAndInfoPciShowTheEduOnPhb0() {
        JsonNode dev = run("{\"execute\":\"query-pci\"}").get("return").get(0).get("devices").get(0);
        assertEquals(0x1234, dev.get("id").get("vendor").asInt());
        assertEquals(0x11e8, dev.get("id").get("device").asInt());
        assertEquals(1, dev.get("slot").asInt());
        assertEquals(0x81000000L, dev.get("regions").get(0).get("address").asLong(), "BAR0 as firmware placed it on the bus");
        String pci = run("{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"info pci\"}}").get("return").asText();
        assertTrue(pci.contains("  Bus  0, device   1, function 0:\r\n    Class 00ff: PCI device 1234:11e8\r\n      IRQ pin A.\r\n"
                + "      BAR0: 32 bit memory at 0x81000000 [0x810fffff].\r\n"), pci);
        String mtree = run("{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"info mtree -f\"}}").get("return").asText();
        assertTrue(mtree.startsWith("FlatView #0\r\n AS \"memory\""), mtree);
        assertTrue(run("{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"info mtree\"}}").get("return").asText()
                .startsWith("address-space: memory\r\n"));
        assertTrue(run("{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"info iommu\"}}").get("return").asText()
                .startsWith("container spapr0: spapr-tce, 1 group(s)"));
    }

    @Test
    void commandsThatMeanNothingHereSaySo() {
        assertEquals("{\"error\":{\"class\":\"GenericError\",\"desc\":\"Bus 'pci.0' does not support hotplugging\"}}",
                run("{\"execute\":\"device_add\",\"arguments\":{\"driver\":\"vfio-pci\",\"host\":\"0001:01:00.0\"}}").toString());
        assertEquals("{\"error\":{\"class\":\"DeviceNotFound\",\"desc\":\"Device 'x' not found\"}}",
                run("{\"execute\":\"device_del\",\"arguments\":{\"id\":\"x\"}}").toString());
        assertEquals("{\"error\":{\"class\":\"GenericError\",\"desc\":\"There is no console to take a screendump from\"}}",
                run("{\"execute\":\"screendump\",\"arguments\":{\"filename\":\"s.ppm\"}}").toString());
        assertEquals("{\"return\":{\"enabled\":false,\"present\":" + java.nio.file.Files.isWritable(java.nio.file.Path.of("/dev/kvm")) + "}}",
                run("{\"execute\":\"query-kvm\"}").toString());
        assertEquals("{\"error\":{\"class\":\"GenericError\",\"desc\":\"Parameter 'cpu-index' expects a CPU number\"}}",
                run("{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"info pci\",\"cpu-index\":1}}").toString());
    }

    @Test
    void resetPutsTheDefaultWindowBackAndQuitEndsWithShutdown() {
        guest.execute("hcall 0x20 0x80000000 0x10000 0x200001");
        lines.clear();
        monitor.input(session, "{\"execute\":\"system_reset\"}");
        assertTrue(lines.get(0).endsWith("\"event\": \"RESET\", \"data\": {\"guest\": false, \"reason\": \"host-qmp-system-reset\"}}"));
        assertEquals("[]", run("{\"execute\":\"x-query-tce\"}").get("return").get(0).get("valid").toString(), "the TCE table is cleared");
        boolean[] quit = {false};
        QmpMonitor m2 = new QmpMonitor(new PseriesMonitored(machine, false), false, () -> quit[0] = true);
        List<String> out = new ArrayList<>();
        QmpMonitor.Session s2 = m2.open(out::add);
        m2.input(s2, "{\"execute\":\"qmp_capabilities\"}{\"execute\":\"quit\"}".substring(0, 31));
        m2.input(s2, "{\"execute\":\"quit\",\"id\":9}");
        assertTrue(out.get(2).endsWith("\"event\": \"SHUTDOWN\", \"data\": {\"guest\": false, \"reason\": \"host-qmp-quit\"}}"), out.toString());
        assertEquals("{\"return\": {}, \"id\": 9}", out.get(3));
        assertTrue(quit[0], "the owner is told after the answer");
        assertEquals(RunState.SHUTDOWN, m2.state());
    }
}
