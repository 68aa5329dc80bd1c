package org.jvmm.vfiouser;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.jvmm.vfiouser.RawVfioUserClient.BAR0;
import static org.jvmm.vfiouser.RawVfioUserClient.EINVAL;
import static org.jvmm.vfiouser.RawVfioUserClient.ENOENT;
import static org.jvmm.vfiouser.RawVfioUserClient.assertErrno;

import java.lang.foreign.ValueLayout;
import org.jvmm.devices.edu.EduDevice;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.host.sys.ProcessFds;
import org.jvmm.testing.DeviceRig;
import org.jvmm.testing.Hosts;
import org.jvmm.vfiouser.VfioUserPayloads.DmaMap;
import org.jvmm.vfiouser.VfioUserPayloads.DmaUnmap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * DMA_MAP with the client's memory fd: the server mmaps it (MAP_SHARED) and maps it into the
 * served edu's TYPE1 container at the DMA address, so the edu's DMA reads and writes the client's
 * memory; DMA_UNMAP and the client's going away unmap it and close the fd; every refusal is the
 * errno libvfio-user's lib/dma.c gives and leaves the mappings as they were.
 */
@DisplayName("vfio-user server DMA_MAP/UNMAP with the memory fd: the edu's DMA lands in the client's memory")
class VfioUserServerMapsTheClientsMemoryFd {
    private static final long IOVA = 0x10_0000;
    private static final long CLIENT_RAM = 0x4000;
    private static final int RW = DmaMap.FLAG_READ | DmaMap.FLAG_WRITE;

    private DeviceRig rig;
    private RawVfioUserClient client;
    private VfioUserServer server;
    private Thread thread;
    /** The client's guest RAM: another registry, as if in another process. */
    private final HostMemoryRegistry clientMemory = new HostMemoryRegistry();
    private HostMapping ram;
    private int baseMappings;

    @BeforeEach
    void start() throws Exception {
        rig = new DeviceRig(Hosts.EDU);
        VfioUserSocket[] p = VfioUserSocket.pair(8, 1 << 20);
        client = new RawVfioUserClient(p[0]);
        server = new VfioUserServer(rig.device, rig.container, p[1], 8, 4096);
        thread = Thread.ofPlatform().name("vfio-user-server").start(server);
        ram = clientMemory.allocate("client ram", CLIENT_RAM);
        baseMappings = rig.memory.mappingCount();
        client.negotiate(1 << 20);
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        thread.join(5000);
        rig.close();
        ram.close();
    }

    private EduDevice edu() {
        return rig.seed.edu();
    }

    /** Runs an edu DMA of {@code count} bytes between its buffer start and {@code iova}. */
    private void dma(long iova, int count, boolean toRam) throws Exception {
        client.write(BAR0, toRam ? EduDevice.REG_DMA_SRC : EduDevice.REG_DMA_DST, 8, EduDevice.DMA_BUFFER_START);
        client.write(BAR0, toRam ? EduDevice.REG_DMA_DST : EduDevice.REG_DMA_SRC, 8, iova);
        client.write(BAR0, EduDevice.REG_DMA_COUNT, 8, count);
        client.write(BAR0, EduDevice.REG_DMA_CMD, 8, EduDevice.DMA_CMD_RUN | (toRam ? EduDevice.DMA_CMD_TO_RAM : 0));
    }

    @Test
    void deviceWriteLandsInTheClientsMemoryAndDeviceReadFetchesIt() throws Exception {
        client.ok(client.map(RW, 0, IOVA, CLIENT_RAM, ram.memfd()));
        assertEquals(baseMappings + 1, rig.memory.mappingCount(), "the server mmapped the client's fd");
        ram.segment().set(ValueLayout.JAVA_INT_UNALIGNED, 0x2000, 0xcafef00d);
        dma(IOVA + 0x2000, 4, false);
        dma(IOVA + 0x1000, 4, true);
        assertEquals(0xcafef00d, ram.segment().get(ValueLayout.JAVA_INT_UNALIGNED, 0x1000), "shared memory, no message");
        assertEquals(8, edu().dmaBytesMoved());
        assertEquals(0, server.dmaMessages(), "fd-backed DMA sends no DMA_READ/WRITE");
    }

