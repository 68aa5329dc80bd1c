package org.jvmm.kvm.soft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import org.jvmm.address.GuestAddress;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.host.sys.EventFd;
import org.jvmm.kvm.Gsi;
import org.jvmm.kvm.GsiRoute;
import org.jvmm.kvm.IrqFd;
import org.jvmm.kvm.KvmDevice;
import org.jvmm.kvm.KvmDeviceType;
import org.jvmm.kvm.Memslot;
import org.jvmm.kvm.MsiMessage;
import org.jvmm.kvm.VcpuExit;
import org.jvmm.kvm.soft.xics.SoftXics;
import org.jvmm.kvm.spapr.Papr;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The soft VM's XICS end to end: an irqfd signal raises a source, the ICP raises the CPU's
 * external line, a guest ceded in H_CEDE wakes, takes 0x500, reads XIRR, EOIs and returns with
 * rfid; the decrementer ends a cede at the exact tick; a kick ends it; LSIs resample on EOI.
 */
class XicsInterruptsReachTheGuest {
    private static final long RAM = 1 << 20;
    private static final int MAIN = 0x2000;
    private static final int SC1 = 0x44000022;
    private static final int RFID = 0x4C000024;
    private static final int WAIT = 0x7C00007C;
    private static final int MSI = 0x1300;

