package org.jvmm.kvm.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.host.sys.EventFd;
import org.jvmm.kvm.KvmDeviceType;
import org.jvmm.kvm.KvmTestSupport;
import org.jvmm.kvm.KvmVfioDevice;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The KVM-VFIO device on /dev/kvm (virt/kvm/vfio.c, virt/kvm/kvm_main.c kvm_ioctl_create_device).
 * This host has no VFIO group or device files, so what can be shown is the device's creation,
 * its one-per-VM rule, its attributes, and the kernel's answers for files that are not VFIO's.
 */
class KvmVfioDeviceAnswersLikeTheKernel {
    private LinuxKvm kvm;

    @BeforeEach
    void needsKvm() {
        KvmTestSupport.assumeKvm();
    }

    private LinuxVm newVm() {
        kvm = LinuxKvm.open();
        return kvm.createVm(new HostMemoryRegistry());
    }

    @Test
    @DisplayName("KVM_CREATE_DEVICE_TEST: VFIO is offered on x86, an ARM GIC is not (ENODEV -> false)")
    void supportTest() {
        try (LinuxVm vm = newVm()) {
            assertTrue(vm.supportsDevice(KvmDeviceType.VFIO));
            assertFalse(vm.supportsDevice(KvmDeviceType.ARM_VGIC_V2));
            ErrnoException e = assertThrows(ErrnoException.class, () -> vm.createDevice(KvmDeviceType.ARM_VGIC_V2));
            assertEquals(Errno.ENODEV, e.errno());
            assertEquals(0, vm.openChildren().size());
        } finally {
            kvm.close();
        }
    }

    @Test
    @DisplayName("one per VM: a second create is EBUSY; closing the fd destroys the device (it has a release op)")
    void onePerVm() {
        try (LinuxVm vm = newVm()) {
            KvmVfioDevice first = vm.createVfioDevice();
            ErrnoException e = assertThrows(ErrnoException.class, vm::createVfioDevice);
            assertEquals(Errno.EBUSY, e.errno());
            assertEquals("KVM_CREATE_DEVICE failed: EBUSY (KVM_DEV_TYPE_VFIO (4))", e.getMessage());
            first.close();
            assertThrows(IllegalStateException.class, first::close);
            try (KvmVfioDevice again = vm.createVfioDevice()) {
                assertEquals(Errno.EBUSY, assertThrows(ErrnoException.class, vm::createVfioDevice).errno());
            }
        } finally {
            kvm.close();
        }
    }

    @Test
    @DisplayName("attributes: KVM_DEV_VFIO_FILE ADD and DEL exist, anything else is ENXIO (false)")
    void attributes() {
        try (LinuxVm vm = newVm(); KvmVfioDevice vfio = vm.createVfioDevice()) {
            assertTrue(vfio.device().hasAttribute(KvmVfioDevice.GROUP_FILE, KvmVfioDevice.FILE_ADD));
            assertTrue(vfio.device().hasAttribute(KvmVfioDevice.GROUP_FILE, KvmVfioDevice.FILE_DEL));
            assertFalse(vfio.device().hasAttribute(KvmVfioDevice.GROUP_FILE, 99));
            assertFalse(vfio.device().hasAttribute(7, KvmVfioDevice.FILE_ADD));
        } finally {
            kvm.close();
        }
    }

    @Test
    @DisplayName("FILE_ADD: a closed fd is EBADF, an open fd that is not a VFIO file is EINVAL")
    void fileAddAnswers() {
        try (LinuxVm vm = newVm(); KvmVfioDevice vfio = vm.createVfioDevice(); EventFd notVfio = EventFd.create()) {
            ErrnoException badf = assertThrows(ErrnoException.class, () -> vfio.addFile(-1));
            assertEquals(Errno.EBADF, badf.errno());
            assertEquals("KVM_DEV_VFIO_FILE_ADD", badf.operation());
            assertTrue(badf.getMessage().startsWith("KVM_DEV_VFIO_FILE_ADD failed: EBADF (fd=-1"), badf.getMessage());
            ErrnoException inval = assertThrows(ErrnoException.class, () -> vfio.addFile(notVfio.fd()));
            assertEquals(Errno.EINVAL, inval.errno());
        } finally {
            kvm.close();
        }
    }

    @Test
    @DisplayName("FILE_DEL: a closed fd is EBADF, a file never added is ENOENT")
    void fileDelAnswers() {
        try (LinuxVm vm = newVm(); KvmVfioDevice vfio = vm.createVfioDevice(); EventFd notVfio = EventFd.create()) {
            assertEquals(Errno.EBADF, assertThrows(ErrnoException.class, () -> vfio.deleteFile(-1)).errno());
            ErrnoException noent = assertThrows(ErrnoException.class, () -> vfio.deleteFile(notVfio.fd()));
            assertEquals(Errno.ENOENT, noent.errno());
            assertEquals("KVM_DEV_VFIO_FILE_DEL", noent.operation());
        } finally {
            kvm.close();
        }
    }

    @Test
    void wrapperRefusesAnotherDeviceType() {
        try (LinuxVm vm = newVm()) {
            // No other device type can be created on this x86 host, so the check is shown with a stand-in.
            org.jvmm.kvm.KvmDevice xics = new org.jvmm.kvm.KvmDevice() {
                public KvmDeviceType type() {
                    return KvmDeviceType.XICS;
                }

                public void setAttribute(int group, long attribute, java.lang.foreign.MemorySegment value) {
                }

                public void getAttribute(int group, long attribute, java.lang.foreign.MemorySegment value) {
                }

                public boolean hasAttribute(int group, long attribute) {
                    return false;
                }

                public void close() {
                }
            };
            assertEquals("KVM-VFIO device: given a KVM_DEV_TYPE_XICS device",
                    assertThrows(IllegalArgumentException.class, () -> new KvmVfioDevice(xics)).getMessage());
        } finally {
            kvm.close();
        }
    }
}
