package org.jvmm.pci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A guest error is counted per device, its latest message kept, and emitted as a jvmm.device.GuestError JFR event. */
@DisplayName("GuestErrorLog (QEMU's LOG_GUEST_ERROR): counted per device, latest message kept, one JFR event each")
class GuestErrorLogCountsAndTraces {

    @Test
    void eachDeviceCountsItsOwnErrorsAndEveryErrorIsAnEvent() throws Exception {
        Path file = Files.createTempFile("guest-errors", ".jfr");
        try (Recording r = new Recording()) {
            r.enable("jvmm.device.GuestError");
            r.start();
            GuestErrorLog edu = new GuestErrorLog("edu");
            GuestErrorLog other = new GuestErrorLog("msix-doorbell");
            assertNull(edu.last());
            edu.log("dma-range", "DMA of 0x8000000000000000 bytes refused");
            edu.log("dma-clamp", "DMA address clamped");
            other.log("doorbell-vector", "vector 7 dropped");
            r.stop();
            r.dump(file);
            assertEquals(2, edu.count());
            assertEquals(1, other.count());
            assertEquals("dma-clamp: DMA address clamped", edu.last());
            List<String> seen = RecordingFile.readAllEvents(file).stream()
                    .map(e -> e.getString("device") + " " + e.getString("kind") + " " + e.getString("message")).sorted().toList();
            assertEquals(List.of("edu dma-clamp DMA address clamped", "edu dma-range DMA of 0x8000000000000000 bytes refused",
                    "msix-doorbell doorbell-vector vector 7 dropped"), seen);
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
