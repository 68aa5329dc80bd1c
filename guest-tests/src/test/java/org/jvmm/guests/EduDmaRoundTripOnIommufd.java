package org.jvmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.hw.vfio.VfioIommufdSpace;
import org.jvmm.machine.config.HostDeviceConfig;
import org.jvmm.machine.config.MemoryConfig;
import org.jvmm.machine.config.VfioPciConfig;
import org.jvmm.machine.x86.X86ToyBuilder;
import org.jvmm.machine.x86.X86ToyMachine;

/**
 * Guest (c) unchanged on an iommufd-backed vfio-pci ({@code -object iommufd,id=iommufd0
 * -device vfio-pci,host=0000:00:03.0,addr=3,iommufd=iommufd0}): the guest sees and does exactly
 * what it does over a TYPE1 container. The same path without KVM is covered by vmm-core's
 * IommufdBackedVfioPciMapsGuestRam.
 */
class EduDmaRoundTripOnIommufd {

    @BeforeEach
    void needsKvm() {
        KvmAvailable.assume();
    }

    @Test
    @DisplayName("edu-dma prints the same lines and moves the same bytes over iommufd as over TYPE1; no container is used")
    void theGuestRunsUnchangedOverIommufd() throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        X86ToyBuilder b = new X86ToyBuilder(MemoryConfig.of(64L << 20)).memlock(1L << 30).console(console)
                .hostDevice(HostDeviceConfig.edu(EduMachine.EDU)).iommufd("iommufd0")
                .vfioPci(VfioPciConfig.of(EduMachine.EDU, 3), "iommufd0");
        X86ToyBuilder.X86Host host = b.buildHost(new HostMemoryRegistry());
        try (X86ToyMachine m = b.build(host)) {
            m.boot(GuestImages.x86("edu-dma"), 0);
            X86ToyMachine.RunResult r = m.run(Duration.ofSeconds(30), null);
            assertEquals("edu-dma: 8192 bytes moved, 2 interrupts, 0 bytes differ\nedu-dma: PASS\n",
                    console.toString(StandardCharsets.US_ASCII));
            assertTrue(r.exitedWith(1), r.toString());
            assertNull(m.vfio(), "no VFIO container");
            VfioIommufdSpace space = m.iommufds().get("iommufd0");
            assertTrue(space.listener().errors().isEmpty(), space.listener().errors().toString());
            var summary = m.summary();
            assertEquals(8192, summary.dmaBytes());
            assertEquals(2, summary.msiMessages());
            assertEquals(0, summary.iommuFaults());
            assertEquals(1, summary.iommuMaps()); // the one RAM section below 4 GiB, in the IOAS
            // the monitor's x-query-iommu shows the IOAS and its one mapping, not a container
            var monitored = new org.jvmm.qmp.X86ToyMonitored(m, host.platform(), false);
            @SuppressWarnings("unchecked")
            var report = (java.util.List<java.util.Map<String, Object>>) monitored.queryIommu();
            assertEquals(1, report.size(), report.toString());
            assertEquals("iommufd0", report.get(0).get("iommufd"));
            assertEquals(space.ioasId(), report.get(0).get("ioas"));
            @SuppressWarnings("unchecked")
            var mappings = (java.util.List<java.util.Map<String, Object>>) report.get(0).get("mappings");
            assertEquals(1, mappings.size(), mappings.toString());
            assertEquals(0L, ((Number) mappings.get(0).get("iova")).longValue());
            assertEquals(64L << 20, ((Number) mappings.get(0).get("size")).longValue());
            assertEquals("READ_WRITE", mappings.get(0).get("perm"));
            assertTrue(monitored.infoIommu().startsWith("iommufd iommufd0: IOAS " + space.ioasId() + "\n  0000000000000000-0000000003ffffff -> "),
                    monitored.infoIommu());
        }
    }
}
