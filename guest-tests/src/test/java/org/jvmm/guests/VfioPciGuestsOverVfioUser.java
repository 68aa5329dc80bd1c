package org.jvmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jvmm.dispatch.ExitKind;
import org.jvmm.hw.vfio.VfioPciDevice;
import org.jvmm.machine.config.MemoryConfig;
import org.jvmm.machine.config.VfioUserPciConfig;
import org.jvmm.machine.x86.X86ToyBuilder;
import org.jvmm.machine.x86.X86ToyMachine;
import org.jvmm.vfiouser.VfioUserDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The x86 guests of the vfio-pci suites, unchanged, with their devices in a SECOND jvmm process
 * ({@code ./vmm serve-device}) given to this machine with {@code -device vfio-user-pci}: the same
 * consoles as with the device in process. And the server killed while the machine runs: the VMM
 * reports the loss once, the guest reads the device as all-ones (its driver then polls a busy bit
 * that never clears, as on hardware after a surprise removal) and keeps running until the time
 * limit, and the machine closes cleanly.
 */
@DisplayName("vfio-pci guests run unchanged with the device served by a second jvmm process over vfio-user")
class VfioPciGuestsOverVfioUser {
    @TempDir
    Path dir;
    private final List<ServeDeviceProcess> servers = new ArrayList<>();
    private final List<String> reports = Collections.synchronizedList(new ArrayList<>());
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();

    @BeforeEach
    void needsKvm() {
        KvmAvailable.assume();
    }

    @AfterEach
    void stopServers() throws Exception {
        for (ServeDeviceProcess p : servers) {
            p.close();
        }
    }

    /** {@code ./vmm serve-device SPEC,socket=PATH --once} in a second JVM; returns the socket once it listens. */
    private String serve(String spec, String name) throws Exception {
        ServeDeviceProcess p = new ServeDeviceProcess(spec, dir.resolve(name + ".sock"));
        servers.add(p);
        return p.socket.toString();
    }

    private X86ToyMachine machine(String... socketsBySlot) {
        return machine(false, false, socketsBySlot);
    }

    private X86ToyMachine machine(boolean noMmap, boolean dmaMessages, String... socketsBySlot) {
        X86ToyBuilder b = new X86ToyBuilder(MemoryConfig.of(64L << 20)).memlock(1L << 30).console(console);
        for (int i = 0; i < socketsBySlot.length; i += 2) {
            int slot = Integer.parseInt(socketsBySlot[i]);
            String sock = socketsBySlot[i + 1];
            b.vfioUserPci(new VfioUserPciConfig(sock, slot, noMmap, dmaMessages, "-device vfio-user-pci,socket=" + sock
                    + ",addr=" + slot), reports::add);
        }
        return b.build();
    }

    private X86ToyMachine.RunResult run(X86ToyMachine m, String image) throws InterruptedException {
        m.boot(GuestImages.x86(image), 0);
        return m.run(Duration.ofSeconds(30), null);
    }

    private String console() {
        return console.toString(StandardCharsets.US_ASCII);
    }

    @Test
    @DisplayName("the msix guest, unchanged, with the MSI-X doorbell device from serve-device in a second JVM")
    void msixGuestRingsBothVectorsMasksOneAndDisablesOverTheSocket() throws Exception {
        String doorbell = serve("msix-doorbell", "doorbell");
        try (X86ToyMachine m = machine("5", doorbell)) {
            var r = run(m, "msix");
            assertEquals(MsixVectorsThroughVfioPci.MSIX_GUEST_PRINTS, console(), r::toString);
            assertTrue(r.exitedWith(1), r.toString());
            assertEquals(0, m.gsiRouter().msiRouteCount(), "disabling released every route");
            assertEquals(List.of(), reports);
        }
    }

