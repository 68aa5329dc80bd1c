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

        public static DmaMap decode(ByteBuffer in) {
            if (in.remaining() < SIZE) {
                return null;
            }
            ByteBuffer b = le(in);
            return new DmaMap(b.getInt(), b.getInt(), b.getLong(), b.getLong(), b.getLong());
        }
    }

    /** DMA_UNMAP: argsz u32, flags u32 (bit 1 unmap all), address u64, size u64. */
    public record DmaUnmap(int argsz, int flags, long address, long size) {
        public static final int SIZE = 24;
        public static final int FLAG_ALL = 2;

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

    /** DMA_READ / DMA_WRITE: address u64, count u64, then count data bytes (write, read reply). */
    public record DmaAccess(long address, long count) {
        public static final int SIZE = 16;

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
