package org.jvmm.kvm.linux;

import java.util.OptionalLong;
import org.jvmm.host.sys.EventFd;
import org.jvmm.kvm.IoEventAddress;
import org.jvmm.kvm.IoEventFd;

/** An ioeventfd of a {@link LinuxVm}; closing deassigns it. Any thread; state guarded by the VM. */
final class LinuxIoEventFd implements IoEventFd {
    private final LinuxVm vm;
    private final EventFd eventFd;
    private final IoEventAddress address;
    private final int length;
    private final OptionalLong datamatch;
    private boolean closed;

    LinuxIoEventFd(LinuxVm vm, EventFd eventFd, IoEventAddress address, int length, OptionalLong datamatch) {
        this.vm = vm;
        this.eventFd = eventFd;
        this.address = address;
        this.length = length;
        this.datamatch = datamatch;
    }

    @Override
    public EventFd eventFd() {
        return eventFd;
    }

    @Override
    public IoEventAddress address() {
        return address;
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public OptionalLong datamatch() {
        return datamatch;
    }

    @Override
    public void close() {
        synchronized (vm) {
            if (closed) {
                throw new IllegalStateException(this + " closed twice");
            }
            if (eventFd.isClosed()) {
                throw new IllegalStateException(this + ": its eventfd was closed first; close the ioeventfd before the "
                        + "eventfd it names (the kernel finds the ioeventfd by that fd)");
            }
            vm.deassignIoeventfd(this);
            closed = true;
        }
    }

    @Override
    public String toString() {
        return "IoEventFd[" + address + " len=" + length
                + (datamatch.isPresent() ? " datamatch=0x" + Long.toHexString(datamatch.getAsLong()) : "") + " -> "
                + eventFd + "]";
    }
}
