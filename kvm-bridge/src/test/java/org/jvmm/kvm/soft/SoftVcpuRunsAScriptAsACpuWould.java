package org.jvmm.kvm.soft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;
import java.util.concurrent.CompletableFuture;
import org.jvmm.address.GuestAddress;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.kvm.Memslot;
import org.jvmm.kvm.VcpuExit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Soft vCPU: a scripted CPU loads/stores RAM big-endian, exits on MMIO with guest-order bytes, halts when idle, stops on kick")
class SoftVcpuRunsAScriptAsACpuWould {
    private final HostMemoryRegistry memory = new HostMemoryRegistry();
    private SoftKvm kvm;
    private SoftVm vm;
    private HostMapping ram;
    private Memslot slot;
    private SoftVcpu vcpu;
    private ScriptedCpu cpu;

    @BeforeEach
    void open() {
        kvm = new SoftKvm();
        vm = kvm.createVm(memory);
        ram = memory.allocate("ram", 1 << 16);
        slot = vm.mapMemory(new GuestAddress(0x10000), 1 << 16, ram.address());
        vcpu = vm.createVcpu(0);
        cpu = (ScriptedCpu) vcpu.cpu();
    }

    @AfterEach
    void close() {
        vcpu.close();
        slot.close();
        vm.close();
        kvm.close();
        ram.close();
    }

    @Test
    void ramAccessesAreBigEndianAndNeedNoExit() {
        cpu.store(new GuestAddress(0x10100), 4, 0x11223344L);
        cpu.store(new GuestAddress(0x10108), 8, 0x0102030405060708L);
        CompletableFuture<Long> half = cpu.load(new GuestAddress(0x10102), 2);
        assertInstanceOf(VcpuExit.Halt.class, vcpu.run());
        assertEquals(0x3344, half.join());
        assertArrayEquals(new byte[] {0x11, 0x22, 0x33, 0x44}, ram.segment().asSlice(0x100, 4).toArray(ValueLayout.JAVA_BYTE));
        assertEquals(0x01, ram.segment().get(ValueLayout.JAVA_BYTE, 0x108));
        assertEquals(0, vcpu.mmioExits());
    }

    @Test
    void anAccessOutsideRamIsAnMmioExitInGuestByteOrder() {
        CompletableFuture<Long> st = cpu.store(new GuestAddress(0x2000_0000L), 4, 0xcafef00dL);
        CompletableFuture<Long> ld = cpu.load(new GuestAddress(0x2000_0010L), 4);
        VcpuExit.Mmio w = assertInstanceOf(VcpuExit.Mmio.class, vcpu.run());
        assertTrue(w.isWrite());
        assertEquals(new GuestAddress(0x2000_0000L), w.address());
        assertArrayEquals(new byte[] {(byte) 0xca, (byte) 0xfe, (byte) 0xf0, 0x0d}, w.data().toArray(ValueLayout.JAVA_BYTE));
        assertFalse(st.isDone());
        VcpuExit.Mmio r = assertInstanceOf(VcpuExit.Mmio.class, vcpu.run());
        assertTrue(st.isDone());
        assertFalse(r.isWrite());
        r.data().copyFrom(java.lang.foreign.MemorySegment.ofArray(new byte[] {0x12, 0x34, 0x56, 0x78}));
        assertInstanceOf(VcpuExit.Halt.class, vcpu.run());
        assertEquals(0x12345678L, ld.join());
        assertEquals(2, vcpu.mmioExits());
    }

    /**
     * A hypercall the in-bridge path does not take (here H_PUT_TCE on a LIOBN with no KVM table,
     * H_TOO_HARD) exits to the VMM with r3 and the arguments exactly as the script gave them, even
     * when the caller's array changed afterwards; the VMM's r3..r12 complete the future.
     */
    @Test
    void aHypercallTheBridgeHandsUpExitsWithItsArgumentsAsGiven() {
        long[] args = {0x8000_0000L, 0x1000, 0x100003};
        CompletableFuture<long[]> f = cpu.hcall(org.jvmm.kvm.spapr.Papr.H_PUT_TCE, args);
        args[0] = 0; // the op holds its own copy
        VcpuExit.PaprHcall h = assertInstanceOf(VcpuExit.PaprHcall.class, vcpu.run());
        assertEquals(org.jvmm.kvm.spapr.Papr.H_PUT_TCE, h.nr());
        assertEquals(java.util.List.of(0x8000_0000L, 0x1000L, 0x100003L), h.args());
        assertFalse(f.isDone());
        h.data().setAtIndex(ValueLayout.JAVA_LONG, 0, org.jvmm.kvm.spapr.Papr.H_PARAMETER);
        assertInstanceOf(VcpuExit.Halt.class, vcpu.run());
        long[] regs = f.join();
        assertEquals(10, regs.length);
        assertEquals(org.jvmm.kvm.spapr.Papr.H_PARAMETER, regs[0]);
        assertEquals(0x8000_0000L, regs[1]);
        assertEquals(1, vcpu.hcallExits());
        assertEquals(1, cpu.hypercalls());
        assertEquals(0, cpu.fastPathHypercalls());
    }

    @Test
    void aScriptedHypercallTakesAtMostNineArguments() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cpu.hcall(0x4, new long[10]));
        assertEquals("hcall 0x4: 10 arguments, at most 9", e.getMessage());
    }

    @Test
    void aKickStopsTheNextRunWithInterrupted() {
        cpu.store(new GuestAddress(0x10000), 1, 1);
        vcpu.kick();
        assertInstanceOf(VcpuExit.Interrupted.class, vcpu.run());
        assertInstanceOf(VcpuExit.Halt.class, vcpu.run());
        assertEquals(1, ram.segment().get(ValueLayout.JAVA_BYTE, 0));
    }

    @Test
    void memslotsAreCheckedAsKvmSetUserMemoryRegion() {
        ErrnoException e = assertThrows(ErrnoException.class, () -> vm.mapMemory(new GuestAddress(0x18000), 1 << 16, ram.address()));
        assertEquals(Errno.EEXIST, e.errno());
        e = assertThrows(ErrnoException.class, () -> vm.mapMemory(new GuestAddress(0x100), 4096, ram.address()));
        assertEquals(Errno.EINVAL, e.errno());
        e = assertThrows(ErrnoException.class, () -> vm.mapMemory(new GuestAddress(0x100000), 4096,
                new org.jvmm.address.HostAddress(0x1000)));
        assertEquals(Errno.EFAULT, e.errno());
        assertThrows(IllegalStateException.class, vm::close, "the VM refuses to close while its vCPU and memslot are open");
    }
}
