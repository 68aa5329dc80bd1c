package org.jvmm.vfiouser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.jvmm.vfiouser.RawVfioUserClient.BAR0;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import org.jvmm.devices.ivshmem.IvshmemPlainDevice;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.host.sys.Linux;
import org.jvmm.host.sys.Syscalls;
import org.jvmm.vfiouser.VfioUserPayloads.RegionInfo;
import org.jvmm.vfiouser.VfioUserPayloads.SparseMmap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * GET_REGION_INFO with an fd: ivshmem's shared-memory BAR (BAR2, a memfd) is answered with the
 * MMAP flag, the offset into the fd and a sparse mmap capability covering the region, and the fd
 * travels in the reply when the client's argsz holds the capability (as libvfio-user does; a
 * smaller argsz gets the argsz needed and no fd); the register BAR keeps MMAP clear and traps.
 */
@DisplayName("vfio-user server region fds: ivshmem's shared memory BAR offered for mmap, its registers trapped")
class VfioUserServerSharesRegionFds {
    private static final int BAR2 = 2;
    private static final long SHM = 0x10_0000;

    private HostMapping shm;
    private ServedHostRig host;
    private RawVfioUserClient client;
    private Thread thread;

    @BeforeEach
    void start() throws Exception {
        HostMemoryRegistry memory = new HostMemoryRegistry();
        shm = memory.allocate("ivshmem", SHM);
        host = new ServedHostRig(memory, new IvshmemPlainDevice(shm));
        VfioUserSocket[] s = VfioUserSocket.pair(8, 1 << 20);
        client = new RawVfioUserClient(s[0]);
        VfioUserServer server = new VfioUserServer(host.device, host.container, s[1], 8, 1 << 16).shareRegion(BAR2, shm.memfd(), 0);
        thread = Thread.ofPlatform().name("vfio-user-server").start(server);
        client.negotiate(1 << 20);
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        thread.join(5000);
        host.close();
        shm.close();
    }

    private VfioUserSocket.Message regionInfo(int index, int argsz) throws Exception {
        ByteBuffer q = ByteBuffer.allocate(RegionInfo.SIZE);
        new RegionInfo(argsz, 0, index, 0, 0, 0).encode(q);
        VfioUserSocket.Message m = client.call(VfioUserCommand.DEVICE_GET_REGION_INFO, q.array());
        client.ok(m);
        return m;
    }

    @Test
    void sharedMemoryBarComesWithItsFdAndTheWholeRegionAsOneArea() throws Exception {
        VfioUserSocket.Message m = regionInfo(BAR2, 64);
        ByteBuffer p = m.payloadBuffer();
        RegionInfo r = RegionInfo.decode(p);
        assertEquals(new RegionInfo(RegionInfo.SIZE + 32,
                RegionInfo.FLAG_READ | RegionInfo.FLAG_WRITE | RegionInfo.FLAG_MMAP | RegionInfo.FLAG_CAPS,
                BAR2, RegionInfo.SIZE, SHM, 0), r);
        assertEquals(new SparseMmap(new long[] {0}, new long[] {SHM}), SparseMmap.decode(p));
        assertEquals(1, m.fds().length, "the fd travels with the reply");
        // the client maps the fd and sees the device's shared memory, both ways
        Syscalls sys = Syscalls.linux();
        long addr = sys.mmap(SHM, Linux.PROT_READ | Linux.PROT_WRITE, Linux.MAP_SHARED, m.fds()[0], r.offset());
        try {
            MemorySegment mine = MemorySegment.ofAddress(addr).reinterpret(SHM);
            shm.segment().set(ValueLayout.JAVA_LONG_UNALIGNED, 0x800, 0x1122334455667788L);
            assertEquals(0x1122334455667788L, mine.get(ValueLayout.JAVA_LONG_UNALIGNED, 0x800));
            mine.set(ValueLayout.JAVA_INT_UNALIGNED, 0xffffc, 0xabcdef01);
            assertEquals(0xabcdef01, shm.segment().get(ValueLayout.JAVA_INT_UNALIGNED, 0xffffc));
        } finally {
            sys.munmap(addr, SHM);
            sys.close(m.fds()[0]);
        }
    }

