package org.jvmm.devices.mtty;

import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.vfio.MigrationFile;
import org.jvmm.vfio.VfioLogOps;
import org.jvmm.vfio.VfioMigration;
import org.jvmm.vfio.VfioMigrationOps;
import org.jvmm.vfio.uapi.DeviceFeature;

/**
 * mtty's migration (A-19, samples/vfio-mdev/mtty.c): flags STOP_COPY | P2P | PRE_COPY, a device
 * that starts RUNNING, and a state image laid out as the sample's struct mtty_data: magic
 * {@link #MAGIC} (u64), major 1 and minor 0 (u32 each), nr_ports (u32), flags 0 (u32), then
 * nr_ports struct serial_port of {@link #PORT_SIZE} bytes each ({@link MttyDevice#savePort}).
 *
 * <ul>
 * <li>Arcs: RUNNING/RUNNING_P2P/STOP among themselves and PRE_COPY/PRE_COPY_P2P between
 *     themselves do nothing (no DMA to stop). RUNNING to PRE_COPY, RUNNING_P2P to PRE_COPY_P2P and
 *     STOP to STOP_COPY open a saving file holding the 24-byte header; reaching STOP_COPY appends
 *     the ports, so PRE_COPY_P2P to STOP_COPY returns no new file (data_fd -1): the pre-copy file
 *     now holds the whole image. STOP to RESUMING opens a resuming file; RESUMING to STOP loads
 *     it, EINVAL when fewer bytes than the image came (the device stays RESUMING). PRE_COPY to
 *     RUNNING, PRE_COPY_P2P to RUNNING_P2P and STOP_COPY to STOP disable the files.</li>
 * <li>The saving file: read gives the filled bytes in order, ENODEV once disabled;
 *     VFIO_MIG_GET_PRECOPY_INFO: fewer than 24 bytes of struct EFAULT, argsz below 24 EINVAL, the
 *     device not in a pre-copy state EINVAL, disabled ENODEV; initial_bytes = filled - position,
 *     dirty_bytes 0.</li>
 * <li>The resuming file: a write reaching past the image size ENOMEM (nothing taken); disabled
 *     ENODEV; the write that completes the 24-byte header checks magic, flags 0, version 1.0 and
 *     the port count: a mismatch is EFAULT, but as in the sample the bytes are kept and count
 *     towards the size the load checks.</li>
 * <li>Dirty logging: start, stop and report succeed and report nothing (mtty has no DMA).</li>
 * <li>RESET and the sample's deferred reset: the state returns to RUNNING and the files are
 *     disabled. Here every state operation and reset hold the device's monitor, so a reset waits
 *     for a running state change instead of being deferred past it; the outcome is the same.
 *     Closing the device disables the files and keeps the state.</li>
 * </ul>
 *
 * <p>Lock order: the device's monitor, then a file's.
 */
final class MttyMigration implements VfioMigrationOps, VfioLogOps {
    static final long MAGIC = 0x7e9d09898c3e2c4eL;
    static final int MAJOR = 1;
    static final int MINOR = 0;
    /** offsetof(struct mtty_data, ports). */
    static final int HEADER = 24;
    /** sizeof(struct serial_port). */
    static final int PORT_SIZE = 36;
    static final long FLAGS = VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_P2P | VFIO_MIGRATION_PRE_COPY;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;

    private final MttyDevice dev;
    /** Guarded by dev. */
    private int state = VFIO_DEVICE_STATE_RUNNING;
    private DataFile saving;
    private DataFile resuming;

    MttyMigration(MttyDevice dev) {
        this.dev = dev;
    }

    /** mtty_data_size: the header and this device's ports. */
    private int imageSize() {
        return HEADER + dev.nrPorts() * PORT_SIZE;
    }

    @Override
    public long migrationFlags() {
        return FLAGS;
    }

    @Override
    public long dataSize() {
        return imageSize();
    }

    @Override
    public int getState() {
        synchronized (dev) {
            return state;
        }
    }

    @Override
    public MigrationFile setState(int newState) {
        synchronized (dev) {
            MigrationFile ret = null;
            while (state != newState) {
                int next = VfioMigration.nextState(FLAGS, state, newState);
                ret = step(next);
                state = next;
            }
            return ret;
        }
    }

    /** RESET: back to RUNNING with the files disabled (the sample's deferred reset). Holds dev. */
    void reset() {
        state = VFIO_DEVICE_STATE_RUNNING;
        disableFiles();
    }

