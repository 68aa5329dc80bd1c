package org.jvmm.kvm.soft.ppc;

import static org.jvmm.kvm.soft.ppc.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.invoke.VarHandle;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import org.jvmm.address.GuestAddress;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.kvm.Memslot;
import org.jvmm.kvm.VcpuExit;
import org.jvmm.kvm.soft.PpcSoftCpu;
import org.jvmm.kvm.soft.SoftKvm;
import org.jvmm.kvm.soft.SoftVm;
import org.jvmm.kvm.soft.spapr.KvmTceTable;
import org.jvmm.kvm.soft.spapr.SoftSpaprRig;
import org.jvmm.kvm.spapr.Papr;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The PPC CPU behind a soft vCPU: creation rules, halts, kicks, failures, and in-bridge returns in r4. */
class PpcSoftCpuFollowsTheSoftVcpuContract {
    /** lis rt,imm (addis rt,0,imm). */
    private static int lis(int rt, int imm) {
        return d(15, rt, 0, imm);
    }

    @Test
    @DisplayName("creation needs one memslot under [0, ramSize) and names the range otherwise")
    void creationNeedsRamAtZero() {
        HostMemoryRegistry memory = new HostMemoryRegistry();
        try (SoftKvm kvm = new SoftKvm(); HostMapping ram = memory.allocate("ram", 0x100000)) {
            SoftVm vm = kvm.createVm(memory);
            var e = assertThrows(IllegalArgumentException.class, () -> new PpcSoftCpu(vm, 0x100000, true));
            assertTrue(e.getMessage().contains("[0x0, 0x100000)"), e.getMessage());
            try (Memslot slot = vm.mapMemory(new GuestAddress(0), 0x100000, ram.address())) {
                var big = assertThrows(IllegalArgumentException.class, () -> new PpcSoftCpu(vm, 0x200000, true));
                assertTrue(big.getMessage().contains("[0x0, 0x200000)"), big.getMessage());
                var odd = assertThrows(IllegalArgumentException.class, () -> new PpcSoftCpu(vm, 0x1800, true));
                assertTrue(odd.getMessage().contains("0x1800"), odd.getMessage());
                PpcCpu ok = new PpcSoftCpu(vm, 0x100000, false).ppc();
                assertEquals(0, ok.pc().value());
                assertEquals(Msr.SF | Msr.ME, ok.msr(), "64-bit supervisor real mode, big-endian");
            }
            vm.close();
        }
    }

    @Test
    @DisplayName("wait is a halt; running again goes on after it")
    void waitIsHalt() {
        try (SoftPpcMachine m = new SoftPpcMachine(true)) {
            m.code(0x100, li(5, 1), WAIT, li(5, 2), WAIT);
            m.cpu.setPc(new GuestAddress(0x100));
            assertInstanceOf(VcpuExit.Halt.class, m.run());
            assertEquals(1, m.cpu.gpr(5));
            assertInstanceOf(VcpuExit.Halt.class, m.run());
            assertEquals(2, m.cpu.gpr(5));
        }
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    @DisplayName("a kick before or during a run returns Interrupted; the guest then runs on")
    void kicks() throws InterruptedException {
        try (SoftPpcMachine m = new SoftPpcMachine(false)) {
            // the loop counts in r5 and publishes the count at COUNT, where the kicker watches it
            m.code(0x100, addi(5, 5, 1), std(5, COUNT, 0), b(-8));
            m.cpu.setPc(new GuestAddress(0x100));
            m.vcpu.kick();
            assertInstanceOf(VcpuExit.Interrupted.class, m.run());
            assertEquals(0, m.cpu.gpr(5), "a kick pending at entry runs nothing");
            assertInstanceOf(VcpuExit.Interrupted.class, runKickedOnceCountAbove(m, 0),
                    "the endless loop returned because of the kick");
            long counted = m.cpu.gpr(5);
            assertTrue(counted > 0, "the loop ran until the kick: " + counted);
            assertInstanceOf(VcpuExit.Interrupted.class, runKickedOnceCountAbove(m, counted), "and runs on when entered again");
            assertTrue(m.cpu.gpr(5) > counted, "the loop went on after the kick");
        }
    }

    /** Where the counting loop stores its count (big-endian, as the machine runs; a page apart from the code). */
    private static final int COUNT = 0x2000;
    private static final VarHandle COUNT_BE = ValueLayout.JAVA_LONG.withOrder(ByteOrder.BIG_ENDIAN).varHandle();

    /** Runs the counting loop; another thread kicks once the guest has stored a count above {@code above}. */
    private static VcpuExit runKickedOnceCountAbove(SoftPpcMachine m, long above) throws InterruptedException {
        Thread kicker = Thread.ofPlatform().start(() -> {
            while ((long) COUNT_BE.getVolatile(m.ram, (long) COUNT) <= above) {
                Thread.onSpinWait();
            }
            m.vcpu.kick();
        });
        VcpuExit e = m.run();
        kicker.join();
        return e;
    }

    @Test
    @DisplayName("an instruction fetch outside guest RAM is KVM_EXIT_INTERNAL_ERROR (emulation) with the PC")
    void fetchOutsideRamIsInternalError() {
        try (SoftPpcMachine m = new SoftPpcMachine(true)) {
            m.code(0x100, lis(5, 0x2000), mtspr(Spr.CTR, 5), BCTR);
            m.cpu.setPc(new GuestAddress(0x100));
            VcpuExit.InternalError e = assertInstanceOf(VcpuExit.InternalError.class, m.run());
            assertEquals(VcpuExit.InternalError.EMULATION, e.suberror());
            assertEquals(List.of(0x2000_0000L), e.data());
            assertTrue(m.soft.failure().contains("0x20000000"), m.soft.failure());
        }
    }

    @Test
    @DisplayName("running after the RAM memslot was removed is refused with the range")
    void ramMemslotRemoved() {
        HostMemoryRegistry memory = new HostMemoryRegistry();
        try (SoftKvm kvm = new SoftKvm(); HostMapping ram = memory.allocate("ram", 0x10000)) {
            SoftVm vm = kvm.createVm(memory);
            Memslot slot = vm.mapMemory(new GuestAddress(0), 0x10000, ram.address());
            var vcpu = vm.createVcpu(0, new PpcSoftCpu(vm, 0x10000, true));
            slot.close();
            var e = assertThrows(IllegalStateException.class, vcpu::run);
            assertTrue(e.getMessage().contains("[0x0, 0x10000)"), e.getMessage());
            vcpu.close();
            vm.close();
        }
    }

    @Test
    @DisplayName("an in-bridge H_GET_TCE puts the status in r3 and the TCE in r4, with no exit")
    void inBridgeReturnsReachR4() {
        try (SoftSpaprRig rig = new SoftSpaprRig(); KvmTceTable t = rig.kvmTable(); SoftPpcMachine m = new SoftPpcMachine(rig, true)) {
            t.set(0x12, 0xabc000 | 3);
            m.code(0x100, li(3, (int) Papr.H_GET_TCE), sc(1), WAIT);
            m.cpu.setPc(new GuestAddress(0x100));
            m.cpu.setGpr(4, SoftSpaprRig.LIOBN);
            m.cpu.setGpr(5, 0x12000);
            assertInstanceOf(VcpuExit.Halt.class, m.run());
            assertEquals(Papr.H_SUCCESS, m.cpu.gpr(3));
            assertEquals(0xabc000 | 3, m.cpu.gpr(4));
            assertEquals(1, m.soft.fastPathHypercalls());
            assertEquals(0, m.vcpu.hcallExits());
        }
    }
}