    @Test
    void argszWithoutRoomForTheCapabilityGetsTheSizeNeededAndNoFd() throws Exception {
        VfioUserSocket.Message m = regionInfo(BAR2, RegionInfo.SIZE);
        assertEquals(RegionInfo.SIZE, m.payload().length);
        assertEquals(new RegionInfo(RegionInfo.SIZE + 32, RegionInfo.FLAG_READ | RegionInfo.FLAG_WRITE | RegionInfo.FLAG_MMAP,
                BAR2, 0, SHM, 0), RegionInfo.decode(m.payloadBuffer()));
        assertEquals(0, m.fds().length);
    }

    /** libvfio-user's rule: an index below num_regions that the device lacks is an empty region; past it, EINVAL. */
    @Test
    void vgaIndexOfANonVgaDeviceIsAnEmptyRegionAndPastNumRegionsIsEinval() throws Exception {
        assertEquals(new RegionInfo(RegionInfo.SIZE, 0, 8, 0, 0, 0), RegionInfo.decode(regionInfo(8, 64).payloadBuffer()));
        ByteBuffer q = ByteBuffer.allocate(RegionInfo.SIZE);
        new RegionInfo(RegionInfo.SIZE, 0, 9, 0, 0, 0).encode(q);
        RawVfioUserClient.assertErrno(RawVfioUserClient.EINVAL, client.call(VfioUserCommand.DEVICE_GET_REGION_INFO, q.array()));
    }

    /** The same rule for interrupts: ERR (index 3) of a conventional PCI function has no vectors; index 5 is EINVAL. */
    @Test
    void errIrqOfAConventionalFunctionHasNoVectorsAndPastNumIrqsIsEinval() throws Exception {
        ByteBuffer q = ByteBuffer.allocate(VfioUserPayloads.IrqInfo.SIZE);
        new VfioUserPayloads.IrqInfo(VfioUserPayloads.IrqInfo.SIZE, 0, 3, 0).encode(q);
        VfioUserSocket.Message m = client.call(VfioUserCommand.DEVICE_GET_IRQ_INFO, q.array());
        client.ok(m);
        assertEquals(new VfioUserPayloads.IrqInfo(VfioUserPayloads.IrqInfo.SIZE, 0, 3, 0), VfioUserPayloads.IrqInfo.decode(m.payloadBuffer()));
        q = ByteBuffer.allocate(VfioUserPayloads.IrqInfo.SIZE);
        new VfioUserPayloads.IrqInfo(VfioUserPayloads.IrqInfo.SIZE, 0, 5, 0).encode(q);
        RawVfioUserClient.assertErrno(RawVfioUserClient.EINVAL, client.call(VfioUserCommand.DEVICE_GET_IRQ_INFO, q.array()));
    }

    @Test
    void argszBelowTheRegionInfoIsEinval() throws Exception {
        ByteBuffer q = ByteBuffer.allocate(RegionInfo.SIZE);
        new RegionInfo(RegionInfo.SIZE - 1, 0, BAR2, 0, 0, 0).encode(q);
        RawVfioUserClient.assertErrno(RawVfioUserClient.EINVAL, client.call(VfioUserCommand.DEVICE_GET_REGION_INFO, q.array()));
    }

    @Test
    void registerBarKeepsMmapClearAndTraps() throws Exception {
        VfioUserSocket.Message m = regionInfo(BAR0, 64);
        assertEquals(new RegionInfo(RegionInfo.SIZE, RegionInfo.FLAG_READ | RegionInfo.FLAG_WRITE, BAR0, 0,
                IvshmemPlainDevice.BAR0_SIZE, 0), RegionInfo.decode(m.payloadBuffer()));
        assertEquals(0, m.fds().length);
        client.write(BAR0, IvshmemPlainDevice.REG_INTR_MASK, 4, 0x5a);
        assertEquals(0x5a, client.read(BAR0, IvshmemPlainDevice.REG_INTR_MASK, 4));
    }
}
