package org.jvmm.kvm.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.jvmm.address.GuestAddress;
import org.jvmm.address.HostAddress;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.host.sys.EventFd;
import org.jvmm.host.sys.Linux;
import org.jvmm.host.sys.Syscalls;
import org.jvmm.kvm.Capability;
import org.jvmm.kvm.Gsi;
import org.jvmm.kvm.GsiRoute;
import org.jvmm.kvm.IoEventAddress;
import org.jvmm.kvm.IoEventFd;
import org.jvmm.kvm.IrqFd;
import org.jvmm.kvm.KvmDeviceType;
import org.jvmm.kvm.Memslot;
import org.jvmm.kvm.MemslotFlag;
import org.jvmm.kvm.MsiMessage;
import org.jvmm.kvm.x86.X86Vm;

/**
 * A KVM VM fd and what hangs off it.
 *
 * <p>Thread rules as {@link org.jvmm.kvm.Vm}: any thread; the VM's monitor guards the slot
 * bitmap and the set of open children, and is held across the ioctl that changes them so that
 * bookkeeping and kernel agree. It is never held while a vCPU runs and never taken by a vCPU
 * thread inside {@code run()}.
 */
public final class LinuxVm implements X86Vm {
    private static final String SET_REGION = "KVM_SET_USER_MEMORY_REGION";

    private final Syscalls sys;
    private final int fd;
    private final int vcpuMmapSize;
    private final HostMemoryRegistry hostMemory;
    private final BitSet usedSlots = new BitSet();
    private final Set<AutoCloseable> open = new LinkedHashSet<>();
    private int maxSlots = -1;
    private boolean immediateExitChecked;
    private boolean closed;

    LinuxVm(Syscalls sys, int fd, int vcpuMmapSize, HostMemoryRegistry hostMemory) {
        this.sys = sys;
        this.fd = fd;
        this.vcpuMmapSize = vcpuMmapSize;
        this.hostMemory = hostMemory;
    }

    /** The VM file descriptor (for diagnostics and the benchmarks' reference comparisons). */
    public int fd() {
        return fd;
    }

    /** KVM_CHECK_EXTENSION on the VM fd: what this VM offers (may differ from the system answer). */
    public int checkExtension(Capability capability) {
        ensureOpen("KVM_CHECK_EXTENSION");
        return Syscalls.check(sys.ioctl(fd, KvmIoctls.KVM_CHECK_EXTENSION, (long) capability.number()),
                "KVM_CHECK_EXTENSION", capability.uapiName());
    }

    /** Like {@link org.jvmm.kvm.Kvm#requireExtension}, on this VM. */
    public int requireExtension(Capability capability, String neededFor) {
        int v = checkExtension(capability);
        if (v <= 0) {
            throw new ErrnoException("KVM_CHECK_EXTENSION", Errno.EOPNOTSUPP, capability.uapiName() + " ("
                    + capability.number() + ") is not offered by this host's KVM; it is needed for " + neededFor);
        }
        return v;
    }

    @Override
    public LinuxVcpu createVcpu(int id) {
        synchronized (this) {
            ensureOpen("KVM_CREATE_VCPU");
            if (!immediateExitChecked) {
                requireExtension(Capability.IMMEDIATE_EXIT, "stopping a running vCPU from outside (Vcpu.kick)");
                immediateExitChecked = true;
            }
            int vcpuFd = Syscalls.check(sys.ioctl(fd, KvmIoctls.KVM_CREATE_VCPU, (long) id), "KVM_CREATE_VCPU", "id=" + id);
            LinuxVcpu vcpu;
            try {
                vcpu = LinuxVcpu.map(this, sys, id, vcpuFd, vcpuMmapSize);
            } catch (RuntimeException e) {
                sys.close(vcpuFd);
                throw e;
            }
            open.add(vcpu);
            return vcpu;
        }
    }

