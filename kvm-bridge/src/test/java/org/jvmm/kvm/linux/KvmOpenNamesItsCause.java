package org.jvmm.kvm.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.host.sys.ProcessFds;
import org.jvmm.kvm.Capability;
import org.jvmm.kvm.KvmTestSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Opening KVM fails with an error that names its cause: a missing device (ENOENT), no permission
 * (EACCES), a wrong API version, a capability the host lacks. The first three run everywhere
 * (a missing path, or a scripted seam); the capability check needs /dev/kvm.
 */
class KvmOpenNamesItsCause {

    @Test
    @DisplayName("ENOENT: the device does not exist")
    void missingDevice() {
        ErrnoException e = assertThrows(ErrnoException.class,
                () -> LinuxKvm.open(new ForwardingSyscalls(), "/nonexistent/kvm"));
        assertEquals(Errno.ENOENT, e.errno());
        assertEquals("open /nonexistent/kvm", e.operation());
        assertEquals("open /nonexistent/kvm failed: ENOENT (/nonexistent/kvm does not exist: this host offers no KVM "
                + "(no hardware virtualization, or the kvm module is not loaded))", e.getMessage());
    }

    @Test
    @DisplayName("EACCES: permission denied names the device and the usual remedy")
    void permissionDenied() {
        ForwardingSyscalls sys = new ForwardingSyscalls() {
            @Override
            public int open(String path, int flags) {
                return -Errno.EACCES.number();
            }
        };
        ErrnoException e = assertThrows(ErrnoException.class, () -> LinuxKvm.open(sys, "/dev/kvm"));
        assertEquals(Errno.EACCES, e.errno());
        assertEquals("open /dev/kvm failed: EACCES (permission denied on /dev/kvm: the user needs read and write "
                + "access to it (usually membership of group kvm))", e.getMessage());
    }

    @Test
    @DisplayName("a device that answers another API version is refused, and its fd closed")
    void wrongApiVersion() {
        KvmTestSupport.assumeKvm();
        ForwardingSyscalls sys = new ForwardingSyscalls() {
            @Override
            public int ioctl(int fd, long request, long arg) {
                return request == KvmIoctls.KVM_GET_API_VERSION ? 11 : super.ioctl(fd, request, arg);
            }
        };
        long before = ProcessFds.count();
        ErrnoException e = assertThrows(ErrnoException.class, () -> LinuxKvm.open(sys, "/dev/kvm"));
        assertEquals("KVM_GET_API_VERSION failed: EINVAL (/dev/kvm reports KVM API version 11, this backend speaks "
                + "version 12)", e.getMessage());
        assertEquals(before, ProcessFds.count());
    }

    @Test
    @DisplayName("a missing capability names itself and what needed it")
    void missingCapability() {
        KvmTestSupport.assumeKvm();
        ForwardingSyscalls sys = new ForwardingSyscalls() {
            @Override
            public int ioctl(int fd, long request, long arg) {
                return request == KvmIoctls.KVM_CHECK_EXTENSION && arg == Capability.IRQFD.number() ? 0
                        : super.ioctl(fd, request, arg);
            }
        };
        try (LinuxKvm kvm = LinuxKvm.open(sys, "/dev/kvm")) {
            ErrnoException e = assertThrows(ErrnoException.class,
                    () -> kvm.requireExtension(Capability.IRQFD, "device interrupts"));
            assertEquals(Errno.EOPNOTSUPP, e.errno());
            assertEquals("KVM_CHECK_EXTENSION failed: EOPNOTSUPP (KVM_CAP_IRQFD (32) is not offered by this host's "
                    + "KVM; it is needed for device interrupts)", e.getMessage());
            assertEquals(1, kvm.requireExtension(Capability.USER_MEMORY, "guest RAM"));
        }
    }

    @Test
    @DisplayName("on this host: API version 12, user memory, and CPUID leaves 0 and 1 offered")
    void realKvmAnswers() {
        KvmTestSupport.assumeKvm();
        try (LinuxKvm kvm = LinuxKvm.open()) {
            assertEquals(12, kvm.apiVersion());
            assertEquals(1, kvm.checkExtension(Capability.USER_MEMORY));
            var cpuid = kvm.supportedCpuid();
            assertEquals(1, cpuid.stream().filter(c -> c.function() == 0).count());
            assertEquals(1, cpuid.stream().filter(c -> c.function() == 1).count());
            assertEquals(true, kvm.vcpuMmapSize() >= KvmStructs.Run.SIZE);
        }
    }

    @Test
    @DisplayName("the kick signal refuses to replace someone else's handler")
    void kickSignalWillNotStealAHandler() {
        ForwardingSyscalls sys = new ForwardingSyscalls() {
            @Override
            public int sigaction(int signal, MemorySegment act, MemorySegment oldact) {
                if (oldact.address() != 0) {
                    oldact.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, 0x1234L);
                }
                return 0;
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> VcpuKickSignal.install(sys));
        assertEquals(true, e.getMessage().contains("already has a handler at 0x1234"), e.getMessage());
    }
}
