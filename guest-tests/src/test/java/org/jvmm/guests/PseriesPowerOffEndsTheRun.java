package org.jvmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RTAS power-off (token 0x2003, QEMU 7.2's fixed token) ends the run with status 0, as QEMU
 * exits, and nothing runs after it: the guest's line after the call (a FAIL) never appears.
 */
class PseriesPowerOffEndsTheRun {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"le", "be"})
    @DisplayName("power-off is exit status 0 and the guest runs no further")
    void powerOffIsStatusZeroAndTheGuestRunsNoFurther(String endian) {
        PseriesGuestRun r = PseriesGuestRun.run("power-off", endian, false);
        r.assertPoweredOff();
        r.assertPrinted(Ppc64Guests.qemuTranscript("power-off", endian));
        // the vty line (two H_PUT_TERM_CHAR of 16 and 7 bytes), the RTAS call, and H_SET_MODE in LE
        assertEquals(endian.equals("le") ? 4 : 3, r.exits("papr_hcall"), r.all());
        assertEquals(0, r.exits("mmio"), r.all());
    }
}
