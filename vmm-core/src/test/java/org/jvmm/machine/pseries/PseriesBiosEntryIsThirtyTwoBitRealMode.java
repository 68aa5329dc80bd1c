package org.jvmm.machine.pseries;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.jvmm.machine.config.MemoryConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * QEMU 7.0 and later clear MSR[SF] when resetting a pseries vCPU (hw/ppc/spapr_cpu_core.c
 * spapr_reset_vcpu, "spapr: Force 32bit when resetting a core", after the IEEE 1275 PowerPC
 * binding's initial register values): QEMU 7.2 enters a {@code -bios} image at 0x100 with MSR 0,
 * r3 = the device tree's address.
 */
class PseriesBiosEntryIsThirtyTwoBitRealMode {

    @Test
    @DisplayName("-bios entry: MSR 0 (32-bit, big-endian, real mode), PC 0x100, r3 the tree 1 MiB below RAM's end")
    void entryStateIsQemu72s() {
        try (PseriesMachine m = new PseriesBuilder(MemoryConfig.of(512L << 20)).ppcCpu(false).build()) {
            m.ppcCpu().ppc().setMsr(org.jvmm.kvm.soft.ppc.Msr.SF | org.jvmm.kvm.soft.ppc.Msr.LE);
            PseriesBoot.bootFirmware(m, new byte[] {0x48, 0, 0, 0});
            assertEquals(0L, m.ppcCpu().ppc().msr());
            assertEquals(0x100L, m.ppcCpu().ppc().pc().value());
            assertEquals((512L << 20) - 0x10_0000, m.ppcCpu().ppc().gpr(3));
        }
    }
}
