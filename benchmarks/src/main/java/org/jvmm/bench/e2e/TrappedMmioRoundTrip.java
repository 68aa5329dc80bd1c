package org.jvmm.bench.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.jvmm.machine.config.VfioPciConfig;
import org.jvmm.machine.config.HostDeviceConfig;
import org.jvmm.machine.config.MemoryConfig;
import org.jvmm.machine.x86.X86ToyBuilder;
import org.jvmm.devices.edu.EduDevice;
import org.jvmm.kvm.VcpuExit;
import org.jvmm.machine.x86.X86ToyMachine;
import org.jvmm.pci.PciAddress;
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
 * A trapped MMIO read round trip through the whole VMM: the guest (mmio-loop.elf) reads edu's
 * identification register in a loop; each read exits, is dispatched through the memory API to the
 * vfio-pci BAR trap, becomes a VFIO region read of the host edu, and the value goes back into the
 * guest. Compare with {@code org.jvmm.bench.kvm.KvmExitRoundTrip} (a bare exit round trip) in the
 * same run: {@code ./bench 'KvmExitRoundTrip|TrappedMmioRoundTrip'} (issue target 1.10x or better).
 * {@link #bareMmioRead} is the fairer reference: the same MMIO exits answered without the VMM, since
 * KVM must decode an MMIO access and so an MMIO exit costs more than a port I/O exit.
 *
 * <p>Score: nanoseconds per exit; one machine per iteration (a vCPU binds to the thread that first
 * runs it). Needs /dev/kvm; run from the project root (it reads guest-tests/images).
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@State(Scope.Thread)
public class TrappedMmioRoundTrip {
    public static final int EXITS = 1_000_000;
    private static final PciAddress EDU = PciAddress.parse("0000:00:03.0");

    private X86ToyMachine machine;

    @Setup(Level.Iteration)
    public void boot() throws Exception {
        machine = new X86ToyBuilder(MemoryConfig.of(64L << 20)).memlock(1L << 30)
                .hostDevice(HostDeviceConfig.edu(EDU)).vfioPci(VfioPciConfig.of(EDU, 3)).build();
        String home = System.getProperty("jvmm.home", ".");
        machine.boot(Files.readAllBytes(Path.of(home, "guest-tests", "images", "x86", "mmio-loop.elf")), 0);
        // into the loop: PCI setup exits come first
        machine.runHere(200);
    }

    @TearDown(Level.Iteration)
    public void close() {
        machine.close();
    }

    /**
     * The reference: the same guest and exits, each MMIO read answered straight from the exit with
     * edu's identification value, without dispatch: what KVM and the exit decoding cost alone.
     */
    @Benchmark
    @OperationsPerInvocation(EXITS)
    public long bareMmioRead() {
        long answered = 0;
        for (int i = 0; i < EXITS; i++) {
            if (machine.vcpu().run() instanceof VcpuExit.Mmio m && !m.isWrite()) {
                m.respond(EduDevice.ID_REGISTER);
                answered++;
            }
        }
        if (answered != EXITS) {
            throw new IllegalStateException("only " + answered + " of " + EXITS + " exits were MMIO reads");
        }
        return answered;
    }

    @Benchmark
    @OperationsPerInvocation(EXITS)
    public Object trappedMmioRead() {
        Object r = machine.runHere(EXITS);
        if (r != null) {
            throw new IllegalStateException("the guest stopped: " + r);
        }
        return machine;
    }
}
