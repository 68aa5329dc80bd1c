package org.jvmm.bench.vfio;

import static org.jvmm.vfio.uapi.VfioUapi.VFIO_TYPE1v2_IOMMU;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jvmm.devices.edu.EduDevice;
import org.jvmm.host.kernel.HostKernel;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.host.memory.LockedMemoryAccount;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.vfio.VfioContainer;
import org.jvmm.vfio.VfioDevice;
import org.jvmm.vfio.VfioDeviceFile;
import org.jvmm.vfio.VfioGroup;
import org.jvmm.vfiouser.VfioUserDevice;
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
 * What the vfio-pci consumer's BAR trap calls for a 4-byte register read of the edu (its ID
 * register), through the {@link VfioDeviceFile} it holds: {@code inProcess} on the in-process
 * VFIO device, {@code servedBySecondProcess} on a {@link VfioUserDevice} whose server is
 * {@code serve-device edu} in another JVM (a REGION_READ to another process and back).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class VfioUserDeviceReadBenchmark {
    private static final PciAddress ADDRESS = PciAddress.parse("0000:00:03.0");

    private VfioContainer container;
    private VfioGroup group;
    private VfioDeviceFile local;
    private VfioDeviceFile remote;
    private Process server;
    private Path dir;
    private Arena arena;
    private MemorySegment word;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        HostMemoryRegistry memory = new HostMemoryRegistry();
        HostPciPlatform p = HostKernel.builder().memory(memory).memlock(new LockedMemoryAccount(64L << 20, false))
                .endpoint(ADDRESS.toString(), new EduDevice(), HostPciPlatform.VFIO_PCI, true).build();
        container = VfioContainer.open(p);
        group = VfioGroup.open(p, p.iommuGroupOf(ADDRESS));
        group.setContainer(container);
        container.setIommu(VFIO_TYPE1v2_IOMMU);
        VfioDevice d = group.getDeviceFd(ADDRESS.toString());
        local = d;
        dir = Files.createTempDirectory("jvmm-vfio-user-bench");
        Path sock = dir.resolve("edu.sock");
        server = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "org.jvmm.cli.Main", "serve-device", "edu,socket=" + sock, "--once")).redirectErrorStream(true).start();
        String line = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8)).readLine();
        if (line == null || !line.contains("listening")) {
            throw new IllegalStateException("vfio-user read benchmark: serve-device did not start: " + line);
        }
        remote = VfioUserDevice.connect(sock.toString(), memory, msg -> { });
        arena = Arena.ofConfined();
        word = arena.allocate(4);
        MemorySegment cmd = arena.allocate(2);
        cmd.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) 0x02); // memory space on
        local.write(7L << 40 | 4, cmd);
        remote.write(7L << 40 | 4, cmd);
        if (inProcess() != 0x010000ed || servedBySecondProcess() != 0x010000ed) {
            throw new IllegalStateException("vfio-user read benchmark: the edu's ID register did not read 0x010000ed");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        remote.close();
        server.waitFor(10, TimeUnit.SECONDS);
        server.destroyForcibly();
        local.close();
        group.close();
        container.close();
        arena.close();
        Files.deleteIfExists(dir.resolve("edu.sock"));
        Files.deleteIfExists(dir);
    }

    @Benchmark
    public int inProcess() {
        local.read(0, word);
        return word.get(ValueLayout.JAVA_INT_UNALIGNED, 0);
    }

    @Benchmark
    public int servedBySecondProcess() {
        remote.read(0, word);
        return word.get(ValueLayout.JAVA_INT_UNALIGNED, 0);
    }
}
