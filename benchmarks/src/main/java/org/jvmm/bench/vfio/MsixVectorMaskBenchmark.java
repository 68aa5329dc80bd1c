package org.jvmm.bench.vfio;

import java.util.concurrent.TimeUnit;
import org.jvmm.address.GuestAddress;
import org.jvmm.devices.msixdoorbell.MsixDoorbellDevice;
import org.jvmm.hw.vfio.SoftVfioPciRig;
import org.jvmm.hw.vfio.VfioPciDevice;
import org.jvmm.memory.AddressSpace;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.PciRegs;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * vfio-pci MSI-X on the VMM side, with the MSI-X doorbell device through the modelled VFIO and
 * the soft VM's irqfds (no guest, no /dev/kvm): {@link #maskUnmaskVector} writes vector 1's
 * control word twice (mask: SET_IRQS with fd -1; unmask: SET_IRQS with its eventfd again);
 * {@link #doorbellVector0} is a trapped doorbell write that ends in the vector's eventfd;
 * {@link #registerRead} is the reference: a trapped register read on the same BAR, no interrupt.
 * No target: the figures say what a guest's mask/unmask costs against a plain trapped access.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MsixVectorMaskBenchmark {
    private static final PciAddress HOST = PciAddress.parse("0000:00:05.0");
    private static final GuestAddress ENTRY1_CONTROL = new GuestAddress(MsixDoorbellDevice.TABLE_OFFSET + 16 + 12);
    private static final GuestAddress DOORBELL = new GuestAddress(MsixDoorbellDevice.REG_DOORBELL);
    private static final GuestAddress ID = new GuestAddress(MsixDoorbellDevice.REG_ID);

    private SoftVfioPciRig rig;
    private VfioPciDevice dev;
    private AddressSpace bar;

    @Setup(Level.Trial)
    public void setUp() {
        rig = new SoftVfioPciRig("msix", HOST, new MsixDoorbellDevice());
        dev = rig.dev;
        bar = rig.bar;
        for (int i = 0; i < 2; i++) {
            long e = MsixDoorbellDevice.TABLE_OFFSET + 16L * i;
            bar.write(new GuestAddress(e), 4, 0xfee0_0000L);
            bar.write(new GuestAddress(e + 8), 4, 0x43 + i);
            bar.write(new GuestAddress(e + 12), 4, 0);
        }
        int cap = dev.configRead(PciRegs.CAPABILITY_LIST, 1);
        dev.configWrite(cap + 2, 2, PciRegs.MSIX_FLAGS_ENABLE);
        if (!dev.msixVectorAttached(0) || !dev.msixVectorAttached(1)) {
            throw new IllegalStateException("MSI-X vectors not wired");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        rig.close();
    }

    @Benchmark
    public boolean maskUnmaskVector() {
        bar.write(ENTRY1_CONTROL, 4, 1);
        bar.write(ENTRY1_CONTROL, 4, 0);
        return dev.msixVectorAttached(1);
    }

    @Benchmark
    public void doorbellVector0() {
        bar.write(DOORBELL, 4, 0);
    }

    @Benchmark
    public long registerRead() {
        return bar.read(ID, 4);
    }
}
