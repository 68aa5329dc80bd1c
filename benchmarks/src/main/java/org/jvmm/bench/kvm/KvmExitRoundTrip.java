package org.jvmm.bench.kvm;

import java.util.concurrent.TimeUnit;
import org.jvmm.address.GuestAddress;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.kvm.GuestWriter;
import org.jvmm.kvm.Memslot;
import org.jvmm.kvm.VcpuExit;
import org.jvmm.kvm.linux.LinuxKvm;
import org.jvmm.kvm.linux.LinuxVcpu;
import org.jvmm.kvm.linux.LinuxVm;
import org.jvmm.kvm.x86.Regs;
import org.jvmm.kvm.x86.Segment;
import org.jvmm.kvm.x86.Sregs;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * 1,000,000 KVM exit round trips from Java: the guest loops "out 0x10, al; jmp $-2" in 16-bit
 * real mode, so each {@code Vcpu.run()} is one KVM_RUN ending in KVM_EXIT_IO, decoded into a
 * {@link VcpuExit.Io} and answered by re-entering. The C reference (benchmarks/native/
 * kvm_exit_roundtrip.c) runs the same guest with the same loop; benchmarks/native/
 * kvm-exit-roundtrip.sh runs both back to back and prints the ratio.
 *
 * <p>Score: nanoseconds per exit (single shot of 1M exits per iteration). Needs /dev/kvm.
 * A fresh vCPU per iteration binds to JMH's worker thread for that iteration (with a new id: KVM
 * keeps a closed vCPU until its VM goes, so an id cannot be reused).
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@State(Scope.Thread)
public class KvmExitRoundTrip {
    public static final int EXITS = 1_000_000;
    /** out 0x10, al; jmp $-2 */
    private static final byte[] GUEST = {(byte) 0xE6, 0x10, (byte) 0xEB, (byte) 0xFC};

    private HostMemoryRegistry registry;
    private HostMapping ram;
    private LinuxKvm kvm;
    private LinuxVm vm;
    private Memslot slot;
    private LinuxVcpu vcpu;
    private int nextVcpuId;

    @Setup(Level.Trial)
    public void createVm() {
        registry = new HostMemoryRegistry();
        ram = registry.allocate("bench-ram", 0x10000);
        GuestWriter.of(GuestAddress.of(0), ram.segment()).write(GuestAddress.of(0x1000), GUEST);
        kvm = LinuxKvm.open();
        vm = kvm.createVm(registry);
        slot = vm.mapMemory(GuestAddress.of(0), ram.size(), ram.address());
    }

    @Setup(Level.Iteration)
    public void createVcpu() {
        vcpu = vm.createVcpu(nextVcpuId++);
        Sregs s = vcpu.sregs();
        s.cs = Segment.realMode(0, 11);
        vcpu.setSregs(s);
        Regs r = new Regs();
        r.rip = 0x1000;
        r.rflags = Regs.RFLAGS_RESERVED_ONE;
        vcpu.setRegs(r);
    }

    @Benchmark
    @OperationsPerInvocation(EXITS)
    public long exitRoundTrips() {
        long sum = 0;
        for (int i = 0; i < EXITS; i++) {
            VcpuExit exit = vcpu.run();
            if (!(exit instanceof VcpuExit.Io io) || io.port() != 0x10) {
                throw new IllegalStateException("unexpected exit " + exit);
            }
            sum += io.port();
        }
        return sum;
    }

    @TearDown(Level.Iteration)
    public void closeVcpu() {
        vcpu.close();
    }

    @TearDown(Level.Trial)
    public void closeVm() {
        slot.close();
        vm.close();
        kvm.close();
        ram.close();
    }
}
