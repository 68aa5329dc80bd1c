package org.jvmm.papr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.jvmm.kvm.spapr.Papr.H_PARAMETER;
import static org.jvmm.kvm.spapr.Papr.H_SUCCESS;
import static org.jvmm.papr.PaprNumbers.H_GET_TERM_CHAR;
import static org.jvmm.papr.PaprNumbers.H_PUT_TERM_CHAR;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * spapr-vty (QEMU hw/char/spapr_vty.c): H_PUT_TERM_CHAR(termno, len, chars 0-7, chars 8-15) and
 * H_GET_TERM_CHAR(termno) -> (count, chars 0-7, chars 8-15), bytes packed big-endian. vty_lookup:
 * the vty's own reg, or 0 as the default vty's alias; anything else is H_PARAMETER. len above 16
 * is H_PARAMETER.
 */
class SpaprVtyAnswersAsQemu {
    private static final long HELLO = 0x68656c6c6f2c2077L; // "hello, w"
    private static final long ORLD = 0x6f726c640a000000L; // "orld\n"

    @Test
    @DisplayName("termno 0x71000001 and its alias 0 both write, 13 bytes over two registers")
    void putWritesThroughRegAndAlias() {
        try (PseriesCallRig r = new PseriesCallRig()) {
            assertEquals(H_SUCCESS, r.hcall(H_PUT_TERM_CHAR, 0x7100_0001L, 13, HELLO, ORLD));
            assertEquals(H_SUCCESS, r.hcall(H_PUT_TERM_CHAR, 0, 2, 0x6f6b000000000000L, 0));
            assertEquals("hello, world\nok", r.console());
        }
    }

    @Test
    @DisplayName("termno 0x71000000 (the nvram, not a vty) and an unknown termno are H_PARAMETER and write nothing")
    void unknownTermnoIsHParameter() {
        try (PseriesCallRig r = new PseriesCallRig()) {
            assertEquals(H_PARAMETER, r.hcall(H_PUT_TERM_CHAR, 0x7100_0000L, 1, HELLO, 0));
            assertEquals(H_PARAMETER, r.hcall(H_GET_TERM_CHAR, 0x30000000L));
            assertEquals("", r.console());
        }
    }

    @Test
    @DisplayName("len 17 is H_PARAMETER and writes nothing; len 0xffffffffffffffff is not -1 but huge: H_PARAMETER")
    void lengthPastSixteenIsHParameter() {
        try (PseriesCallRig r = new PseriesCallRig()) {
            assertEquals(H_PARAMETER, r.hcall(H_PUT_TERM_CHAR, 0, 17, HELLO, ORLD));
            assertEquals(H_PARAMETER, r.hcall(H_PUT_TERM_CHAR, 0, -1L, HELLO, ORLD));
            assertEquals(H_SUCCESS, r.hcall(H_PUT_TERM_CHAR, 0, 16, HELLO, ORLD));
            assertEquals("hello, world\n\0\0\0", r.console());
        }
    }

    @Test
    @DisplayName("H_GET_TERM_CHAR returns up to 16 queued bytes packed big-endian, then 0 bytes")
    void getReturnsQueuedInput() {
        try (PseriesCallRig r = new PseriesCallRig()) {
            r.m.vty().input("hello, world\nthere".getBytes(StandardCharsets.ISO_8859_1));
            assertEquals(H_SUCCESS, r.hcall(H_GET_TERM_CHAR, 0));
            assertArrayEquals(new long[] {16, HELLO, 0x6f726c640a746865L}, java.util.Arrays.copyOf(r.rets, 3));
            assertEquals(H_SUCCESS, r.hcall(H_GET_TERM_CHAR, 0x7100_0001L));
            assertArrayEquals(new long[] {2, 0x7265000000000000L, 0}, java.util.Arrays.copyOf(r.rets, 3));
            assertEquals(H_SUCCESS, r.hcall(H_GET_TERM_CHAR, 0));
            assertArrayEquals(new long[] {0, 0, 0}, java.util.Arrays.copyOf(r.rets, 3));
        }
    }
}
