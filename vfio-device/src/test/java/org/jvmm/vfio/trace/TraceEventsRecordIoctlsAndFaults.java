package org.jvmm.vfio.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.jvmm.address.Iova;
import org.jvmm.host.ErrnoException;
import org.jvmm.pci.PciRegs;
import org.jvmm.testing.DeviceRig;
import org.jvmm.testing.Hosts;
import org.jvmm.vfio.iommu.DmaMap;
import org.jvmm.vfio.iommu.DmaUnmap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Trace: MAP_DMA, UNMAP_DMA (with errno) and IOMMU faults are JFR events")
class TraceEventsRecordIoctlsAndFaults {

    @Test
    void eventsCarryTheArgumentsAndOutcome() throws Exception {
        Path file = Files.createTempFile("vfio-trace", ".jfr");
        try (Recording r = new Recording(); DeviceRig rig = new DeviceRig(Hosts.EDU);
                var ram = rig.memory.allocate("ram", 1 << 16)) {
            r.enable("jvmm.vfio.MapDma");
            r.enable("jvmm.vfio.UnmapDma");
            r.enable("jvmm.vfio.IommuFault");
            r.start();
            rig.container.mapDma(new DmaMap(VFIO_DMA_MAP_FLAG_READ, ram.address(), Iova.of(0x4000), 0x2000));
            try {
                rig.container.mapDma(new DmaMap(VFIO_DMA_MAP_FLAG_READ, ram.address(), Iova.of(0x5000), 0x1000));
            } catch (ErrnoException expected) {
                // EEXIST, traced with its errno
            }
            rig.container.unmapDma(new DmaUnmap(0, Iova.of(0x4000), 0x2000));
            rig.setConfig(0x04, 2, PciRegs.COMMAND_MASTER);
            try (Arena a = Arena.ofConfined()) {
                rig.seed.platform().function("t", Hosts.EDU).dmaPort().write(Iova.of(0x4000), a.allocate(8));
            }
            r.stop();
            r.dump(file);
            List<RecordedEvent> events = RecordingFile.readAllEvents(file);
            List<String> seen = events.stream().map(e -> switch (e.getEventType().getName()) {
                case "jvmm.vfio.MapDma" -> "map " + Long.toHexString(e.getLong("iova")) + " errno=" + e.getInt("errno");
                case "jvmm.vfio.UnmapDma" -> "unmap " + Long.toHexString(e.getLong("unmapped"));
                default -> "fault " + e.getString("device") + " " + e.getString("access") + " " + e.getString("reason");
            }).sorted().toList();
            assertEquals(List.of("fault 0000:01:00.0 WRITE UNMAPPED", "map 4000 errno=0", "map 5000 errno=17", "unmap 2000"), seen);
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
