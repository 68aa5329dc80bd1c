package org.jvmm.kvm;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.jvmm.address.GuestAddress;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.kvm.linux.LinuxKvm;
import org.jvmm.kvm.linux.LinuxVcpu;
import org.jvmm.kvm.linux.LinuxVm;

/**
 * A test machine on the Linux backend: RAM at guest-physical 0 in slot 0, one vCPU, a serial
 * console on port 0x3f8 and an exit port 0x501 the toy guests write their status to.
 * Closes everything in reverse order. One test thread.
 */
public final class GuestRig implements AutoCloseable {
    public static final int COM1 = 0x3f8;
    public static final int EXIT_PORT = 0x501;

    public final HostMemoryRegistry registry = new HostMemoryRegistry();
    public final HostMapping ram;
    public final LinuxKvm kvm;
    public final LinuxVm vm;
    public final Memslot ramSlot;
    public LinuxVcpu vcpu;
    public final StringBuilder console = new StringBuilder();
    public final List<VcpuExit> unhandled = new ArrayList<>();
    public Integer exitStatus;

    public GuestRig(long ramSize, boolean irqchip) {
        ram = registry.allocate("guest-ram", ramSize);
        kvm = LinuxKvm.open();
        vm = kvm.createVm(registry);
        if (irqchip) {
            vm.createIrqchip();
        }
        ramSlot = vm.mapMemory(GuestAddress.of(0), ramSize, ram.address());
        vcpu = vm.createVcpu(0);
    }

    /** Guest modes of guest64.elf (see its source). */
    public static final int HELLO = 0, MMIO = 1, DOORBELL = 2, MSI = 3, ROM = 4, TRIPLE_FAULT = 5;
    /** How long runUntil lets a guest run before the watchdog kicks the vCPU and the test fails. */
    public static final long WATCHDOG_SECONDS = 20;
    /** Where the 64-bit guest's stack starts (grows down). */
    public static final GuestAddress STACK = GuestAddress.of(0x80000);

    /** Loads guest64.elf and puts the vCPU into long mode at its entry with {@code mode} in RDI. */
    public void boot64(int mode) {
        org.jvmm.kvm.elf.Elf64Image image = org.jvmm.kvm.elf.Elf64Image.parse(KvmTestSupport.guestImage("guest64.elf"),
                org.jvmm.kvm.elf.Elf64Image.EM_X86_64);
        GuestAddress entry = image.load(writer());
        org.jvmm.kvm.x86.LongModeBoot.standard().boot(vcpu, writer(), kvm.supportedCpuid(), entry, STACK, mode);
    }

    /** True for the guest's final "out 0x501, status". */
    public static boolean isExitPort(VcpuExit e) {
        return e instanceof VcpuExit.Io io && io.port() == EXIT_PORT;
    }

    public GuestWriter writer() {
        return GuestWriter.of(GuestAddress.of(0), ram.segment());
    }

    /**
     * Runs the vCPU, collecting console output, until {@code stop} accepts an exit (returned) or
     * {@code maxExits} exits have passed (then fails). Console writes and the exit port are
     * handled here; other exits are offered to {@code stop} and, if refused, kept in
     * {@link #unhandled}.
     */
    public VcpuExit runUntil(Predicate<VcpuExit> stop, int maxExits) {
        java.util.concurrent.atomic.AtomicBoolean fired = new java.util.concurrent.atomic.AtomicBoolean();
        LinuxVcpu target = vcpu;
        java.util.concurrent.ScheduledFuture<?> watchdog = WATCHDOG.schedule(() -> {
            fired.set(true);
            target.kick();
        }, WATCHDOG_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
        try {
            return runUntilUnguarded(stop, maxExits, fired);
        } finally {
            watchdog.cancel(false);
        }
    }

    private static final java.util.concurrent.ScheduledExecutorService WATCHDOG =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "guest-watchdog");
                t.setDaemon(true);
                return t;
            });

    private VcpuExit runUntilUnguarded(Predicate<VcpuExit> stop, int maxExits,
            java.util.concurrent.atomic.AtomicBoolean watchdogFired) {
        for (int i = 0; i < maxExits; i++) {
            VcpuExit exit = vcpu.run();
            if (watchdogFired.get()) {
                throw new AssertionError("guest still running after " + WATCHDOG_SECONDS + " s (watchdog kicked it); "
                        + "console so far: " + console + ", other exits: " + unhandled);
            }
            if (exit instanceof VcpuExit.Io io && io.direction() == VcpuExit.Direction.OUT && io.port() == COM1) {
                for (int k = 0; k < io.count(); k++) {
                    console.append((char) io.data().get(java.lang.foreign.ValueLayout.JAVA_BYTE, k));
                }
                if (stop.test(exit)) {
                    return exit;
                }
                continue;
            }
            if (exit instanceof VcpuExit.Io io && io.direction() == VcpuExit.Direction.OUT && io.port() == EXIT_PORT) {
                exitStatus = (int) io.value();
            }
            if (stop.test(exit)) {
                return exit;
            }
            unhandled.add(switch (exit) {
                case VcpuExit.Io io -> io.detach();
                case VcpuExit.Mmio m -> m.detach();
                default -> exit;
            });
        }
        throw new AssertionError("guest did not stop within " + maxExits + " exits; console so far: " + console
                + ", other exits: " + unhandled);
    }

    @Override
    public void close() {
        if (vcpu != null) {
            vcpu.close();
        }
        ramSlot.close();
        vm.close();
        kvm.close();
        ram.close();
    }
}
