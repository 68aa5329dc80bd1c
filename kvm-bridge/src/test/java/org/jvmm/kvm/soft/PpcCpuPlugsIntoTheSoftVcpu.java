package org.jvmm.kvm.soft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.jvmm.address.GuestAddress;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.kvm.Memslot;
import org.jvmm.kvm.VcpuExit;
import org.jvmm.kvm.soft.spapr.KvmTceTable;
import org.jvmm.kvm.spapr.Papr;
import org.jvmm.kvm.spapr.SpaprTceCreate64;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The PPC64 interpreter is a second SoftCpu: sc 1 takes the in-bridge path or exits, MMIO exits carry bus bytes, wait halts")
class PpcCpuPlugsIntoTheSoftVcpu {
    private static int d(int op, int rt, int ra, int imm) {
        return op << 26 | rt << 21 | ra << 16 | (imm & 0xffff);
    }

    @Test
    void aBigEndianGuestMakesHypercallsAndMmioAccessesThroughTheSameApi() {
        int[] program = {
            d(14, 3, 0, 0x20), // li r3,H_PUT_TCE
            d(14, 4, 0, 0), // li r4,0
            d(25, 4, 4, 0x8000), // oris r4,r4,0x8000: LIOBN 0x80000000
            d(14, 5, 0, 0x1000), // li r5,0x1000 (ioba)
            d(14, 6, 0, 0x3003), // li r6,0x3003 (tce)
            0x44000022, // sc 1: the bridge handles it
            d(15, 7, 0, 0x200), // lis r7,0x200: 0x02000000, outside RAM
            d(36, 6, 7, 0), // stw r6,0(r7): an MMIO store
            d(32, 8, 7, 4), // lwz r8,4(r7): an MMIO load
            d(14, 3, 0, 0x20), // li r3,H_PUT_TCE
            d(14, 4, 0, 0x77), // li r4,0x77: an LIOBN KVM does not know
            0x44000022, // sc 1: exits
            0x7C00007C, // wait
        };
        HostMemoryRegistry memory = new HostMemoryRegistry();
        try (SoftKvm kvm = new SoftKvm(); HostMapping ram = memory.allocate("ram", 16 << 20)) {
            SoftVm vm = kvm.createVm(memory);
            for (int i = 0; i < program.length; i++) {
                ram.segment().set(ValueLayout.JAVA_INT.withOrder(ByteOrder.BIG_ENDIAN), 4L * i, program[i]);
            }
            Memslot slot = vm.mapMemory(new GuestAddress(0), 16 << 20, ram.address());
            PpcSoftCpu cpu = new PpcSoftCpu(vm, 16 << 20, false);
            SoftVcpu vcpu = vm.createVcpu(0, cpu);
            KvmTceTable t = vm.createSpaprTce64(new SpaprTceCreate64(0x8000_0000L, 12, 0, 0, 1 << 18));

            VcpuExit.Mmio store = assertInstanceOf(VcpuExit.Mmio.class, vcpu.run());
            assertEquals(0, cpu.ppc().gpr(3), "H_PUT_TCE completed in the bridge with H_SUCCESS");
            assertEquals(0x3003, t.get(1));
            assertTrue(store.isWrite());
            assertEquals(new GuestAddress(0x0200_0000L), store.address());
            assertArrayEquals(new byte[] {0, 0, 0x30, 0x03}, store.data().toArray(ValueLayout.JAVA_BYTE));

            VcpuExit.Mmio load = assertInstanceOf(VcpuExit.Mmio.class, vcpu.run());
            assertEquals(new GuestAddress(0x0200_0004L), load.address());
            load.data().copyFrom(java.lang.foreign.MemorySegment.ofArray(new byte[] {0x12, 0x34, 0x56, 0x78}));

            VcpuExit.PaprHcall h = assertInstanceOf(VcpuExit.PaprHcall.class, vcpu.run());
            assertEquals(0x12345678L, cpu.ppc().gpr(8));
            assertEquals(Papr.H_PUT_TCE, h.nr());
            assertEquals(0x77, h.arg(0));
            h.respond(Papr.H_PARAMETER);

            assertInstanceOf(VcpuExit.Halt.class, vcpu.run());
            assertEquals(Papr.H_PARAMETER, cpu.ppc().gpr(3));
            assertEquals(1, vcpu.hcallExits());
            assertEquals(2, vcpu.mmioExits());
            t.close();
            vcpu.close();
            slot.close();
            vm.close();
        }
    }
}
