package org.jvmm.papr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.jvmm.kvm.spapr.Papr.H_SUCCESS;

import org.jvmm.address.GuestAddress;
import org.jvmm.hw.pci.PciDevfn;
import org.jvmm.hw.pci.PciFunction;
import org.jvmm.hw.spapr.SpaprPhb;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Status codes of the machine-level and PCI configuration RTAS calls as QEMU 7.2 returns them
 * (hw/ppc/spapr_rtas.c, hw/ppc/spapr_pci.c): RTAS_OUT_SUCCESS 0, RTAS_OUT_HW_ERROR -1,
 * RTAS_OUT_PARAM_ERROR -3; the hypercall itself answers H_SUCCESS.
 */
class RtasCallsAnswerWithQemusStatusCodes {
    private static final long HI = SpaprPhb.BUID_BASE >>> 32;
    private static final long LO = SpaprPhb.BUID_BASE & 0xffff_ffffL;

    @Test
    @DisplayName("power-off takes nargs 2 and nret 1, else RTAS_OUT_PARAM_ERROR and the machine runs on")
    void powerOffChecksCounts() {
        try (PseriesCallRig r = new PseriesCallRig()) {
            assertArrayEquals(new long[] {-3}, r.rtas("power-off", 1, 0xffff_ffffL));
            assertArrayEquals(new long[] {-3, 0x5a5a5a5a}, r.rtas("power-off", 2, 0xffff_ffffL, 0xffff_ffffL));
            assertFalse(r.m.power().stopRequested());
            assertArrayEquals(new long[] {0}, r.rtas("power-off", 1, 0xffff_ffffL, 0xffff_ffffL));
            assertEquals(H_SUCCESS, r.lastStatus);
            assertTrue(r.m.power().poweredOff());
        }
    }

    @Test
    @DisplayName("system-reboot takes nargs 0 and nret 1, else RTAS_OUT_PARAM_ERROR; then asks for a reset")
    void rebootChecksCounts() {
        try (PseriesCallRig r = new PseriesCallRig()) {
            assertArrayEquals(new long[] {-3}, r.rtas("system-reboot", 1, 0));
            assertFalse(r.m.power().rebootRequested());
            assertArrayEquals(new long[] {0}, r.rtas("system-reboot", 1));
            assertTrue(r.m.power().rebootRequested());
            r.m.reset();
            assertFalse(r.m.power().rebootRequested());
            assertEquals(1, r.m.power().reboots());
        }
    }

    @Test
    @DisplayName("ibm,os-term reads the message up to its NUL and reports the guest terminated: RTAS_OUT_SUCCESS")
    void osTermReportsTheMessage() {
        try (PseriesCallRig r = new PseriesCallRig()) {
            byte[] msg = "Kernel panic - not syncing: test\0junk".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            r.m.systemMemory().write(new GuestAddress(0x9000), java.lang.foreign.MemorySegment.ofArray(msg));
            assertNull(r.m.power().osTermMessage());
            assertArrayEquals(new long[] {0}, r.rtas("ibm,os-term", 1, 0x9000));
            assertEquals("Kernel panic - not syncing: test", r.m.power().osTermMessage());
        }
    }

    @Test
    @DisplayName("get-time-of-day wants nret 8 (else RTAS_OUT_PARAM_ERROR) and returns 0 nanoseconds")
    void timeOfDay() {
        try (PseriesCallRig r = new PseriesCallRig()) {
            assertArrayEquals(new long[] {-3, 0x5a5a5a5a}, r.rtas("get-time-of-day", 2));
            long[] t = r.rtas("get-time-of-day", 8);
            assertEquals(0, t[0]);
            assertTrue(t[1] >= 2026 && t[2] >= 1 && t[2] <= 12 && t[3] >= 1 && t[3] <= 31, java.util.Arrays.toString(t));
            assertEquals(0, t[7]);
        }
    }

    @Test
    @DisplayName("display-character writes args[0]'s low byte to the default vty")
    void displayCharacter() {
        try (PseriesCallRig r = new PseriesCallRig()) {
            assertArrayEquals(new long[] {0}, r.rtas("display-character", 1, 0x141));
            assertEquals("A", r.console());
        }
    }