    @Test
    void mapAtAnOffsetIntoTheFdSeesThatPartOfTheFile() throws Exception {
        client.ok(client.map(RW, 0x1000, IOVA, 0x1000, ram.memfd()));
        ram.segment().set(ValueLayout.JAVA_INT_UNALIGNED, 0x1000, 0x0badcafe);
        dma(IOVA, 4, false);
        dma(IOVA + 0x10, 4, true);
        assertEquals(0x0badcafe, ram.segment().get(ValueLayout.JAVA_INT_UNALIGNED, 0x1010));
    }

    @Test
    void readOnlyMappingRefusesTheDevicesWrite() throws Exception {
        client.ok(client.map(DmaMap.FLAG_READ, 0, IOVA, CLIENT_RAM, ram.memfd()));
        ram.segment().set(ValueLayout.JAVA_INT_UNALIGNED, 0x100, 0x7777);
        dma(IOVA + 0x100, 4, false);
        assertEquals(4, edu().dmaBytesMoved(), "the device may read");
        dma(IOVA, 4, true);
        assertEquals(0, ram.segment().get(ValueLayout.JAVA_INT_UNALIGNED, 0));
        assertEquals(4, edu().dmaBytesMoved(), "the IOMMU refused the write");
    }

    @Test
    void refusalsAreEinvalAndLeaveEveryMappingAsItWas() throws Exception {
        client.ok(client.map(RW, 0, IOVA, 0x2000, ram.memfd()));
        long fds = ProcessFds.count();
        assertErrno(EINVAL, client.map(RW, 0, IOVA + 0x1000, 0x2000, ram.memfd()));      // overlaps the first
        assertErrno(EINVAL, client.map(RW, 0, IOVA - 0x1000, 0x2000, ram.memfd()));      // overlaps from below
        assertErrno(EINVAL, client.map(RW, 0, IOVA + 0x10_0800, 0x1000, ram.memfd()));   // address unaligned
        assertErrno(EINVAL, client.map(RW, 0x800, IOVA + 0x10_0000, 0x1000, ram.memfd())); // offset unaligned
        assertErrno(EINVAL, client.map(RW, 0, IOVA + 0x10_0000, 0x800, ram.memfd()));    // size unaligned
        assertErrno(EINVAL, client.map(RW, 0, IOVA + 0x10_0000, 0, ram.memfd()));        // zero size
        assertErrno(EINVAL, client.map(RW, 0, 0xffff_ffff_ffff_f000L, 0x2000, ram.memfd())); // wraps
        assertErrno(EINVAL, client.map(RW | 4, 0, IOVA + 0x10_0000, 0x1000, ram.memfd())); // unknown flag
        assertErrno(EINVAL, client.map(RW, 0, IOVA + 0x10_0000, 0x1000, ram.memfd(), ram.memfd())); // two fds
        assertErrno(EINVAL, client.call(VfioUserCommand.DMA_MAP,
                new DmaMap(DmaMap.SIZE - 1, RW, 0, IOVA + 0x10_0000, 0x1000).toBytes(), ram.memfd())); // argsz short
        assertErrno(EINVAL, client.call(VfioUserCommand.DMA_MAP, new byte[DmaMap.SIZE - 1])); // payload short
        assertEquals(1, server.dmaRegionCount());
        assertEquals(baseMappings + 1, rig.memory.mappingCount(), "no mmap left behind");
        assertEquals(fds, ProcessFds.count(), "every refused fd was closed");
    }

