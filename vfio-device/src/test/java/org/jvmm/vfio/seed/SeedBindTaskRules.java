package org.jvmm.vfio.seed;

import static org.jvmm.vfio.SeedSvm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.pci.host.HostPciFunction;
import org.jvmm.testing.IommufdRig;
import org.jvmm.vfio.PasidApi;
import org.jvmm.vfio.VfioContainer;
import org.jvmm.vfio.VfioDevice;
import org.jvmm.vfio.VfioDeviceSvm;
import org.jvmm.vfio.VfioGroup;
import org.jvmm.vfio.uapi.VfioUapi;

/**
 * Seed 001's VFIO_DEVICE_BIND_TASK / UNBIND_TASK (reference B-1 to B-8; the model's choices are
 * listed in {@link org.jvmm.vfio.SeedSvm}), on device files from the legacy group path.
 */
class SeedBindTaskRules {
    private final IommufdRig rig = IommufdRig.unbound();
    private final VfioContainer container = VfioContainer.open(rig.platform);
    private final VfioGroup group = VfioGroup.open(rig.platform, rig.platform.iommuGroupOf(IommufdRig.PASID_EDU));
    private final VfioDevice dev;

    SeedBindTaskRules() {
        group.setContainer(container);
        container.setIommu(VfioUapi.VFIO_TYPE1v2_IOMMU);
        dev = group.getDeviceFd(IommufdRig.PASID_EDU.toString());
    }

    @AfterEach
    void close() {
        if (!dev.isClosed()) {
            dev.close();
        }
        group.close();
        container.close();
        rig.close();
    }

    private static Errno errno(Runnable r) {
        return assertThrows(ErrnoException.class, r::run).errno();
    }

    private HostPciFunction fn() {
        return rig.platform.function("t", IommufdRig.PASID_EDU);
    }

    @Test
    @DisplayName("outside seed mode the ioctls do not exist (ENOTTY) and bit 4 of the device flags stays clear (it is CCW in mainline)")
    void mainlineHasNoBindTask() {
        assertEquals(Errno.ENOTTY, errno(() -> dev.bindTask(VfioDeviceSvm.bind())));
        assertEquals(Errno.ENOTTY, errno(() -> dev.unbindTask(VfioDeviceSvm.unbind(1, 0))));
        assertEquals(0, dev.getInfo().flags() & VFIO_DEVICE_FLAGS_SVM);
    }

    @Test
    @DisplayName("B-1: in seed mode FLAGS_SVM is set for a PCIe device with PASID and PRI, not for one without")
    void svmFlagOnlyForCapableDevicesInSeedMode() {
        rig.vfio.setPasidApi(PasidApi.SEED);
        assertEquals(VFIO_DEVICE_FLAGS_SVM, dev.getInfo().flags() & VFIO_DEVICE_FLAGS_SVM);
        try (VfioGroup g2 = VfioGroup.open(rig.platform, rig.platform.iommuGroupOf(IommufdRig.PLAIN_EDU))) {
            g2.setContainer(container);
            try (VfioDevice plain = g2.getDeviceFd(IommufdRig.PLAIN_EDU.toString())) {
                assertEquals(0, plain.getInfo().flags() & VFIO_DEVICE_FLAGS_SVM);
                assertEquals(Errno.ENODEV, errno(() -> plain.bindTask(VfioDeviceSvm.bind())));
            }
        }
    }

    @Test
    @DisplayName("B-8: argsz below 12 EINVAL; BIND with a flag EINVAL; UNBIND with both flags or an unknown one EINVAL; unbinding a PASID not bound ESRCH")
    void argumentErrors() {
        rig.vfio.setPasidApi(PasidApi.SEED);
        assertEquals(Errno.EINVAL, errno(() -> dev.bindTask(new VfioDeviceSvm(11, 0, 0))));
        assertEquals(Errno.EINVAL, errno(() -> dev.bindTask(new VfioDeviceSvm(12, VFIO_SVM_PASID_RELEASE_CLEAN, 0))));
        int pasid = dev.bindTask(VfioDeviceSvm.bind()).pasid();
        assertEquals(Errno.EINVAL, errno(() -> dev.unbindTask(new VfioDeviceSvm(8, 0, pasid))));
        assertEquals(Errno.EINVAL, errno(() -> dev.unbindTask(VfioDeviceSvm.unbind(pasid, 3))));
        assertEquals(Errno.EINVAL, errno(() -> dev.unbindTask(VfioDeviceSvm.unbind(pasid, 4))));
        assertEquals(Errno.ESRCH, errno(() -> dev.unbindTask(VfioDeviceSvm.unbind(pasid + 1, VFIO_SVM_PASID_RELEASE_CLEAN))));
        assertEquals(pasid, rig.vfio.seedSvm().boundPasid(fn()), "failed unbinds leave the bond");
    }

    @Test
    @DisplayName("B-3/B-8: the first PASID is 1, a second BIND by the same process returns it again, and the PASID routes to the process address space")
    void bindGivesThePasidAndAttachesTheProcessAddressSpace() {
        rig.vfio.setPasidApi(PasidApi.SEED);
        assertEquals(1, dev.bindTask(VfioDeviceSvm.bind()).pasid());
        assertEquals(1, dev.bindTask(VfioDeviceSvm.bind()).pasid());
        assertEquals(org.jvmm.iommu.SvaDomain.class, fn().pasidDomain(1).getClass());
        dev.unbindTask(VfioDeviceSvm.unbind(1, VFIO_SVM_PASID_RELEASE_CLEAN));
        assertNull(fn().pasidDomain(1));
        assertEquals(Errno.ESRCH, errno(() -> dev.unbindTask(VfioDeviceSvm.unbind(1, VFIO_SVM_PASID_RELEASE_CLEAN))),
                "one UNBIND removes the bond");
    }

    @Test
    @DisplayName("B-5: CLEAN and FLUSHED free the PASID for reuse; neither leaks it, counted, never reused")
    void releaseFlags() {
        rig.vfio.setPasidApi(PasidApi.SEED);
        int p = dev.bindTask(VfioDeviceSvm.bind()).pasid();
        dev.unbindTask(VfioDeviceSvm.unbind(p, VFIO_SVM_PASID_RELEASE_CLEAN));
        assertEquals(p, dev.bindTask(VfioDeviceSvm.bind()).pasid());
        dev.unbindTask(VfioDeviceSvm.unbind(p, VFIO_SVM_PASID_RELEASE_FLUSHED));
        assertEquals(p, dev.bindTask(VfioDeviceSvm.bind()).pasid());
        dev.unbindTask(VfioDeviceSvm.unbind(p, 0));
        assertEquals(1L, rig.vfio.seedSvm().leakedPasids());
        assertEquals(2L, rig.vfio.seedSvm().releasedPasids());
        assertEquals(p + 1, dev.bindTask(VfioDeviceSvm.bind()).pasid(), "the leaked PASID is not reused");
    }

    @Test
    @DisplayName("closing the device fd with a bond left removes it as an UNBIND without flags: the PASID leaks")
    void closeWithABondLeaksThePasid() {
        rig.vfio.setPasidApi(PasidApi.SEED);
        int p = dev.bindTask(VfioDeviceSvm.bind()).pasid();
        dev.close();
        assertNull(fn().pasidDomain(p));
        assertEquals(1L, rig.vfio.seedSvm().leakedPasids());
    }
}