    @Test
    @DisplayName("ibm,read-pci-config finds the edu in slot 0 as the guest finds it: BAR0 0, COMMAND 0")
    void ibmReadPciConfigSeesUnassignedBars() {
        try (PseriesCallRig r = new PseriesCallRig()) {
            assertArrayEquals(new long[] {0, 0x11e81234}, r.rtas("ibm,read-pci-config", 2, 0x00, HI, LO, 4));
            assertArrayEquals(new long[] {0, 0}, r.rtas("ibm,read-pci-config", 2, 0x10, HI, LO, 4), "BAR0 unassigned");
            assertArrayEquals(new long[] {0, 0}, r.rtas("ibm,read-pci-config", 2, 0x04, HI, LO, 2), "COMMAND 0");
        }
    }

    @Test
    @DisplayName("ibm,write-pci-config assigns BAR0 and enables decode: the BAR appears in the PHB's window")
    void ibmWritePciConfigAssignsTheBar() {
        try (PseriesCallRig r = new PseriesCallRig()) {
            assertArrayEquals(new long[] {0}, r.rtas("ibm,write-pci-config", 1, 0x10, HI, LO, 4, 0x8000_0000L));
            assertArrayEquals(new long[] {0}, r.rtas("ibm,write-pci-config", 1, 0x04, HI, LO, 2, 0x6));
            PciFunction f = r.m.phb().bus().function(new PciDevfn(0, 0));
            assertEquals(0x8000_0000L, f.barAddress(0));
            assertEquals(0x010000edL, r.m.systemMemory().read(new GuestAddress(SpaprPhb.MMIO_WINDOW_BASE + 0x8000_0000L), 4),
                    "edu's identification register through the guest's own BAR assignment");
        }
    }

    @Test
    @DisplayName("wrong counts are RTAS_OUT_HW_ERROR (QEMU's spapr_pci.c, not PARAM_ERROR); a bad size, an empty slot, a misaligned or out-of-range "
            + "register or an unknown BUID are RTAS_OUT_HW_ERROR")
    void configErrors() {
        try (PseriesCallRig r = new PseriesCallRig()) {
            assertArrayEquals(new long[] {-1, 0x5a5a5a5a}, r.rtas("ibm,read-pci-config", 2, 0x00, HI, LO), "3 arguments");
            assertArrayEquals(new long[] {-1}, r.rtas("ibm,write-pci-config", 1, 0x00, HI, LO, 4), "4 arguments");
            assertArrayEquals(new long[] {-1, 0x5a5a5a5a}, r.rtas("ibm,read-pci-config", 2, 0x00, HI, LO, 3), "size 3");
            assertArrayEquals(new long[] {-1, 0x5a5a5a5a}, r.rtas("ibm,read-pci-config", 2, 0x0800, HI, LO, 4), "slot 1 empty");
            assertArrayEquals(new long[] {-1, 0x5a5a5a5a}, r.rtas("ibm,read-pci-config", 2, 0x02, HI, LO, 4), "misaligned");
            assertArrayEquals(new long[] {-1, 0x5a5a5a5a}, r.rtas("ibm,read-pci-config", 2, 0x1000_0000L, HI, LO, 4),
                    "extended register 0x100 past a conventional function's 256 bytes");
            assertArrayEquals(new long[] {-1, 0x5a5a5a5a}, r.rtas("ibm,read-pci-config", 2, 0x00, HI, LO + 1, 4), "no such PHB");
            assertArrayEquals(new long[] {-1, 0x5a5a5a5a}, r.rtas("ibm,read-pci-config", 2, 0x10000, HI, LO, 4), "bus 1");
        }
    }

    @Test
    @DisplayName("read-pci-config and write-pci-config name no PHB: QEMU looks under BUID 0 and finds no device (HW_ERROR)")
    void legacyFormsFindNoDevice() {
        try (PseriesCallRig r = new PseriesCallRig()) {
            assertArrayEquals(new long[] {-1, 0x5a5a5a5a}, r.rtas("read-pci-config", 2, 0x00), "1 argument");
            assertArrayEquals(new long[] {-1, 0x5a5a5a5a}, r.rtas("read-pci-config", 2, 0x00, 4));
            assertArrayEquals(new long[] {-1}, r.rtas("write-pci-config", 1, 0x04, 2, 6));
            assertEquals(0, r.m.phb().bus().function(new PciDevfn(0, 0)).command(), "nothing was written");
        }
    }
}
