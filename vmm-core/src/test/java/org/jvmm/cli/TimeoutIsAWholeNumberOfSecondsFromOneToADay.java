package org.jvmm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code -timeout SECONDS} is a whole number from 1 to 86400. 0 used to become Thread.join(0), a
 * run without end; 2^63-1 overflowed to milliseconds ("vmm: long overflow", status 1); -1 failed
 * with a message that did not name the option. Every bad value is refused, status 2, naming the
 * option and the value, before anything is built.
 */
class TimeoutIsAWholeNumberOfSecondsFromOneToADay {

    @ParameterizedTest(name = "-timeout {0}")
    @CsvSource(delimiter = '|', value = {
        "0|vmm: -timeout: '0' is outside 1 to 86400 seconds (every run has a time limit, of at most a day)",
        "-1|vmm: -timeout: '-1' is outside 1 to 86400 seconds (every run has a time limit, of at most a day)",
        "86401|vmm: -timeout: '86401' is outside 1 to 86400 seconds (every run has a time limit, of at most a day)",
        "9223372036854775807|vmm: -timeout: '9223372036854775807' is outside 1 to 86400 seconds (every run has a time limit, of at most a day)",
        "99999999999999999999|vmm: -timeout: '99999999999999999999' is not a whole number of seconds (1 to 86400)",
        "1.5|vmm: -timeout: '1.5' is not a whole number of seconds (1 to 86400)",
    })
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aBadTimeoutIsRefusedNamingOptionAndValue(String value, String expected) {
        CliRun r = CliRun.of("-timeout", value, "--kvm-device", "/nonexistent/kvm");
        assertEquals(2, r.status(), r.err());
        assertEquals(expected, r.firstErrLine());
        assertEquals("", r.out());
    }

    @ParameterizedTest(name = "-timeout {0}")
    @CsvSource({"1", "86400"})
    @DisplayName("the bounds themselves are taken: the run goes on to the KVM check (status 3 on a KVM device that is absent)")
    void theBoundsAreTaken(String value) {
        assertEquals(3, CliRun.of("-timeout", value, "--kvm-device", "/nonexistent/kvm").status());
    }

    @Test
    void theConverterGivesSeconds() {
        assertEquals(60, NumberConverters.Timeout.parse("60"));
        assertEquals(86_400, NumberConverters.Timeout.parse(" 86400 "));
    }
}
