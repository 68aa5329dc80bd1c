package org.jvmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.jvmm.dispatch.ExitKind;
import org.jvmm.host.sys.ProcessFds;
import org.jvmm.machine.x86.X86ToyMachine;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Guest (a): the x86-toy machine boots an ELF in long mode; the guest prints and exits. */
class HelloGuestPrintsAndExits {

    @BeforeEach
    void needsKvm() {
        KvmAvailable.assume();
    }

    @Test
    void theGuestPrintsItsGreetingAndExitsWithStatusZero() throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        var fdsBefore = ProcessFds.snapshot();
        try (X86ToyMachine m = X86ToyMachine.create(64L << 20, console)) {
            m.boot(GuestImages.x86("hello"), 7);
            X86ToyMachine.RunResult r = m.run(Duration.ofSeconds(20), null);
            assertEquals("hello from the x86-toy guest (arg 7)\n", console.toString(StandardCharsets.US_ASCII));
            assertTrue(r.exitedWith(1), r.toString());
            // one port write per character, plus the exit port
            assertEquals(console.size() + 1, m.exits().count(ExitKind.IO));
            assertEquals(0, m.exits().count(ExitKind.MMIO));
            assertEquals(1, m.memslots().slotCount());
        }
        assertEquals(java.util.Map.of(), ProcessFds.openedSince(fdsBefore));
    }
}
