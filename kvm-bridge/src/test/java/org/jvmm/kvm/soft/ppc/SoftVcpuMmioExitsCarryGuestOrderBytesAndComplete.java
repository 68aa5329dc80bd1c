package org.jvmm.kvm.soft.ppc;

import static org.jvmm.kvm.soft.ppc.Asm.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.jvmm.address.GuestAddress;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.kvm.Memslot;
import org.jvmm.kvm.VcpuExit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A guest load or store that no memslot backs leaves the soft vCPU as KVM_EXIT_MMIO with the
 * access's size and its bytes in guest memory order (as KVM on POWER fills kvm_run.mmio.data); a
 * store is complete when the exit is seen, a load completes at the next run with the bytes the VMM
 * left in the exit. An access to a memslot other than the one at 0 is done in place, with no exit.
 */
class SoftVcpuMmioExitsCarryGuestOrderBytesAndComplete {
    private static final long DEV = 0x4000_0000L;
    private static final long SECOND_SLOT = 0x1000_0000L;

    private static int stwbrx(int rs, int ra, int rb) {
        return x(rs, ra, rb, 662);
    }

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    @ParameterizedTest(name = "little-endian={0}")
    @ValueSource(booleans = {true, false})
    @DisplayName("stores exit with the guest's bytes (a byte-reversed form the other way round) and the guest goes on")
    void storesExitWithGuestOrderBytes(boolean le) {
        try (SoftPpcMachine m = new SoftPpcMachine(le)) {
            m.code(0x100, stw(5, 8, 9), std(5, 16, 9), stwbrx(5, 0, 9), li(6, 7), WAIT);
            m.cpu.setPc(new GuestAddress(0x100));
            m.cpu.setGpr(9, DEV);
            m.cpu.setGpr(5, 0x1122_3344_8765_4321L);

            VcpuExit.Mmio w = assertInstanceOf(VcpuExit.Mmio.class, m.run());
            assertTrue(w.isWrite());
            assertEquals(new GuestAddress(DEV + 8), w.address());
            assertEquals(4, w.length());
            assertArrayEquals(le ? bytes(0x21, 0x43, 0x65, 0x87) : bytes(0x87, 0x65, 0x43, 0x21),
                    w.data().toArray(ValueLayout.JAVA_BYTE));
            assertEquals(0x104, m.cpu.pc().value(), "the store is complete: PC is past it");

            VcpuExit.Mmio d = assertInstanceOf(VcpuExit.Mmio.class, m.run());
            assertEquals(8, d.length());
            assertArrayEquals(le ? bytes(0x21, 0x43, 0x65, 0x87, 0x44, 0x33, 0x22, 0x11)
                    : bytes(0x11, 0x22, 0x33, 0x44, 0x87, 0x65, 0x43, 0x21), d.data().toArray(ValueLayout.JAVA_BYTE));

            VcpuExit.Mmio r = assertInstanceOf(VcpuExit.Mmio.class, m.run());
            assertEquals(new GuestAddress(DEV), r.address());
            assertArrayEquals(le ? bytes(0x87, 0x65, 0x43, 0x21) : bytes(0x21, 0x43, 0x65, 0x87),
                    r.data().toArray(ValueLayout.JAVA_BYTE), "stwbrx puts the bytes in the other order");

            assertInstanceOf(VcpuExit.Halt.class, m.run());
            assertEquals(7, m.cpu.gpr(6), "the guest went on after the stores");
            assertEquals(3, m.vcpu.mmioExits());
        }
    }

    @ParameterizedTest(name = "little-endian={0}")
    @ValueSource(booleans = {true, false})
    @DisplayName("a load exits, reads the bytes the VMM left in the exit in the guest's order, and the guest goes on")
    void loadCompletesWithTheVmmBytes(boolean le) {
        try (SoftPpcMachine m = new SoftPpcMachine(le)) {
            m.code(0x100, lwz(5, 4, 9), lha(7, 2, 9), li(6, 1), WAIT);
            m.cpu.setPc(new GuestAddress(0x100));
            m.cpu.setGpr(9, DEV);
            m.cpu.setGpr(5, 0x55);

            VcpuExit.Mmio r = assertInstanceOf(VcpuExit.Mmio.class, m.run());
            assertFalse(r.isWrite());
            assertEquals(new GuestAddress(DEV + 4), r.address());
            assertEquals(4, r.length());
            assertEquals(0x55, m.cpu.gpr(5), "RT untouched while the load waits for the VMM");
            r.data().copyFrom(MemorySegment.ofArray(bytes(0x11, 0x22, 0x33, 0x44)));

            VcpuExit.Mmio h = assertInstanceOf(VcpuExit.Mmio.class, m.run());
            assertEquals(le ? 0x4433_2211L : 0x1122_3344L, m.cpu.gpr(5), "the VMM's bytes read in the guest's order");
            assertEquals(2, h.length());
            h.data().copyFrom(MemorySegment.ofArray(le ? bytes(0xf0, 0xff) : bytes(0xff, 0xf0)));

            assertInstanceOf(VcpuExit.Halt.class, m.run());
            assertEquals(-16, m.cpu.gpr(7), "lha sign-extends the device's halfword 0xfff0");
            assertEquals(1, m.cpu.gpr(6));
            assertEquals(2, m.vcpu.mmioExits());
        }
    }

    @ParameterizedTest(name = "little-endian={0}")
    @ValueSource(booleans = {true, false})
    @DisplayName("a second memslot is RAM: loads and stores there need no exit")
    void secondMemslotIsDoneInPlace(boolean le) {
        try (SoftPpcMachine m = new SoftPpcMachine(le); HostMapping extra = m.vm.hostMemory().allocate("extra", 0x10000);
                Memslot slot = m.vm.mapMemory(new GuestAddress(SECOND_SLOT), 0x10000, extra.address())) {
            m.code(0x100, stw(5, 0x20, 10), lwz(7, 0x20, 10), std(5, 0x28, 10), WAIT);
            m.cpu.setPc(new GuestAddress(0x100));
            m.cpu.setGpr(10, SECOND_SLOT);
            m.cpu.setGpr(5, 0x0102_0304_0a0b_0c0dL);
            assertInstanceOf(VcpuExit.Halt.class, m.run());
            assertEquals(0, m.vcpu.mmioExits());
            assertEquals(3, m.soft.inPlaceAccesses());
            assertEquals(0x0a0b_0c0dL, m.cpu.gpr(7));
            assertArrayEquals(le ? bytes(0x0d, 0x0c, 0x0b, 0x0a) : bytes(0x0a, 0x0b, 0x0c, 0x0d),
                    extra.segment().asSlice(0x20, 4).toArray(ValueLayout.JAVA_BYTE), "the bytes in memory, guest order");
            assertEquals(0x0102_0304_0a0b_0c0dL, extra.segment().get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(m.order()), 0x28));
        }
    }
}
