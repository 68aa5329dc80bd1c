package org.jvmm.bench.xics;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jvmm.address.GuestAddress;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.host.sys.EventFd;
import org.jvmm.kvm.Gsi;
import org.jvmm.kvm.IrqFd;
import org.jvmm.kvm.KvmDevice;
import org.jvmm.kvm.KvmDeviceType;
import org.jvmm.kvm.Memslot;
import org.jvmm.kvm.VcpuExit;
import org.jvmm.kvm.soft.PpcSoftCpu;
import org.jvmm.kvm.soft.SoftKvm;
import org.jvmm.kvm.soft.SoftVcpu;
import org.jvmm.kvm.soft.SoftVm;
import org.jvmm.kvm.soft.xics.SoftXics;
import org.jvmm.kvm.spapr.Papr;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Interrupt delivery through the soft XICS, against a plain hypercall exit in the same run.
 * <ul>
 * <li>{@code irqfdToHandler}: this thread signals an irqfd (MSI source 0x1300, priority 5); the
 * vCPU, on its own thread, is idle in H_CEDE ({@code guest=cede}) or spinning in a translated
 * {@code b .} with EE=1 ({@code guest=spin}); it takes 0x500, whose first act is a hypercall that
 * exits to the VMM (0xF002), which releases this thread; the handler then does H_XIRR and H_EOI
 * in the bridge and returns with rfid. One op = signal to handler entry seen by the VMM.</li>
 * <li>{@code hypercallExitRoundTrip}: the reference, a guest looping on the same 0xF002 exit on
 * this thread: one op = one vCPU exit answered and resumed.</li>
 * </ul>
 * The guest instructions retired per delivery are printed at the end of the trial (with H_CEDE,
 * idling retires none: only the handler's and the cede loop's instructions count).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class XicsDeliveryBenchmark {
    static final long H_BENCH_TICK = 0xF002;
    private static final long RAM = 1 << 20;
    private static final int SC1 = 0x44000022;
    private static final int RFID = 0x4C000024;
    private static final int MSI = 0x1300;

    @Param({"cede", "spin"})
    public String guest;

    private final HostMemoryRegistry memory = new HostMemoryRegistry();
    private SoftKvm kvm;
    private Guest delivery;
    private Guest reference;
    private KvmDevice xicsDevice;
    private EventFd trigger;
    private IrqFd irqFd;
    private final Semaphore delivered = new Semaphore(0);
    private Thread vcpuThread;
    private volatile boolean stopping;
    private long rounds;

    /** One VM with one PPC vCPU and its RAM. */
    private final class Guest implements AutoCloseable {
        final HostMapping ram;
        final SoftVm vm;
        final Memslot slot;
        final PpcSoftCpu cpu;
        final SoftVcpu vcpu;

        Guest(int[] main, int[] handler) {
            ram = memory.allocate("ram", RAM);
            vm = kvm.createVm(memory);
            slot = vm.mapMemory(new GuestAddress(0), RAM, ram.address());
            put(0x2000, main);
            put(0x500, handler);
            // 0x900: a spinning guest with EE=1 meets the decrementer every 2^31 ticks: reload it.
            put(0x900, new int[] {15 << 26 | 6 << 21 | 0x7fff, 31 << 26 | 6 << 21 | 22 << 16 | 467 << 1, RFID});
            cpu = new PpcSoftCpu(vm, RAM, true);
            cpu.ppc().setPc(new GuestAddress(0x2000));
            vcpu = vm.createVcpu(0, cpu);
        }

        private void put(long at, int[] words) {
            ValueLayout.OfInt w = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < words.length; i++) {
                ram.segment().set(w, at + 4L * i, words[i]);
            }
        }

        @Override
        public void close() {
            vcpu.close();
            slot.close();
            vm.close();
            ram.close();
        }
    }

    private static int li(int rt, long imm) {
        return 14 << 26 | rt << 21 | ((int) imm & 0xffff);
    }

    private static int b(int offset) {
        return 18 << 26 | (offset & 0x03ff_fffc);
    }

    @Setup(Level.Trial)
    public void setUp() {
        kvm = new SoftKvm();
        int[] idle = guest.equals("cede")
                ? new int[] {li(3, SoftXics.H_CPPR), li(4, 0xff), SC1, li(3, Papr.H_CEDE), SC1, b(-8)}
                // mtmsrd r5,1 with r5 = EE: interrupts on, then spin
                : new int[] {li(3, SoftXics.H_CPPR), li(4, 0xff), SC1, li(5, 0x8000), 31 << 26 | 5 << 21 | 1 << 16 | 178 << 1, b(0)};
        delivery = new Guest(idle, new int[] {li(3, H_BENCH_TICK), SC1, li(3, SoftXics.H_XIRR), SC1, li(3, SoftXics.H_EOI), SC1, RFID});
        xicsDevice = delivery.vm.createDevice(KvmDeviceType.XICS);
        SoftXics x = delivery.vm.xics();
        x.claim(MSI, false);
        x.setXive(MSI, 0, 5, 5);
        trigger = EventFd.create();
        irqFd = delivery.vm.irqfd(trigger, Gsi.of(MSI));
        vcpuThread = Thread.ofPlatform().name("xics-bench-vcpu").start(this::runVcpu);

        reference = new Guest(new int[] {li(3, H_BENCH_TICK), SC1, b(-8)}, new int[] {RFID});
    }

    private void runVcpu() {
        while (!stopping) {
            VcpuExit e = delivery.vcpu.run();
            if (e instanceof VcpuExit.PaprHcall h) {
                h.respond(Papr.H_SUCCESS);
                delivered.release();
            } else if (!(e instanceof VcpuExit.Interrupted)) {
                throw new IllegalStateException("XICS benchmark guest stopped with " + e);
            }
        }
    }

    @Benchmark
    public void irqfdToHandler() throws InterruptedException {
        trigger.signal();
        delivered.acquire();
        rounds++;
    }

    @Benchmark
    public long hypercallExitRoundTrip() {
        VcpuExit e = reference.vcpu.run();
        if (!(e instanceof VcpuExit.PaprHcall h)) {
            throw new IllegalStateException("reference guest stopped with " + e);
        }
        h.respond(Papr.H_SUCCESS);
        return h.nr();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        stopping = true;
        delivery.vcpu.kick();
        vcpuThread.join();
        if (rounds > 0) {
            System.out.printf("%nXICS deliveries: %d, guest instructions retired per delivery: %.1f (guest=%s)%n",
                    rounds, (double) delivery.cpu.ppc().retiredInstructions() / rounds, guest);
        }
        irqFd.close();
        trigger.close();
        xicsDevice.close();
        delivery.close();
        reference.close();
        kvm.close();
    }
}
