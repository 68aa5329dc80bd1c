package org.jvmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jvmm.cli.Main;
import org.jvmm.qmp.QmpTestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The user story on KVM, through the command line: start x86-toy paused (-S) with a QMP
 * monitor, attach, inspect the IOMMU, hot-plug a second edu through vfio-pci (its BAR and its
 * function appear), unplug it (DEVICE_DELETED), continue: the edu DMA guest then runs to PASS and
 * the monitor reports the guest's SHUTDOWN.
 */
class MonitorStartsPausedHotPlugsAndContinues {
    @TempDir
    Path dir;

    @Test
    void pausedAttachInspectHotPlugUnplugContinue() throws Exception {
        KvmAvailable.assume();
        Path sock = dir.resolve("qmp.sock");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> Main.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), "-S", "-qmp", "unix:" + sock + ",server=on,wait=off",
                "-kernel", "images/x86/edu-dma.elf", "-host-device", "edu,host=0000:00:03.0", "-host-device", "edu,host=0000:00:04.0",
                "-device", "vfio-pci,host=0000:00:03.0,addr=3"));
        for (int i = 0; i < 200 && !Files.exists(sock); i++) {
            Thread.sleep(50);
        }
        try (QmpTestClient c = new QmpTestClient(UnixDomainSocketAddress.of(sock))) {
            assertTrue(c.line().startsWith("{\"QMP\": {\"version\": "));
            assertEquals("{\"return\": {}}", c.execute("{\"execute\":\"qmp_capabilities\"}"));
            assertEquals("{\"return\": {\"status\": \"prelaunch\", \"singlestep\": false, \"running\": false}}",
                    c.execute("{\"execute\":\"query-status\"}"));
            assertEquals("{\"return\": {\"enabled\": true, \"present\": true}}", c.execute("{\"execute\":\"query-kvm\"}"));
            String iommu = c.execute("{\"execute\":\"x-query-iommu\"}");
            assertTrue(iommu.startsWith("{\"return\": [{\"container\": \"type1-0\", \"type\": \"type1\", \"groups\": 1, \"mappings\": "
                    + "[{\"iova\": 0, \"size\": 67108864, "), "guest RAM mapped for DMA: " + iommu);
            assertEquals("{\"return\": {}, \"id\": 1}", c.execute(
                    "{\"execute\":\"device_add\",\"arguments\":{\"driver\":\"vfio-pci\",\"host\":\"0000:00:04.0\",\"addr\":\"5\",\"id\":\"edu2\"},\"id\":1}"));
            String pci = c.execute("{\"execute\":\"query-pci\"}");
            assertTrue(pci.contains("\"slot\": 5, \"function\": 0, \"class_info\": {\"class\": 255}, \"id\": {\"device\": 4584, \"vendor\": 4660"),
                    pci);
            assertTrue(pci.contains("\"qdev_id\": \"edu2\""), pci);
            assertEquals("{\"id\": \"again\", \"error\": {\"class\": \"GenericError\", \"desc\": \"vfio 0000:00:04.0: device is already attached\"}}",
                    c.execute("{\"execute\":\"device_add\",\"arguments\":{\"driver\":\"vfio-pci\",\"host\":\"0000:00:04.0\",\"id\":\"edu3\"},"
                            + "\"id\":\"again\"}"), "one host function is given once");
            assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"Duplicate device ID 'edu2' for device\"}}", c.execute(
                    "{\"execute\":\"device_add\",\"arguments\":{\"driver\":\"vfio-pci\",\"host\":\"0000:00:04.0\",\"id\":\"edu2\"}}"));
            c.send("{\"execute\":\"device_del\",\"arguments\":{\"id\":\"edu2\"}}");
            assertEquals("{\"return\": {}}", c.line());
            assertTrue(c.line().endsWith("\"event\": \"DEVICE_DELETED\", \"data\": {\"device\": \"edu2\", \"path\": \"/machine/peripheral/edu2\"}}"));
            assertTrue(!c.execute("{\"execute\":\"query-pci\"}").contains("edu2"), "gone from the bus");
            c.send("{\"execute\":\"cont\"}");
            assertTrue(c.line().endsWith("\"event\": \"RESUME\"}"));
            assertEquals("{\"return\": {}}", c.line());
            assertTrue(c.awaitEvent("SHUTDOWN").endsWith("\"data\": {\"guest\": true, \"reason\": \"guest-shutdown\"}}"));
        }
        assertEquals(0, run.get(60, TimeUnit.SECONDS), out + "\n" + err);
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("edu-dma: PASS"), out.toString(StandardCharsets.UTF_8));
    }
}