    @Test
    void fdThatCannotBeMmappedIsAnsweredWithMmapsErrnoAndClosed() throws Exception {
        long fds = ProcessFds.count();
        try (org.jvmm.host.sys.EventFd e = org.jvmm.host.sys.EventFd.create()) {
            assertErrno(19, client.map(RW, 0, IOVA, 0x1000, e.fd())); // ENODEV: an eventfd has no pages
        }
        assertEquals(0, server.dmaRegionCount());
        assertEquals(baseMappings, rig.memory.mappingCount());
        assertEquals(fds, ProcessFds.count(), "the server closed its copy of the fd");
    }

    @Test
    void dmaMapBeforeVersionIsEinvalAndItsFdClosed() throws Exception {
        VfioUserSocket[] p = VfioUserSocket.pair(8, 1 << 20);
        VfioUserServer fresh = new VfioUserServer(rig.device, rig.container, p[1], 8, 4096);
        Thread t = Thread.ofPlatform().start(fresh);
        try (RawVfioUserClient early = new RawVfioUserClient(p[0])) {
            long fds = ProcessFds.count();
            assertErrno(EINVAL, early.map(RW, 0, IOVA, 0x1000, ram.memfd()));
            assertEquals(fds, ProcessFds.count(), "the fd was closed");
            assertEquals(0, fresh.dmaRegionCount());
        }
        t.join(5000);
        p[1].close();
    }

    @Test
    void theSameMapAgainIsAcceptedAndMapsNothingNew() throws Exception {
        client.ok(client.map(RW, 0, IOVA, 0x2000, ram.memfd()));
        long fds = ProcessFds.count();
        client.ok(client.map(RW, 0, IOVA, 0x2000, ram.memfd()));
        assertEquals(1, server.dmaRegionCount());
        assertEquals(fds, ProcessFds.count(), "the repeated fd was closed");
        assertErrno(EINVAL, client.map(DmaMap.FLAG_READ, 0, IOVA, 0x2000, ram.memfd())); // same range, other protection
    }

    @Test
    void tooManyRangesIsEinval() throws Exception {
        server.maxDmaRegions(2);
        client.ok(client.map(RW, 0, IOVA, 0x1000, ram.memfd()));
        client.ok(client.map(RW, 0x1000, IOVA + 0x1000, 0x1000, ram.memfd()));
        assertErrno(EINVAL, client.map(RW, 0x2000, IOVA + 0x2000, 0x1000, ram.memfd()));
        assertEquals(2, server.dmaRegionCount());
    }

    @Test
    void unmapEchoesTheRequestUnmapsAndClosesTheFd() throws Exception {
        long fds = ProcessFds.count();
        client.ok(client.map(RW, 0, IOVA, CLIENT_RAM, ram.memfd()));
        VfioUserSocket.Message m = client.unmap(0, IOVA, CLIENT_RAM);
        client.ok(m);
        assertEquals(new DmaUnmap(DmaUnmap.SIZE, 0, IOVA, CLIENT_RAM), DmaUnmap.decode(m.payloadBuffer()));
        assertEquals(baseMappings, rig.memory.mappingCount(), "munmapped");
        assertEquals(fds, ProcessFds.count(), "the fd was closed");
        dma(IOVA, 4, true);
        assertEquals(0, edu().dmaBytesMoved(), "after UNMAP the DMA faults");
    }

    @Test
    void unmapRefusalsAreEnoentOrEinvalAndUnmapNothing() throws Exception {
        client.ok(client.map(RW, 0, IOVA, 0x2000, ram.memfd()));
        assertErrno(ENOENT, client.unmap(0, IOVA, 0x1000));           // part of a range
        assertErrno(ENOENT, client.unmap(0, IOVA + 0x10_0000, 0x1000)); // nothing there
        assertErrno(EINVAL, client.unmap(DmaUnmap.FLAG_GET_DIRTY_BITMAP, IOVA, 0x2000)); // no dirty log kept
        assertErrno(EINVAL, client.unmap(DmaUnmap.FLAG_ALL, IOVA, 0));  // all with an address
        assertErrno(EINVAL, client.unmap(8, IOVA, 0x2000));             // unknown flag
        assertEquals(1, server.dmaRegionCount());
        assertEquals(baseMappings + 1, rig.memory.mappingCount());
    }