    @Override
    public synchronized Memslot mapMemory(GuestAddress guestAddress, long size, HostAddress hostAddress,
            Set<MemslotFlag> flags) {
        ensureOpen(SET_REGION);
        Set<MemslotFlag> flagSet = flags.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(flags));
        String detail = "guest=" + guestAddress + ", size=0x" + Long.toHexString(size) + ", host=" + hostAddress
                + ", flags=" + flagSet;
        if (size <= 0 || size % Linux.PAGE_SIZE != 0 || !guestAddress.isAligned(Linux.PAGE_SIZE)
                || !hostAddress.isAligned(Linux.PAGE_SIZE)) {
            throw new ErrnoException(SET_REGION, Errno.EINVAL, detail
                    + ": size must be positive and addresses and size page aligned");
        }
        if (hostMemory.find(hostAddress, size) == null) {
            throw new ErrnoException(SET_REGION, Errno.EFAULT, detail
                    + ": the host range is not inside one mapping of this VM's host memory registry");
        }
        if (flagSet.contains(MemslotFlag.READONLY)) {
            requireExtension(Capability.READONLY_MEM, "a read-only memslot");
        }
        if (maxSlots < 0) {
            int n = checkExtension(Capability.NR_MEMSLOTS);
            maxSlots = n > 0 ? n : 32;
        }
        int slot = usedSlots.nextClearBit(0);
        if (slot >= maxSlots) {
            throw new ErrnoException(SET_REGION, Errno.ENOSPC, detail + ": all " + maxSlots + " memslots are in use");
        }
        setRegion(slot, MemslotFlag.toBits(flagSet), guestAddress, size, hostAddress, detail);
        usedSlots.set(slot);
        LinuxMemslot m = new LinuxMemslot(this, slot, guestAddress, size, hostAddress, flagSet);
        open.add(m);
        return m;
    }

    synchronized void deleteMemslot(LinuxMemslot m) {
        ensureOpen(SET_REGION);
        setRegion(m.slot(), 0, m.guestAddress(), 0, m.hostAddress(), "delete slot " + m.slot());
        usedSlots.clear(m.slot());
        open.remove(m);
    }

    private void setRegion(int slot, int flags, GuestAddress guest, long size, HostAddress host, String detail) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment r = arena.allocate(KvmStructs.MemoryRegion.SIZE, 8);
            r.set(ValueLayout.JAVA_INT, KvmStructs.MemoryRegion.SLOT, slot);
            r.set(ValueLayout.JAVA_INT, KvmStructs.MemoryRegion.FLAGS, flags);
            r.set(ValueLayout.JAVA_LONG, KvmStructs.MemoryRegion.GUEST_PHYS_ADDR, guest.value());
            r.set(ValueLayout.JAVA_LONG, KvmStructs.MemoryRegion.MEMORY_SIZE, size);
            r.set(ValueLayout.JAVA_LONG, KvmStructs.MemoryRegion.USERSPACE_ADDR, host.value());
            Syscalls.check(sys.ioctl(fd, KvmIoctls.KVM_SET_USER_MEMORY_REGION, r), SET_REGION,
                    "slot=" + slot + ", " + detail);
        }
    }

    @Override
    public synchronized void createIrqchip() {
        ensureOpen("KVM_CREATE_IRQCHIP");
        requireExtension(Capability.IRQCHIP, "an in-kernel irqchip");
        Syscalls.check(sys.ioctl(fd, KvmIoctls.KVM_CREATE_IRQCHIP, 0L), "KVM_CREATE_IRQCHIP", "");
    }

    @Override
    public void irqLine(Gsi gsi, boolean level) {
        ensureOpen("KVM_IRQ_LINE");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(KvmStructs.IRQ_LEVEL_SIZE, 8);
            s.set(ValueLayout.JAVA_INT, 0, gsi.value());
            s.set(ValueLayout.JAVA_INT, 4, level ? 1 : 0);
            Syscalls.check(sys.ioctl(fd, KvmIoctls.KVM_IRQ_LINE, s), "KVM_IRQ_LINE", gsi + ", level=" + (level ? 1 : 0));
        }
    }

    @Override
    public int signalMsi(MsiMessage message) {
        ensureOpen("KVM_SIGNAL_MSI");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(KvmStructs.MSI_SIZE, 8);
            s.set(ValueLayout.JAVA_INT, 0, (int) message.address());
            s.set(ValueLayout.JAVA_INT, 4, (int) (message.address() >>> 32));
            s.set(ValueLayout.JAVA_INT, 8, message.data());
            return Syscalls.check(sys.ioctl(fd, KvmIoctls.KVM_SIGNAL_MSI, s), "KVM_SIGNAL_MSI", message.toString());
        }
    }

    @Override
    public synchronized void setGsiRouting(List<GsiRoute> routes) {
        ensureOpen("KVM_SET_GSI_ROUTING");
        try (Arena arena = Arena.ofConfined()) {
            long entrySize = KvmStructs.Routing.ENTRY_SIZE;
            MemorySegment s = arena.allocate(KvmStructs.Routing.HEADER_SIZE + routes.size() * entrySize, 8);
            s.set(ValueLayout.JAVA_INT, 0, routes.size());
            for (int i = 0; i < routes.size(); i++) {
                long e = KvmStructs.Routing.HEADER_SIZE + i * entrySize;
                GsiRoute route = routes.get(i);
                s.set(ValueLayout.JAVA_INT, e + KvmStructs.Routing.ENTRY_GSI, route.gsi().value());
                long u = e + KvmStructs.Routing.ENTRY_U;
                switch (route) {
                    case GsiRoute.IrqchipPin p -> {
                        s.set(ValueLayout.JAVA_INT, e + KvmStructs.Routing.ENTRY_TYPE, KvmIoctls.KVM_IRQ_ROUTING_IRQCHIP);
                        s.set(ValueLayout.JAVA_INT, u, p.chip());
                        s.set(ValueLayout.JAVA_INT, u + 4, p.pin());
                    }
                    case GsiRoute.Msi m -> {
                        s.set(ValueLayout.JAVA_INT, e + KvmStructs.Routing.ENTRY_TYPE, KvmIoctls.KVM_IRQ_ROUTING_MSI);
                        s.set(ValueLayout.JAVA_INT, u, (int) m.message().address());
                        s.set(ValueLayout.JAVA_INT, u + 4, (int) (m.message().address() >>> 32));
                        s.set(ValueLayout.JAVA_INT, u + 8, m.message().data());
                    }
                }
            }
            Syscalls.check(sys.ioctl(fd, KvmIoctls.KVM_SET_GSI_ROUTING, s), "KVM_SET_GSI_ROUTING", "routes=" + routes);
        }
    }

    @Override
    public IrqFd irqfd(EventFd eventFd, Gsi gsi) {
        return assignIrqfd(eventFd, gsi, null);
    }

    @Override
    public IrqFd irqfd(EventFd eventFd, Gsi gsi, EventFd resample) {
        if (resample == null) {
            throw new IllegalArgumentException("KVM_IRQFD: resample eventfd is null; use irqfd(eventFd, gsi)");
        }
        return assignIrqfd(eventFd, gsi, resample);
    }

    private synchronized IrqFd assignIrqfd(EventFd eventFd, Gsi gsi, EventFd resample) {
        ensureOpen("KVM_IRQFD");
        int flags = resample == null ? 0 : KvmIoctls.KVM_IRQFD_FLAG_RESAMPLE;
        irqfdIoctl(eventFd, gsi, resample, flags);
        LinuxIrqFd irqfd = new LinuxIrqFd(this, eventFd, gsi, resample);
        open.add(irqfd);
        return irqfd;
    }

    synchronized void deassignIrqfd(LinuxIrqFd irqfd) {
        ensureOpen("KVM_IRQFD");
        irqfdIoctl(irqfd.eventFd(), irqfd.gsi(), null, KvmIoctls.KVM_IRQFD_FLAG_DEASSIGN);
        open.remove(irqfd);
    }

    private void irqfdIoctl(EventFd eventFd, Gsi gsi, EventFd resample, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(KvmStructs.IRQFD_SIZE, 8);
            s.set(ValueLayout.JAVA_INT, 0, eventFd.fd());
            s.set(ValueLayout.JAVA_INT, 4, gsi.value());
            s.set(ValueLayout.JAVA_INT, 8, flags);
            s.set(ValueLayout.JAVA_INT, 12, resample == null ? 0 : resample.fd());
            Syscalls.check(sys.ioctl(fd, KvmIoctls.KVM_IRQFD, s), "KVM_IRQFD", "fd=" + eventFd.fd() + ", " + gsi
                    + ", flags=0x" + Integer.toHexString(flags) + (resample == null ? "" : ", resamplefd=" + resample.fd()));
        }
    }

    @Override
    public synchronized IoEventFd ioeventfd(EventFd eventFd, IoEventAddress address, int length,
            OptionalLong datamatch) {
        ensureOpen("KVM_IOEVENTFD");
        if (length != 0 && length != 1 && length != 2 && length != 4 && length != 8) {
            throw new ErrnoException("KVM_IOEVENTFD", Errno.EINVAL, "len=" + length + " at " + address
                    + ": length must be 0 (any), 1, 2, 4 or 8");
        }
        if (length == 0) {
            requireExtension(Capability.IOEVENTFD_ANY_LENGTH, "an ioeventfd of any length");
        }
        ioeventfdIoctl(eventFd, address, length, datamatch, 0);
        LinuxIoEventFd io = new LinuxIoEventFd(this, eventFd, address, length, datamatch);
        open.add(io);
        return io;
    }

    synchronized void deassignIoeventfd(LinuxIoEventFd io) {
        ensureOpen("KVM_IOEVENTFD");
        ioeventfdIoctl(io.eventFd(), io.address(), io.length(), io.datamatch(), KvmIoctls.KVM_IOEVENTFD_FLAG_DEASSIGN);
        open.remove(io);
    }

    private void ioeventfdIoctl(EventFd eventFd, IoEventAddress address, int length, OptionalLong datamatch, int extra) {
        int flags = extra;
        if (address instanceof IoEventAddress.Pio) {
            flags |= KvmIoctls.KVM_IOEVENTFD_FLAG_PIO;
        }
        if (datamatch.isPresent()) {
            flags |= KvmIoctls.KVM_IOEVENTFD_FLAG_DATAMATCH;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(KvmStructs.IOEVENTFD_SIZE, 8);
            s.set(ValueLayout.JAVA_LONG, 0, datamatch.orElse(0));
            s.set(ValueLayout.JAVA_LONG, 8, address.raw());
            s.set(ValueLayout.JAVA_INT, 16, length);
            s.set(ValueLayout.JAVA_INT, 20, eventFd.fd());
            s.set(ValueLayout.JAVA_INT, 24, flags);
            Syscalls.check(sys.ioctl(fd, KvmIoctls.KVM_IOEVENTFD, s), "KVM_IOEVENTFD", address + ", len=" + length
                    + ", fd=" + eventFd.fd() + ", flags=0x" + Integer.toHexString(flags)
                    + (datamatch.isPresent() ? ", datamatch=0x" + Long.toHexString(datamatch.getAsLong()) : ""));
        }
    }

    @Override
    public boolean supportsDevice(KvmDeviceType type) {
        ensureOpen("KVM_CREATE_DEVICE");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(KvmStructs.CREATE_DEVICE_SIZE, 4);
            s.set(ValueLayout.JAVA_INT, 0, type.number());
            s.set(ValueLayout.JAVA_INT, 8, KvmIoctls.KVM_CREATE_DEVICE_TEST);
            int r = sys.ioctl(fd, KvmIoctls.KVM_CREATE_DEVICE, s);
            if (r == -Errno.ENODEV.number()) {
                return false;
            }
            Syscalls.check(r, "KVM_CREATE_DEVICE", type.uapiName() + " (test)");
            return true;
        }
    }

    @Override
    public synchronized LinuxKvmDevice createDevice(KvmDeviceType type) {
        ensureOpen("KVM_CREATE_DEVICE");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(KvmStructs.CREATE_DEVICE_SIZE, 4);
            s.set(ValueLayout.JAVA_INT, 0, type.number());
            Syscalls.check(sys.ioctl(fd, KvmIoctls.KVM_CREATE_DEVICE, s), "KVM_CREATE_DEVICE",
                    type.uapiName() + " (" + type.number() + ")");
            LinuxKvmDevice d = new LinuxKvmDevice(this, sys, type, s.get(ValueLayout.JAVA_INT, 4));
            open.add(d);
            return d;
        }
    }

    @Override
    public synchronized void setTssAddress(GuestAddress address) {
        ensureOpen("KVM_SET_TSS_ADDR");
        Syscalls.check(sys.ioctl(fd, KvmIoctls.KVM_SET_TSS_ADDR, address.value()), "KVM_SET_TSS_ADDR", "addr=" + address);
    }

    @Override
    public synchronized void createPit2(boolean speakerDummy) {
        ensureOpen("KVM_CREATE_PIT2");
        requireExtension(Capability.PIT2, "the in-kernel PIT");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(KvmStructs.PIT_CONFIG_SIZE, 4);
            s.set(ValueLayout.JAVA_INT, 0, speakerDummy ? KvmIoctls.KVM_PIT_SPEAKER_DUMMY : 0);
            Syscalls.check(sys.ioctl(fd, KvmIoctls.KVM_CREATE_PIT2, s), "KVM_CREATE_PIT2",
                    "flags=" + (speakerDummy ? "KVM_PIT_SPEAKER_DUMMY" : "0"));
        }
    }

    @Override
    public synchronized void setIdentityMapAddress(GuestAddress address) {
        ensureOpen("KVM_SET_IDENTITY_MAP_ADDR");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocateFrom(ValueLayout.JAVA_LONG, address.value());
            Syscalls.check(sys.ioctl(fd, KvmIoctls.KVM_SET_IDENTITY_MAP_ADDR, s), "KVM_SET_IDENTITY_MAP_ADDR",
                    "addr=" + address);
        }
    }

    /** Called by children as they close. */
    synchronized void forget(AutoCloseable child) {
        open.remove(child);
    }

    synchronized void ensureOpen(String op) {
        if (closed) {
            throw new IllegalStateException(op + ": VM fd " + fd + " is closed");
        }
    }

    /** What is still open (for error messages and tests). */
    public synchronized List<String> openChildren() {
        List<String> names = new ArrayList<>();
        open.forEach(c -> names.add(c.toString()));
        return names;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            throw new IllegalStateException("VM fd " + fd + " closed twice");
        }
        if (!open.isEmpty()) {
            throw new IllegalStateException("VM fd " + fd + " cannot close while its owner still holds " + openChildren()
                    + ": close them first");
        }
        closed = true;
        Syscalls.check(sys.close(fd), "close", "VM fd=" + fd);
    }

    @Override
    public String toString() {
        return "LinuxVm[fd=" + fd + (closed ? ", closed" : "") + "]";
    }
}
