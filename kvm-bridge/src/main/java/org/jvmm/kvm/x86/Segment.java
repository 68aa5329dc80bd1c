package org.jvmm.kvm.x86;

/**
 * A segment register's hidden state, as struct kvm_segment: base, limit, selector and the
 * unpacked descriptor attributes.
 */
public record Segment(long base, int limit, int selector, int type, boolean present, int dpl, boolean db,
        boolean s, boolean l, boolean g, boolean avl, boolean unusable) {

    /** A flat 64-bit code segment (L=1, D=0), execute/read accessed (type 11), ring 0. */
    public static Segment code64(int selector) {
        return new Segment(0, 0xffff_ffff, selector, 11, true, 0, false, true, true, true, false, false);
    }

    /** A flat read/write accessed data segment (type 3), 4 GiB, ring 0. */
    public static Segment data(int selector) {
        return new Segment(0, 0xffff_ffff, selector, 3, true, 0, true, true, false, true, false, false);
    }

    /** A busy 64-bit TSS (type 11, system) for the task register. */
    public static Segment tss64(int selector, long base, int limit) {
        return new Segment(base, limit, selector, 11, true, 0, false, false, false, false, false, false);
    }

    /** A real-mode segment with base selector * 16 and a 64 KiB limit. */
    public static Segment realMode(int selector, int type) {
        return new Segment((long) selector << 4, 0xffff, selector, type, true, 0, false, true, false, false, false, false);
    }
}
