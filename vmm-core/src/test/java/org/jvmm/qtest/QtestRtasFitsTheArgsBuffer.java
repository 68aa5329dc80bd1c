package org.jvmm.qtest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.jvmm.host.kernel.PowerHost;
import org.jvmm.machine.pseries.PseriesMachine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code rtas NAME NRET ARG...} builds rtas_args at 0x1000 and used to zero NRET cells however
 * many: {@code rtas NAME 1048576} zeroed 4 MiB of guest RAM. Arguments and NRET together fit the
 * 16 cells of rtas_args (as h_rtas bounds them for a guest), or the command is ERR and changes
 * nothing.
 */
class QtestRtasFitsTheArgsBuffer {
    private PseriesMachine machine;
    private QtestSession session;

    @BeforeEach
    void build() {
        machine = PseriesMachine.create(PowerHost.create().platform(), 64L << 20, true);
        machine.addVfioPci(PowerHost.EDU, 1);
        session = new QtestSession(machine, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void close() {
        machine.close();
    }

    @Test
    @DisplayName("NRET 1048576 is ERR and guest RAM from 0x1000 is left as it was")
    void aHugeNretIsRefusedAndRamIsUntouched() {
        assertEquals("OK", session.execute("memset 0x1000 0x100000 0xa5"));
        assertEquals("ERR rtas: 0 argument(s) and NRET 1048576 do not fit the 16 cells of rtas_args",
                session.execute("rtas ibm,query-pe-dma-window 1048576"));
        assertEquals("OK 0xa5a5a5a5a5a5a5a5", session.execute("readq 0x1000"));
        assertEquals("OK 0xa5a5a5a5a5a5a5a5", session.execute("readq 0x100ff8"));
    }

    @Test
    void argumentsAndNretPastSixteenCellsAreRefused() {
        assertEquals("ERR rtas: 3 argument(s) and NRET 14 do not fit the 16 cells of rtas_args",
                session.execute("rtas ibm,query-pe-dma-window 14 0 0 0"));
        assertEquals("ERR rtas: 0 argument(s) and NRET -1 do not fit the 16 cells of rtas_args",
                session.execute("rtas ibm,query-pe-dma-window -1"));
    }

    @Test
    @DisplayName("16 arguments and NRET 0 fit the buffer but leave no rets[0]: the guest's answer, H_PARAMETER (-4)")
    void sixteenArgumentsGetWhatAGuestGets() {
        assertEquals("OK -4 (H_RTAS failed)", session.execute("rtas ibm,query-pe-dma-window 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16"));
    }

    @Test
    void countsThatFitAreCarriedOut() {
        assertEquals("OK -3 0x0 0x0 0x0 0x0 0x0 0x0 0x0 0x0 0x0 0x0 0x0 0x0", session.execute("rtas ibm,query-pe-dma-window 13 0 0 0"));
    }
}
