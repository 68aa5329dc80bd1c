package org.jvmm.kvm.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.host.sys.Linux;
import org.jvmm.host.sys.Syscalls;
import org.jvmm.kvm.Capability;
import org.jvmm.kvm.x86.CpuidEntry;
import org.jvmm.kvm.x86.X86Kvm;

/**
 * /dev/kvm, opened through the syscall seam. {@link #open()} explains a missing or forbidden
 * device in its error; {@link #unavailableReason()} gives that explanation to tests that must be
 * skipped without KVM.
 *
 * <p>Thread-safe: ioctls on the system fd may come from any thread. Closing does not affect VMs
 * made from it.
 */
public final class LinuxKvm implements X86Kvm {
    /** The device node. */
    public static final String DEVICE = "/dev/kvm";

    private final Syscalls sys;
    private final String path;
    private final int fd;
    private final int vcpuMmapSize;
    private volatile boolean closed;

    private LinuxKvm(Syscalls sys, String path, int fd, int vcpuMmapSize) {
        this.sys = sys;
        this.path = path;
        this.fd = fd;
        this.vcpuMmapSize = vcpuMmapSize;
    }

    /** Opens /dev/kvm with the FFM syscalls. */
    public static LinuxKvm open() {
        return open(Syscalls.linux(), DEVICE);
    }

    /**
     * Opens {@code path} as the KVM device and checks its API version.
     *
     * @throws ErrnoException naming the cause: ENOENT (no KVM on this host), EACCES (no permission
     *         on the device), ENXIO/ENODEV (no driver behind the node), EINVAL (wrong API version)
     */
    public static LinuxKvm open(Syscalls sys, String path) {
        int fd = sys.open(path, Linux.O_RDWR | Linux.O_CLOEXEC);
        if (fd < 0) {
            throw new ErrnoException("open " + path, -fd, explainOpenFailure(path, -fd));
        }
        try {
            int api = Syscalls.check(sys.ioctl(fd, KvmIoctls.KVM_GET_API_VERSION, 0L), "KVM_GET_API_VERSION", path);
            if (api != KvmIoctls.KVM_API_VERSION) {
                throw new ErrnoException("KVM_GET_API_VERSION", Errno.EINVAL, path + " reports KVM API version " + api
                        + ", this backend speaks version " + KvmIoctls.KVM_API_VERSION);
            }
            int mmapSize = Syscalls.check(sys.ioctl(fd, KvmIoctls.KVM_GET_VCPU_MMAP_SIZE, 0L), "KVM_GET_VCPU_MMAP_SIZE",
                    path);
            if (mmapSize < KvmStructs.Run.SIZE) {
                throw new ErrnoException("KVM_GET_VCPU_MMAP_SIZE", Errno.EINVAL, "vCPU mmap size " + mmapSize
                        + " is smaller than struct kvm_run (" + KvmStructs.Run.SIZE + " bytes)");
            }
            return new LinuxKvm(sys, path, fd, mmapSize);
        } catch (RuntimeException e) {
            sys.close(fd);
            throw e;
        }
    }

    /**
     * Why KVM cannot be used here, or empty when /dev/kvm opens and speaks API 12. For JUnit
     * assumptions: the reason is the message {@link #open()} would throw.
     */
    public static Optional<String> unavailableReason() {
        try (LinuxKvm kvm = open()) {
            return Optional.empty();
        } catch (ErrnoException e) {
            return Optional.of(e.getMessage());
        }
    }

    static String explainOpenFailure(String path, int errno) {
        return switch (Errno.of(errno)) {
            case ENOENT -> path + " does not exist: this host offers no KVM (no hardware virtualization, "
                    + "or the kvm module is not loaded)";
            case EACCES, EPERM -> "permission denied on " + path + ": the user needs read and write access to it "
                    + "(usually membership of group kvm)";
            case ENXIO, ENODEV -> path + " exists but no KVM driver answers behind it";
            default -> "path=" + path;
        };
    }

    @Override
    public int apiVersion() {
        ensureOpen("KVM_GET_API_VERSION");
        return Syscalls.check(sys.ioctl(fd, KvmIoctls.KVM_GET_API_VERSION, 0L), "KVM_GET_API_VERSION", path);
    }

    @Override
    public int checkExtension(Capability capability) {
        ensureOpen("KVM_CHECK_EXTENSION");
        return Syscalls.check(sys.ioctl(fd, KvmIoctls.KVM_CHECK_EXTENSION, (long) capability.number()),
                "KVM_CHECK_EXTENSION", capability.uapiName());
    }

    /** KVM_GET_VCPU_MMAP_SIZE: bytes of the vCPU's shared run area. */
    public int vcpuMmapSize() {
        return vcpuMmapSize;
    }

    @Override
    public List<CpuidEntry> supportedCpuid() {
        ensureOpen("KVM_GET_SUPPORTED_CPUID");
        // The kernel answers E2BIG while the buffer is too small; grow it as QEMU does.
        for (int capacity = 128; ; capacity *= 2) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment buf = arena.allocate(KvmStructs.Cpuid.HEADER_SIZE + capacity * KvmStructs.Cpuid.ENTRY_SIZE, 8);
                buf.set(ValueLayout.JAVA_INT, 0, capacity);
                int r = sys.ioctl(fd, KvmIoctls.KVM_GET_SUPPORTED_CPUID, buf);
                if (r == -Errno.E2BIG.number() && capacity < 4096) {
                    continue;
                }
                Syscalls.check(r, "KVM_GET_SUPPORTED_CPUID", "nent=" + capacity);
                int n = buf.get(ValueLayout.JAVA_INT, 0);
                List<CpuidEntry> entries = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    entries.add(CpuidCodec.read(buf, KvmStructs.Cpuid.HEADER_SIZE + i * KvmStructs.Cpuid.ENTRY_SIZE));
                }
                return List.copyOf(entries);
            }
        }
    }

    @Override
    public LinuxVm createVm(HostMemoryRegistry hostMemory) {
        ensureOpen("KVM_CREATE_VM");
        int vmFd = Syscalls.check(sys.ioctl(fd, KvmIoctls.KVM_CREATE_VM, 0L), "KVM_CREATE_VM", "type=0");
        return new LinuxVm(sys, vmFd, vcpuMmapSize, hostMemory);
    }

    private void ensureOpen(String op) {
        if (closed) {
            throw new IllegalStateException(op + ": " + path + " handle is closed");
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            throw new IllegalStateException(path + " handle (fd " + fd + ") closed twice");
        }
        closed = true;
        Syscalls.check(sys.close(fd), "close", path + " fd=" + fd);
    }

    @Override
    public String toString() {
        return "LinuxKvm[" + path + " fd=" + fd + (closed ? ", closed" : "") + "]";
    }
}
