package org.jvmm.kvm.soft;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.kvm.KvmDevice;
import org.jvmm.kvm.KvmDeviceType;
import org.jvmm.kvm.soft.xics.SoftXics;

/**
 * The fd of the soft VM's XICS device (KVM_DEV_TYPE_XICS, Linux arch/powerpc/kvm/book3s_xics.c).
 * Group {@link #GRP_SOURCES}: the attribute is a source number, the value a u64 laid out as
 * arch/powerpc/include/uapi/asm/kvm.h says (server in bits 0-31, priority in 32-39,
 * {@link #LEVEL_SENSITIVE}, {@link #MASKED}, {@link #PENDING}). Get: ENOENT for a source outside
 * the ICS or never set/claimed; the priority field is the saved priority when the source is
 * masked. Set: ENOENT outside the ICS, EINVAL for an unmasked priority aimed at a server with no
 * ICP. PRESENTED and QUEUED are not reported. Other groups: ENXIO.
 *
 * <p>Thread-safe.
 */
final class SoftXicsDevice implements KvmDevice {
    /** KVM_DEV_XICS_GRP_SOURCES. */
    static final int GRP_SOURCES = 1;
    static final long LEVEL_SENSITIVE = 1L << 40;
    static final long MASKED = 1L << 41;
    static final long PENDING = 1L << 42;

    private final SoftVm vm;
    private final SoftXics xics;
    private volatile boolean closed;

    SoftXicsDevice(SoftVm vm, SoftXics xics) {
        this.vm = vm;
        this.xics = xics;
    }

    @Override
    public KvmDeviceType type() {
        return KvmDeviceType.XICS;
    }

    private void check(String op, int group, long attribute) {
        if (closed) {
            throw new ErrnoException(op, Errno.EBADF, "XICS device fd is closed");
        }
        if (group != GRP_SOURCES) {
            throw new ErrnoException(op, Errno.ENXIO, "XICS: no attribute group " + group);
        }
        if (!xics.validIrq(attribute)) {
            throw new ErrnoException(op, Errno.ENOENT, "XICS: source 0x" + Long.toHexString(attribute) + " is outside the ICS");
        }
    }

    @Override
    public void setAttribute(int group, long attribute, MemorySegment value) {
        String op = "KVM_SET_DEVICE_ATTR";
        check(op, group, attribute);
        long v = value.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
        int server = (int) v;
        int prio = (int) (v >>> 32) & 0xff;
        if (prio != SoftXics.MASKED && !xics.hasServer(server & 0xffff_ffffL)) {
            throw new ErrnoException(op, Errno.EINVAL, "XICS: source 0x" + Long.toHexString(attribute)
                    + " aimed at server " + Integer.toUnsignedString(server) + ", which has no ICP");
        }
        int current = (v & MASKED) != 0 ? SoftXics.MASKED : prio;
        xics.setSource((int) attribute, server, current, prio, (v & LEVEL_SENSITIVE) != 0, (v & PENDING) != 0);
    }

    @Override
    public void getAttribute(int group, long attribute, MemorySegment value) {
        String op = "KVM_GET_DEVICE_ATTR";
        check(op, group, attribute);
        int irq = (int) attribute;
        if (!xics.claimed(irq)) {
            throw new ErrnoException(op, Errno.ENOENT, "XICS: source 0x" + Integer.toHexString(irq) + " does not exist");
        }
        int[] s = xics.xiveState(irq);
        long v = s[0] & 0xffff_ffffL;
        int prio = s[1];
        if (prio == SoftXics.MASKED) {
            v |= MASKED;
            prio = s[2];
        }
        v |= (long) prio << 32;
        if (xics.claimedAs(irq, true)) {
            v |= LEVEL_SENSITIVE;
        }
        if (xics.pending(irq)) {
            v |= PENDING;
        }
        value.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, v);
    }

    @Override
    public boolean hasAttribute(int group, long attribute) {
        return !closed && group == GRP_SOURCES && xics.validIrq(attribute);
    }

    @Override
    public void close() {
        if (closed) {
            throw new IllegalStateException("XICS device closed twice");
        }
        closed = true;
        vm.closed(this);
    }
}