    @Test
    void pciEduGuestSeesTheServedEduAndEveryCheckPasses() throws Exception {
        String edu = serve("edu", "edu");
        try (X86ToyMachine m = machine("3", edu)) {
            var r = run(m, "pci-edu");
            assertEquals("""
                    pci 00:00.0 1b36:0008 class 060000
                    pci 00:03.0 1234:11e8 class 00ff00
                    edu: id 0x010000ed
                    edu: liveness 0xedcba987
                    edu: 10! = 3628800
                    edu: 12! = 479001600 with 1 interrupt(s)
                    pci-edu: PASS
                    """, console());
            assertTrue(r.exitedWith(1), r.toString());
            assertTrue(m.vfioDevices().get(0).trappedReads() > 0);
            assertEquals(List.of(), reports);
        }
    }

    @Test
    void eduDmaGuestRoundTripsThroughGuestRamSharedByMemfd() throws Exception {
        String edu = serve("edu", "edu");
        try (X86ToyMachine m = machine("3", edu)) {
            var r = run(m, "edu-dma");
            assertEquals("edu-dma: 8192 bytes moved, 2 interrupts, 0 bytes differ\nedu-dma: PASS\n", console());
            assertTrue(r.exitedWith(1), r.toString());
            VfioUserDevice d = (VfioUserDevice) m.vfioDevices().get(0).deviceFile();
            assertEquals(0, d.client().dmaMessagesServed(), "the server reached guest RAM through the memfd, no DMA messages");
            // the summary sees the DMA_MAP calls but not DMA into shared memory, and says where that is counted
            var summary = m.summary();
            assertEquals(1, summary.servedDevices());
            assertEquals(0, summary.dmaBytes());
            assertTrue(summary.iommuMaps() >= 1, summary.format());
            assertTrue(summary.format().endsWith("vfio-user      1 device served by another process (DMA into shared memory,"
                    + " interrupts and guest errors counted there; DMA_MAP/UNMAP and DMA by messages counted here)"
                    + System.lineSeparator()), summary.format());
        }
    }

    @Test
    @DisplayName("x-dma-messages=on: guest RAM mapped without fds, the edu's DMA goes by DMA_READ/DMA_WRITE the client answers")
    void eduDmaGuestRoundTripsByDmaMessages() throws Exception {
        String edu = serve("edu", "edu");
        try (X86ToyMachine m = machine(false, true, "3", edu)) {
            var r = run(m, "edu-dma");
            assertEquals("edu-dma: 8192 bytes moved, 2 interrupts, 0 bytes differ\nedu-dma: PASS\n", console());
            assertTrue(r.exitedWith(1), r.toString());
            VfioUserDevice d = (VfioUserDevice) m.vfioDevices().get(0).deviceFile();
            assertTrue(d.client().dmaMessagesServed() >= 2, "one DMA_READ and one DMA_WRITE at least: " + d.client().dmaMessagesServed());
            // the DMA this process served by messages is in the summary, as the in-process edu's is
            var summary = m.summary();
            assertEquals(4096, summary.dmaToMemory());
            assertEquals(4096, summary.dmaFromMemory());
            assertEquals(1, summary.servedDevices());
        }
    }

    @Test
    @DisplayName("x-no-mmap=on: the served ivshmem's BAR is never mapped, every access traps to REGION_READ/WRITE")
    void barFaultGuestWithNoMmapTrapsEveryAccess() throws Exception {
        String edu = serve("edu", "edu");
        String ivshmem = serve("ivshmem,size=1M", "ivshmem");
        List<String> seen = new ArrayList<>();
        try (X86ToyMachine m = machine(true, false, "3", edu, "4", ivshmem)) {
            m.layout().checkpoint().setHandler(n -> seen.add(n + ": mmio exits " + m.exits().count(ExitKind.MMIO)
                    + ", memslots " + m.memslots().slotCount()));
            var r = run(m, "bar-fault");
            assertTrue(console().endsWith("bar-fault: PASS\n"), console());
            assertTrue(r.exitedWith(1), r.toString());
            assertEquals(mmio(seen.get(1)) + 1000, mmio(seen.get(2)), seen.toString());
            assertEquals(0, m.vfioDevices().get(1).barFaults());
        }
    }

