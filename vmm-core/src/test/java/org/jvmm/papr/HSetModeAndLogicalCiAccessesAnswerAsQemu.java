package org.jvmm.papr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.jvmm.kvm.spapr.Papr.H_PARAMETER;
import static org.jvmm.kvm.spapr.Papr.H_SUCCESS;
import static org.jvmm.papr.PaprNumbers.H_LOGICAL_CI_LOAD;
import static org.jvmm.papr.PaprNumbers.H_LOGICAL_CI_STORE;
import static org.jvmm.papr.PaprNumbers.H_SET_MODE;

import org.jvmm.address.GuestAddress;
import org.jvmm.host.kernel.PowerHost;
import org.jvmm.machine.pseries.PseriesMachine;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * QEMU 7.2 hw/ppc/spapr_hcall.c: H_SET_MODE(mflags, resource, value1, value2) with resource 4
 * (interrupt endianness): value1 != 0 is H_P3, value2 != 0 H_P4, mflags 0 big / 1 little, else
 * H_UNSUPPORTED_FLAG; another resource H_P2. H_LOGICAL_CI_LOAD/STORE(size, addr[, value]) for
 * size 1, 2, 4, 8, else H_PARAMETER.
 */
class HSetModeAndLogicalCiAccessesAnswerAsQemu {
    @Test
    @DisplayName("H_SET_MODE resource 4 sets the PPC CPU's interrupt endianness; its errors are H_P2/H_P3/H_P4/H_UNSUPPORTED_FLAG")
    void setModeInterruptEndianness() {
        PowerHost host = PowerHost.create();
        try (PseriesMachine m = PseriesMachine.createWithPpcCpu(host.platform(), 16L << 20, false, false)) {
            long[] rets = new long[9];
            assertEquals(-55, m.hypercalls().call(H_SET_MODE, new long[] {1, 3, 0, 0, 0, 0, 0, 0, 0}, rets), "H_P2");
            assertEquals(-56, m.hypercalls().call(H_SET_MODE, new long[] {1, 4, 1, 0, 0, 0, 0, 0, 0}, rets), "H_P3");
            assertEquals(-57, m.hypercalls().call(H_SET_MODE, new long[] {1, 4, 0, 1, 0, 0, 0, 0, 0}, rets), "H_P4");
            assertEquals(-256, m.hypercalls().call(H_SET_MODE, new long[] {2, 4, 0, 0, 0, 0, 0, 0, 0}, rets),
                    "H_UNSUPPORTED_FLAG");
            assertEquals(H_SUCCESS, m.hypercalls().call(H_SET_MODE, new long[] {1, 4, 0, 0, 0, 0, 0, 0, 0}, rets));
            var cpu = m.ppcCpu().ppc();
            cpu.setMsr(org.jvmm.kvm.soft.ppc.Msr.SF | org.jvmm.kvm.soft.ppc.Msr.EE);
            cpu.setDec(-1);
            // the decrementer interrupt goes to 0x900, where a nop is stored little-endian: it runs
            // only if the handler is entered little-endian (read big-endian it is an illegal instruction)
            m.ram().segment().set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN),
                    0x900, 0x60000000);
            cpu.invalidateCode(new GuestAddress(0), 4096);
            cpu.setPc(new GuestAddress(0));
            cpu.run(1);
            assertEquals(0x904, cpu.pc().value());
            assertEquals(org.jvmm.kvm.soft.ppc.Msr.LE, cpu.msr() & org.jvmm.kvm.soft.ppc.Msr.LE, "ILE: handlers run little-endian");
        }
    }

    @Test
    @DisplayName("H_LOGICAL_CI_LOAD/STORE move 1, 2, 4 or 8 bytes big-endian; other sizes are H_PARAMETER; unassigned reads all-ones")
    void logicalCi() {
        try (PseriesCallRig r = new PseriesCallRig()) {
            assertEquals(H_SUCCESS, r.hcall(H_LOGICAL_CI_STORE, 8, 0x9000, 0x0102030405060708L));
            assertEquals(H_SUCCESS, r.hcall(H_LOGICAL_CI_LOAD, 2, 0x9002));
            assertEquals(0x0304, r.rets[0]);
            assertEquals(H_SUCCESS, r.hcall(H_LOGICAL_CI_LOAD, 8, 0x9000));
            assertEquals(0x0102030405060708L, r.rets[0]);
            assertEquals(H_PARAMETER, r.hcall(H_LOGICAL_CI_LOAD, 3, 0x9000));
            assertEquals(H_PARAMETER, r.hcall(H_LOGICAL_CI_STORE, 16, 0x9000, 0));
            assertEquals(0x0102030405060708L, r.m.systemMemory().read(new GuestAddress(0x9000), 8), "nothing written");
            assertEquals(H_SUCCESS, r.hcall(H_LOGICAL_CI_LOAD, 4, 0x1000_0000_0000L));
            assertEquals(0xffff_ffffL, r.rets[0]);
        }
    }
}
