package org.jvmm.vfio.mdev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.jvmm.vfio.mdev.MdevAssertions.assertErrno;
import static org.jvmm.vfio.uapi.VfioUapi.VFIO_TYPE1v2_IOMMU;

import java.util.List;
import org.jvmm.host.Errno;
import org.jvmm.testing.MdevRig;
import org.jvmm.vfio.VfioContainer;
import org.jvmm.vfio.VfioDevice;
import org.jvmm.vfio.VfioGroup;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Rule A-18 (drivers/gpu/drm/i915/gvt/kvmgt.c, Documentation/virt/kvm/devices/vfio.rst): "Some
 * vendor drivers need the KVM instance at open: Intel's kvmgt refuses to open (historically ESRCH,
 * "KVM is required") unless the VMM added the group ... to the KVM-VFIO device before
 * GET_DEVICE_FD".
 */
@DisplayName("mdev A-18: a vendor that needs KVM sees the VM the KVM-VFIO device set on the group, or refuses the open")
class MdevRule18KvmAtOpen {
    private static final String U = "83b8f4f2-509f-382f-3c1e-e6bfe0fa1018";

    @Test
    @DisplayName("A-18: GET_DEVICE_FD is ESRCH before FILE_ADD set the group's KVM; after it the vendor sees that VM")
    void kvmRequiredAtOpen() {
        MdevRig rig = new MdevRig();
        ToyVendor v = new ToyVendor(2);
        v.requireKvm = true;
        rig.bus.registerParent("toy", "toydrv", v, List.of(new MdevType("a", null)));
        rig.bus.write("/sys/class/mdev_bus/toy/mdev_supported_types/toydrv-a/create", U);
        MdevDevice m = rig.bus.device(U);
        try (VfioContainer c = VfioContainer.open(rig.vfio); VfioGroup g = VfioGroup.open(rig.vfio, m.iommuGroupNumber())) {
            g.setContainer(c);
            c.setIommu(VFIO_TYPE1v2_IOMMU);
            assertErrno(Errno.ESRCH, "open_device", () -> g.getDeviceFd(U));
            assertEquals(0, m.openCount(), "a refused open leaves no fd");
            Object vm = new Object();
            g.setKvm(vm); // what KVM_DEV_VFIO_FILE_ADD does (vfio_file_set_kvm)
            try (VfioDevice d = g.getDeviceFd(U)) {
                assertSame(vm, m.kvm());
                assertEquals(1, m.openCount());
            }
            assertNull(m.kvm(), "the last close drops device->kvm");
            g.setKvm(null); // FILE_DEL
            assertErrno(Errno.ESRCH, "open_device", () -> g.getDeviceFd(U));
        }
    }
}
