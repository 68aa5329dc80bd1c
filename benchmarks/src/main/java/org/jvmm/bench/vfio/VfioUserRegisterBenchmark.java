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
import org.jvmm.vfiouser.VfioUserClient;
import org.jvmm.vfiouser.VfioUserDevice;
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
 * What the vfio-pci consumer's BAR trap calls for a 4-byte register access of the edu, through
 * the {@link VfioDeviceFile} it holds, in three places at once:
 *
 * <ul>
 * <li>{@code inProcess*}: the in-process VFIO device (the reference);</li>
 * <li>{@code socketpair*}: a {@link VfioUserDevice} over a socketpair to a {@link VfioUserServer}
 * thread in this JVM serving a second edu (the protocol's cost without a process boundary);</li>
 * <li>{@code secondProcess*}: a {@link VfioUserDevice} whose server is {@code serve-device edu} in
 * another JVM.</li>
 * </ul>
 *
 * <p>Reads are of the ID register (a REGION_READ there and back). Writes are of the liveness
 * register (one connection each; the write benchmarks set {@link VfioUserDevice#postedWrites}
 * first, a volatile store): {@code *Write} posted (REGION_WRITE with no-reply, QEMU's default for BARs: the guest
 * waits only for the send, and in a loop for the socket's room), {@code *WriteWaited} with posted
 * writes off (the guest waits for the server's reply), {@code *WriteThenRead} a posted write and the
 * read that sees it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class VfioUserRegisterBenchmark {
    private static final PciAddress ADDRESS = PciAddress.parse("0000:00:03.0");
    private static final long ID = 0;
    private static final long LIVENESS = EduDevice.REG_LIVENESS;

    private VfioContainer container;
    private VfioGroup group;
    private VfioDevice local;
    private VfioContainer pairContainer;
    private VfioGroup pairGroup;
    private VfioDevice pairServed;
    private Thread pairServer;
    private VfioUserDevice pair;
    private VfioUserDevice remote;
    private Process server;
    private Path dir;
    private Arena arena;
    private MemorySegment word;
    private int value;

    private static VfioDevice edu(HostMemoryRegistry memory, VfioContainer[] c, VfioGroup[] g) {
        HostPciPlatform p = HostKernel.builder().memory(memory).memlock(new LockedMemoryAccount(64L << 20, false))
                .endpoint(ADDRESS.toString(), new EduDevice(), HostPciPlatform.VFIO_PCI, true).build();
        c[0] = VfioContainer.open(p);
        g[0] = VfioGroup.open(p, p.iommuGroupOf(ADDRESS));
        g[0].setContainer(c[0]);
        c[0].setIommu(VFIO_TYPE1v2_IOMMU);
        return g[0].getDeviceFd(ADDRESS.toString());
    }

    private static VfioUserDevice overPair(VfioDevice served, VfioContainer c, HostMemoryRegistry memory, Thread[] t) throws Exception {
        VfioUserSocket[] s = VfioUserSocket.pair(8, 1 << 20);
        t[0] = Thread.ofPlatform().daemon().name("vfio-user-server").start(new VfioUserServer(served, c, s[1], 8, 1 << 20));
        VfioUserClient client = new VfioUserClient(s[0], msg -> { });
        client.negotiate(8, 1 << 20);
        return VfioUserDevice.over("vfio-user:bench", client, memory);
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        HostMemoryRegistry memory = new HostMemoryRegistry();
        VfioContainer[] c = new VfioContainer[1];
        VfioGroup[] g = new VfioGroup[1];
        local = edu(memory, c, g);
        container = c[0];
        group = g[0];
        pairServed = edu(memory, c, g);
        pairContainer = c[0];
        pairGroup = g[0];
        Thread[] t = new Thread[1];
        pair = overPair(pairServed, pairContainer, memory, t);
        pairServer = t[0];
        dir = Files.createTempDirectory("jvmm-vfio-user-bench");
        Path sock = dir.resolve("edu.sock");
        server = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "org.jvmm.cli.Main", "serve-device", "edu,socket=" + sock, "--once")).redirectErrorStream(true).start();
        String line = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8)).readLine();
        if (line == null || !line.contains("listening")) {
            throw new IllegalStateException("vfio-user register benchmark: serve-device did not start: " + line);
        }
        remote = VfioUserDevice.connect(sock.toString(), memory, msg -> { });
        arena = Arena.ofConfined();
        word = arena.allocate(4);
        MemorySegment cmd = arena.allocate(2);
        cmd.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) 0x02); // memory space on
        for (VfioDeviceFile f : List.<VfioDeviceFile>of(local, pair, remote)) {
            f.write(7L << 40 | 4, cmd);
            if (read(f, ID) != 0x010000ed) {
                throw new IllegalStateException("vfio-user register benchmark: " + f.name() + ": the edu's ID register did not read 0x010000ed");
            }
            if (writeThenRead(f) != ~value) {
                throw new IllegalStateException("vfio-user register benchmark: " + f.name() + ": the liveness register did not read the write back inverted");
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        remote.close();
        server.waitFor(10, TimeUnit.SECONDS);
        server.destroyForcibly();
        pair.close();
        pairServer.join(5000);
        for (VfioDevice d : List.of(local, pairServed)) {
            d.close();
        }
        group.close();
        container.close();
        pairGroup.close();
        pairContainer.close();
        arena.close();
        Files.deleteIfExists(dir.resolve("edu.sock"));
        Files.deleteIfExists(dir);
    }

    private int read(VfioDeviceFile f, long reg) {
        f.read(reg, word); // region 0 (BAR0) starts at offset 0
        return word.get(ValueLayout.JAVA_INT_UNALIGNED, 0);
    }

    private int write(VfioDeviceFile f) {
        word.set(ValueLayout.JAVA_INT_UNALIGNED, 0, ++value);
        f.write(LIVENESS, word);
        return value;
    }

    private int writeThenRead(VfioDeviceFile f) {
        write(f);
        return read(f, LIVENESS);
    }

    @Benchmark
    public int inProcessRead() {
        return read(local, ID);
    }

    @Benchmark
    public int socketpairRead() {
        return read(pair, ID);
    }

    @Benchmark
    public int secondProcessRead() {
        return read(remote, ID);
    }

    @Benchmark
    public int inProcessWrite() {
        return write(local);
    }

    @Benchmark
    public int socketpairWrite() {
        pair.postedWrites(true);
        return write(pair);
    }

    @Benchmark
    public int socketpairWriteWaited() {
        pair.postedWrites(false);
        return write(pair);
    }

    @Benchmark
    public int secondProcessWrite() {
        remote.postedWrites(true);
        return write(remote);
    }

    @Benchmark
    public int secondProcessWriteWaited() {
        remote.postedWrites(false);
        return write(remote);
    }

    @Benchmark
    public int secondProcessWriteThenRead() {
        remote.postedWrites(true);
        return writeThenRead(remote);
    }
}
