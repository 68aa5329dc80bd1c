package org.jvmm.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import org.jvmm.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pseries -qtest run journalled through the command line: the events are there in order and
 * readable, the summary totals them, a replay matches event for event, and a journal that does not
 * match its replay is reported at its first difference.
 */
class JournalRecordsAPseriesRunAndVerifiesItsReplay {
    @TempDir
    Path dir;

    private static final String SCRIPT = """
            readl 0x200081000000
            hcall 0x20 0x80000000 0x10000 0x200001
            writeq 0x200081000080 0x20000
            writeq 0x200081000088 0x40000
            writeq 0x200081000090 16
            writeq 0x200081000098 1
            quit
            """;

    private record Run(int status, String out, String err) {
    }

    private static Run vmm(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Path record(String categories) throws Exception {
        Path script = dir.resolve("run.qtest");
        Files.writeString(script, SCRIPT);
        Path journal = dir.resolve("journal");
        Run r = vmm("-M", "pseries", "-qtest", script.toString(), "-journal", journal + categories);
        assertEquals(0, r.status(), r.out() + r.err());
        return journal;
    }

    @Test
    void theRunsEventsAreJournalledInOrder() throws Exception {
        List<JournalEvent> events = JournalReader.readAll(record(""));
        assertEquals("run args", events.get(0).category().cliName() + " " + events.get(0).kind());
        assertEquals(SCRIPT, events.get(1).text(), "the script is kept for the replay");
        List<String> shown = events.stream().skip(2).map(e -> e.format().substring(22)).toList();
        assertEquals(List.of(
                "memslot     add gpa 0x0 size 0x4000000",
                "exit        mmio",
                "mmio        read 0x200081000000 size 4 = 0x10000ed",
                "exit        mmio",
                "mmio        write 0x200081000080 size 8 = 0x20000",
                "exit        mmio",
                "mmio        write 0x200081000088 size 8 = 0x40000",
                "exit        mmio",
                "mmio        write 0x200081000090 size 8 = 0x10",
                "iommu       read 0001:01:00.0 unmapped iova 0x20000 size 0x10",
                "exit        mmio",
                "mmio        write 0x200081000098 size 8 = 0x1",
                "memslot     remove gpa 0x0 size 0x4000000"), shown,
                "H_PUT_TCE completes in the accelerator (kvm-tce=on): no hcall exit; the DMA from an unmapped IOBA faults");
    }

    @Test
    void showSummaryAndVerifyReadItBack() throws Exception {
        Path journal = record("");
        Run summary = vmm("journal", "summary", journal.toString());
        assertEquals("""
                events         13
                exit           5 (mmio 5)
                mmio           5 (read 1, write 4)
                iommu          1 (read 1)
                memslot        2 (add 1, remove 1)
                """, summary.out());
        Run show = vmm("journal", "show", journal.toString(), "--category", "iommu");
        assertEquals(1, show.out().lines().count(), show.out());
        assertTrue(show.out().contains("iommu       read 0001:01:00.0 unmapped iova 0x20000 size 0x10"), show.out());
        Run verify = vmm("journal", "verify", journal.toString());
        assertEquals("journal verify: the replay matches, 13 events (run status 0)\n", verify.out());
        assertEquals(0, verify.status());
    }

    @Test
    void aJournalItsReplayDoesNotReproduceIsReportedAtTheFirstDifference() throws Exception {
        Path journal = record(",categories=mmio,memslot");
        try (JournalWriter w = Journal.open(journal, Journal.all())) {
            Journal.record(JournalCategory.DMA, "map", 0x1000, 0x1000, 0, 0, "");
        } finally {
            Journal.close();
        }
        Run verify = vmm("journal", "verify", journal.toString());
        assertEquals(1, verify.status(), verify.out() + verify.err());
        assertEquals("journal verify: the replay differs: the replay ends after 7 events; recorded event 7 is [9 0.000000 dma"
                + "         map iova 0x1000 size 0x1000]\n", verify.out().replaceAll(" +\\d+\\.\\d{6} ", " 0.000000 ").replaceFirst("\\[ +", "["));
    }

    /** The monitor's thread and the caller's append to one journal (Chronicle's appender is single-threaded by default). */
    @Test
    void qmpCommandsFromTheMonitorsThreadAreJournalledWithTheirOutcome() throws Exception {
        Path journal = dir.resolve("qmp-journal");
        try (org.jvmm.machine.pseries.PseriesMachine m = new org.jvmm.machine.pseries.PseriesBuilder(
                org.jvmm.machine.config.MemoryConfig.of(64L << 20)).build()) {
            Journal.open(journal, EnumSet.of(JournalCategory.QMP, JournalCategory.DMA));
            Journal.record(JournalCategory.DMA, "map", 0, 0x1000, 0, 0, "");
            try (org.jvmm.qmp.QmpServer server = org.jvmm.qmp.QmpServer.start(
                    new org.jvmm.qmp.QmpMonitor(new org.jvmm.qmp.PseriesMonitored(m, false), false, () -> { }),
                    org.jvmm.qmp.QmpEndpoint.parse("unix:" + dir.resolve("q.sock") + ",server=on,wait=off"), org.jvmm.qmp.QmpServer.Transport.AUTO);
                    org.jvmm.qmp.QmpTestClient c = new org.jvmm.qmp.QmpTestClient(server.localAddress())) {
                c.line();
                c.execute("{\"execute\":\"qmp_capabilities\"}");
                c.execute("{\"execute\":\"device_del\",\"arguments\":{\"id\":\"x\"}}");
            } finally {
                Journal.close();
            }
        }
        assertEquals(List.of("dma map ", "qmp qmp_capabilities ok", "qmp device_del DeviceNotFound"),
                JournalReader.readAll(journal).stream().map(e -> e.category().cliName() + " " + e.kind() + " " + e.text()).toList());
    }

    /** show --follow prints what a live writer appends after it started, until interrupted. */
    @Test
    void showFollowPrintsEventsAppendedWhileItRuns() throws Exception {
        Path journal = dir.resolve("live");
        Journal.open(journal, EnumSet.of(JournalCategory.DMA));
        try {
            Journal.record(JournalCategory.DMA, "map", 0x1000, 0x1000, 0, 0, "");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
            Thread follower = Thread.ofPlatform().start(() -> Main.run(ps, ps, "journal", "show", journal.toString(), "--follow"));
            for (int i = 0; i < 100 && !out.toString(StandardCharsets.UTF_8).contains("map iova 0x1000"); i++) {
                Thread.sleep(50);
            }
            Journal.record(JournalCategory.DMA, "unmap", 0x1000, 0x1000, 0, 0, "");
            for (int i = 0; i < 100 && !out.toString(StandardCharsets.UTF_8).contains("unmap iova 0x1000"); i++) {
                Thread.sleep(50);
            }
            follower.interrupt();
            follower.join(5000);
            String text = out.toString(StandardCharsets.UTF_8);
            assertTrue(text.contains("dma         map iova 0x1000 size 0x1000\n") && text.contains("dma         unmap iova 0x1000 size 0x1000\n"),
                    text);
            assertTrue(!follower.isAlive(), "an interrupt ends --follow");
        } finally {
            Journal.close();
        }
    }

    @Test
    void verifyRefusesAnX86ToyJournalSayingWhy() {
        Path journal = dir.resolve("x86");
        assertEquals(0, vmm("--info", "mtree", "-journal", journal.toString()).status());
        Run verify = vmm("journal", "verify", journal.toString());
        assertEquals(2, verify.status());
        assertEquals("vmm: journal verify: the recorded run (--info mtree -journal " + journal + ") is x86-toy on KVM, which does not"
                + " replay exactly; verify replays -M pseries -qtest runs (the soft CPU)\n", verify.err());
    }

    @Test
    void categoriesSelectWhatIsRecorded() throws Exception {
        List<JournalEvent> events = JournalReader.readAll(record(",categories=iommu,memslot"));
        assertEquals(List.of("run", "run", "memslot", "iommu", "memslot"), events.stream().map(e -> e.category().cliName()).toList());
    }

    @Test
    void badJournalOptionsAndDirectoriesAreRefusedByName() {
        Run bad = vmm("-M", "pseries", "-qtest", "stdio", "-journal", dir + ",categories=exit,nosuch");
        assertEquals(2, bad.status());
        assertEquals("vmm: -journal " + dir + ",categories=exit,nosuch: unknown category 'nosuch' (known: exit, mmio, hcall, dma, iommu,"
                + " bar, irq, memslot, qmp, guest-error, vtd, or all)\n", bad.err());
        Run opt = vmm("-M", "pseries", "-qtest", "stdio", "-journal", dir + ",size=1");
        assertEquals("vmm: -journal " + dir + ",size=1: unknown option 'size=1' (known: categories=NAME,NAME...)\n", opt.err());
        Run none = vmm("journal", "show", dir.resolve("nothing").toString());
        assertEquals("vmm: journal " + dir.resolve("nothing") + ": no such directory\n", none.err());
        Run empty = vmm("journal", "summary", dir.toString());
        assertEquals("vmm: journal " + dir + ": no journal there (no .cq4 file)\n", empty.err());
    }
}