    /** mtty_disable_files. Holds dev. */
    void disableFiles() {
        if (saving != null) {
            saving.disable();
            saving = null;
        }
        if (resuming != null) {
            resuming.disable();
            resuming = null;
        }
    }

    private MigrationFile step(int next) {
        int cur = state;
        boolean run = cur == VFIO_DEVICE_STATE_RUNNING, rp2p = cur == VFIO_DEVICE_STATE_RUNNING_P2P,
                stop = cur == VFIO_DEVICE_STATE_STOP, pc = cur == VFIO_DEVICE_STATE_PRE_COPY,
                pcp2p = cur == VFIO_DEVICE_STATE_PRE_COPY_P2P;
        if ((run && next == VFIO_DEVICE_STATE_RUNNING_P2P)
                || (rp2p && (next == VFIO_DEVICE_STATE_RUNNING || next == VFIO_DEVICE_STATE_STOP))
                || (pc && next == VFIO_DEVICE_STATE_PRE_COPY_P2P)
                || (pcp2p && next == VFIO_DEVICE_STATE_PRE_COPY)
                || (stop && next == VFIO_DEVICE_STATE_RUNNING_P2P)) {
            return null;
        }
        if (cur == VFIO_DEVICE_STATE_RESUMING && next == VFIO_DEVICE_STATE_STOP) {
            load();
            disableFiles();
            return null;
        }
        if ((pc && next == VFIO_DEVICE_STATE_RUNNING) || (pcp2p && next == VFIO_DEVICE_STATE_RUNNING_P2P)
                || (cur == VFIO_DEVICE_STATE_STOP_COPY && next == VFIO_DEVICE_STATE_STOP)) {
            disableFiles();
            return null;
        }
        if ((run && next == VFIO_DEVICE_STATE_PRE_COPY) || (rp2p && next == VFIO_DEVICE_STATE_PRE_COPY_P2P)
                || (stop && next == VFIO_DEVICE_STATE_STOP_COPY) || (pcp2p && next == VFIO_DEVICE_STATE_STOP_COPY)) {
            return save(next);
        }
        if (stop && next == VFIO_DEVICE_STATE_RESUMING) {
            resuming = new DataFile(false);
            return resuming.file;
        }
        // vfio_mig_get_next_state hands out no other arc (the sample WARNs)
        throw new ErrnoException("VFIO_DEVICE_FEATURE", Errno.EINVAL, "mtty has no arc " + DeviceFeature.stateName(cur)
                + " -> " + DeviceFeature.stateName(next));
    }

    /** mtty_save_device_data: a new saving file with the header, or (STOP_COPY) the ports appended to the open one. */
    private MigrationFile save(int next) {
        MigrationFile ret = null;
        if (saving == null) {
            saving = new DataFile(true);
            synchronized (saving) {
                MemorySegment d = saving.data;
                d.set(U64, 0, MAGIC);
                d.set(U32, 8, MAJOR);
                d.set(U32, 12, MINOR);
                d.set(U32, 16, dev.nrPorts());
                saving.filled = HEADER;
            }
            ret = saving.file;
        }
        if (next == VFIO_DEVICE_STATE_STOP_COPY) {
            synchronized (saving) {
                for (int i = 0; i < dev.nrPorts(); i++) {
                    dev.savePort(i, saving.data.asSlice(saving.filled, PORT_SIZE));
                    saving.filled += PORT_SIZE;
                }
            }
        }
        return ret;
    }

    /** mtty_load_state: EINVAL when fewer bytes than the image were written. */
    private void load() {
        DataFile f = resuming;
        synchronized (f) {
            if (f.filled < imageSize()) {
                throw new ErrnoException("VFIO_DEVICE_FEATURE", Errno.EINVAL, "RESUMING -> STOP: the image needs " + imageSize()
                        + " bytes, " + f.filled + " were written");
            }
            for (int i = 0; i < dev.nrPorts(); i++) {
                dev.loadPort(i, f.data.asSlice(HEADER + (long) i * PORT_SIZE, PORT_SIZE));
            }
        }
    }

    // ---- no-op dirty logging (mtty_log_ops) ----

    @Override
    public long logStart(java.util.List<VfioLogOps.Range> ranges, long pageSize) {
        return pageSize;
    }

    @Override
    public void logStop() {
    }

    @Override
    public void logReadAndClear(org.jvmm.address.Iova iova, long length, long pageSize, MemorySegment bitmap) {
    }

    /** struct mtty_migration_file: the image buffer (sizeof(struct mtty_data), 2 ports), filled size, position. */
    private final class DataFile implements MigrationFile.Ops {
        final MemorySegment data = MemorySegment.ofArray(new byte[HEADER + 2 * PORT_SIZE]);
        final MigrationFile file;
        final boolean forSaving;
        long filled;
        long pos;
        boolean disabled;

