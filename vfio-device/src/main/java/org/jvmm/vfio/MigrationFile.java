package org.jvmm.vfio;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.vfio.uapi.VfioUapi;

/**
 * A migration data file, the {@code data_fd} VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE returns: a
 * stream (no file position a caller can give, so pread/pwrite are ESPIPE), read-only for saving
 * or write-only for resuming (the other direction is EBADF, as the VFS answers a file not opened
 * for it). Its ioctls reach the driver's {@link Ops#ioctl}; a driver without one answers ENOTTY.
 * The driver may disable the file at any time (its reads and writes then fail as it says, ENODEV
 * for mtty) while the user's fd stays open until {@link #close}.
 *
 * <p>Thread-safe (the driver's ops lock as they need); one owner closes it, closing twice throws.
 */
public final class MigrationFile implements AutoCloseable {
    /** The driver's file operations (struct file_operations of the anon inode). */
    public interface Ops {
        /** read(2) at the stream position: bytes read, 0 at the end. */
        default long read(MemorySegment buffer) {
            throw new ErrnoException("read", Errno.EINVAL, "the migration file has no read method");
        }

        /** write(2) at the stream position: bytes written. */
        default long write(MemorySegment buffer) {
            throw new ErrnoException("write", Errno.EINVAL, "the migration file has no write method");
        }

        /** True when the file has an unlocked_ioctl method. */
        default boolean hasIoctl() {
            return false;
        }

        /** unlocked_ioctl with the argument in caller memory. */
        default void ioctl(int cmd, MemorySegment arg) {
        }
    }

    /** Numbers handed out as data_fd: per process, never reused. */
    private static final AtomicInteger NEXT_FD = new AtomicInteger(64);

    private final String name;
    private final boolean forSaving;
    private final Ops ops;
    private final int fd;
    private volatile boolean closed;

    private MigrationFile(String name, boolean forSaving, Ops ops) {
        this.name = name;
        this.forSaving = forSaving;
        this.ops = ops;
        this.fd = NEXT_FD.getAndIncrement();
    }

    /** anon_inode_getfile(name, ops, O_RDONLY) + stream_open: a file the user reads the device state from. */
    public static MigrationFile forSaving(String name, Ops ops) {
        return new MigrationFile(name, true, ops);
    }

    /** anon_inode_getfile(name, ops, O_WRONLY) + stream_open: a file the user writes a device state into. */
    public static MigrationFile forResuming(String name, Ops ops) {
        return new MigrationFile(name, false, ops);
    }

    /** The fd number the ioctl wrote into data_fd. */
    public int fd() {
        return fd;
    }

    public String name() {
        return name;
    }

    /** True for a file opened O_RDONLY (saving), false for O_WRONLY (resuming). */
    public boolean isForSaving() {
        return forSaving;
    }

    /** read(data_fd, buffer): bytes read, 0 at the end of the data; EBADF on a resuming file. */
    public long read(MemorySegment buffer) {
        live("read");
        if (!forSaving) {
            throw new ErrnoException("read", Errno.EBADF, "data_fd " + fd + " was opened write-only (resuming)");
        }
        return ops.read(buffer);
    }

    /** write(data_fd, buffer): bytes written; EBADF on a saving file. */
    public long write(MemorySegment buffer) {
        live("write");
        if (forSaving) {
            throw new ErrnoException("write", Errno.EBADF, "data_fd " + fd + " was opened read-only (saving)");
        }
        return ops.write(buffer);
    }

    /** pread(data_fd, buffer, offset): ESPIPE, the file is a stream. */
    public long pread(long offset, MemorySegment buffer) {
        live("pread");
        throw new ErrnoException("pread", Errno.ESPIPE, "data_fd " + fd + " is a stream; offset " + offset + " cannot be given");
    }

    /** pwrite(data_fd, buffer, offset): ESPIPE, the file is a stream. */
    public long pwrite(long offset, MemorySegment buffer) {
        live("pwrite");
        throw new ErrnoException("pwrite", Errno.ESPIPE, "data_fd " + fd + " is a stream; offset " + offset + " cannot be given");
    }

    /** ioctl(data_fd, cmd, arg): the driver's; ENOTTY for a file without an ioctl method. */
    public void ioctl(int cmd, MemorySegment arg) {
        live("ioctl");
        if (!ops.hasIoctl()) {
            throw new ErrnoException("ioctl", Errno.ENOTTY, "data_fd " + fd + " (" + name + ") has no ioctl; cmd " + VfioUapi.hex(cmd));
        }
        ops.ioctl(cmd, arg);
    }

    /** VFIO_MIG_GET_PRECOPY_INFO on a struct vfio_precopy_info in caller memory ({@link org.jvmm.vfio.uapi.DeviceFeature#precopyInfo}). */
    public void precopyInfo(MemorySegment info) {
        ioctl(VfioUapi.VFIO_MIG_GET_PRECOPY_INFO, info);
    }

    public boolean isClosed() {
        return closed;
    }

    private void live(String op) {
        if (closed) {
            throw new ErrnoException(op, Errno.EBADF, "data_fd " + fd + " is closed");
        }
    }

    /** close(data_fd): the user's reference goes; the driver keeps its own until it disables the file. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("migration data_fd " + fd + " closed twice");
            }
            closed = true;
        }
    }

    @Override
    public String toString() {
        return "MigrationFile[" + name + ", fd " + fd + (forSaving ? ", saving" : ", resuming") + (closed ? ", closed" : "") + "]";
    }
}
