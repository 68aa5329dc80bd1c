package org.jvmm.vfiouser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.jvmm.pci.PciRegs;
import org.jvmm.testing.DeviceRig;
import org.jvmm.testing.Hosts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("vfio-user client: drives the served edu; a server that disappears reads all-ones like a surprise removal")
class VfioUserClientDrivesTheEduAndSurvivesTheServersLoss {
    private DeviceRig rig;
    private VfioUserSocket serverEnd;
    private VfioUserServer server;
    private Thread thread;
    private VfioUserClient client;
    private final List<String> reports = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        rig = new DeviceRig(Hosts.EDU);
        VfioUserSocket[] p = VfioUserSocket.pair(8, 1 << 20);
        serverEnd = p[1];
        server = new VfioUserServer(rig.device, serverEnd, 8, 4096);
        thread = Thread.ofPlatform().name("vfio-user-server").start(server);
        client = new VfioUserClient(p[0], reports::add);
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        thread.join(5000);
        serverEnd.close();
        rig.close();
    }

    @Test
    void negotiatesAndQueriesTheDevice() throws Exception {
        assertEquals(new VfioUserPayloads.Version(0, 1, 1, 4096), client.negotiate(1, 1 << 20));
        assertEquals(9, client.deviceInfo().numRegions());
        assertEquals(1 << 20, client.regionInfo(0).size());
        IOException e = assertThrows(IOException.class, () -> client.regionInfo(99));
        assertEquals("vfio-user DEVICE_GET_REGION_INFO refused by the server: errno 22", e.getMessage());
    }

    @Test
    void serverLossMidRunReadsAllOnesDropsWritesAndIsReportedOnce() throws Exception {
        client.negotiate(8, 4096);
        client.regionWrite(7, 4, 2, PciRegs.COMMAND_MEMORY | PciRegs.COMMAND_MASTER);
        assertEquals(0x010000ed, client.regionRead(0, 0, 4));
        client.regionWrite(0, 4, 4, 0x5a5a5a5a);

        serverEnd.shutdown(); // the server process dies mid-run
        thread.join(5000);
        assertInstanceOf(VfioUserSocket.PeerGoneException.class, server.ended());

        assertEquals(0xffffffffL, client.regionRead(0, 0, 4), "a surprise-removed device reads all-ones");
        assertTrue(client.gone());
        assertEquals(List.of("vfio-user server lost: vfio-user peer closed the socket (sendmsg errno 32); the device now reads all-ones"), reports);
        client.regionWrite(0, 4, 4, 0);
        assertEquals(0xffffL, client.regionRead(0, 4, 2));
        assertEquals(-1L, client.regionRead(0, 0, 8));
        assertFalse(client.reset());
        assertEquals(1, reports.size(), "reported once");
        assertEquals(0xa5a5a5a5L, rig.read(0, 4, 4), "the device itself kept its state; nothing else was lost");
    }
}