        DataFile(boolean forSaving) {
            this.forSaving = forSaving;
            this.file = forSaving ? MigrationFile.forSaving("mtty_mig", this) : MigrationFile.forResuming("mtty_mig", this);
        }

        synchronized void disable() {
            disabled = true;
            filled = 0;
            pos = 0;
        }

        @Override
        public synchronized long read(MemorySegment buffer) {
            if (disabled) {
                throw new ErrnoException("read", Errno.ENODEV, "mtty migration data_fd " + file.fd() + " was disabled");
            }
            if (pos > filled) {
                throw new ErrnoException("read", Errno.EINVAL, "position " + pos + " is past the " + filled + " bytes saved");
            }
            long len = Math.min(filled - pos, buffer.byteSize());
            MemorySegment.copy(data, pos, buffer, 0, len);
            pos += len;
            return len;
        }

        @Override
        public synchronized long write(MemorySegment buffer) {
            long len = buffer.byteSize();
            long requested = pos + len;
            if (requested > imageSize()) { // checked before the disabled flag, as the sample does
                throw new ErrnoException("write", Errno.ENOMEM, "position + " + len + " bytes = " + requested
                        + " is past the " + imageSize() + "-byte mtty image");
            }
            if (disabled) {
                throw new ErrnoException("write", Errno.ENODEV, "mtty migration data_fd " + file.fd() + " was disabled");
            }
            MemorySegment.copy(buffer, 0, data, pos, len);
            pos += len;
            boolean bad = false;
            if (filled < HEADER && filled + len >= HEADER) {
                bad = data.get(U64, 0) != MAGIC || data.get(U32, 20) != 0 || data.get(U32, 8) != MAJOR
                        || data.get(U32, 12) != MINOR || data.get(U32, 16) != dev.nrPorts();
            }
            filled += len;
            if (bad) {
                throw new ErrnoException("write", Errno.EFAULT, "the mtty image header failed validation: magic 0x"
                        + Long.toHexString(data.get(U64, 0)) + ", version " + data.get(U32, 8) + "." + data.get(U32, 12)
                        + ", nr_ports " + Integer.toUnsignedString(data.get(U32, 16)) + " (this device has " + dev.nrPorts()
                        + "), flags 0x" + Integer.toHexString(data.get(U32, 20)));
            }
            return len;
        }

        @Override
        public boolean hasIoctl() {
            return forSaving;
        }

        /** mtty_precopy_ioctl. */
        @Override
        public void ioctl(int cmd, MemorySegment arg) {
            String op = "VFIO_MIG_GET_PRECOPY_INFO";
            if (cmd != VFIO_MIG_GET_PRECOPY_INFO) {
                throw new ErrnoException("ioctl", Errno.ENOTTY, "mtty's data_fd knows only VFIO_MIG_GET_PRECOPY_INFO, not "
                        + hex(Integer.toUnsignedLong(cmd)));
            }
            long minsz = DeviceFeature.PRECOPY_INFO.byteSize();
            if (arg.byteSize() < minsz) {
                throw new ErrnoException(op, Errno.EFAULT, "the struct in caller memory has " + arg.byteSize() + " bytes, below " + minsz);
            }
            long argsz = Integer.toUnsignedLong(arg.get(U32, 0));
            if (argsz < minsz) {
                throw new ErrnoException(op, Errno.EINVAL, "argsz " + argsz + " is below " + minsz);
            }
            synchronized (dev) {
                if (state != VFIO_DEVICE_STATE_PRE_COPY && state != VFIO_DEVICE_STATE_PRE_COPY_P2P) {
                    throw new ErrnoException(op, Errno.EINVAL, "the device is in " + DeviceFeature.stateName(state)
                            + ", not PRE_COPY or PRE_COPY_P2P");
                }
                synchronized (this) {
                    if (disabled) {
                        throw new ErrnoException(op, Errno.ENODEV, "mtty migration data_fd " + file.fd() + " was disabled");
                    }
                    if (pos > filled) {
                        throw new ErrnoException(op, Errno.EINVAL, "position " + pos + " is past the " + filled + " bytes saved");
                    }
                    arg.set(U64, DeviceFeature.PRECOPY_INITIAL_BYTES, filled - pos);
                    arg.set(U64, DeviceFeature.PRECOPY_DIRTY_BYTES, 0L);
                }
            }
        }
    }
}
