package org.jvmm.bench.vfio;

import static org.jvmm.vfio.uapi.VfioUapi.VFIO_TYPE1v2_IOMMU;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import org.jvmm.devices.edu.EduDevice;
import org.jvmm.host.kernel.HostKernel;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.host.memory.LockedMemoryAccount;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.vfio.VfioContainer;
import org.jvmm.vfio.VfioDevice;
import org.jvmm.vfio.VfioGroup;
import org.jvmm.vfiouser.VfioUserClient;
import org.jvmm.vfiouser.VfioUserServer;
import org.jvmm.vfiouser.VfioUserSocket;
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
 * A trapped 4-byte register read of the edu (its identification register): {@code inProcess}
 * through the VFIO device as the vfio-pci consumer reads it, {@code overVfioUser} as a
 * REGION_READ over a socketpair to a server thread serving the same device and back.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class VfioUserRegisterReadBenchmark {
    private static final PciAddress ADDRESS = PciAddress.parse("0000:00:03.0");

    private VfioContainer container;
    private VfioGroup group;
    private VfioDevice device;
    private VfioUserClient client;
    private Thread serverThread;
    private Arena arena;
    private MemorySegment word;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        HostPciPlatform p = HostKernel.builder().memory(new HostMemoryRegistry())
                .memlock(new LockedMemoryAccount(64L << 20, false))
                .endpoint(ADDRESS.toString(), new EduDevice(), HostPciPlatform.VFIO_PCI, true).build();
        container = VfioContainer.open(p);
        group = VfioGroup.open(p, p.iommuGroupOf(ADDRESS));
        group.setContainer(container);
        container.setIommu(VFIO_TYPE1v2_IOMMU);
        device = group.getDeviceFd(ADDRESS.toString());
        VfioUserSocket[] pair = VfioUserSocket.pair(8, 1 << 20);
        serverThread = Thread.ofPlatform().daemon().name("vfio-user-server")
                .start(new VfioUserServer(device, container, pair[1], 8, 1 << 20));
        client = new VfioUserClient(pair[0], msg -> { });
        client.negotiate(8, 1 << 20);
        client.regionWrite(7, 4, 2, 0x02); // memory space on
        arena = Arena.ofConfined();
        word = arena.allocate(4);
        if (inProcess() != 0x010000ed || overVfioUser() != 0x010000ed) {
            throw new IllegalStateException("vfio-user register benchmark: the edu's ID register did not read 0x010000ed");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        client.close();
        serverThread.join(5000);
        device.close();
        group.close();
        container.close();
        arena.close();
    }

    @Benchmark
    public int inProcess() {
        device.read(0, word); // region 0 (BAR0) starts at offset 0
        return word.get(ValueLayout.JAVA_INT_UNALIGNED, 0);
    }

    @Benchmark
    public long overVfioUser() {
        return client.regionRead(0, 0, 4);
    }
}
