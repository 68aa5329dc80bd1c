package org.jvmm.vfiouser;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The payloads that follow the header, each as the specification lays it out (little-endian,
 * no padding beyond what the fields give). Each record has its wire size as {@code SIZE} (the
 * fixed part), an {@code encode} that writes at the buffer's position and a {@code decode} that
 * returns null when the buffer holds fewer bytes than the fixed part: the server answers that
 * with EINVAL.
 */
public final class VfioUserPayloads {
    private VfioUserPayloads() {
    }

    /** Protocol version this implementation speaks: 0.1. */
    public static final int MAJOR = 0;
    public static final int MINOR = 1;
    /** Defaults when the peer's JSON leaves a capability out. */
    public static final int DEFAULT_MAX_MSG_FDS = 1;
    public static final long DEFAULT_MAX_DATA_XFER_SIZE = 1L << 20;

    private static ByteBuffer le(ByteBuffer b) {
        return b.order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * VERSION: major u16, minor u16, then a NUL-terminated JSON string of capabilities (here
     * max_msg_fds and max_data_xfer_size; absent ones take the defaults).
     */
    public record Version(int major, int minor, int maxMsgFds, long maxDataXferSize) {
        public static final int SIZE = 4;
        private static final Pattern FDS = Pattern.compile("\"max_msg_fds\"\\s*:\\s*(\\d+)");
        private static final Pattern XFER = Pattern.compile("\"max_data_xfer_size\"\\s*:\\s*(\\d+)");

        public String json() {
            return "{\"capabilities\":{\"max_msg_fds\":" + maxMsgFds + ",\"max_data_xfer_size\":"
                    + maxDataXferSize + "}}";
        }

        public byte[] toBytes() {
            byte[] j = json().getBytes(StandardCharsets.US_ASCII);
            ByteBuffer b = le(ByteBuffer.allocate(SIZE + j.length + 1));
            b.putShort((short) major).putShort((short) minor).put(j).put((byte) 0);
            return b.array();
        }

        /** Null when shorter than 4 bytes or a capability number does not fit its field. */
        public static Version decode(ByteBuffer in) {
            if (in.remaining() < SIZE) {
                return null;
            }
            ByteBuffer b = le(in);
            int major = Short.toUnsignedInt(b.getShort());
            int minor = Short.toUnsignedInt(b.getShort());
            byte[] rest = new byte[b.remaining()];
            b.get(rest);
            int end = 0;
            while (end < rest.length && rest[end] != 0) {
                end++;
            }
            String json = new String(rest, 0, end, StandardCharsets.US_ASCII);
            try {
                int fds = DEFAULT_MAX_MSG_FDS;
                long xfer = DEFAULT_MAX_DATA_XFER_SIZE;
                Matcher m = FDS.matcher(json);
                if (m.find()) {
                    fds = Integer.parseInt(m.group(1));
                }
                m = XFER.matcher(json);
                if (m.find()) {
                    xfer = Long.parseLong(m.group(1));
                }
                return new Version(major, minor, fds, xfer);
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }

    /** DMA_MAP: argsz u32, flags u32 (bit 0 read, bit 1 write), offset u64 (into the fd), address u64, size u64. */
    public record DmaMap(int argsz, int flags, long offset, long address, long size) {
        public static final int SIZE = 32;
        public static final int FLAG_READ = 1;
        public static final int FLAG_WRITE = 2;

        public void encode(ByteBuffer out) {
            le(out).putInt(argsz).putInt(flags).putLong(offset).putLong(address).putLong(size);
        }

        public byte[] toBytes() {
            ByteBuffer b = ByteBuffer.allocate(SIZE);
            encode(b);
            return b.array();
        }

        public static DmaMap decode(ByteBuffer in) {
            if (in.remaining() < SIZE) {
                return null;
            }
            ByteBuffer b = le(in);
            return new DmaMap(b.getInt(), b.getInt(), b.getLong(), b.getLong(), b.getLong());
        }
    }

    /**
     * DMA_UNMAP: argsz u32, flags u32 (bit 0 get dirty bitmap, bit 1 unmap all), address u64,
     * size u64. The reply echoes the struct.
     */
    public record DmaUnmap(int argsz, int flags, long address, long size) {
        public static final int SIZE = 24;
        /** Asks for a dirty-page bitmap (a struct follows the request); this server refuses it. */
        public static final int FLAG_GET_DIRTY_BITMAP = 1;
        public static final int FLAG_ALL = 2;

        public byte[] toBytes() {
            ByteBuffer b = ByteBuffer.allocate(SIZE);
            encode(b);
            return b.array();
        }

        public void encode(ByteBuffer out) {
            le(out).putInt(argsz).putInt(flags).putLong(address).putLong(size);
        }

        public static DmaUnmap decode(ByteBuffer in) {
            if (in.remaining() < SIZE) {
                return null;
            }
            ByteBuffer b = le(in);
            return new DmaUnmap(b.getInt(), b.getInt(), b.getLong(), b.getLong());
        }
    }

    /** DEVICE_GET_INFO: argsz u32, flags u32, num_regions u32, num_irqs u32 (VFIO's vfio_device_info). */
    public record DeviceInfo(int argsz, int flags, int numRegions, int numIrqs) {
        public static final int SIZE = 16;

        public void encode(ByteBuffer out) {
            le(out).putInt(argsz).putInt(flags).putInt(numRegions).putInt(numIrqs);
        }

        public static DeviceInfo decode(ByteBuffer in) {
            if (in.remaining() < SIZE) {
                return null;
            }
            ByteBuffer b = le(in);
            return new DeviceInfo(b.getInt(), b.getInt(), b.getInt(), b.getInt());
        }
    }

    /**
     * DEVICE_GET_REGION_INFO: argsz u32, flags u32, index u32, cap_offset u32, size u64, offset u64
     * (VFIO's vfio_region_info; the offset is into the fd sent with the reply when mappable).
     */
    public record RegionInfo(int argsz, int flags, int index, int capOffset, long size, long offset) {
        public static final int SIZE = 32;
        /** VFIO's region flags: readable, writable, mmap-able (an fd comes with the reply), has capabilities. */
        public static final int FLAG_READ = 1;
        public static final int FLAG_WRITE = 2;
        public static final int FLAG_MMAP = 4;
        public static final int FLAG_CAPS = 8;

        public void encode(ByteBuffer out) {
            le(out).putInt(argsz).putInt(flags).putInt(index).putInt(capOffset).putLong(size).putLong(offset);
        }

        public static RegionInfo decode(ByteBuffer in) {
            if (in.remaining() < SIZE) {
                return null;
            }
            ByteBuffer b = le(in);
            return new RegionInfo(b.getInt(), b.getInt(), b.getInt(), b.getInt(), b.getLong(), b.getLong());
        }
    }

    /**
     * The sparse-mmap capability of a region (VFIO's vfio_region_info_cap_sparse_mmap), placed
     * after the region info at its cap_offset: header id u16 (1), version u16 (1), next u32 (0),
     * nr_areas u32, reserved u32, then per area offset u64 and size u64 (into the region; the
     * parts of the fd the client may mmap).
     */
    public record SparseMmap(long[] offsets, long[] sizes) {
        public static final int ID = 1;
        public static final int VERSION = 1;
        public static final int HEADER_SIZE = 16;
        public static final int AREA_SIZE = 16;

        public SparseMmap {
            if (offsets.length != sizes.length) {
                throw new IllegalArgumentException("sparse mmap: " + offsets.length + " offsets but "
                        + sizes.length + " sizes");
            }
            offsets = offsets.clone();
            sizes = sizes.clone();
        }

        public int areas() {
            return offsets.length;
        }

        public int byteSize() {
            return HEADER_SIZE + AREA_SIZE * offsets.length;
        }

        public void encode(ByteBuffer out) {
            le(out).putShort((short) ID).putShort((short) VERSION).putInt(0).putInt(offsets.length).putInt(0);
            for (int i = 0; i < offsets.length; i++) {
                out.putLong(offsets[i]).putLong(sizes[i]);
            }
        }

        /** Null when shorter than its header, not this capability, or shorter than its areas. */
        public static SparseMmap decode(ByteBuffer in) {
            if (in.remaining() < HEADER_SIZE) {
                return null;
            }
            ByteBuffer b = le(in);
            int id = Short.toUnsignedInt(b.getShort());
            int version = Short.toUnsignedInt(b.getShort());
            b.getInt();
            long n = Integer.toUnsignedLong(b.getInt());
            b.getInt();
            if (id != ID || version != VERSION || n * AREA_SIZE > b.remaining()) {
                return null;
            }
            long[] o = new long[(int) n];
            long[] s = new long[(int) n];
            for (int i = 0; i < n; i++) {
                o[i] = b.getLong();
                s[i] = b.getLong();
            }
            return new SparseMmap(o, s);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof SparseMmap m && java.util.Arrays.equals(offsets, m.offsets)
                    && java.util.Arrays.equals(sizes, m.sizes);
        }

        @Override
        public int hashCode() {
            return 31 * java.util.Arrays.hashCode(offsets) + java.util.Arrays.hashCode(sizes);
        }

        @Override
        public String toString() {
            return "SparseMmap" + java.util.Arrays.toString(offsets) + java.util.Arrays.toString(sizes);
        }
    }

    /** DEVICE_GET_IRQ_INFO: argsz u32, flags u32, index u32, count u32 (VFIO's vfio_irq_info). */
    public record IrqInfo(int argsz, int flags, int index, int count) {
        public static final int SIZE = 16;

        public void encode(ByteBuffer out) {
            le(out).putInt(argsz).putInt(flags).putInt(index).putInt(count);
        }

        public static IrqInfo decode(ByteBuffer in) {
            if (in.remaining() < SIZE) {
                return null;
            }
            ByteBuffer b = le(in);
            return new IrqInfo(b.getInt(), b.getInt(), b.getInt(), b.getInt());
        }
    }

    /**
     * DEVICE_SET_IRQS: argsz u32, flags u32, index u32, start u32, count u32 (VFIO's vfio_irq_set
     * without its data; eventfds travel as the message's file descriptors).
     */
    public record SetIrqs(int argsz, int flags, int index, int start, int count) {
        public static final int SIZE = 20;

        public void encode(ByteBuffer out) {
            le(out).putInt(argsz).putInt(flags).putInt(index).putInt(start).putInt(count);
        }

        public static SetIrqs decode(ByteBuffer in) {
            if (in.remaining() < SIZE) {
                return null;
            }
            ByteBuffer b = le(in);
            return new SetIrqs(b.getInt(), b.getInt(), b.getInt(), b.getInt(), b.getInt());
        }
    }

    /** REGION_READ / REGION_WRITE: offset u64, region u32, count u32, then count data bytes (write, read reply). */
    public record RegionAccess(long offset, int region, int count) {
        public static final int SIZE = 16;

        public void encode(ByteBuffer out) {
            le(out).putLong(offset).putInt(region).putInt(count);
        }

        public static RegionAccess decode(ByteBuffer in) {
            if (in.remaining() < SIZE) {
                return null;
            }
            ByteBuffer b = le(in);
            return new RegionAccess(b.getLong(), b.getInt(), b.getInt());
        }
    }

    /**
     * DMA_READ / DMA_WRITE, sent by the server: address u64, count u64, then count data bytes in a
     * DMA_WRITE command and in a DMA_READ reply; a DMA_READ command and a DMA_WRITE reply carry
     * the 16 bytes alone.
     */
    public record DmaAccess(long address, long count) {
        public static final int SIZE = 16;

        /** The struct followed by {@code data} (DMA_WRITE command, DMA_READ reply). */
        public byte[] withData(byte[] data) {
            ByteBuffer b = ByteBuffer.allocate(SIZE + data.length);
            encode(b);
            b.put(data);
            return b.array();
        }

        public byte[] toBytes() {
            ByteBuffer b = ByteBuffer.allocate(SIZE);
            encode(b);
            return b.array();
        }

        public void encode(ByteBuffer out) {
            le(out).putLong(address).putLong(count);
        }

        public static DmaAccess decode(ByteBuffer in) {
            if (in.remaining() < SIZE) {
                return null;
            }
            ByteBuffer b = le(in);
            return new DmaAccess(b.getLong(), b.getLong());
        }
    }
}
