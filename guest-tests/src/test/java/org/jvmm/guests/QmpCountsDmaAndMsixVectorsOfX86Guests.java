package org.jvmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jvmm.devices.msixdoorbell.MsixDoorbellDevice;
import org.jvmm.host.kernel.HostKernel;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.host.memory.LockedMemoryAccount;
import org.jvmm.machine.x86.X86ToyMachine;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.qmp.MonitoredMachine;
import org.jvmm.qmp.QmpMonitor;
import org.jvmm.qmp.X86ToyMonitored;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * x-query-dma and x-query-irq on x86-toy under KVM after guests whose DMA and interrupts are
 * known: edu-dma moves 4096 bytes each way and takes two MSIs (edu's one vector); msix rings the
 * doorbell device's two MSI-X vectors three times each (the device sends six messages, whatever
 * the masks did with them, and drops the seventh after MSI-X is disabled).
 */
@DisplayName("x-query-dma and x-query-irq after the edu-dma and msix guests: bytes each way, messages per vector")
class QmpCountsDmaAndMsixVectorsOfX86Guests {
    @BeforeEach
    void needsKvm() {
        KvmAvailable.assume();
    }

    private static List<String> answers(MonitoredMachine machine, String... commands) {
        QmpMonitor monitor = new QmpMonitor(machine, false, () -> { });
        List<String> out = new ArrayList<>();
        QmpMonitor.Session s = monitor.open(out::add);
        monitor.input(s, "{\"execute\":\"qmp_capabilities\"}");
        for (String c : commands) {
            monitor.input(s, "{\"execute\":\"" + c + "\"}");
        }
        return out.subList(2, out.size());
    }

    @Test
    void eduDmaMovesFourKibEachWayAndSendsTwoMsis() throws Exception {
        try (EduMachine m = new EduMachine(64L << 20)) {
            var r = m.boot("edu-dma");
            assertEquals("edu-dma: 8192 bytes moved, 2 interrupts, 0 bytes differ\nedu-dma: PASS\n", m.console());
            assertTrue(r.exitedWith(1), r.toString());
            String id = m.vfioEdu.name();
            assertEquals(List.of(
                    "{\"return\": {\"to-memory\": 4096, \"from-memory\": 4096, \"devices\": [{\"device\": \"" + id + "\", "
                            + "\"host\": \"0000:00:03.0\", \"to-memory\": 4096, \"from-memory\": 4096}]}}",
                    "{\"return\": {\"msi\": 2, \"intx\": 0, \"devices\": [{\"device\": \"" + id + "\", \"host\": \"0000:00:03.0\", "
                            + "\"msi\": 2, \"intx\": 0, \"vectors\": [{\"vector\": 0, \"count\": 2}]}]}}"),
                    answers(new X86ToyMonitored(m.machine, m.platform, false), "x-query-dma", "x-query-irq"));
        }
    }

    @Test
    void msixRingsEachOfItsTwoVectorsThreeTimes() throws Exception {
        PciAddress host = PciAddress.parse("0000:00:05.0");
        HostMemoryRegistry registry = new HostMemoryRegistry();
        MsixDoorbellDevice doorbell = new MsixDoorbellDevice();
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        HostPciPlatform platform = HostKernel.builder().memory(registry).memlock(new LockedMemoryAccount(1L << 30, false))
                .endpoint(host.toString(), doorbell, HostPciPlatform.VFIO_PCI, true).build();
        try (X86ToyMachine machine = X86ToyMachine.create(registry, 64L << 20, console)) {
            String id = machine.addVfioPci(platform, host, 5).name();
            machine.boot(GuestImages.x86("msix"), 0);
            X86ToyMachine.RunResult r = machine.run(Duration.ofSeconds(30), null);
            String out = console.toString(StandardCharsets.US_ASCII);
            assertTrue(out.endsWith("msix: disabled: vector 43 x2, doorbells sent 6, dropped 1\nmsix: PASS\n"), out);
            assertTrue(r.exitedWith(1), r.toString());
            assertEquals(List.of(
                    "{\"return\": {\"msi\": 6, \"intx\": 0, \"devices\": [{\"device\": \"" + id + "\", \"host\": \"0000:00:05.0\", "
                            + "\"msi\": 6, \"intx\": 0, \"vectors\": [{\"vector\": 0, \"count\": 3}, {\"vector\": 1, \"count\": 3}]}]}}",
                    "{\"return\": {\"to-memory\": 0, \"from-memory\": 0, \"devices\": [{\"device\": \"" + id + "\", "
                            + "\"host\": \"0000:00:05.0\", \"to-memory\": 0, \"from-memory\": 0}]}}"),
                    answers(new X86ToyMonitored(machine, platform, false), "x-query-irq", "x-query-dma"));
        }
    }
}
