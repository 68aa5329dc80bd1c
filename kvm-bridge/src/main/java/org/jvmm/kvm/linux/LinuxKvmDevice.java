package org.jvmm.kvm.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.jvmm.host.Errno;
import org.jvmm.host.sys.Syscalls;
import org.jvmm.kvm.KvmDevice;
import org.jvmm.kvm.KvmDeviceType;

/**
 * A KVM device fd of a {@link LinuxVm}. Closing closes the fd; whether the kernel destroys the
 * device with it is the device type's rule (see {@link KvmDevice}). Any thread.
 */
public final class LinuxKvmDevice implements KvmDevice {
    private final LinuxVm vm;
    private final Syscalls sys;
    private final KvmDeviceType type;
    private final int fd;
    private volatile boolean closed;

    LinuxKvmDevice(LinuxVm vm, Syscalls sys, KvmDeviceType type, int fd) {
        this.vm = vm;
        this.sys = sys;
        this.type = type;
        this.fd = fd;
    }

    @Override
    public KvmDeviceType type() {
        return type;
    }

    /** The device fd. */
    public int fd() {
        return fd;
    }

    @Override
    public void setAttribute(int group, long attribute, MemorySegment value) {
        attr(KvmIoctls.KVM_SET_DEVICE_ATTR, "KVM_SET_DEVICE_ATTR", group, attribute, value);
    }

    @Override
    public void getAttribute(int group, long attribute, MemorySegment value) {
        attr(KvmIoctls.KVM_GET_DEVICE_ATTR, "KVM_GET_DEVICE_ATTR", group, attribute, value);
    }

    @Override
    public boolean hasAttribute(int group, long attribute) {
        int r = attrRaw(KvmIoctls.KVM_HAS_DEVICE_ATTR, "KVM_HAS_DEVICE_ATTR", group, attribute, MemorySegment.NULL);
        if (r == -Errno.ENXIO.number()) {
            return false;
        }
        Syscalls.check(r, "KVM_HAS_DEVICE_ATTR", detail(group, attribute));
        return true;
    }

    private void attr(long request, String op, int group, long attribute, MemorySegment value) {
        Syscalls.check(attrRaw(request, op, group, attribute, value), op, detail(group, attribute));
    }

    private int attrRaw(long request, String op, int group, long attribute, MemorySegment value) {
        if (closed) {
            throw new IllegalStateException(op + ": " + this + " is closed");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(KvmStructs.DEVICE_ATTR_SIZE, 8);
            s.set(ValueLayout.JAVA_INT, 4, group);
            s.set(ValueLayout.JAVA_LONG, 8, attribute);
            s.set(ValueLayout.JAVA_LONG, 16, value.address());
            return sys.ioctl(fd, request, s);
        }
    }

    private String detail(int group, long attribute) {
        return type.uapiName() + " fd=" + fd + ", group=" + group + ", attr=" + attribute;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            throw new IllegalStateException(this + " closed twice");
        }
        closed = true;
        Syscalls.check(sys.close(fd), "close", type.uapiName() + " fd=" + fd);
        vm.forget(this);
    }

    @Override
    public String toString() {
        return "KvmDevice[" + type.uapiName() + " fd=" + fd + (closed ? ", closed" : "") + "]";
    }
}