    private final HostMemoryRegistry memory = new HostMemoryRegistry();
    private final SoftKvm kvm = new SoftKvm();
    private final HostMapping ram = memory.allocate("ram", RAM);
    private final SoftVm vm = kvm.createVm(memory);
    private final Memslot slot = vm.mapMemory(new GuestAddress(0), RAM, ram.address());
    private final List<AutoCloseable> toClose = new java.util.ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
        slot.close();
        vm.close();
        ram.close();
        kvm.close();
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        toClose.add(c);
        return c;
    }

    private static int d(int op, int rt, int ra, int imm) {
        return op << 26 | rt << 21 | ra << 16 | (imm & 0xffff);
    }

    private static int li(int rt, int imm) {
        return d(14, rt, 0, imm);
    }

    private static int addi(int rt, int ra, int imm) {
        return d(14, rt, ra, imm);
    }

    private static int stw(int rs, int disp) {
        return d(36, rs, 0, disp);
    }

    private static int mtspr(int spr, int rs) {
        return 31 << 26 | rs << 21 | (spr & 0x1f) << 16 | (spr >> 5) << 11 | 467 << 1;
    }

    private static int mfspr(int rt, int spr) {
        return 31 << 26 | rt << 21 | (spr & 0x1f) << 16 | (spr >> 5) << 11 | 339 << 1;
    }

    private void code(boolean le, long at, int... words) {
        ValueLayout.OfInt w = ValueLayout.JAVA_INT_UNALIGNED.withOrder(le ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        for (int i = 0; i < words.length; i++) {
            ram.segment().set(w, at + 4L * i, words[i]);
        }
    }

    private int word(boolean le, long at) {
        return ram.segment().get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(le ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN), at);
    }

    /** The 0x500 handler: H_XIRR, store XIRR at 0x3000, H_EOI with it, count in r20, rfid. */
    private void externalHandler(boolean le) {
        code(le, 0x500, li(3, (int) SoftXics.H_XIRR), SC1, stw(4, 0x3000), li(3, (int) SoftXics.H_EOI), SC1,
                addi(20, 20, 1), RFID);
    }

    private SoftXics xics() {
        closeLater(vm.createDevice(KvmDeviceType.XICS));
        return vm.xics();
    }

    @ParameterizedTest(name = "little-endian {0}")
    @ValueSource(booleans = {true, false})
    void anMsiSignalledOnAnIrqfdWakesACededGuestWhoseHandlerAcceptsAndEoisIt(boolean le) throws Exception {
        externalHandler(le);
        code(le, MAIN, li(3, (int) SoftXics.H_CPPR), li(4, 0xff), SC1, li(3, (int) Papr.H_CEDE), SC1, li(6, 0x77), WAIT);
        PpcSoftCpu cpu = new PpcSoftCpu(vm, RAM, le);
        cpu.ppc().setPc(new GuestAddress(MAIN));
        SoftVcpu vcpu = closeLater(vm.createVcpu(0, cpu));
        SoftXics x = xics();
        assertTrue(x.claim(MSI, false));
        x.setXive(MSI, 0, 5, 5);
        EventFd e = closeLater(EventFd.create());
        closeLater(vm.irqfd(e, Gsi.of(MSI)));

        Thread device = Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(30);
            } catch (InterruptedException ie) {
                return;
            }
            e.signal();
        });
        assertInstanceOf(VcpuExit.Halt.class, vcpu.run());
        device.join();

        assertEquals(1, cpu.ppc().gpr(20), "the handler ran once");
        assertEquals(0xff00_1300, word(le, 0x3000), "it read XIRR = CPPR 0xff | source 0x1300");
        assertEquals(0x77, cpu.ppc().gpr(6), "rfid came back to the instruction after the sc");
        assertEquals(MAIN + 0x14, cpu.ppc().srr0());
        assertEquals(0xff00_0000, x.xirr(0), "EOI restored CPPR 0xff");
        assertFalse(x.output(0));
        assertEquals(1, cpu.cedes());
        assertEquals(1, cpu.cedeWakeups());
        assertEquals(0, vcpu.hcallExits(), "H_CPPR, H_CEDE, H_XIRR and H_EOI stayed in the bridge");
        assertEquals(4, vcpu.xicsHcalls());
        assertEquals(List.of(Gsi.of(MSI)), vm.pollIrqFds());
        assertFalse(e.testAndClear(), "the irqfd consumed the count");
    }

    @Test
    void aCededGuestWakesByTheDecrementerAtTheTickDecTurnsNegative() {
        boolean le = true;
        code(le, 0x900, mfspr(22, 22), li(5, 0x7fff), mtspr(22, 5), addi(21, 21, 1), RFID);
        code(le, MAIN, li(5, 1000), mtspr(22, 5), li(3, (int) Papr.H_CEDE), SC1, li(6, 0x77), WAIT);
        PpcSoftCpu cpu = new PpcSoftCpu(vm, RAM, le);
        cpu.ppc().setPc(new GuestAddress(MAIN));
        SoftVcpu vcpu = closeLater(vm.createVcpu(0, cpu));
        xics();

        assertInstanceOf(VcpuExit.Halt.class, vcpu.run());
        assertEquals(1, cpu.ppc().gpr(21), "the decrementer handler ran once");
        assertEquals(0xffff_ffffL, cpu.ppc().gpr(22) & 0xffff_ffffL, "DEC read -1 first thing in the handler");
        // DEC = 1000 counts from the tick mtspr starts at; mtspr, li and sc retire three ticks, so
        // the idle begins at DEC 997, which turns negative 998 ticks later.
        assertEquals(998, cpu.ppc().idleTicks());
        assertEquals(cpu.ppc().retiredInstructions() + 998, cpu.ppc().timebase());
        assertEquals(0, cpu.cedeWakeups(), "the decrementer, not an external interrupt, ended the idle");
    }

    @Test
    void aKickEndsACedeWithAnInterruptedExit() throws Exception {
        code(true, MAIN, li(3, (int) Papr.H_CEDE), SC1, WAIT);
        PpcSoftCpu cpu = new PpcSoftCpu(vm, RAM, true);
        cpu.ppc().setPc(new GuestAddress(MAIN));
        SoftVcpu vcpu = closeLater(vm.createVcpu(0, cpu));
        xics();
        Thread kicker = Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(30);
            } catch (InterruptedException ie) {
                return;
            }
            vcpu.kick();
        });
        long t0 = System.nanoTime();
        assertInstanceOf(VcpuExit.Interrupted.class, vcpu.run());
        kicker.join();
        assertTrue(System.nanoTime() - t0 < 2_000_000_000L, "the kick, not DEC's ~4 s, ended the idle");
        assertEquals(0, cpu.ppc().idleTicks());
        assertEquals(Papr.H_SUCCESS, cpu.ppc().gpr(3));
        assertInstanceOf(VcpuExit.Halt.class, vcpu.run(), "the guest goes on after the sc");
    }

    @Test
    void withoutAnXicsH_CedeGoesToTheVmm() {
        code(true, MAIN, li(3, (int) Papr.H_CEDE), SC1, WAIT);
        PpcSoftCpu cpu = new PpcSoftCpu(vm, RAM, true);
        cpu.ppc().setPc(new GuestAddress(MAIN));
        SoftVcpu vcpu = closeLater(vm.createVcpu(0, cpu));
        VcpuExit.PaprHcall h = assertInstanceOf(VcpuExit.PaprHcall.class, vcpu.run());
        assertEquals(Papr.H_CEDE, h.nr());
        h.respond(Papr.H_SUCCESS);
        assertInstanceOf(VcpuExit.Halt.class, vcpu.run());
    }

    @Test
    void anLsiIrqfdWithResampleHoldsTheLevelUntilEoiThenDropsItAndSignalsTheResampleFd() {
        closeLater(vm.createVcpu(0));
        SoftXics x = xics();
        int lsi = SoftXics.PCI_LSI_BASE;
        assertTrue(x.claim(lsi, true));
        x.setXive(lsi, 0, 5, 5);
        long[] regs = {SoftXics.H_CPPR, 0xff, 0};
        x.hcall(0, regs, 0);
        EventFd trigger = closeLater(EventFd.create());
        EventFd resample = closeLater(EventFd.create());
        closeLater(vm.irqfd(trigger, Gsi.of(lsi), resample));

        trigger.signal();
        assertEquals(0xff00_1200, x.xirr(0));
        assertTrue(x.pending(lsi), "the level is held");
        regs = new long[] {SoftXics.H_XIRR, 0, 0};
        x.hcall(0, regs, 0);
        assertEquals(0xff00_1200L, regs[1]);
        assertFalse(resample.testAndClear(), "no resample before the EOI");
        regs = new long[] {SoftXics.H_EOI, 0xff00_1200L, 0};
        x.hcall(0, regs, 0);
        assertTrue(resample.testAndClear(), "EOI signalled the resample eventfd");
        assertFalse(x.pending(lsi), "and dropped the level");
        assertEquals(0xff00_0000, x.xirr(0), "so the LSI is not presented again");
    }

    @Test
    void anMsiRouteNamesTheSourceByItsDataAndAGsiOutsideTheIcsIsDropped() {
        closeLater(vm.createVcpu(0));
        SoftXics x = xics();
        x.hcall(0, new long[] {SoftXics.H_CPPR, 0xff, 0}, 0);
        assertTrue(x.claim(0x1301, false));
        x.setXive(0x1301, 0, 5, 5);
        vm.setGsiRouting(List.of(new GsiRoute.Msi(Gsi.of(24), new MsiMessage(0x400_0000_0000L, 0x1301))));
        EventFd routed = closeLater(EventFd.create());
        EventFd stray = closeLater(EventFd.create());
        closeLater(vm.irqfd(routed, Gsi.of(24)));
        closeLater(vm.irqfd(stray, Gsi.of(5)));
        routed.signal();
        assertEquals(0xff00_1301, x.xirr(0));
        stray.signal();
        assertEquals(1, vm.droppedIrqfdSignals());
        assertEquals(0xff00_1301, x.xirr(0));
    }

    @Test
    void aCountAlreadyOnTheEventfdIsInjectedWhenTheIrqfdIsAssigned() {
        closeLater(vm.createVcpu(0));
        SoftXics x = xics();
        x.hcall(0, new long[] {SoftXics.H_CPPR, 0xff, 0}, 0);
        assertTrue(x.claim(MSI, false));
        x.setXive(MSI, 0, 5, 5);
        EventFd e = closeLater(EventFd.create());
        e.signal();
        assertEquals(0xff00_0000, x.xirr(0));
        closeLater(vm.irqfd(e, Gsi.of(MSI)));
        assertEquals(0xff00_1300, x.xirr(0), "kvm_irqfd_assign polls the eventfd once");
    }

    @Test
    void theXicsDeviceReadsAndWritesSourcesInKvmsLayout() {
        closeLater(vm.createVcpu(0));
        KvmDevice dev = closeLater(vm.createDevice(KvmDeviceType.XICS));
        ErrnoException twice = assertThrows(ErrnoException.class, () -> vm.createDevice(KvmDeviceType.XICS));
        assertEquals(Errno.EEXIST, twice.errno());
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(8);
            ErrnoException none = assertThrows(ErrnoException.class, () -> dev.getAttribute(1, 0x1300, v));
            assertEquals(Errno.ENOENT, none.errno(), "a source never set does not exist");
            assertEquals(Errno.ENOENT, assertThrows(ErrnoException.class, () -> dev.getAttribute(1, 0x2000, v)).errno());
            v.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, 5L << 32 | 3);
            assertEquals(Errno.EINVAL, assertThrows(ErrnoException.class, () -> dev.setAttribute(1, 0x1300, v)).errno(),
                    "server 3 has no ICP");
            // LSI, masked with saved priority 5, server 0
            v.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, 1L << 40 | 1L << 41 | 5L << 32);
            dev.setAttribute(1, 0x1200, v);
            assertEquals(new SoftXics.Xive(0, 0xff), vm.xics().getXive(0x1200));
            v.fill((byte) 0);
            dev.getAttribute(1, 0x1200, v);
            assertEquals(1L << 40 | 1L << 41 | 5L << 32, v.get(ValueLayout.JAVA_LONG_UNALIGNED, 0));
            assertEquals(Errno.ENXIO, assertThrows(ErrnoException.class, () -> dev.getAttribute(2, 1, v)).errno());
        }
    }
}
