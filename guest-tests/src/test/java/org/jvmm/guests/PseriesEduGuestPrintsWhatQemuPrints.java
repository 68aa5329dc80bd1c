package org.jvmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The edu guest (MMIO, factorial, DMA both ways through TCEs, a write refused by a read-only TCE,
 * a DMA through an unmapped TCE) on jvmm's pseries prints exactly what QEMU 7.2 printed, in both
 * byte orders and with kvm-tce off and on, and the VMM saw the TCE maps, DMA bytes and IOMMU
 * faults the guest caused.
 */
class PseriesEduGuestPrintsWhatQemuPrints {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"le", "be"})
    @DisplayName("kvm-tce=off: QEMU's output; 3 maps and 1 unmap through the VMM's notifier, 2 IOMMU faults")
    void withTheVmmHandlingTceCalls(String endian) {
        PseriesGuestRun r = PseriesGuestRun.run("edu", endian, false);
        r.assertPoweredOff();
        r.assertPrinted(Ppc64Guests.qemuTranscript("edu", endian));
        // H_PUT_TCE 0x1000 R, 0x2000 W, 0x3000 R map; 0x2000 -> 0 unmaps. The write through the
        // read-only TCE and the DMA through the cleared one fault and move nothing.
        assertEquals("3 maps, 1 unmaps, 2 faults", r.row("iommu"), r.all());
        assertEquals("512 (256 into guest memory, 256 from guest memory)", r.row("dma bytes"), r.all());
        // ident, liveness (2), 10! (write, status, read), 4 DMAs of 5 accesses each, 5! (3)
        assertEquals("29 (vfio-pci BAR accesses handled by the VMM)", r.row("mmio traps"), r.all());
        assertEquals(29, r.exits("mmio"), r.all());
        assertEquals("0 (0 MSI, 0 INTx)", r.row("interrupts"), r.all());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"le", "be"})
    @DisplayName("kvm-tce=on: QEMU's output; the four H_PUT_TCE complete in the accelerator (no exit, no notifier)")
    void withTheAcceleratorHandlingTceCalls(String endian) {
        PseriesGuestRun on = PseriesGuestRun.run("edu", endian, true);
        on.assertPoweredOff();
        on.assertPrinted(Ppc64Guests.qemuTranscript("edu", endian));
        assertEquals("0 maps, 0 unmaps, 2 faults", on.row("iommu"), on.all());
        assertEquals("512 (256 into guest memory, 256 from guest memory)", on.row("dma bytes"), on.all());
        PseriesGuestRun off = PseriesGuestRun.run("edu", endian, false);
        assertEquals(off.exits("papr_hcall") - 4, on.exits("papr_hcall"), on.all());
        assertEquals(off.exits("mmio"), on.exits("mmio"), on.all());
    }
}
