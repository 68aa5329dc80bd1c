package org.jvmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.jvmm.dispatch.ExitKind;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Guest (f): ivshmem's BAR2 through vfio-pci: one exit faults it in, then accesses run without
 * exits; decode off takes it away (reads all-ones), decode on faults it in again. With x-no-mmap
 * every access exits instead.
 */
class BarFaultsWithIvshmem {

    @BeforeEach
    void needsKvm() {
        KvmAvailable.assume();
    }

    /** MMIO exits and memslots at each checkpoint. */
    private static List<String> run(EduMachine m) throws InterruptedException {
        List<String> seen = new ArrayList<>();
        var r = m.boot("bar-fault", n -> seen.add(n + ": mmio exits " + m.machine.exits().count(ExitKind.MMIO)
                + ", memslots " + m.machine.memslots().slotCount()));
        assertTrue(r.exitedWith(1), r + "\n" + m.console());
        return seen;
    }

    @Test
    void theFirstTouchFaultsTheBarInAndLaterAccessesCauseNoExits() throws Exception {
        try (EduMachine m = new EduMachine(64L << 20, true, false)) {
            List<String> seen = run(m);
            assertEquals("""
                    bar-fault: ivshmem BAR2 1024 KiB at 0xc0200000
                    bar-fault: 1000 accesses after the fault, sum 125250
                    bar-fault: decode off reads 0xffffffff, decode on again reads 0x11111111
                    bar-fault: after relocation to 0xc0400000 reads 500 there, 0xffffffff at the old place
                    bar-fault: PASS
                    """, m.console());
            long e1 = mmio(seen.get(0));
            assertEquals(e1 + 1, mmio(seen.get(1)), seen.toString()); // the first touch
            assertEquals(e1 + 1, mmio(seen.get(2)), seen.toString()); // 1000 accesses, no exit
            assertEquals(e1 + 2, mmio(seen.get(3)), seen.toString()); // the read with decode off
            assertEquals(e1 + 3, mmio(seen.get(4)), seen.toString()); // the first touch after decode on
            assertTrue(seen.get(2).endsWith("memslots 2"), seen.toString());
            assertTrue(seen.get(3).endsWith("memslots 1"), seen.toString());
            assertTrue(seen.get(4).endsWith("memslots 2"), seen.toString());
            // relocation moved the memslot: the read at the new place ran without an exit, the old place exited
            assertEquals(e1 + 4, mmio(seen.get(5)), seen.toString());
            assertTrue(seen.get(5).endsWith("memslots 2"), seen.toString());
            assertEquals(2, m.vfioIvshmem.barFaults());
            assertEquals(0x11111111, m.shared.segment().get(java.lang.foreign.ValueLayout.JAVA_INT, 0));
        }
    }

    @Test
    void withNoMmapEveryAccessExits() throws Exception {
        try (EduMachine m = new EduMachine(64L << 20, true, true)) {
            List<String> seen = run(m);
            assertEquals(mmio(seen.get(1)) + 1000, mmio(seen.get(2)), seen.toString());
            assertEquals(0, m.vfioIvshmem.barFaults());
            assertTrue(m.console().endsWith("bar-fault: PASS\n"), m.console());
        }
    }

    private static long mmio(String line) {
        return Long.parseLong(line.replaceAll(".*mmio exits (\\d+),.*", "$1"));
    }
}
