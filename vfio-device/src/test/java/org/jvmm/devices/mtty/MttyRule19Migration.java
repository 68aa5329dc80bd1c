package org.jvmm.devices.mtty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.testing.MdevRig;
import org.jvmm.vfio.MigrationFile;
import org.jvmm.vfio.VfioDevice;
import org.jvmm.vfio.uapi.DeviceFeature;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Rule A-19: "mtty implements STOP_COPY, P2P and PRE_COPY with a tiny state image (magic
 * 0x7e9d09898c3e2c4e, version 1.0, port count, per-port UART state) and no-op dirty logging, as a
 * test vehicle for VMMs" (samples/vfio-mdev/mtty.c), reached through VFIO_DEVICE_FEATURE as
 * drivers/vfio/vfio_main.c answers it.
 */
@DisplayName("mtty A-19: migration through VFIO_DEVICE_FEATURE (FSM arcs, state image, data fd, dirty logging)")
class MttyRule19Migration {
    private static final String TYPES = "/sys/class/mdev_bus/mtty/mdev_supported_types/";
    private static final String SRC = "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001";
    private static final String DST = "83b8f4f2-509f-382f-3c1e-e6bfe0fa1002";
    private static final long BAR0 = 0;
    private static final long BAR1 = 1L << 40;
    private static final int GET = VFIO_DEVICE_FEATURE_GET;
    private static final int SET = VFIO_DEVICE_FEATURE_SET;
    private static final int PROBE = VFIO_DEVICE_FEATURE_PROBE;

    private static MdevRig.Opened create(MdevRig rig, String type, String uuid) {
        rig.bus.write(TYPES + type + "/create", uuid + "\n");
        return rig.open(uuid);
    }

    private static MdevRig rig() {
        MdevRig rig = new MdevRig();
        MttyDriver.load(rig.bus);
        return rig;
    }

    private static int reg(VfioDevice d, long off) {
        MemorySegment b = MemorySegment.ofArray(new byte[1]);
        assertEquals(1, d.read(off, b));
        return b.get(ValueLayout.JAVA_BYTE, 0) & 0xff;
    }

    private static void reg(VfioDevice d, long off, int v) {
        assertEquals(1, d.write(off, MemorySegment.ofArray(new byte[] {(byte) v})));
    }

    private static void assertErrno(Errno errno, String op, Executable call) {
        ErrnoException e = assertThrows(ErrnoException.class, call);
        assertEquals(errno, e.errno(), e.getMessage());
        assertEquals(op, e.operation(), e.getMessage());
    }

    /** MIG_DEVICE_STATE SET: the data file (or null) and the struct as the ioctl left it. */
    private static MigrationFile set(VfioDevice d, int state) {
        MemorySegment arg = DeviceFeature.migState(SET, state);
        MigrationFile f = d.feature(arg);
        assertEquals(f == null ? -1 : f.fd(), DeviceFeature.u32(arg, DeviceFeature.DATA + DeviceFeature.MIG_STATE_DATA_FD));
        return f;
    }

    private static int state(VfioDevice d) {
        MemorySegment arg = DeviceFeature.migState(GET, 0);
        assertNull(d.feature(arg));
        assertEquals(-1, DeviceFeature.u32(arg, DeviceFeature.DATA + DeviceFeature.MIG_STATE_DATA_FD));
        return DeviceFeature.u32(arg, DeviceFeature.DATA + DeviceFeature.MIG_STATE_DEVICE_STATE);
    }

