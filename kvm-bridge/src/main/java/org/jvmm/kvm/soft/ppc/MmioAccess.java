package org.jvmm.kvm.soft.ppc;

import java.nio.ByteOrder;
import java.util.Objects;
import org.jvmm.address.GuestAddress;

/**
 * One guest load or store that fell outside guest RAM, as KVM reports an MMIO exit: the
 * guest-physical address, the access size (1, 2, 4 or 8 bytes), the byte order in which the value
 * travels on the bus, the direction, and for a store the value.
 *
 * <p>{@code value} is numeric: its low {@code size} bytes laid out in {@code order} are the bytes
 * on the bus ({@link #data()}). A plain {@code stw} from a little-endian guest has order
 * LITTLE_ENDIAN; {@code stwbrx} from the same guest has BIG_ENDIAN. For a load, the value field is 0
 * and the handler answers with the numeric value the bus bytes mean in {@code order}.
 */
public record MmioAccess(GuestAddress address, int size, ByteOrder order, boolean write, long value) {

    public MmioAccess {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(order, "order");
        if (size != 1 && size != 2 && size != 4 && size != 8) {
            throw new IllegalArgumentException("MMIO access at " + address + ": size " + size + " is not 1, 2, 4 or 8");
        }
        if (!write && value != 0) {
            throw new IllegalArgumentException("MMIO load at " + address + " carries a value 0x" + Long.toHexString(value));
        }
        value &= sizeMask(size);
    }

    /** The bytes on the bus, lowest address first. */
    public byte[] data() {
        byte[] out = new byte[size];
        for (int i = 0; i < size; i++) {
            int shift = order == ByteOrder.LITTLE_ENDIAN ? 8 * i : 8 * (size - 1 - i);
            out[i] = (byte) (value >>> shift);
        }
        return out;
    }

    /** The numeric value that bus bytes {@code data} (lowest address first) mean in {@code order}. */
    public static long valueOf(byte[] data, ByteOrder order) {
        long v = 0;
        for (int i = 0; i < data.length; i++) {
            int shift = order == ByteOrder.LITTLE_ENDIAN ? 8 * i : 8 * (data.length - 1 - i);
            v |= (data[i] & 0xffL) << shift;
        }
        return v;
    }

    static long sizeMask(int size) {
        return size == 8 ? -1L : (1L << (8 * size)) - 1;
    }
}
