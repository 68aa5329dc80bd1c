package org.jvmm.kvm.soft.spapr;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.jvmm.kvm.KvmVfioDevice;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A-18 (virt/kvm/vfio.c kvm_vfio_file_add/del, vfio_file_set_kvm): adding a group file to the
 * KVM-VFIO device hands the group the VM, which its devices see at their next open; deleting it,
 * or closing the device, takes it back.
 */
@DisplayName("A-18: KVM-VFIO FILE_ADD sets the group's KVM, FILE_DEL and close clear it")
class SoftFileAddSetsTheGroupsKvm {

    @Test
    @DisplayName("FILE_ADD: group.kvm() is the VM; FILE_DEL: null; added again and the device closed: null")
    void fileAddSetsKvm() {
        try (SoftSpaprRig rig = new SoftSpaprRig()) {
            assertNull(rig.group.kvm());
            KvmVfioDevice d = rig.vm.createVfioDevice();
            d.addFile(rig.groupFd);
            assertSame(rig.vm, rig.group.kvm());
            d.deleteFile(rig.groupFd);
            assertNull(rig.group.kvm());
            d.addFile(rig.groupFd);
            d.close();
            assertNull(rig.group.kvm());
        }
    }
}