    private static byte[] readAll(MigrationFile f) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MemorySegment buf = MemorySegment.ofArray(new byte[7]); // odd-sized reads: the stream keeps its place
        long n;
        while ((n = f.read(buf)) > 0) {
            out.write(buf.toArray(ValueLayout.JAVA_BYTE), 0, (int) n);
        }
        return out.toByteArray();
    }

    private static long precopyInitial(MigrationFile f) {
        MemorySegment info = DeviceFeature.precopyInfo();
        f.precopyInfo(info);
        assertEquals(0, DeviceFeature.u64(info, DeviceFeature.PRECOPY_DIRTY_BYTES));
        return DeviceFeature.u64(info, DeviceFeature.PRECOPY_INITIAL_BYTES);
    }

    /** Guest-visible state on both ports of an mtty-2: divisor, LCR, FCR (FIFO on), IER, MCR, SCR and pending loopback bytes. */
    private static void program(VfioDevice d) {
        reg(d, BAR0 + 3, 0x83); // DLAB
        reg(d, BAR0 + 0, 0x0c);
        reg(d, BAR0 + 1, 0x00);
        reg(d, BAR0 + 3, 0x03); // 8N1
        reg(d, BAR0 + 2, 0x07); // FIFO on, cleared
        reg(d, BAR0 + 1, 0x05); // RDI | RLSI
        reg(d, BAR0 + 7, 0x5a);
        for (byte b : "hi!".getBytes()) {
            reg(d, BAR0, b);
        }
        reg(d, BAR1 + 3, 0x1b);
        reg(d, BAR1 + 4, 0x0b); // DTR | RTS | OUT2
        reg(d, BAR1 + 7, 0xa5);
        reg(d, BAR1, 'x');
        reg(d, BAR1, 'y');
    }

    private static byte[] image(int ports, long magic, int major, int minor, int nrPorts, int flags) {
        ByteBuffer b = ByteBuffer.allocate(24 + 36 * ports).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(magic).putInt(major).putInt(minor).putInt(nrPorts).putInt(flags);
        return b.array();
    }

    /** the device offers STOP_COPY | P2P | PRE_COPY and its stop-copy length is the image size. */
    @Test
    @DisplayName("MIGRATION GET reports STOP_COPY|P2P|PRE_COPY; MIG_DATA_SIZE is 24 + 36 per port; the device starts RUNNING")
    void migrationFlagsDataSizeAndInitialState() {
        MdevRig rig = rig();
        try (MdevRig.Opened one = create(rig, "mtty-1", SRC); MdevRig.Opened two = create(rig, "mtty-2", DST)) {
            MemorySegment mig = DeviceFeature.request(VFIO_DEVICE_FEATURE_MIGRATION | GET, 8);
            assertNull(one.device().feature(mig));
            assertEquals(7L, DeviceFeature.u64(mig, DeviceFeature.DATA));
            MemorySegment size = DeviceFeature.request(VFIO_DEVICE_FEATURE_MIG_DATA_SIZE | GET, 8);
            one.device().feature(size);
            assertEquals(60L, DeviceFeature.u64(size, DeviceFeature.DATA));
            two.device().feature(size);
            assertEquals(96L, DeviceFeature.u64(size, DeviceFeature.DATA));
            assertEquals(VFIO_DEVICE_STATE_RUNNING, state(one.device()));
        }
    }

    /** vfio_ioctl_device_feature and vfio_check_feature: the header and GET/SET/PROBE errnos. */
    @Test
    @DisplayName("header and vfio_check_feature: argsz < 8, unknown flag bits, GET|SET without PROBE, SET on a GET-only feature, neither GET nor SET, short payload: EINVAL; PROBE succeeds doing nothing")
    void featureHeaderAndCheckErrnos() {
        MdevRig rig = rig();
        try (MdevRig.Opened o = create(rig, "mtty-1", SRC)) {
            VfioDevice d = o.device();
            String op = "VFIO_DEVICE_FEATURE";
            MemorySegment shortArgsz = DeviceFeature.request(VFIO_DEVICE_FEATURE_MIGRATION | GET, 8);
            DeviceFeature.putU32(shortArgsz, DeviceFeature.ARGSZ, 7);
            assertErrno(Errno.EINVAL, op, () -> d.feature(shortArgsz));
            assertErrno(Errno.EFAULT, op, () -> d.feature(MemorySegment.ofArray(new byte[4])));
            assertErrno(Errno.EINVAL, op, () -> d.feature(DeviceFeature.request(VFIO_DEVICE_FEATURE_MIGRATION | GET | 1 << 19, 8)));
            assertErrno(Errno.EINVAL, op, () -> d.feature(DeviceFeature.request(VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE | GET | SET, 8)));
            assertErrno(Errno.EINVAL, op, () -> d.feature(DeviceFeature.request(VFIO_DEVICE_FEATURE_MIGRATION | SET, 8)));
            assertErrno(Errno.EINVAL, op, () -> d.feature(DeviceFeature.request(VFIO_DEVICE_FEATURE_MIGRATION | PROBE | SET, 8)));
            assertErrno(Errno.EINVAL, op, () -> d.feature(DeviceFeature.request(VFIO_DEVICE_FEATURE_MIGRATION, 8)));
            assertErrno(Errno.EINVAL, op, () -> d.feature(DeviceFeature.request(VFIO_DEVICE_FEATURE_MIGRATION | GET, 7)));
            assertErrno(Errno.EINVAL, op, () -> d.feature(DeviceFeature.request(VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE | SET, 4)));
            MemorySegment probe = DeviceFeature.request(VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE | PROBE | GET | SET, 8);
            DeviceFeature.putU32(probe, DeviceFeature.DATA, VFIO_DEVICE_STATE_STOP_COPY);
            assertNull(d.feature(probe));
            assertEquals(VFIO_DEVICE_STATE_STOP_COPY, DeviceFeature.u32(probe, DeviceFeature.DATA));
            assertEquals(0, DeviceFeature.u32(probe, DeviceFeature.DATA + 4));
            assertEquals(VFIO_DEVICE_STATE_RUNNING, state(d));
            MemorySegment probeMig = DeviceFeature.request(VFIO_DEVICE_FEATURE_MIGRATION | PROBE, 0);
            assertNull(d.feature(probeMig));
        }
    }

    /** vfio_main.c: the migration features need mig_ops (ENOTTY); other features go to device_feature, which mdev drivers lack (EINVAL). */
    @Test
    @DisplayName("migration and logging features on an mdev without migration (mbochs) and on vfio-pci are ENOTTY; a feature the core does not know is EINVAL on an mdev (no device_feature op), ENOTTY on vfio-pci")
    void devicesWithoutTheFeature() {
        MdevRig rig = rig();
        try (MdevRig.Opened o = create(rig, "mtty-1", SRC)) {
            assertErrno(Errno.EINVAL, "VFIO_DEVICE_FEATURE",
                    () -> o.device().feature(DeviceFeature.request(VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY | SET, 0)));
            assertErrno(Errno.EINVAL, "VFIO_DEVICE_FEATURE", () -> o.device().feature(DeviceFeature.request(0x123 | GET, 8)));
        }
        MdevRig other = new MdevRig();
        org.jvmm.devices.mbochs.MbochsDriver.load(other.bus);
        other.bus.write("/sys/class/mdev_bus/mbochs/mdev_supported_types/mbochs-small/create", DST);
        try (MdevRig.Opened mbochs = other.open(DST)) {
            VfioDevice d = mbochs.device();
            assertErrno(Errno.ENOTTY, "VFIO_DEVICE_FEATURE", () -> d.feature(DeviceFeature.request(VFIO_DEVICE_FEATURE_MIGRATION | GET, 8)));
            assertErrno(Errno.ENOTTY, "VFIO_DEVICE_FEATURE", () -> d.feature(DeviceFeature.migState(GET, 0)));
            assertErrno(Errno.ENOTTY, "VFIO_DEVICE_FEATURE", () -> d.feature(DeviceFeature.request(VFIO_DEVICE_FEATURE_MIG_DATA_SIZE | GET, 8)));
            assertErrno(Errno.ENOTTY, "VFIO_DEVICE_FEATURE", () -> d.feature(DeviceFeature.request(VFIO_DEVICE_FEATURE_DMA_LOGGING_STOP | SET, 0)));
            assertErrno(Errno.EINVAL, "VFIO_DEVICE_FEATURE", () -> d.feature(DeviceFeature.request(VFIO_DEVICE_FEATURE_LOW_POWER_EXIT | SET, 0)));
        }
        withVfioPciDevice(d -> {
            assertErrno(Errno.ENOTTY, "VFIO_DEVICE_FEATURE", () -> d.feature(DeviceFeature.request(VFIO_DEVICE_FEATURE_MIGRATION | GET, 8)));
            assertErrno(Errno.ENOTTY, "VFIO_DEVICE_FEATURE", () -> d.feature(DeviceFeature.migState(SET, VFIO_DEVICE_STATE_STOP)));
            assertErrno(Errno.ENOTTY, "VFIO_DEVICE_FEATURE",
                    () -> d.feature(DeviceFeature.request(VFIO_DEVICE_FEATURE_MIGRATION | PROBE | GET, 0)));
            assertErrno(Errno.ENOTTY, "VFIO_DEVICE_FEATURE", () -> d.feature(DeviceFeature.request(VFIO_DEVICE_FEATURE_DMA_LOGGING_STOP | SET, 0)));
            assertErrno(Errno.ENOTTY, "VFIO_DEVICE_FEATURE", () -> d.feature(DeviceFeature.request(0x123 | GET, 8)));
        });
    }

    /** The FSM through the device: combination transitions step through mtty's arcs; illegal ones are EINVAL with data_fd -1 and the state kept. */
    @Test
    @DisplayName("RUNNING -> STOP_COPY opens a saving fd; STOP_COPY -> PRE_COPY, ERROR and 8 are EINVAL with data_fd -1 and the state kept; STOP_COPY -> RUNNING closes it; RUNNING -> RESUMING opens a resuming fd")
    void fsmThroughTheDevice() {
        MdevRig rig = rig();
        try (MdevRig.Opened o = create(rig, "mtty-1", SRC)) {
            VfioDevice d = o.device();
            MigrationFile f = set(d, VFIO_DEVICE_STATE_STOP_COPY);
            assertNotNull(f);
            assertTrue(f.isForSaving());
            assertEquals(VFIO_DEVICE_STATE_STOP_COPY, state(d));
            for (int bad : new int[] {VFIO_DEVICE_STATE_PRE_COPY, VFIO_DEVICE_STATE_PRE_COPY_P2P, VFIO_DEVICE_STATE_ERROR, 8}) {
                MemorySegment arg = DeviceFeature.migState(SET, bad);
                DeviceFeature.putU32(arg, DeviceFeature.DATA + 4, 1234);
                assertErrno(Errno.EINVAL, "VFIO_DEVICE_FEATURE", () -> d.feature(arg));
                assertEquals(-1, DeviceFeature.u32(arg, DeviceFeature.DATA + 4));
                assertEquals(bad, DeviceFeature.u32(arg, DeviceFeature.DATA));
                assertEquals(VFIO_DEVICE_STATE_STOP_COPY, state(d));
            }
            assertNull(set(d, VFIO_DEVICE_STATE_STOP_COPY)); // already there: nothing happens
            assertNull(set(d, VFIO_DEVICE_STATE_RUNNING));
            assertEquals(VFIO_DEVICE_STATE_RUNNING, state(d));
            assertErrno(Errno.ENODEV, "read", () -> f.read(MemorySegment.ofArray(new byte[8])));
            f.close();
            MigrationFile r = set(d, VFIO_DEVICE_STATE_RESUMING);
            assertNotNull(r);
            assertEquals(false, r.isForSaving());
            assertEquals(VFIO_DEVICE_STATE_RESUMING, state(d));
        }
    }

    /** A-19 save and resume: a fresh mtty of the same type resumed from the image has the same registers and pending bytes. */
    @Test
    @DisplayName("save from one mtty-2 in STOP_COPY, resume into a fresh mtty-2: the same image saved again, the same registers, the pending bytes read back unchanged")
    void saveAndResumeIntoAFreshMtty() {
        MdevRig rig = rig();
        try (MdevRig.Opened src = create(rig, "mtty-2", SRC); MdevRig.Opened dst = create(rig, "mtty-2", DST)) {
            VfioDevice s = src.device();
            VfioDevice t = dst.device();
            program(s);
            MigrationFile out = set(s, VFIO_DEVICE_STATE_STOP_COPY);
            byte[] img = readAll(out);
            assertEquals(96, img.length);
            ByteBuffer h = ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(0x7e9d09898c3e2c4eL, h.getLong(0));
            assertEquals(1, h.getInt(8));
            assertEquals(0, h.getInt(12));
            assertEquals(2, h.getInt(16));
            assertEquals(0, h.getInt(20));
            // port 0: LCR 0x03, IER 0x05, SCR 0x5a; FIFO "hi!" head 3 tail 0 count 3; divisor 0x000c at 30, fcr 7, max 16, trigger 1
            assertEquals(0x05, img[24 + 1]);
            assertEquals(0x03, img[24 + 3]);
            assertEquals(0x5a, img[24 + 7]);
            assertArrayEquals("hi!".getBytes(), Arrays.copyOfRange(img, 24 + 8, 24 + 11));
            assertArrayEquals(new byte[] {3, 0, 3, 0, 0, 0}, Arrays.copyOfRange(img, 24 + 24, 24 + 30));
            assertEquals(0x0c, h.getShort(24 + 30));
            assertArrayEquals(new byte[] {7, 16, 1, 0}, Arrays.copyOfRange(img, 24 + 32, 24 + 36));
            // port 1: LCR 0x1b, MCR 0x0b, SCR 0xa5, "xy", no FCR written: max FIFO 16, trigger 0
            assertEquals(0x1b, img[60 + 3]);
            assertEquals(0x0b, img[60 + 4]);
            assertEquals((byte) 0xa5, img[60 + 7]);
            assertArrayEquals("xy".getBytes(), Arrays.copyOfRange(img, 60 + 8, 60 + 10));
            assertArrayEquals(new byte[] {2, 0, 2}, Arrays.copyOfRange(img, 60 + 24, 60 + 27));
            assertArrayEquals(new byte[] {0, 16, 0, 0}, Arrays.copyOfRange(img, 60 + 32, 60 + 36));
            assertEquals(0, out.read(MemorySegment.ofArray(new byte[4])));

            MigrationFile in = set(t, VFIO_DEVICE_STATE_RESUMING);
            assertEquals(10, in.write(MemorySegment.ofArray(Arrays.copyOfRange(img, 0, 10))));
            assertEquals(86, in.write(MemorySegment.ofArray(Arrays.copyOfRange(img, 10, 96))));
            assertNull(set(t, VFIO_DEVICE_STATE_RUNNING));
            assertEquals(VFIO_DEVICE_STATE_RUNNING, state(t));
            assertErrno(Errno.ENODEV, "write", () -> in.write(MemorySegment.ofArray(new byte[1])));

            // the same state saved again from the resumed device is the same image, byte for byte
            assertNull(set(s, VFIO_DEVICE_STATE_RUNNING));
            for (long bar : new long[] {BAR0, BAR1}) {
                for (int r : new int[] {1, 2, 3, 4, 5, 6, 7}) {
                    assertEquals(reg(s, bar + r), reg(t, bar + r), "register " + r + " of BAR at " + bar);
                }
            }
            MigrationFile again = set(t, VFIO_DEVICE_STATE_STOP_COPY);
            assertArrayEquals(img, readAll(again));
            assertNull(set(t, VFIO_DEVICE_STATE_RUNNING));
            StringBuilder p0 = new StringBuilder();
            while ((reg(t, BAR0 + 5) & 0x01) != 0) {
                p0.append((char) reg(t, BAR0));
            }
            StringBuilder p1 = new StringBuilder();
            while ((reg(t, BAR1 + 5) & 0x01) != 0) {
                p1.append((char) reg(t, BAR1));
            }
            assertEquals("hi!", p0.toString());
            assertEquals("xy", p1.toString());
        }
    }

    /** mtty_resume_write and mtty_load_state: the sample's refusals. */
    @Test
    @DisplayName("resume refusals: bad magic, version 2.0 or 1.1, port count 1 into an mtty-2, flags set: EFAULT on the write completing the header; RESET ends RESUMING")
    void resumeHeaderRefusals() {
        MdevRig rig = rig();
        try (MdevRig.Opened o = create(rig, "mtty-2", SRC)) {
            VfioDevice d = o.device();
            long magic = MttyMigration.MAGIC;
            byte[][] bad = {image(2, magic ^ 1, 1, 0, 2, 0), image(2, magic, 2, 0, 2, 0), image(2, magic, 1, 1, 2, 0),
                image(2, magic, 1, 0, 1, 0), image(2, magic, 1, 0, 2, 1)};
            for (byte[] img : bad) {
                MigrationFile in = set(d, VFIO_DEVICE_STATE_RESUMING);
                assertEquals(20, in.write(MemorySegment.ofArray(Arrays.copyOfRange(img, 0, 20))));
                assertErrno(Errno.EFAULT, "write", () -> in.write(MemorySegment.ofArray(Arrays.copyOfRange(img, 20, 30))));
                d.reset();
                assertEquals(VFIO_DEVICE_STATE_RUNNING, state(d));
                assertErrno(Errno.ENODEV, "write", () -> in.write(MemorySegment.ofArray(new byte[1])));
                in.close();
            }
        }
    }

    /** mtty_resume_write: "requested_length > mtty_data_size" ENOMEM; mtty_load_state: fewer bytes than the image EINVAL. */
    @Test
    @DisplayName("a write past the image is ENOMEM and takes nothing; RESUMING -> RUNNING with only the header is EINVAL, data_fd -1, the device stays RESUMING; the rest written, it resumes")
    void resumeSizeRefusals() {
        MdevRig rig = rig();
        try (MdevRig.Opened o = create(rig, "mtty-1", SRC)) {
            VfioDevice d = o.device();
            byte[] img = image(1, MttyMigration.MAGIC, 1, 0, 1, 0);
            img[24 + 7] = 0x42; // SCR of port 0
            MigrationFile in = set(d, VFIO_DEVICE_STATE_RESUMING);
            assertErrno(Errno.ENOMEM, "write", () -> in.write(MemorySegment.ofArray(new byte[61])));
            assertEquals(24, in.write(MemorySegment.ofArray(Arrays.copyOfRange(img, 0, 24))));
            MemorySegment arg = DeviceFeature.migState(SET, VFIO_DEVICE_STATE_RUNNING);
            assertErrno(Errno.EINVAL, "VFIO_DEVICE_FEATURE", () -> d.feature(arg));
            assertEquals(-1, DeviceFeature.u32(arg, DeviceFeature.DATA + 4));
            assertEquals(VFIO_DEVICE_STATE_RESUMING, state(d));
            assertErrno(Errno.ENOMEM, "write", () -> in.write(MemorySegment.ofArray(new byte[37])));
            assertEquals(36, in.write(MemorySegment.ofArray(Arrays.copyOfRange(img, 24, 60))));
            assertNull(set(d, VFIO_DEVICE_STATE_RUNNING));
            assertEquals(0x42, reg(d, BAR0 + 7));
        }
    }

    /**
     * The sample validates the header in the write that completes it and answers EFAULT, but the
     * bytes are kept and counted: once the rest is written the load takes the ports.
     */
    @Test
    @DisplayName("as in the sample, a header refused with EFAULT still counts: after the rest is written RESUMING -> STOP loads the ports")
    void refusedHeaderStillCountsAsInTheSample() {
        MdevRig rig = rig();
        try (MdevRig.Opened o = create(rig, "mtty-1", SRC)) {
            VfioDevice d = o.device();
            byte[] img = image(1, 0x1234L, 9, 9, 1, 0);
            img[24 + 7] = 0x77;
            MigrationFile in = set(d, VFIO_DEVICE_STATE_RESUMING);
            assertErrno(Errno.EFAULT, "write", () -> in.write(MemorySegment.ofArray(Arrays.copyOfRange(img, 0, 24))));
            assertEquals(36, in.write(MemorySegment.ofArray(Arrays.copyOfRange(img, 24, 60))));
            assertNull(set(d, VFIO_DEVICE_STATE_STOP));
            assertEquals(VFIO_DEVICE_STATE_STOP, state(d));
            assertEquals(0x77, reg(d, BAR0 + 7));
        }
    }

    /** PRE_COPY: the header is available before the stop; STOP_COPY appends the ports to the same fd. */
    @Test
    @DisplayName("PRE_COPY: PRECOPY_INFO gives initial_bytes 24 then what is left, dirty 0; PRE_COPY -> STOP_COPY returns no new fd and the same fd gives the ports; PRECOPY_INFO outside pre-copy EINVAL, on a disabled fd ENODEV")
    void preCopy() {
        MdevRig rig = rig();
        try (MdevRig.Opened o = create(rig, "mtty-1", SRC)) {
            VfioDevice d = o.device();
            reg(d, BAR0 + 7, 0x99);
            MigrationFile f = set(d, VFIO_DEVICE_STATE_PRE_COPY);
            assertNotNull(f);
            assertEquals(24, precopyInitial(f));
            MemorySegment ten = MemorySegment.ofArray(new byte[10]);
            assertEquals(10, f.read(ten));
            assertEquals(14, precopyInitial(f));
            assertNull(set(d, VFIO_DEVICE_STATE_PRE_COPY_P2P));
            assertEquals(14, precopyInitial(f));
            assertNull(set(d, VFIO_DEVICE_STATE_STOP_COPY));
            assertErrno(Errno.EINVAL, "VFIO_MIG_GET_PRECOPY_INFO", () -> precopyInitial(f));
            byte[] rest = readAll(f);
            assertEquals(50, rest.length);
            assertEquals((byte) 0x99, rest[14 + 7]);
            assertEquals(0x7e9d09898c3e2c4eL, ten.get(ValueLayout.JAVA_LONG_UNALIGNED, 0));
            assertNull(set(d, VFIO_DEVICE_STATE_RUNNING));
            assertErrno(Errno.ENODEV, "read", () -> f.read(ten));

            MigrationFile a = set(d, VFIO_DEVICE_STATE_PRE_COPY);
            assertNull(set(d, VFIO_DEVICE_STATE_RUNNING));
            MigrationFile b = set(d, VFIO_DEVICE_STATE_PRE_COPY);
            assertTrue(a.fd() != b.fd());
            assertErrno(Errno.ENODEV, "VFIO_MIG_GET_PRECOPY_INFO", () -> precopyInitial(a));
            assertEquals(24, precopyInitial(b));
        }
    }

    /** The data fd is a stream, read-only or write-only, with the precopy ioctl on the saving side only. */
    @Test
    @DisplayName("data fd: pread/pwrite ESPIPE, the wrong direction EBADF, another ioctl or any ioctl on the resuming fd ENOTTY, PRECOPY_INFO argsz 16 EINVAL and a 16-byte struct EFAULT, a closed fd EBADF")
    void dataFdFileErrors() {
        MdevRig rig = rig();
        try (MdevRig.Opened o = create(rig, "mtty-1", SRC)) {
            VfioDevice d = o.device();
            MemorySegment buf = MemorySegment.ofArray(new byte[8]);
            MigrationFile f = set(d, VFIO_DEVICE_STATE_PRE_COPY);
            assertErrno(Errno.ESPIPE, "pread", () -> f.pread(0, buf));
            assertErrno(Errno.ESPIPE, "pwrite", () -> f.pwrite(0, buf));
            assertErrno(Errno.EBADF, "write", () -> f.write(buf));
            assertErrno(Errno.ENOTTY, "ioctl", () -> f.ioctl(VFIO_DEVICE_GET_INFO, buf));
            MemorySegment info = DeviceFeature.precopyInfo();
            DeviceFeature.putU32(info, 0, 16);
            assertErrno(Errno.EINVAL, "VFIO_MIG_GET_PRECOPY_INFO", () -> f.precopyInfo(info));
            assertErrno(Errno.EFAULT, "VFIO_MIG_GET_PRECOPY_INFO", () -> f.precopyInfo(MemorySegment.ofArray(new byte[16])));
            f.close();
            assertErrno(Errno.EBADF, "read", () -> f.read(buf));
            assertThrows(IllegalStateException.class, f::close);
            assertNull(set(d, VFIO_DEVICE_STATE_STOP));
            MigrationFile r = set(d, VFIO_DEVICE_STATE_RESUMING);
            assertErrno(Errno.EBADF, "read", () -> r.read(buf));
            assertErrno(Errno.ENOTTY, "ioctl", () -> r.precopyInfo(DeviceFeature.precopyInfo()));
            assertErrno(Errno.ESPIPE, "pwrite", () -> r.pwrite(0, buf));
        }
    }

    /** "RESET is deferred until no migration-state operation is in progress; close drops eventfds and migration files." */
    @Test
    @DisplayName("A-47: RESET returns the device to RUNNING and disables its files; closing the device disables the files and keeps the state")
    void resetAndClose() {
        MdevRig rig = rig();
        MdevRig.Opened o = create(rig, "mtty-1", SRC);
        MigrationFile f = set(o.device(), VFIO_DEVICE_STATE_STOP_COPY);
        o.device().reset();
        assertEquals(VFIO_DEVICE_STATE_RUNNING, state(o.device()));
        assertErrno(Errno.ENODEV, "read", () -> f.read(MemorySegment.ofArray(new byte[8])));
        MigrationFile g = set(o.device(), VFIO_DEVICE_STATE_STOP_COPY);
        o.close();
        assertErrno(Errno.ENODEV, "read", () -> g.read(MemorySegment.ofArray(new byte[8])));
        try (MdevRig.Opened again = rig.open(SRC)) {
            assertEquals(VFIO_DEVICE_STATE_STOP_COPY, state(again.device()));
        }
    }

    /** A-19 "no-op dirty logging": the core checks the arguments, mtty's callbacks do nothing and report nothing. */
    @Test
    @DisplayName("no-op dirty logging: START over checked ranges, an empty REPORT, STOP; the core's EINVAL/E2BIG/EOVERFLOW/EFAULT before mtty is called")
    void noOpDirtyLogging() {
        MdevRig rig = rig();
        try (MdevRig.Opened o = create(rig, "mtty-1", SRC); HostMapping user = rig.memory.allocate("ranges", 4096)) {
            VfioDevice d = o.device();
            String op = "VFIO_DEVICE_FEATURE";
            long ranges = user.address().value();
            MemorySegment mem = user.segment();
            mem.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, 0L);
            mem.set(ValueLayout.JAVA_LONG_UNALIGNED, 8, 0x10000L);
            mem.set(ValueLayout.JAVA_LONG_UNALIGNED, 16, 0x100000L);
            mem.set(ValueLayout.JAVA_LONG_UNALIGNED, 24, 0x2000L);
            MemorySegment startArg = start(4096, 2, ranges);
            assertNull(d.feature(startArg));
            assertEquals(4096, DeviceFeature.u64(startArg, DeviceFeature.DATA));
            long bitmap = ranges + 2048;
            mem.set(ValueLayout.JAVA_LONG_UNALIGNED, 2048, 0L);
            assertNull(d.feature(report(0, 0x10000, 4096, bitmap)));
            assertEquals(0L, mem.get(ValueLayout.JAVA_LONG_UNALIGNED, 2048));
            assertNull(d.feature(DeviceFeature.request(VFIO_DEVICE_FEATURE_DMA_LOGGING_STOP | SET, 0)));

            assertErrno(Errno.EINVAL, op, () -> d.feature(start(4096, 0, ranges)));
            assertErrno(Errno.E2BIG, op, () -> d.feature(start(4096, 257, ranges)));
            assertErrno(Errno.EFAULT, op, () -> d.feature(start(4096, 1, 0x10)));
            mem.set(ValueLayout.JAVA_LONG_UNALIGNED, 16, 0x8000L); // overlaps the first range
            assertErrno(Errno.EINVAL, op, () -> d.feature(start(4096, 2, ranges)));
            mem.set(ValueLayout.JAVA_LONG_UNALIGNED, 16, 0x100800L); // unaligned
            assertErrno(Errno.EINVAL, op, () -> d.feature(start(4096, 2, ranges)));
            mem.set(ValueLayout.JAVA_LONG_UNALIGNED, 16, 0xffff_ffff_ffff_f000L); // wraps
            assertErrno(Errno.EOVERFLOW, op, () -> d.feature(start(4096, 2, ranges)));
            MemorySegment getStart = start(4096, 1, ranges);
            DeviceFeature.putU32(getStart, DeviceFeature.FLAGS, VFIO_DEVICE_FEATURE_DMA_LOGGING_START | GET);
            assertErrno(Errno.EINVAL, op, () -> d.feature(getStart));
            assertErrno(Errno.EINVAL, op, () -> d.feature(report(0, 0x10000, 2048, bitmap)));
            assertErrno(Errno.EINVAL, op, () -> d.feature(report(0, 0x10000, 0x3000, bitmap)));
            assertErrno(Errno.EOVERFLOW, op, () -> d.feature(report(0xffff_ffff_ffff_f000L, 0x2000, 4096, bitmap)));
            assertErrno(Errno.EFAULT, op, () -> d.feature(report(0, 0x10000, 4096, 0x10)));
        }
    }

    /** A plain PCI function bound to vfio-pci (no migration driver), opened through its group in a TYPE1 container. */
    private static void withVfioPciDevice(java.util.function.Consumer<VfioDevice> body) {
        String address = "0000:00:04.0";
        org.jvmm.host.memory.HostMemoryRegistry memory = new org.jvmm.host.memory.HostMemoryRegistry();
        org.jvmm.pci.host.HostPciPlatform p = org.jvmm.host.kernel.HostKernel.builder().memory(memory)
                .memlock(new org.jvmm.host.memory.LockedMemoryAccount(1L << 30, false))
                .iommuDriver(new org.jvmm.vfio.iommu.Type1Driver(65535))
                .endpoint(address, org.jvmm.testing.SimpleFunction.of(0x1234, 0x9, 0xff0000), null, true).build();
        p.newId("vfio-pci", 0x1234, 0x9);
        try (org.jvmm.vfio.VfioContainer c = org.jvmm.vfio.VfioContainer.open(p);
                org.jvmm.vfio.VfioGroup g = org.jvmm.vfio.VfioGroup.open(p, p.iommuGroupOf(org.jvmm.pci.PciAddress.parse(address)))) {
            g.setContainer(c);
            c.setIommu(VFIO_TYPE1v2_IOMMU);
            try (VfioDevice d = g.getDeviceFd(address)) {
                body.accept(d);
            }
        }
    }

    private static MemorySegment start(long pageSize, int n, long ranges) {
        MemorySegment s = DeviceFeature.request(VFIO_DEVICE_FEATURE_DMA_LOGGING_START | SET, 24);
        DeviceFeature.putU64(s, DeviceFeature.DATA, pageSize);
        DeviceFeature.putU32(s, DeviceFeature.DATA + DeviceFeature.LOGGING_NUM_RANGES, n);
        DeviceFeature.putU64(s, DeviceFeature.DATA + DeviceFeature.LOGGING_RANGES, ranges);
        return s;
    }

    private static MemorySegment report(long iova, long length, long pageSize, long bitmap) {
        MemorySegment s = DeviceFeature.request(VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT | GET, 32);
        DeviceFeature.putU64(s, DeviceFeature.DATA, iova);
        DeviceFeature.putU64(s, DeviceFeature.DATA + 8, length);
        DeviceFeature.putU64(s, DeviceFeature.DATA + DeviceFeature.REPORT_PAGE_SIZE, pageSize);
        DeviceFeature.putU64(s, DeviceFeature.DATA + DeviceFeature.REPORT_BITMAP, bitmap);
        return s;
    }
}
