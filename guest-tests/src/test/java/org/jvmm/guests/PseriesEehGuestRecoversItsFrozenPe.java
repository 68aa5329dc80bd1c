package org.jvmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * EEH driven by the guest through RTAS on jvmm: the edu's DMA to a bus address outside every
 * window freezes its PE (MMIO reads all-ones, PE state 2 "stopped"), and ibm,set-slot-reset (hot
 * reset, then deactivate) with ibm,configure-pe brings it back (state 0, BARs and COMMAND restored
 * as the kernel's eeh_pe_configure does, the device answering again).
 *
 * <p>This is where jvmm intentionally prints something other than QEMU's transcript: QEMU 7.2
 * offers the EEH calls only for VFIO devices (spapr_phb_eeh_available), so its emulated edu answers
 * ibm,set-eeh-option with -3 and the guest stops there (see the transcript); jvmm's edu is a
 * host function given through vfio-pci, whose PE supports EEH. The first line is QEMU's.
 */
class PseriesEehGuestRecoversItsFrozenPe {
    static final String EXPECTED = """
            ibm,set-eeh-option(enable): status 0
            at start: read-slot-reset-state2 status 0, state 0, eeh 1
            DMA to ioba 0x40010000 (outside every window): command 0xffffffff
            identification after it: 0xffffffff
            PASS: MMIO of a frozen PE reads all-ones
            frozen: read-slot-reset-state2 status 0, state 2, eeh 1
            ibm,set-slot-reset(hot reset): status 0
            ibm,set-slot-reset(deactivate): status 0
            ibm,configure-pe: status 0
            recovered: read-slot-reset-state2 status 0, state 0, eeh 1
            edu at 00:00.0, BAR0 1024 KiB at pci 0x80000000 (cpu 0x200080000000), command 0x6 -> 0x6
            identification after recovery: 0x010000ed
            PASS: the edu works again after recovery
            """;

    @ParameterizedTest(name = "{0} kvm-tce={1}")
    @CsvSource({"le, false", "be, false", "le, true", "be, true"})
    @DisplayName("a DMA outside every window freezes the PE; hot reset and configure-pe recover it")
    void theGuestFreezesAndRecoversThePe(String endian, boolean kvmTce) {
        PseriesGuestRun r = PseriesGuestRun.run("eeh", endian, kvmTce);
        r.assertPoweredOff();
        String qemu = Ppc64Guests.qemuTranscript("eeh", endian);
        String first = qemu.substring(0, qemu.indexOf('\n') + 1);
        assertTrue(first.startsWith("edu at 00:00.0,"), qemu);
        r.assertPrinted(first + EXPECTED);
        // the one fault is the DMA outside the windows (it froze the PE); nothing moved
        assertEquals("0 maps, 0 unmaps, 1 faults", r.row("iommu"), r.all());
        assertEquals("0 (0 into guest memory, 0 from guest memory)", r.row("dma bytes"), r.all());
        // DMA setup (3 address/count writes, the command, one poll reading all-ones), then the
        // identification register twice
        assertEquals(7, r.exits("mmio"), r.all());
    }
}
