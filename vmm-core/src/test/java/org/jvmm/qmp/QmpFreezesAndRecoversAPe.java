package org.jvmm.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.jvmm.qtest.QtestSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * x-pe-freeze and x-pe-recover on pseries (no KVM needed), through the EEH model the guest's RTAS
 * calls use: a freeze is an injected error (VFIO_EEH_PE_INJECT_ERR), so the guest then reads its
 * BAR as all-ones and the RTAS state call reports it stopped; recovery is the kernel's documented
 * sequence (UNFREEZE_IO, RESET_HOT, RESET_DEACTIVATE, CONFIGURE) and gives the guest its BAR back.
 * A machine without PEs lacks both commands (CommandNotFound, as QEMU answers a command its target
 * lacks).
 */
class QmpFreezesAndRecoversAPe {
    /** The edu's BAR0 as firmware placed it, seen from the CPU (PHB 0's MMIO window). */
    private static final String EDU_ID_REGISTER = "0x200081000000";
    private final PseriesQmp q = new PseriesQmp();
    private final QtestSession guest = q.guest;
    private final QmpMonitor monitor = q.monitor;

    @AfterEach
    void stop() {
        q.close();
    }

    private String run(String json) {
        return q.run(json);
    }

    private JsonNode pe() throws Exception {
        JsonNode all = QmpJson.parse(run("{\"execute\":\"x-query-pe\"}")).get("return");
        assertEquals(1, all.size(), all.toString());
        return all.get(0);
    }

    @Test
    @DisplayName("x-pe-freeze stops the PE: MMIO reads all-ones, the guest's RTAS sees it stopped; x-pe-recover gives it back")
    void freezeThenRecoverThroughTheRtasEehModel() throws Exception {
        guest.execute("eeh enable");
        int n = pe().get("pe").asInt();
        assertEquals("{\"pe\":" + n + ",\"phb\":0,\"buid\":576460752840294400,\"state\":0,\"state-name\":\"normal\",\"freezes\":0}",
                pe().toString());
        assertEquals("OK 0x10000ed", guest.execute("readl " + EDU_ID_REGISTER), "the edu's identification register");

        assertEquals("{\"return\": {}, \"id\": 1}", run("{\"execute\":\"x-pe-freeze\",\"arguments\":{\"pe\":" + n + "},\"id\":1}"));
        assertEquals("{\"pe\":" + n + ",\"phb\":0,\"buid\":576460752840294400,\"state\":2,\"state-name\":\"stopped\",\"freezes\":1}",
                pe().toString());
        assertEquals("OK 0xffffffff", guest.execute("readl " + EDU_ID_REGISTER), "a frozen PE reads all-ones");
        assertEquals("OK 2", guest.execute("eeh get-state"), "VFIO_EEH_PE_GET_STATE on the container, which ibm,read-slot-reset-state2 reports");

        assertEquals("{\"return\": {}, \"id\": 2}", run("{\"execute\":\"x-pe-recover\",\"arguments\":{\"pe\":" + n + "},\"id\":2}"));
        assertEquals("{\"pe\":" + n + ",\"phb\":0,\"buid\":576460752840294400,\"state\":0,\"state-name\":\"normal\",\"freezes\":1}",
                pe().toString());
        assertEquals("OK 0x10000ed", guest.execute("readl " + EDU_ID_REGISTER), "BAR0 restored after the reset");
    }

    @Test
    void anUnknownPeIsNamedAndNothingChanges() throws Exception {
        guest.execute("eeh enable");
        int n = pe().get("pe").asInt();
        assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"x-pe-freeze: no PE 4242 on this machine (its PEs: " + n
                + ")\"}}", run("{\"execute\":\"x-pe-freeze\",\"arguments\":{\"pe\":4242}}"));
        assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"x-pe-recover: no PE 4242 on this machine (its PEs: " + n
                + ")\"}}", run("{\"execute\":\"x-pe-recover\",\"arguments\":{\"pe\":4242}}"));
        assertEquals("normal", pe().get("state-name").asText());
        assertEquals(0, pe().get("freezes").asInt());
    }

    @Test
    void argumentsAreCheckedAsQemusVisitorChecksThem() {
        assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'pe' is missing\"}}",
                run("{\"execute\":\"x-pe-freeze\"}"));
        assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"Invalid parameter type for 'pe', expected: integer\"}}",
                run("{\"execute\":\"x-pe-freeze\",\"arguments\":{\"pe\":\"one\"}}"));
        assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'pe' expects uint32\"}}",
                run("{\"execute\":\"x-pe-recover\",\"arguments\":{\"pe\":-1}}"));
        assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'pe' expects uint32\"}}",
                run("{\"execute\":\"x-pe-recover\",\"arguments\":{\"pe\":4294967296}}"));
        assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'x' is unexpected\"}}",
                run("{\"execute\":\"x-pe-freeze\",\"arguments\":{\"pe\":1,\"x\":2}}"));
    }

    @Test
    void aMachineWithoutPesLacksTheCommands() {
        QmpMonitor noPes = new QmpMonitor(new BareMachine("none"), false, () -> { });
        List<String> out = new ArrayList<>();
        QmpMonitor.Session s = noPes.open(out::add);
        noPes.input(s, "{\"execute\":\"qmp_capabilities\"}");
        noPes.input(s, "{\"execute\":\"x-pe-freeze\",\"arguments\":{\"pe\":1}}");
        noPes.input(s, "{\"execute\":\"x-pe-recover\",\"arguments\":{\"pe\":1}}");
        assertEquals("{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command x-pe-freeze has not been found\"}}", out.get(2));
        assertEquals("{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command x-pe-recover has not been found\"}}", out.get(3));
        assertFalse(noPes.commandNames().contains("x-pe-freeze"));
        assertTrue(monitor.commandNames().containsAll(List.of("x-pe-freeze", "x-pe-recover")), "pseries has them");
    }
}