    @Test
    void unmapAllUnmapsEveryRange() throws Exception {
        client.ok(client.map(RW, 0, IOVA, 0x1000, ram.memfd()));
        client.ok(client.map(RW, 0x1000, IOVA + 0x1000, 0x1000, ram.memfd()));
        client.ok(client.map(RW, 0, 0x80_0000, 0x1000)); // no fd: served by messages
        client.ok(client.unmap(DmaUnmap.FLAG_ALL, 0, 0));
        assertEquals(0, server.dmaRegionCount());
        assertEquals(baseMappings, rig.memory.mappingCount());
    }

    @Test
    void clientGoingAwayClosesItsEventfdAndTheInterruptSignalsItNoMore() throws Exception {
        try (org.jvmm.host.sys.EventFd e = org.jvmm.host.sys.EventFd.create()) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(VfioUserPayloads.SetIrqs.SIZE);
            new VfioUserPayloads.SetIrqs(VfioUserPayloads.SetIrqs.SIZE, org.jvmm.vfio.uapi.VfioUapi.VFIO_IRQ_SET_DATA_EVENTFD
                    | org.jvmm.vfio.uapi.VfioUapi.VFIO_IRQ_SET_ACTION_TRIGGER, org.jvmm.vfio.uapi.VfioUapi.VFIO_PCI_INTX_IRQ_INDEX, 0, 1)
                    .encode(b);
            long fds = ProcessFds.count();
            client.ok(client.call(VfioUserCommand.DEVICE_SET_IRQS, b.array(), e.fd()));
            assertEquals(1, server.keptDescriptors().length);
            assertEquals(fds + 1, ProcessFds.count(), "the server holds its copy of the eventfd");
            client.write(RawVfioUserClient.CONFIG, 4, 2, 0x02); // memory space on, INTx not disabled
            edu().barWrite(0, EduDevice.REG_IRQ_RAISE, 4, 1);
            assertEquals(1, e.readCount(), "while the client is there, INTx signals its eventfd");
            edu().barWrite(0, EduDevice.REG_IRQ_ACK, 4, 1);
            rig.device.setIrqs(org.jvmm.vfio.IrqSet.of(org.jvmm.vfio.uapi.VfioUapi.VFIO_IRQ_SET_ACTION_UNMASK,
                    org.jvmm.vfio.uapi.VfioUapi.VFIO_PCI_INTX_IRQ_INDEX, 0, 1, org.jvmm.vfio.IrqData.none()));
            client.close();
            thread.join(5000);
            assertEquals(0, server.keptDescriptors().length);
            assertEquals(fds - 1, ProcessFds.count(), "the eventfd copy and the client's socket end are closed");
            edu().barWrite(0, EduDevice.REG_IRQ_RAISE, 4, 1);
            assertEquals(0, e.readCount(), "INTx no longer signals the client's eventfd");
        }
    }

    @Test
    void clientGoingAwayUnmapsEveryRangeAndClosesTheFds() throws Exception {
        long fds = ProcessFds.count();
        client.ok(client.map(RW, 0, IOVA, 0x1000, ram.memfd()));
        client.ok(client.map(RW, 0x1000, IOVA + 0x1000, 0x1000, ram.memfd()));
        client.close();
        thread.join(5000);
        assertEquals(0, server.dmaRegionCount());
        assertEquals(baseMappings, rig.memory.mappingCount());
        assertEquals(fds - 1, ProcessFds.count(), "both mapped fds and the client's socket end are closed");
        ram.segment().set(ValueLayout.JAVA_INT_UNALIGNED, 0, 0x01020304);
        assertArrayEquals(new byte[] {4, 3, 2, 1}, ram.segment().asSlice(0, 4).toArray(ValueLayout.JAVA_BYTE),
                "the client's own mapping outlives the server's");
    }
}
