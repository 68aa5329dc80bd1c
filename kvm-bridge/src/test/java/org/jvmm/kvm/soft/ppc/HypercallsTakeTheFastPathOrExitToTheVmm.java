package org.jvmm.kvm.soft.ppc;

import static org.jvmm.kvm.soft.ppc.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import org.jvmm.address.GuestAddress;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** sc 1 from supervisor state goes to the hypercall hook; from problem state it is privileged. */
class HypercallsTakeTheFastPathOrExitToTheVmm {

    @Test
    @DisplayName("a handled hypercall continues in place with the status in r3")
    void fastPath() {
        try (TestMachine m = new TestMachine(0x10000, true)) {
            m.hcalls = cpu -> {
                cpu.setGpr(3, cpu.gpr(4) + 1);
                return HypercallHandler.Outcome.HANDLED;
            };
            m.code(0, li(3, 0x20), li(4, 41), sc(1), addi(5, 3, 0));
            assertInstanceOf(PpcExit.BudgetExhausted.class, m.cpu.run(4));
            assertEquals(42, m.cpu.gpr(5));
        }
    }

    @Test
    @DisplayName("an unhandled hypercall exits with r3 as the opcode and PC past the sc")
    void exitPath() {
        try (TestMachine m = new TestMachine(0x10000, false)) {
            m.code(0, li(3, 0x20), sc(1), addi(5, 3, 0));
            PpcExit.Hypercall h = assertInstanceOf(PpcExit.Hypercall.class, m.cpu.run(10));
            assertEquals(0x20, h.opcode());
            assertEquals(8, m.cpu.pc().value());
            m.cpu.setGpr(3, -4); // H_PARAMETER from the VMM
            assertInstanceOf(PpcExit.BudgetExhausted.class, m.cpu.run(1));
            assertEquals(-4, m.cpu.gpr(5));
        }
    }

    @Test
    @DisplayName("sc 1 in problem state is a privileged-instruction program interrupt, never a hypercall")
    void problemState() {
        try (TestMachine m = new TestMachine(0x10000, true)) {
            int[] calls = {0};
            m.hcalls = cpu -> {
                calls[0]++;
                return HypercallHandler.Outcome.HANDLED;
            };
            m.code(0x100, sc(1));
            m.cpu.setMsr(m.cpu.msr() | Msr.PR);
            m.cpu.setPc(new GuestAddress(0x100));
            m.cpu.run(1);
            assertEquals(0, calls[0]);
            assertEquals(Vector.PROGRAM, m.cpu.pc().value());
            assertEquals(0x100, m.cpu.srr0());
            assertEquals(Vector.SRR1_PRIVILEGED, m.cpu.srr1() & Vector.SRR1_SPECIFIC);
        }
    }
}