    @Test
    void intxGuestGetsItsInterruptsThroughTheResampleEventfd() throws Exception {
        String edu = serve("edu", "edu");
        try (X86ToyMachine m = machine("3", edu)) {
            var r = run(m, "intx");
            assertEquals("intx: pin 1 routed to gsi 19, 3 interrupts, 7! = 5040\nintx: PASS\n", console());
            assertTrue(r.exitedWith(1), r.toString());
        }
    }

    @Test
    void barFaultGuestMapsTheServedIvshmemFromItsFdAndRunsWithoutExits() throws Exception {
        String edu = serve("edu", "edu");
        String ivshmem = serve("ivshmem,size=1M", "ivshmem");
        List<String> seen = new ArrayList<>();
        try (X86ToyMachine m = machine("3", edu, "4", ivshmem)) {
            m.layout().checkpoint().setHandler(n -> seen.add(n + ": mmio exits " + m.exits().count(ExitKind.MMIO)
                    + ", memslots " + m.memslots().slotCount()));
            var r = run(m, "bar-fault");
            assertEquals("""
                    bar-fault: ivshmem BAR2 1024 KiB at 0xc0200000
                    bar-fault: 1000 accesses after the fault, sum 125250
                    bar-fault: decode off reads 0xffffffff, decode on again reads 0x11111111
                    bar-fault: after relocation to 0xc0400000 reads 500 there, 0xffffffff at the old place
                    bar-fault: PASS
                    """, console());
            assertTrue(r.exitedWith(1), r.toString());
            VfioPciDevice iv = m.vfioDevices().get(1);
            assertTrue(iv.barFaults() >= 1, "the BAR was faulted in from the server's fd");
            long e1 = mmio(seen.get(0));
            assertEquals(e1 + 1, mmio(seen.get(2)), seen.toString()); // 1000 accesses after the first touch, no exit
        }
    }

    private static long mmio(String line) {
        int at = line.indexOf("mmio exits ") + "mmio exits ".length();
        return Long.parseLong(line.substring(at, line.indexOf(',', at)));
    }

    @Test
    @DisplayName("the server killed while the machine runs: reported once, the guest reads all-ones and keeps running, the machine closes")
    void serverKilledMidRunIsReportedOnceAndTheGuestSeesAllOnes() throws Exception {
        String edu = serve("edu", "edu");
        try (X86ToyMachine m = machine("3", edu)) {
            servers.get(0).kill();
            assertTrue(!servers.get(0).process.isAlive());
            m.boot(GuestImages.x86("pci-edu"), 0);
            // the guest then polls the factorial's busy bit, all-ones, a million times over exits: the
            // limit stops it somewhere along the way, each line it printed by then is the all-ones one
            var r = m.run(Duration.ofSeconds(3), null);
            String allOnes = """
                    pci 00:00.0 1b36:0008 class 060000
                    pci 00:03.0 1234:11e8 class 00ff00
                    edu: id 0xffffffff
                    edu: liveness 0xffffffff
                    edu: 10! = 4294967295
                    """;
            assertTrue(console().startsWith(allOnes.substring(0, allOnes.indexOf("edu: liveness"))), console());
            assertTrue(allOnes.startsWith(console()), "the device reads all-ones as after a surprise removal: " + console());
            assertEquals("RunResult[exitStatus=null, stopReason=time limit reached]", r.toString(),
                    "the guest kept running; only the device failed");
            assertEquals(1, reports.size(), reports.toString());
            assertTrue(reports.get(0).startsWith("-device vfio-user-pci,socket=" + edu + ",addr=3: vfio-user server lost: "),
                    reports.get(0));
            assertTrue(reports.get(0).endsWith("; the device now reads all-ones"), reports.get(0));
        }
    }
}
