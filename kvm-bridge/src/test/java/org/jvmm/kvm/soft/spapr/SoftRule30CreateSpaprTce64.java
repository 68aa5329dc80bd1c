package org.jvmm.kvm.soft.spapr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.kvm.Capability;
import org.jvmm.kvm.spapr.SpaprTceCreate64;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Rule 30 (Linux arch/powerpc/kvm/book3s_64_vio.c): KVM_CREATE_SPAPR_TCE_64: EINVAL unless size !=
 * 0, 12 <= page_shift <= 34 and offset+size does not overflow; EBUSY if the LIOBN exists.
 */
@DisplayName("Rule 30: KVM_CREATE_SPAPR_TCE_64 is EINVAL unless size != 0, 12 <= page_shift <= 34, no overflow; EBUSY for a known LIOBN")
class SoftRule30CreateSpaprTce64 {

    private static void einval(SoftSpaprRig rig, SpaprTceCreate64 args) {
        ErrnoException e = assertThrows(ErrnoException.class, () -> rig.vm.createSpaprTce64(args));
        assertEquals(Errno.EINVAL, e.errno());
        assertEquals("KVM_CREATE_SPAPR_TCE_64", e.operation());
    }

    @Test
    void badShapesAreEinvalAndLeaveNoTable() {
        try (SoftSpaprRig rig = new SoftSpaprRig()) {
            einval(rig, new SpaprTceCreate64(1, 12, 0, 0, 0));
            einval(rig, new SpaprTceCreate64(1, 11, 0, 0, 16));
            einval(rig, new SpaprTceCreate64(1, 35, 0, 0, 16));
            einval(rig, new SpaprTceCreate64(1, 34, 0, 1L << 30, 1L << 30)); // offset + size past 2^64 >> 34
            einval(rig, new SpaprTceCreate64(1, 12, 0, -1L, 2));
            assertEquals(0, rig.vm.tceTables().size());
            assertEquals(1, rig.kvm.checkExtension(Capability.SPAPR_TCE_64));
            assertEquals(1, rig.kvm.checkExtension(Capability.SPAPR_TCE_VFIO));
        }
    }

    @Test
    void aSecondTableForTheSameLiobnIsEbusyUntilTheFirstIsClosed() {
        try (SoftSpaprRig rig = new SoftSpaprRig()) {
            KvmTceTable t = rig.vm.createSpaprTce64(new SpaprTceCreate64(0x8000_0000L, 16, 0, 1L << 43, 1 << 20));
            assertSame(t, rig.kvm.files().get("test", t.fd()));
            ErrnoException e = assertThrows(ErrnoException.class,
                    () -> rig.vm.createSpaprTce64(new SpaprTceCreate64(0x8000_0000L, 12, 0, 0, 16)));
            assertEquals(Errno.EBUSY, e.errno());
            int fd = t.fd();
            int filesOpen = rig.kvm.files().openCount();
            t.close();
            assertNull(rig.vm.table(0x8000_0000L));
            assertEquals(filesOpen - 1, rig.kvm.files().openCount());
            assertThrows(ErrnoException.class, () -> rig.kvm.files().get("test", fd));
            assertThrows(IllegalStateException.class, t::close);
            rig.vm.createSpaprTce64(new SpaprTceCreate64(0x8000_0000L, 12, 0, 0, 16)).close();
        }
    }
}
