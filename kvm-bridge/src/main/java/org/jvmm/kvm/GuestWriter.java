package org.jvmm.kvm;

import java.lang.foreign.MemorySegment;
import org.jvmm.address.GuestAddress;

/**
 * Where boot helpers (the ELF loader, the x86 long-mode setup) put bytes in guest-physical
 * memory. The VMM adapts its guest memory to it; {@link #of} adapts one RAM segment.
 * An implementation refuses a range outside guest RAM with an IllegalArgumentException naming it,
 * before writing anything.
 */
public interface GuestWriter {

    /** Copies {@code bytes} to guest-physical {@code address}. */
    void write(GuestAddress address, byte[] bytes);

    /** Writes {@code length} zero bytes at {@code address}. */
    void zero(GuestAddress address, long length);

    /** Checks, without writing, that [address, address + length) is guest RAM; throws like a write would. */
    void check(GuestAddress address, long length, String what);

    /** A writer over one RAM segment that starts at guest-physical {@code base}. */
    static GuestWriter of(GuestAddress base, MemorySegment ram) {
        return new GuestWriter() {
            private long offset(GuestAddress address, long length, String what) {
                long off = address.value() - base.value();
                if (Long.compareUnsigned(address.value(), base.value()) < 0 || length < 0
                        || Long.compareUnsigned(off, ram.byteSize()) > 0 || length > ram.byteSize() - off) {
                    throw new IllegalArgumentException(what + " [" + address + ", +0x" + Long.toHexString(length)
                            + ") is outside guest RAM [" + base + ", +0x" + Long.toHexString(ram.byteSize()) + ")");
                }
                return off;
            }

            @Override
            public void write(GuestAddress address, byte[] bytes) {
                long off = offset(address, bytes.length, "write of");
                MemorySegment.copy(MemorySegment.ofArray(bytes), 0, ram, off, bytes.length);
            }

            @Override
            public void check(GuestAddress address, long length, String what) {
                offset(address, length, what);
            }

            @Override
            public void zero(GuestAddress address, long length) {
                long off = offset(address, length, "zero fill of");
                ram.asSlice(off, length).fill((byte) 0);
            }
        };
    }
}
