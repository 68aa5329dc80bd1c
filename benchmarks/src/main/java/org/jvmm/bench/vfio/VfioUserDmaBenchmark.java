package org.jvmm.bench.vfio;

import static org.jvmm.vfio.uapi.VfioUapi.VFIO_TYPE1v2_IOMMU;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jvmm.address.Iova;
import org.jvmm.host.kernel.HostKernel;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.host.memory.LockedMemoryAccount;
import org.jvmm.pci.BarSpec;
import org.jvmm.pci.DmaPort;
import org.jvmm.pci.InterruptSink;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.PciDeviceModel;
import org.jvmm.pci.PciIdentity;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.vfio.VfioContainer;
import org.jvmm.vfio.VfioDevice;
import org.jvmm.vfio.VfioGroup;
import org.jvmm.vfiouser.VfioUserCommand;
import org.jvmm.vfiouser.VfioUserDmaModel;
import org.jvmm.vfiouser.VfioUserHeader;
import org.jvmm.vfiouser.VfioUserPayloads.DmaAccess;
import org.jvmm.vfiouser.VfioUserPayloads.DmaMap;
import org.jvmm.vfiouser.VfioUserPayloads.RegionAccess;
import org.jvmm.vfiouser.VfioUserPayloads.Version;
import org.jvmm.vfiouser.VfioUserServer;
import org.jvmm.vfiouser.VfioUserSocket;
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
 * A served device's DMA of {@code size} bytes to a vfio-user client's memory, from a device
 * thread, two ways in the same run: {@code shared*} into a range the client mapped with its memfd
 * (DMA_MAP with an fd: mmap, TYPE1 translation, a copy), {@code message*} into a range mapped
 * without an fd (a DMA_READ / DMA_WRITE command over the socket per transfer, answered by the
 * client's thread, the answer handed back by the server's thread). GB/s = ops/s x size; the
 * ratio shared/message is what shared memory saves.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class VfioUserDmaBenchmark {
    private static final PciAddress ADDRESS = PciAddress.parse("0000:00:03.0");
    private static final long SHARED_IOVA = 0x10_0000;
    private static final long MESSAGE_IOVA = 0x1000_0000;
    private static final long RAM = 1 << 20;

    @Param({"4096", "65536"})
    public int size;

    /** A device that only does DMA: it hands its port to the benchmark. */
    static final class DmaProbe implements PciDeviceModel {
        volatile DmaPort port;

        @Override
        public PciIdentity identity() {
            return PciIdentity.of(0x1b36, 0x0005, 0x00ff00, 0);
        }

        @Override
        public List<BarSpec> bars() {
            return List.of(BarSpec.mem32(0, 4096));
        }

        @Override
        public int interruptPin() {
            return 0;
        }

        @Override
        public int msiVectors() {
            return 0;
        }

        @Override
        public boolean isPcie() {
            return false;
        }

        @Override
        public long barRead(int bar, long offset, int size) {
            return 0;
        }

        @Override
        public void barWrite(int bar, long offset, int size, long value) {
        }

        @Override
        public void reset() {
        }

        @Override
        public void connect(DmaPort dma, InterruptSink interrupts) {
            port = dma;
        }
    }

    private final HostMemoryRegistry clientMemory = new HostMemoryRegistry();
    private HostMapping clientRam;
    private VfioContainer container;
    private VfioGroup group;
    private VfioDevice device;
    private VfioUserSocket clientEnd;
    private Thread serverThread;
    private Thread clientThread;
    private Arena arena;
    private MemorySegment buffer;
    private DmaPort dma;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        DmaProbe probe = new DmaProbe();
        VfioUserDmaModel model = new VfioUserDmaModel(probe);
        HostPciPlatform p = HostKernel.builder().memory(new HostMemoryRegistry())
                .memlock(new LockedMemoryAccount(Long.MAX_VALUE, true))
                .endpoint(ADDRESS.toString(), model, HostPciPlatform.VFIO_PCI, true).build();
        container = VfioContainer.open(p);
        group = VfioGroup.open(p, p.iommuGroupOf(ADDRESS));
        group.setContainer(container);
        container.setIommu(VFIO_TYPE1v2_IOMMU);
        device = group.getDeviceFd(ADDRESS.toString());
        VfioUserSocket[] pair = VfioUserSocket.pair(8, 2 << 20);
        clientEnd = pair[0];
        VfioUserServer server = new VfioUserServer(device, container, pair[1], 8, 1 << 20).dmaModel(model);
        serverThread = Thread.ofPlatform().daemon().name("vfio-user-server").start(server);
        clientRam = clientMemory.allocate("client ram", RAM);
        int id = 1;
        call(id++, VfioUserCommand.VERSION, new Version(0, 1, 8, 1 << 20).toBytes());
        call(id++, VfioUserCommand.DMA_MAP, new DmaMap(DmaMap.SIZE, 3, 0, SHARED_IOVA, RAM).toBytes(), clientRam.memfd());
        call(id++, VfioUserCommand.DMA_MAP, new DmaMap(DmaMap.SIZE, 3, 0, MESSAGE_IOVA, RAM).toBytes());
        ByteBuffer cmd = ByteBuffer.allocate(RegionAccess.SIZE + 2).order(ByteOrder.LITTLE_ENDIAN);
        new RegionAccess(4, 7, 2).encode(cmd);
        cmd.putShort((short) 0x06); // memory space and bus mastering
        call(id++, VfioUserCommand.REGION_WRITE, cmd.array());
        clientThread = Thread.ofPlatform().daemon().name("vfio-user-client").start(this::answerDma);
        arena = Arena.ofShared();
        buffer = arena.allocate(size, 64);
        dma = probe.port;
        if (dma.write(new Iova(MESSAGE_IOVA), buffer) != size || dma.write(new Iova(SHARED_IOVA), buffer) != size) {
            throw new IllegalStateException("vfio-user DMA benchmark: a warm-up transfer moved nothing");
        }
    }

    private void call(int id, VfioUserCommand cmd, byte[] payload, int... fds) throws IOException {
        clientEnd.send(VfioUserHeader.command(id, cmd, payload.length), payload, fds);
        VfioUserSocket.Message m = clientEnd.receive();
        if (m.header().isError()) {
            throw new IllegalStateException("vfio-user DMA benchmark setup: " + cmd + " refused, errno " + m.header().error());
        }
    }

    /** The client's side: DMA_READ answered from its RAM, DMA_WRITE copied into it. */
    private void answerDma() {
        MemorySegment ram = clientRam.segment();
        try {
            while (true) {
                VfioUserSocket.Message m = clientEnd.receive();
                ByteBuffer p = m.payloadBuffer();
                DmaAccess a = DmaAccess.decode(p);
                long off = a.address() - MESSAGE_IOVA;
                if (m.header().command() == VfioUserCommand.DMA_READ.number()) {
                    byte[] reply = a.withData(ram.asSlice(off, a.count()).toArray(ValueLayout.JAVA_BYTE));
                    clientEnd.send(VfioUserHeader.reply(m.header(), reply.length), reply);
                } else {
                    MemorySegment.copy(MemorySegment.ofBuffer(p.slice()), 0, ram, off, a.count());
                    byte[] reply = a.toBytes();
                    clientEnd.send(VfioUserHeader.reply(m.header(), reply.length), reply);
                }
            }
        } catch (IOException gone) {
            // the benchmark closed the connection
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        clientEnd.close();
        serverThread.join(5000);
        clientThread.join(5000);
        device.close();
        group.close();
        container.close();
        clientRam.close();
        arena.close();
    }

    @Benchmark
    public long sharedRead() {
        return dma.read(new Iova(SHARED_IOVA), buffer);
    }

    @Benchmark
    public long sharedWrite() {
        return dma.write(new Iova(SHARED_IOVA), buffer);
    }

    @Benchmark
    public long messageRead() {
        return dma.read(new Iova(MESSAGE_IOVA), buffer);
    }

    @Benchmark
    public long messageWrite() {
        return dma.write(new Iova(MESSAGE_IOVA), buffer);
    }
}
