package org.jvmm.kvm.soft.spapr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.kvm.KvmDeviceType;
import org.jvmm.kvm.KvmVfioDevice;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Rule 31 (Linux virt/kvm/vfio.c): One per VM (a second create is EBUSY). FILE_ADD:
 * EBADF/EINVAL/EEXIST; FILE_DEL: ENOENT.
 */
@DisplayName("Rule 31: one KVM-VFIO device per VM (EBUSY); FILE_ADD EBADF/EINVAL/EEXIST; FILE_DEL ENOENT")
class SoftRule31KvmVfioDeviceFiles {

    private static void errno(Errno errno, String op, Executable call) {
        ErrnoException e = assertThrows(ErrnoException.class, call);
        assertEquals(errno, e.errno(), e.getMessage());
        assertEquals(op, e.operation());
    }

    @Test
    void aSecondDeviceIsEbusyUntilTheFirstIsClosed() {
        try (SoftSpaprRig rig = new SoftSpaprRig()) {
            KvmVfioDevice d = rig.vm.createVfioDevice();
            errno(Errno.EBUSY, "KVM_CREATE_DEVICE", () -> rig.vm.createDevice(KvmDeviceType.VFIO));
            d.close();
            rig.vm.createVfioDevice().close();
            errno(Errno.ENODEV, "KVM_CREATE_DEVICE", () -> rig.vm.createDevice(KvmDeviceType.XIVE));
        }
    }

    @Test
    void fileAddAndDelAnswerAsVirtKvmVfio() {
        try (SoftSpaprRig rig = new SoftSpaprRig(); KvmVfioDevice d = rig.vm.createVfioDevice()) {
            errno(Errno.EBADF, "KVM_DEV_VFIO_FILE_ADD", () -> d.addFile(4242));
            int notVfio = rig.kvm.files().install("a plain file");
            errno(Errno.EINVAL, "KVM_DEV_VFIO_FILE_ADD", () -> d.addFile(notVfio));
            errno(Errno.ENOENT, "KVM_DEV_VFIO_FILE_DEL", () -> d.deleteFile(rig.groupFd));
            d.addFile(rig.groupFd);
            errno(Errno.EEXIST, "KVM_DEV_VFIO_FILE_ADD", () -> d.addFile(rig.groupFd));
            d.deleteFile(rig.groupFd);
            errno(Errno.ENOENT, "KVM_DEV_VFIO_FILE_DEL", () -> d.deleteFile(rig.groupFd));
            errno(Errno.EBADF, "KVM_DEV_VFIO_FILE_DEL", () -> d.deleteFile(4242));
            rig.kvm.files().close(notVfio);
        }
    }
}
