package org.jvmm.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jvmm.address.GuestAddress;
import org.jvmm.kvm.x86.Regs;
import org.jvmm.kvm.x86.Segment;
import org.jvmm.kvm.x86.Sregs;
import org.junit.jupiter.api.Test;

/**
 * On /dev/kvm: {@link Vcpu#kick()} from another thread pulls a vCPU out of a guest that never
 * exits (immediate_exit plus the kick signal make KVM_RUN return EINTR), a kick before run makes
 * the next run return at once, and the one-vCPU-one-thread rules are enforced.
 */
class VcpuKickStopsARunningVcpu {
    /** Where {@link #SPIN} marks that it runs. */
    private static final long SPINNING = 0x2000;
    /** 16-bit "mov byte [0x2000], 1; jmp $": marks that it runs, then spins forever without an exit. */
    private static final byte[] SPIN = {(byte) 0xC6, 0x06, 0x00, 0x20, 0x01, (byte) 0xEB, (byte) 0xFE};

    private static void startAt0x1000(GuestRig rig, byte[] code) {
        rig.writer().write(GuestAddress.of(0x1000), code);
        Sregs s = rig.vcpu.sregs();
        s.cs = Segment.realMode(0, 11);
        s.ds = Segment.realMode(0, 3);
        rig.vcpu.setSregs(s);
        Regs r = new Regs();
        r.rip = 0x1000;
        r.rflags = Regs.RFLAGS_RESERVED_ONE;
        rig.vcpu.setRegs(r);
    }

    @Test
    void kickFromAnotherThreadEndsARunThatWouldNeverReturn() throws Exception {
        KvmTestSupport.assumeKvm();
        try (GuestRig rig = new GuestRig(0x10000, false)) {
            startAt0x1000(rig, SPIN);
            AtomicReference<Object> result = new AtomicReference<>();
            CountDownLatch started = new CountDownLatch(1);
            Thread t = new Thread(() -> {
                started.countDown();
                try {
                    result.set(rig.vcpu.run());
                } catch (RuntimeException e) {
                    result.set(e);
                }
            }, "vcpu-spin");
            t.start();
            assertTrue(started.await(5, TimeUnit.SECONDS));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while ((byte) ValueLayout.JAVA_BYTE.varHandle().getVolatile(rig.ram.segment(), SPINNING) != 1) {
                assertTrue(System.nanoTime() - deadline < 0, "the guest did not start spinning within 5 s");
                Thread.onSpinWait();
            }
            assertTrue(t.isAlive(), "the spinning guest keeps run() busy");
            assertThrows(IllegalStateException.class, rig.vcpu::close, "closing a running vCPU is refused");

            rig.vcpu.kick();
            t.join(5_000);

            assertFalse(t.isAlive(), "run() returned after the kick");
            assertInstanceOf(VcpuExit.Interrupted.class, result.get());
            assertFalse(rig.vcpu.kickPending(), "run() consumed the kick");
            assertEquals(0x1005, rig.vcpu.regs().rip, "the guest is still at its jmp $");
        }
    }

    @Test
    void kickBeforeRunMakesTheNextRunReturnAtOnceAndTheOneAfterRunsOn() {
        KvmTestSupport.assumeKvm();
        try (GuestRig rig = new GuestRig(0x10000, false)) {
            startAt0x1000(rig, KvmTestSupport.guestImage("hello16.bin"));
            rig.vcpu.kick();
            assertTrue(rig.vcpu.kickPending());

            assertInstanceOf(VcpuExit.Interrupted.class, rig.vcpu.run());
            VcpuExit last = rig.runUntil(e -> e instanceof VcpuExit.Halt, 100);

            assertInstanceOf(VcpuExit.Halt.class, last);
            assertEquals("Hello, 16-bit world!\n", rig.console.toString());
        }
    }

    @Test
    void runFromASecondThreadIsRefused() throws Exception {
        KvmTestSupport.assumeKvm();
        try (GuestRig rig = new GuestRig(0x10000, false)) {
            startAt0x1000(rig, KvmTestSupport.guestImage("hello16.bin"));
            rig.vcpu.run();
            AtomicReference<Throwable> error = new AtomicReference<>();
            Thread other = new Thread(() -> {
                try {
                    rig.vcpu.run();
                } catch (Throwable e) {
                    error.set(e);
                }
            }, "intruder");
            other.start();
            other.join();

            IllegalStateException e = assertInstanceOf(IllegalStateException.class, error.get());
            assertTrue(e.getMessage().contains("one vCPU, one thread"), e.getMessage());
        }
    }

    @Test
    void runOnAVirtualThreadIsRefused() throws Exception {
        KvmTestSupport.assumeKvm();
        try (GuestRig rig = new GuestRig(0x10000, false)) {
            startAt0x1000(rig, KvmTestSupport.guestImage("hello16.bin"));
            AtomicReference<Throwable> error = new AtomicReference<>();
            Thread.ofVirtual().start(() -> {
                try {
                    rig.vcpu.run();
                } catch (Throwable e) {
                    error.set(e);
                }
            }).join();

            IllegalStateException e = assertInstanceOf(IllegalStateException.class, error.get());
            assertTrue(e.getMessage().contains("platform thread"), e.getMessage());
        }
    }
}
