package org.jvmm.vfio.seed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.testing.IommufdRig;
import org.jvmm.vfio.PasidApi;
import org.jvmm.vfio.SeedVsvm;
import org.jvmm.vfio.SeedVsvm.PasidTableInfo;
import org.jvmm.vfio.SeedVsvm.Svm;
import org.jvmm.vfio.SeedVsvm.TlbInvalidateInfo;

/**
 * Seed 001's virtual-SVM passdown (reference B-6: Yi Liu's {@code vfio_device_svm} with
 * {@code data[]}, flags BIND_PASIDTP 1, PASSDOWN_INVALIDATE 2, RELEASE_FLUSHED 4, RELEASE_CLEAN 8)
 * and the errnos the model chose where the proposal is pseudo-code ({@link SeedVsvm}).
 */
class SeedVsvmPassdownRules {
    private final IommufdRig rig = IommufdRig.open();

    @AfterEach
    void close() {
        rig.close();
    }

    private Errno errno(Svm arg, MemorySegment data) {
        return assertThrows(ErrnoException.class, () -> rig.device.svmPassdown(arg, data)).errno();
    }

    private static MemorySegment table(long ptr, int size) {
        MemorySegment d = MemorySegment.ofArray(new byte[PasidTableInfo.SIZE]);
        new PasidTableInfo(ptr, size).encode(d);
        return d;
    }

    @Test
    @DisplayName("outside seed mode the passdown does not exist: ENOTTY")
    void notInMainlineMode() {
        assertEquals(Errno.ENOTTY, errno(new Svm(28, SeedVsvm.VFIO_SVM_BIND_PASIDTP, 16), table(0x1000, 0)));
    }

    @Test
    @DisplayName("argsz below 12, length past argsz, a short payload, an unaligned table or a size above 7, unknown or mixed flags: EINVAL")
    void malformedArguments() {
        rig.vfio.setPasidApi(PasidApi.SEED);
        assertEquals(Errno.EINVAL, errno(new Svm(8, SeedVsvm.VFIO_SVM_BIND_PASIDTP, 0), table(0x1000, 0)));
        assertEquals(Errno.EINVAL, errno(new Svm(20, SeedVsvm.VFIO_SVM_BIND_PASIDTP, 16), table(0x1000, 0)));
        assertEquals(Errno.EINVAL, errno(new Svm(24, SeedVsvm.VFIO_SVM_BIND_PASIDTP, 12), table(0x1000, 0)));
        assertEquals(Errno.EINVAL, errno(new Svm(28, SeedVsvm.VFIO_SVM_BIND_PASIDTP, 16), table(0x1008, 0)));
        assertEquals(Errno.EINVAL, errno(new Svm(28, SeedVsvm.VFIO_SVM_BIND_PASIDTP, 16), table(0x1000, 8)));
        assertEquals(Errno.EINVAL, errno(new Svm(28, SeedVsvm.VFIO_SVM_BIND_PASIDTP | SeedVsvm.VFIO_SVM_PASSDOWN_INVALIDATE, 16),
                table(0x1000, 0)));
        assertEquals(Errno.EINVAL, errno(new Svm(28, 1 << 4, 16), table(0x1000, 0)));
    }

    @Test
    @DisplayName("an invalidation before a bind ENODEV, an unbind without a bind ESRCH; bind, invalidate and unbind with CLEAN are counted")
    void orderOfOperations() {
        rig.vfio.setPasidApi(PasidApi.SEED);
        MemorySegment inv = MemorySegment.ofArray(new byte[TlbInvalidateInfo.SIZE]);
        new TlbInvalidateInfo(SeedVsvm.INV_TYPE_EXTENDED_IOTLB, 5, 0x1000, 1, SeedVsvm.GRANU_PAGE, 1, 0, 0).encode(inv);
        assertEquals(Errno.ENODEV, errno(new Svm(60, SeedVsvm.VFIO_SVM_PASSDOWN_INVALIDATE, 48), inv));
        assertEquals(Errno.ESRCH, errno(new Svm(12, SeedVsvm.VFIO_SVM_PASID_RELEASE_CLEAN, 0), MemorySegment.ofArray(new byte[0])));
        rig.device.svmPassdown(new Svm(28, SeedVsvm.VFIO_SVM_BIND_PASIDTP, 16), table(0x1000, 0));
        rig.device.svmPassdown(new Svm(60, SeedVsvm.VFIO_SVM_PASSDOWN_INVALIDATE, 48), inv);
        rig.device.svmPassdown(new Svm(12, SeedVsvm.VFIO_SVM_PASID_RELEASE_CLEAN, 0), MemorySegment.ofArray(new byte[0]));
        SeedVsvm s = rig.vfio.seedVsvm();
        assertEquals(1, s.binds());
        assertEquals(1, s.invalidations());
        assertEquals(1, s.unbinds());
    }
}
